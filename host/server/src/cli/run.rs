//! `worklink run` (owned by the runtime work; replaced as it lands).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct RunArgs {}

impl RunArgs {
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        anyhow::bail!("worklink run is not available in this build")
    }
}
