//! [`WasmHost`]: load plugins once, invoke them many times, each in a fresh store.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use wasmtime::component::Linker;
use wasmtime::{Engine, Store, UpdateDeadline};

use super::bindings::Bindings;
use super::cache::{CacheStats, CacheStatus, DiskCache, content_hash};
use super::engine::{WasmConfig, build_engine};
use super::error::LoadError;
use super::inspect::{check_preamble, handler_version};
use super::plugin::Plugin;
use super::since_v0_1;
use super::state::StoreState;
use super::ticker::EpochTicker;
use super::trap::{CpuLimitExceeded, classify};
use crate::capability::memory::MemoryBackend;
use crate::capability::{Backends, Capability, Grants};
use crate::invocation::{
    InvocationHost, InvocationRequest, InvocationResult, Limits, Outcome, Usage,
};
use crate::schema::ConfigSchema;
use crate::types::Event;

/// Why the wasm host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The engine configuration was refused (for example, the pool's address space could not
    /// be reserved).
    #[error("cannot create the wasm engine: {0}")]
    Engine(String),
    /// The epoch ticker thread could not start.
    #[error("cannot start the epoch ticker: {0}")]
    Ticker(#[from] std::io::Error),
}

/// One invocation of a loaded plugin.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// Unique id; prefixes the effect ids.
    pub id: String,
    /// The event to handle.
    pub event: Event,
    /// The rule's config (validated against the plugin's schema first).
    pub config: serde_json::Value,
    /// Capabilities the rule grants; only those the plugin also requested are usable.
    pub granted: Vec<Capability>,
    /// Live-read backends.
    pub backends: Backends,
    /// Resource limits.
    pub limits: Limits,
}

/// The wasm component host: one engine, one linker per contract version, an optional disk
/// cache, and the epoch ticker. Create one per process and share it.
pub struct WasmHost {
    engine: Engine,
    linker_v0_1: Linker<StoreState>,
    cache: Option<DiskCache>,
    ticker: EpochTicker,
    /// Back-pressure: one permit per pooled instance slot, so a burst waits instead of failing.
    slots: Semaphore,
    config: WasmConfig,
}

