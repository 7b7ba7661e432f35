//! One running Worklink server: rules published from disk, the provider clients, the execution
//! pipeline, the outbox relay, the scheduler, the directory sync and the HTTP service — started
//! together from one config and stopped together by one cancellation token.
//!
//! `worklink serve` and `worklink dev` both go through [`Server::start`], so the dev instance is
//! the production server with simulated tenants in front of it, not a variant of it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use worklink_runtime::script::ScriptLimits;
use worklink_runtime::wasm::WasmConfig;

use crate::clients::{Clients, ClientsError};
use crate::config::Config;
use crate::delivery::Relay;
use crate::http::{self, AppState};
use crate::pipeline::{Handlers, Pipeline, PipelineOptions};
use crate::rules::{ReloadReport, RuleError, reload};
use crate::schedule::Scheduler;
use crate::storage::{Store, now_millis};
use crate::sync;
use crate::wake::Wakeups;

/// How the server spreads its work; the defaults suit one server on a small machine.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Execution workers. Default: four per core — runs mostly wait on the database and on
    /// capability reads, so more workers than cores keep the cores busy.
    pub workers: usize,
    /// Outbox delivery workers. Default: four per core, for the same reason (they wait on
    /// WeCom, DingTalk and the ERP).
    pub relay_workers: usize,
    /// How often each connection's directory is synced; `None` turns periodic sync off (it can
    /// still be triggered through the admin API). Default: hourly.
    pub sync_interval: Option<Duration>,
    /// Where compiled plugins are cached between starts. Default: none (compiled per start).
    pub cache_dir: Option<PathBuf>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        ServerOptions {
            workers: cores * 4,
            relay_workers: cores * 4,
            sync_interval: Some(sync::schedule::DEFAULT_SYNC_INTERVAL),
            cache_dir: None,
        }
    }
}

/// Why the server could not start. Every variant names the part that failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A rule manifest is invalid (the error names the file, key and reason).
    #[error("rules in {dir}: {source}")]
    Rules {
        /// The rules directory.
        dir: PathBuf,
        /// What is wrong.
        #[source]
        source: RuleError,
    },
    /// The wasm host could not start (address space for the instance pool, for instance).
    #[error("plugin host: {0}")]
    PluginHost(String),
    /// A connection's provider client could not be built.
    #[error("provider clients: {0}")]
    Clients(#[from] ClientsError),
    /// A connection's callback key is unusable.
    #[error("callback crypto: {0}")]
    Callbacks(String),
    /// The listener's address could not be read.
    #[error("listener: {0}")]
    Listener(#[from] std::io::Error),
}

/// A started server. Dropping it does not stop it; call [`Server::shutdown`].
pub struct Server {
    /// Where the HTTP service listens (the port resolved if the config said 0).
    pub addr: SocketAddr,
    /// What the rules directory held at start.
    pub rules: ReloadReport,
    state: AppState,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
}

impl Server {
    /// Publishes the rules on disk, builds every part over `store`, and starts serving HTTP on
    /// `listener` and working the queues in the background.
    pub async fn start(
        config: Config,
        store: Store,
        listener: TcpListener,
        options: ServerOptions,
    ) -> Result<Server, StartError> {
        let config = Arc::new(config);
        let rules =
            reload(&store, &config.rules_dir)
                .await
                .map_err(|source| StartError::Rules {
                    dir: config.rules_dir.clone(),
                    source,
                })?;
        let wasm = WasmConfig {
            cache_dir: options.cache_dir.clone(),
            ..WasmConfig::default()
        };
        let handlers = Handlers::new(&config.plugins_dir, wasm, ScriptLimits::default())
            .map_err(|e| StartError::PluginHost(e.to_string()))?;
        let clients = Clients::new(&config, store.clone())?;
        let pipeline = Arc::new(
            Pipeline::new(
                store.clone(),
                Arc::new(handlers),
                PipelineOptions::from_config(&config),
            )
            .with_clients(Arc::clone(&clients)),
        );
        let relay = Arc::new(Relay::new(store.clone(), Arc::clone(&clients), &config));
        let scheduler = Arc::new(Scheduler::new(
            store.clone(),
            config.timezone.clone(),
            now_millis(),
        ));
        let wake = Wakeups::new();
        let state = AppState::new(
            store.clone(),
            Arc::clone(&config),
            wake.clone(),
            Arc::clone(&pipeline),
            Arc::clone(&clients),
        )
        .map_err(|e| StartError::Callbacks(e.to_string()))?;
        let addr = listener.local_addr()?;

        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        tasks.spawn(pipeline.run(options.workers, wake.clone(), cancel.clone()));
        {
            let (wake, cancel) = (wake.clone(), cancel.clone());
            tasks.spawn(async move {
                if let Err(error) = relay.run(options.relay_workers, wake, cancel).await {
                    tracing::error!(%error, "the outbox relay stopped");
                }
            });
        }
        tasks.spawn(scheduler.run(wake.clone(), cancel.clone()));
        if let Some(every) = options.sync_interval {
            tasks.spawn(sync::schedule::run(
                store.clone(),
                Arc::clone(&clients),
                every,
                cancel.clone(),
            ));
        }
        let router = http::router(state.clone());
        {
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let shutdown = cancel.clone();
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { shutdown.cancelled().await })
                    .await;
                if let Err(error) = served {
                    tracing::error!(%error, "the HTTP service stopped");
                    // Without HTTP nothing new arrives; stop the rest too so the process exits.
                    cancel.cancel();
                }
            });
        }
        tracing::info!(%addr, rules = rules.published.len() + rules.unchanged.len(), "worklink is serving");
        Ok(Server {
            addr,
            rules,
            state,
            cancel,
            tasks,
        })
    }

    /// The shared state the HTTP handlers use (the database, the pipeline, the clients).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A token that stops the server when cancelled (for signal handlers).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits until the server stops: after [`Server::shutdown`], a cancelled token, or the HTTP
    /// service failing.
    pub async fn stopped(&mut self) {
        self.cancel.cancelled().await;
    }

    /// Stops accepting requests, lets running executions and deliveries finish their current
    /// step, and waits for every task. Whatever was claimed but not finished is picked up again
    /// on the next start (SQLite) or by another replica when its lease ends (PostgreSQL).
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        self.state.store.close().await;
    }
}
