//! `worklink plugin ...`: plugin commands that need no server (inspecting a component file).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use worklink_runtime::wasm::{WasmConfig, WasmHost};

/// Plugin commands.
#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {
    /// Print what a plugin says about itself (`describe()`) and the WIT version it targets, as
    /// JSON. An invalid component is refused with what is missing, and a non-zero exit.
    Inspect {
        /// The plugin component (`.wasm`).
        file: PathBuf,
    },
}

impl PluginCommand {
    /// Runs the command.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        match self {
            PluginCommand::Inspect { file } => inspect(file).await,
        }
    }
}

async fn inspect(file: PathBuf) -> anyhow::Result<ExitCode> {
    let host = WasmHost::new(cli_wasm_config(None))?;
    match host.load_file(&file).await {
        Ok(plugin) => {
            writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string_pretty(&plugin.summary())?
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A wasm host sized for one command: a handful of instance slots keeps the pooling
/// allocator's address-space reservation small.
pub(crate) fn cli_wasm_config(cache_dir: Option<PathBuf>) -> WasmConfig {
    WasmConfig {
        max_concurrent: 4,
        cache_dir,
        ..WasmConfig::default()
    }
}