impl WasmHost {
    /// Starts a host. With pooling requested but unavailable (a small address space), falls back
    /// to on-demand allocation rather than refusing to start.
    pub fn new(config: WasmConfig) -> Result<Self, HostError> {
        let engine = match build_engine(&config) {
            Ok(engine) => engine,
            Err(pooled) if config.pooling => {
                tracing::warn!(error = %pooled, "pooling allocator unavailable; using on-demand allocation");
                build_engine(&WasmConfig {
                    pooling: false,
                    ..config.clone()
                })
                .map_err(|e| HostError::Engine(e.to_string()))?
            }
            Err(e) => return Err(HostError::Engine(e.to_string())),
        };
        let mut linker_v0_1 = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker_v0_1)
            .map_err(|e| HostError::Engine(e.to_string()))?;
        since_v0_1::add_to_linker(&mut linker_v0_1)
            .map_err(|e| HostError::Engine(e.to_string()))?;
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick)?;
        Ok(Self {
            cache: config.cache_dir.clone().map(DiskCache::new),
            slots: Semaphore::new(config.max_concurrent.max(1) as usize),
            engine,
            linker_v0_1,
            ticker,
            config,
        })
    }

    /// Cache hit and miss counts since start (zero without a cache).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache
            .as_ref()
            .map(DiskCache::stats)
            .unwrap_or_default()
    }

    /// Loads a plugin from a file.
    pub async fn load_file(&self, path: &Path) -> Result<Plugin, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.load(&bytes).await
    }

    /// Validates, compiles (or loads from cache), type-checks and describes a component.
    pub async fn load(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        check_preamble(bytes)?;
        let sha256 = content_hash(bytes);
        let (component, cache) = match &self.cache {
            Some(cache) => {
                let before = cache.stats().hits;
                let component = cache
                    .load(&self.engine, bytes, &sha256)
                    .map_err(|e| LoadError::Compile(format!("{e:#}")))?;
                let status = if cache.stats().hits > before {
                    CacheStatus::Hit
                } else {
                    CacheStatus::Miss
                };
                (component, status)
            }
            None => (
                wasmtime::component::Component::new(&self.engine, bytes)
                    .map_err(|e| LoadError::Compile(format!("{e:#}")))?,
                CacheStatus::Disabled,
            ),
        };
        let (version, contract) = handler_version(&self.engine, &component)?;
        let pre = self
            .linker_v0_1
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Imports(format!("{e:#}")))?;
        let bindings = Bindings::new(version, pre).map_err(|e| LoadError::MissingExport {
            export: since_v0_1::HANDLER_EXPORT.into(),
            function: None,
            exports: vec![format!("{e:#}")],
        })?;
        let info = self.describe(&bindings).await?;
        let schema = ConfigSchema::compile(info.config_schema.as_ref())
            .map_err(|e| LoadError::InvalidInfo(e.to_string()))?;
        Ok(Plugin {
            info,
            contract,
            sha256,
            cache,
            schema,
            bindings,
        })
    }

    /// Runs `describe()` in its own store with default limits and no capabilities.
    async fn describe(&self, bindings: &Bindings) -> Result<crate::types::PluginInfo, LoadError> {
        let host = InvocationHost::new(InvocationRequest {
            invocation_id: "describe".into(),
            scope: String::new(),
            grants: Grants::default(),
            backends: Backends::memory(Arc::new(MemoryBackend::default())),
            limits: Limits::default(),
        });
        let mut store = self.new_store(host);
        let limits = Limits::default();
        let described =
            tokio::time::timeout(limits.wall_clock(), bindings.describe(&mut store)).await;
        let info = match described {
            Err(_) => {
                return Err(LoadError::Describe(format!(
                    "did not finish within {} ms",
                    limits.wall_clock_ms
                )));
            }
            Ok(Err(e)) => {
                let outcome = classify(&e, store.data());
                return Err(LoadError::Describe(
                    outcome.reason().unwrap_or_else(|| format!("{e:#}")),
                ));
            }
            Ok(Ok(info)) => info.map_err(LoadError::InvalidInfo)?,
        };
        if info.name.trim().is_empty() {
            return Err(LoadError::InvalidInfo("`name` is empty".into()));
        }
        if info.handles.is_empty() {
            return Err(LoadError::InvalidInfo(
                "`handles` lists no event kinds".into(),
            ));
        }
        Ok(info)
    }

    /// Runs one invocation. Never fails: every way the handler can go wrong is an [`Outcome`].
    pub async fn invoke(&self, plugin: &Plugin, invocation: Invocation) -> InvocationResult {
        let mut limits = invocation.limits;
        limits.memory_bytes = limits.memory_bytes.min(self.config.max_memory_bytes);
        let host = InvocationHost::new(InvocationRequest {
            invocation_id: invocation.id,
            scope: plugin.info.name.clone(),
            grants: Grants::new(plugin.info.capabilities.iter().copied(), invocation.granted),
            backends: invocation.backends,
            limits,
        });
        if !plugin.info.handles(&invocation.event.kind) {
            return host.finish(
                Outcome::NotHandled {
                    kind: invocation.event.kind,
                },
                Usage::default(),
            );
        }
        if let Err(message) = plugin.schema.validate(&invocation.config) {
            return host.finish(Outcome::InvalidConfig { message }, Usage::default());
        }
        let config = invocation.config.to_string();
        let started = Instant::now();
        let first_tick = self.ticker.now();
        let mut store = self.new_store(host);
        // The slot is held until the store (and with it the pooled instance) is gone: released
        // any earlier, a waiting invocation could find the pool still full.
        let mut slot = None;
        let call = async {
            slot = Some(self.slots.acquire().await);
            store.data_mut().started = Instant::now();
            plugin
                .bindings
                .handle(&mut store, invocation.event, &config)
                .await
        };
        let called = tokio::time::timeout(limits.wall_clock(), call).await;
        let outcome = match called {
            Err(_) => Outcome::Timeout {
                limit_ms: limits.wall_clock_ms,
            },
            Ok(Err(e)) => classify(&e, store.data()),
            Ok(Ok(Err(handler_error))) => Outcome::HandlerError(handler_error),
            Ok(Ok(Ok(output))) => Outcome::from_output(&output, limits.output_bytes),
        };
        let state = store.into_data();
        drop(slot);
        state.flush_captures();
        let usage = Usage {
            wall_time_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            cpu_ticks: self.ticker.now() - first_tick,
            peak_memory_bytes: state.limiter.peak as u64,
            host_calls: 0,
        };
        state.host.finish(outcome, usage)
    }

    /// A fresh store: memory limits, and an epoch callback that charges guest time (not host
    /// call time) against the CPU budget and yields to the executor at every tick.
    fn new_store(&self, host: InvocationHost) -> Store<StoreState> {
        let cpu = host.limits().cpu_time();
        let mut store = Store::new(&self.engine, StoreState::new(host));
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |ctx| {
            if ctx.data().guest_time() >= cpu {
                return Err(wasmtime::Error::new(CpuLimitExceeded));
            }
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }
}

impl std::fmt::Debug for WasmHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmHost")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
