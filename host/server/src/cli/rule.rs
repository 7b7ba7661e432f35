//! `worklink rule ...`: publish, inspect, switch on and off, approve and try the rules of a
//! server, working on its database directly (the server may be running: every change is a plain
//! row update the running pipeline reads on its next round).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use worklink_runtime::capability::Capability;
use worklink_runtime::script::ScriptLimits;
use worklink_server::config::Config;
use worklink_server::pipeline::{Handlers, Pipeline, PipelineOptions};
use worklink_server::rules::{HandlerRef, Rule, reload};
use worklink_server::storage::rules::RuleRecord;
use worklink_server::storage::{SecretCipher, Store, now_millis};

use super::plugin::cli_wasm_config;
use super::run::{read_event, report};

/// Rule commands.
#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The server's configuration file.
    #[arg(long, default_value = "worklink.toml", global = true)]
    config: PathBuf,
    /// What to do.
    #[command(subcommand)]
    command: RuleCommand,
}

/// What `worklink rule` does.
#[derive(Debug, clap::Subcommand)]
enum RuleCommand {
    /// List the rules: enabled or not, current version, trigger, handler and grants.
    List,
    /// Publish the rules directory: each changed manifest or script becomes a new version; new
    /// rules start disabled.
    Reload,
    /// Let a rule run on matching events.
    Enable {
        /// The rule's name.
        rule: String,
    },
    /// Stop a rule from running (queued executions of it are skipped).
    Disable {
        /// The rule's name.
        rule: String,
    },
    /// Approve capabilities for a rule: exactly the ones given (approving fewer revokes the
    /// rest), or, with none given, every capability its manifest requests.
    Approve {
        /// The rule's name.
        rule: String,
        /// Capabilities: messaging, contacts, attendance, approvals, erp, kv, log.
        #[arg(value_delimiter = ',')]
        capabilities: Vec<Capability>,
    },
    /// Dry-run a rule on an event and print the effects it would stage; nothing is stored or
    /// sent. Exits non-zero if the handler fails.
    Test {
        /// The rule's name.
        rule: String,
        /// The event, a JSON file: `{"id", "kind", "source", "occurred_at", "payload": {..}}`.
        #[arg(long)]
        event: PathBuf,
    },
}

impl RuleArgs {
    /// Runs the command.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        let config = Config::load(&self.config)?;
        let cipher = SecretCipher::from_env()?;
        let store = Store::open(config.database_url.expose(), cipher)
            .await
            .context("opening the database")?;
        let mut out = std::io::stdout().lock();
        match self.command {
            RuleCommand::List => {
                for rule in store.list_rules().await? {
                    writeln!(out, "{}", describe(&rule))?;
                }
            }
            RuleCommand::Reload => {
                let report = reload(&store, &config.rules_dir).await?;
                for published in &report.published {
                    let what = if published.created {
                        "new rule (disabled)"
                    } else {
                        "updated"
                    };
                    writeln!(
                        out,
                        "{}: version {}, {what}",
                        published.name, published.version
                    )?;
                }
                for name in &report.unchanged {
                    writeln!(out, "{name}: unchanged")?;
                }
                for name in &report.missing {
                    writeln!(
                        out,
                        "{name}: no manifest in {} (left as is)",
                        config.rules_dir.display()
                    )?;
                }
            }
            RuleCommand::Enable { rule } => {
                store.set_rule_enabled(&rule, true, now_millis()).await?;
                writeln!(out, "{rule}: enabled")?;
                // Enabled regardless: the warnings name what to fix (install the plugin,
                // approve the grants) while the rule waits for events.
                for warning in pipeline(&config, &store)?.check_rule(&rule).await? {
                    eprintln!("warning: {rule}: {warning}");
                }
            }
            RuleCommand::Disable { rule } => {
                store.set_rule_enabled(&rule, false, now_millis()).await?;
                writeln!(out, "{rule}: disabled")?;
            }
            RuleCommand::Approve { rule, capabilities } => {
                let grants = if capabilities.is_empty() {
                    requested(&store, &rule).await?
                } else {
                    capabilities
                };
                store
                    .approve_rule_grants(&rule, &grants, now_millis())
                    .await?;
                writeln!(out, "{rule}: approved {}", names(&grants))?;
            }
            RuleCommand::Test { rule, event } => {
                let event = read_event(&event)?;
                let result = pipeline(&config, &store)?.dry_run(&rule, event).await?;
                drop(out);
                store.close().await;
                return report(&result);
            }
        }
        drop(out);
        store.close().await;
        Ok(ExitCode::SUCCESS)
    }
}

/// A pipeline over `store` for one command: dry runs and checks, no workers.
fn pipeline(config: &Config, store: &Store) -> anyhow::Result<Pipeline> {
    let handlers = Handlers::new(
        &config.plugins_dir,
        cli_wasm_config(None),
        ScriptLimits::default(),
    )?;
    Ok(Pipeline::new(
        store.clone(),
        Arc::new(handlers),
        PipelineOptions::from_config(config),
    ))
}

/// The capabilities the current version of `rule` requests.
async fn requested(store: &Store, rule: &str) -> anyhow::Result<Vec<Capability>> {
    let record = store
        .rule(rule)
        .await?
        .with_context(|| format!("no rule is called `{rule}`"))?;
    let version = record
        .current_version
        .with_context(|| format!("rule `{rule}` has no published version"))?;
    Ok(Rule::from_version(&version)?.manifest.grants)
}

/// One line about a rule.
fn describe(record: &RuleRecord) -> String {
    let state = if record.enabled {
        "enabled "
    } else {
        "disabled"
    };
    let Some(version) = &record.current_version else {
        return format!("{:<24} {state} (never published)", record.name);
    };
    match Rule::from_version(version) {
        Ok(rule) => {
            let manifest = &rule.manifest;
            let handler = match &manifest.handler {
                HandlerRef::Plugin(name) => format!("plugin {name}"),
                HandlerRef::Script(file) => format!("script {file}"),
            };
            let missing: Vec<Capability> = manifest
                .grants
                .iter()
                .copied()
                .filter(|cap| !record.approved_grants.contains(cap))
                .collect();
            let approval = if missing.is_empty() {
                String::new()
            } else {
                format!(", awaiting approval: {}", names(&missing))
            };
            format!(
                "{:<24} {state} v{:<3} on {} → {handler}; grants {}{approval}",
                record.name,
                version.version,
                manifest.on,
                names(&manifest.grants)
            )
        }
        Err(e) => format!(
            "{:<24} {state} v{:<3} unreadable: {e}",
            record.name, version.version
        ),
    }
}

fn names(caps: &[Capability]) -> String {
    if caps.is_empty() {
        return "none".into();
    }
    caps.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}
