//! `worklink plugin ...` (owned by the runtime work; replaced as it lands).

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {}

impl PluginCommand {
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        match self {}
    }
}
