//! Command-line interface: one subcommand per file.

mod plugin;
mod run;
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
    /// Run one plugin or Rhai script against an event with in-memory capabilities.
    Run(run::RunArgs),
    /// Run a WeCom or DingTalk simulator standalone.
    Sim(sim::SimArgs),
}

impl Command {
    /// Runs the subcommand; the exit code lets a handler failure end the process non-zero.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Plugin(cmd) => cmd.execute().await,
            Command::Run(args) => args.execute().await,
            Command::Sim(args) => args.execute().await,
        }
    }
}
