//! `worklink run`: runs one plugin or Rhai script against one event with in-memory capabilities
//! and prints the result (outcome, staged effects, logs, usage) as JSON. Nothing is delivered:
//! effects are only listed. A failed, trapped or limited run exits non-zero with the reason on
//! stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use worklink_runtime::capability::memory::{MemoryBackend, MemorySeed};
use worklink_runtime::capability::{Backends, Capability, Grants};
use worklink_runtime::invocation::{InvocationRequest, InvocationResult, Limits};
use worklink_runtime::script::{ScriptEngine, ScriptLimits};
use worklink_runtime::types::Event;
use worklink_runtime::wasm::{Invocation, WasmHost};

use super::plugin::cli_wasm_config;

/// Arguments of `worklink run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The handler: a wasm component (`.wasm`) or a Rhai script (`.rhai`).
    handler: PathBuf,
    /// The event, a JSON file: `{"id", "kind", "source", "occurred_at" (unix ms), "payload": {..}}`.
    #[arg(long)]
    event: PathBuf,
    /// The rule config, a JSON file (default `{}`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Capabilities granted to the run: messaging, contacts, attendance, approvals, erp, kv, log.
    /// Repeat the flag or separate with commas.
    #[arg(long = "grant", value_name = "CAP", value_delimiter = ',')]
    grants: Vec<Capability>,
    /// Seed for the in-memory capabilities, a JSON file (`users`, `departments`, `bindings`,
    /// `check_ins`, `day_reports`, `approvals`, `kv`); a small demo organisation when omitted.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Limits overriding the defaults, a JSON file (`cpu_time_ms`, `wall_clock_ms`,
    /// `memory_bytes`, `output_bytes`, `log_bytes`, `max_effects`; any subset).
    #[arg(long)]
    limits: Option<PathBuf>,
    /// Where compiled components are cached between runs (none by default).
    #[arg(long, env = "WORKLINK_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// The handler kinds `run` accepts, by file extension.
enum HandlerKind {
    Wasm,
    Rhai,
}

impl RunArgs {
    /// Runs the handler and prints its result.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        let kind = match self.handler.extension().and_then(|e| e.to_str()) {
            Some("wasm") => HandlerKind::Wasm,
            Some("rhai") => HandlerKind::Rhai,
            _ => anyhow::bail!(
                "{}: expected a `.wasm` component or a `.rhai` script",
                self.handler.display()
            ),
        };
        let event = read_event(&self.event)?;
        let config = match &self.config {
            Some(path) => read_json::<serde_json::Value>(path, "config")?,
            None => serde_json::json!({}),
        };
        let seed = match &self.seed {
            Some(path) => read_json::<MemorySeed>(path, "seed")?,
            None => MemorySeed::demo(),
        };
        let limits = match &self.limits {
            Some(path) => read_json::<Limits>(path, "limits")?,
            None => Limits::default(),
        };
        let backends = Backends::memory(Arc::new(MemoryBackend::new(seed)));
        let invocation_id = format!("run-{}", event.id);
        let result = match kind {
            HandlerKind::Wasm => {
                let host = WasmHost::new(cli_wasm_config(self.cache_dir.clone()))?;
                let plugin = match host.load_file(&self.handler).await {
                    Ok(plugin) => plugin,
                    Err(e) => {
                        eprintln!("error: {}: {e}", self.handler.display());
                        return Ok(ExitCode::FAILURE);
                    }
                };
                let invocation = Invocation {
                    id: invocation_id,
                    event,
                    config,
                    granted: self.grants,
                    backends,
                    limits,
                };
                host.invoke(&plugin, invocation).await
            }
            HandlerKind::Rhai => {
                let source = std::fs::read_to_string(&self.handler)
                    .with_context(|| format!("cannot read {}", self.handler.display()))?;
                let engine = ScriptEngine::new(ScriptLimits::default());
                let script = match engine.compile(&stem(&self.handler), &source) {
                    Ok(script) => script,
                    Err(e) => {
                        eprintln!("error: {}: {e}", self.handler.display());
                        return Ok(ExitCode::FAILURE);
                    }
                };
                // A script has no manifest of requested capabilities: what the run grants is what
                // it may use.
                let request = InvocationRequest {
                    invocation_id,
                    scope: stem(&self.handler),
                    grants: Grants::new(Capability::ALL, self.grants),
                    backends,
                    limits,
                };
                engine.invoke(&script, &event, &config, request).await
            }
        };
        report(&result)
    }
}

/// Prints the result as JSON; a failed outcome also goes to stderr and makes the exit non-zero.
pub(super) fn report(result: &InvocationResult) -> anyhow::Result<ExitCode> {
    // Written rather than `println!`, which panics when the reader (e.g. `| head`) goes away.
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(result)?
    )?;
    match result.outcome.reason() {
        None => Ok(ExitCode::SUCCESS),
        Some(reason) => {
            eprintln!("error: {reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub(super) fn read_event(path: &Path) -> anyhow::Result<Event> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read event file {}", path.display()))?;
    Event::from_json(&text).with_context(|| format!("event file {}", path.display()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {what} file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{what} file {} is not valid", path.display()))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "script".into())
}
