//! Command-line interface: one subcommand per file.

mod apikey;
mod dev;
mod logging;
mod plugin;
mod rule;
mod run;
mod serve;
mod sim;

use std::process::ExitCode;

/// Worklink: the bridge between business systems and WeCom / DingTalk.
#[derive(Debug, clap::Parser)]
#[command(name = "worklink", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Inspect, install and list plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// List, publish, enable, disable, approve and dry-run rules.
    Rule(rule::RuleArgs),
    /// Run one plugin or Rhai script against an event with in-memory capabilities.
    Run(run::RunArgs),
    /// Run a WeCom or DingTalk simulator standalone.
    Sim(sim::SimArgs),
    /// Serve: ingest callbacks and ERP events, run rules, deliver effects, admin API.
    Serve(serve::ServeArgs),
    /// Create and revoke API keys.
    Apikey(apikey::ApiKeyArgs),
    /// A local instance against simulated WeCom and DingTalk tenants, samples enabled.
    Dev(dev::DevArgs),
}

impl Command {
    /// Runs the subcommand; the exit code lets a handler failure end the process non-zero.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Plugin(cmd) => cmd.execute().await,
            Command::Rule(args) => args.execute().await,
            Command::Run(args) => args.execute().await,
            Command::Sim(args) => args.execute().await,
            Command::Serve(args) => args.execute().await,
            Command::Apikey(args) => args.execute().await,
            Command::Dev(args) => args.execute().await,
        }
    }
}
