//! `worklink serve`: the production server. Loads `worklink.toml`, opens the database (applying
//! migrations), publishes the rules directory and serves until SIGINT or SIGTERM.
//!
//! The first stdout line is one JSON object (`url`, `pid`, `database`) so that supervisors and
//! tests learn the bound port when the config says port 0; logs go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;
use tokio::net::TcpListener;
use worklink_server::app::{Server, ServerOptions};
use worklink_server::config::Config;
use worklink_server::storage::{Backend, SecretCipher, Store};

use super::logging::{self, LogFormat};

/// Arguments of `worklink serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The config file.
    #[arg(long, default_value = "worklink.toml")]
    pub config: PathBuf,
    /// Execution workers (default: four per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Outbox delivery workers (default: four per core).
    #[arg(long)]
    pub relay_workers: Option<usize>,
    /// Minutes between directory syncs; 0 turns periodic sync off.
    #[arg(long, default_value_t = 60)]
    pub sync_minutes: u64,
    /// Where compiled plugins are cached between starts.
    #[arg(long, env = "WORKLINK_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl ServeArgs {
    /// Serves until interrupted.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        logging::init(self.log_format);
        let config = Config::load(&self.config)?;
        let store = open_store(&config).await?;
        let listener = TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let options = self.options();
        let backend = store.backend();
        let server = Server::start(config, store, listener, options).await?;
        println!(
            "{}",
            json!({
                "url": format!("http://{}", server.addr),
                "pid": std::process::id(),
                "database": match backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
            })
        );
        run_until_signal(server).await
    }

    fn options(&self) -> ServerOptions {
        let defaults = ServerOptions::default();
        ServerOptions {
            workers: self.workers.unwrap_or(defaults.workers),
            relay_workers: self.relay_workers.unwrap_or(defaults.relay_workers),
            sync_interval: (self.sync_minutes > 0)
                .then(|| std::time::Duration::from_secs(self.sync_minutes * 60)),
            cache_dir: self.cache_dir.clone(),
        }
    }
}

/// Opens the configured database with the secret key from `WORKLINK_SECRET_KEY`.
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let cipher = SecretCipher::from_env()?;
    Store::open(config.database_url.expose(), cipher)
        .await
        .context("opening the database")
}

/// Serves until SIGINT/SIGTERM (or the server stopping by itself), then shuts down gracefully.
pub(crate) async fn run_until_signal(mut server: Server) -> anyhow::Result<ExitCode> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; shutting down"),
        _ = terminate.recv() => tracing::info!("terminated; shutting down"),
        () = server.stopped() => tracing::warn!("the server stopped by itself"),
    }
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
