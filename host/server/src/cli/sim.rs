//! `worklink sim` (owned by the providers work; replaced as it lands).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SimArgs {}

impl SimArgs {
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        anyhow::bail!("worklink sim is not available in this build")
    }
}
