//! `worklink dev`: the server on a local data directory, against in-process WeCom and DingTalk
//! simulators, with the shipped plugins and rules installed and enabled (see
//! `worklink_server::dev`). The first stdout line is one JSON object for scripts; then what to
//! try, for people; logs go to stderr.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use worklink_server::dev::{DevInstance, DevOptions};

use super::logging::{self, LogFormat};
use super::serve::run_until_signal;

/// Arguments of `worklink dev`.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Where the server listens; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database, config, rules and plugins of the dev instance; kept across starts.
    #[arg(long, default_value = "target/worklink-dev")]
    data_dir: PathBuf,
    /// The plugin build output holding the shipped plugins (`make plugins`).
    #[arg(long, default_value = "plugins/target/wasm32-wasip2/release")]
    plugins_from: PathBuf,
    /// The rules to install.
    #[arg(long, default_value = "rules")]
    rules_from: PathBuf,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

impl DevArgs {
    /// Runs the dev instance until interrupted.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        logging::init(self.log_format);
        // Relative paths are kept relative to where `worklink dev` runs; the generated config
        // needs them absolute because it lives inside the data directory.
        let data_dir = std::path::absolute(&self.data_dir)?;
        let instance = DevInstance::start(DevOptions {
            listen: self.listen,
            data_dir: data_dir.clone(),
            plugins_from: self.plugins_from,
            rules_from: self.rules_from,
            database_url: None,
        })
        .await?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", instance.banner())?;
            writeln!(out, "{}", instance.try_this(&data_dir))?;
            out.flush()?;
        }
        let DevInstance {
            server, sims, erp, ..
        } = instance;
        let code = run_until_signal(server).await;
        drop((sims, erp));
        code
    }
}
