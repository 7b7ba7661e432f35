//! The execution pipeline: inbox events → matching rules → handler runs → outbox effects.
//!
//! [`Pipeline`] owns the middle of the data flow. [`Pipeline::match_pending`] turns unmatched
//! inbox events into queued executions of the enabled rules whose `on` pattern fits (nothing else
//! is evaluated there, so matching stays a cheap, single-transaction step per event).
//! [`Pipeline::run_batch`] claims a batch of executions, checks each rule's `when`, runs its
//! plugin or script with the rule's effective grants and the store-backed capabilities, and
//! commits the results:
//! effects into the outbox on success; a retry with backoff, or the execution dead letter
//! (status `failed`) once the rule's attempts are spent. [`Pipeline::dry_run`] runs a rule on
//! an event and stores nothing. [`Pipeline::run`] drives both stages until cancelled.
//!
//! - [`handlers`]: the wasm host, the Rhai engine and the installed plugins.
//! - [`capabilities`]: live-read backends over the store.
//! - `compiled`: rule versions parsed and compiled once.
//! - `invoke`: running a rule's handler on an event (shared by live runs and dry runs).
//! - `completion`: what a run's result means for its execution (effects, retry, dead letter).
//! - `matcher`, `worker`, `dry_run`, `run`: the operations above.
//! - `check`: what would make a rule's executions fail, before it goes live.

pub mod capabilities;
mod check;
mod compiled;
mod completion;
mod dry_run;
mod error;
pub mod handlers;
mod invoke;
mod matcher;
mod run;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use worklink_runtime::invocation::Limits;

use crate::clients::Clients;
use crate::config::Config;
use crate::storage::{Millis, Store, now_millis};
use compiled::RuleCache;

pub use check::RuleWarning;
pub use error::PipelineError;
pub use handlers::{Handlers, PluginEntry, PluginError};
pub use matcher::MatchReport;
pub use worker::RunReport;

/// Tunables of the pipeline, mostly from `worklink.toml`.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Configured connection names in config order; the first is where rules without a
    /// `connection` send.
    pub connections: Vec<String>,
    /// The server's per-invocation limits; a rule may only tighten them.
    pub limits: Limits,
    /// How long a worker holds a claimed execution before another may take it over. Must exceed
    /// the longest run (the wall-clock limit) plus the time to commit.
    pub lease: Duration,
    /// How often idle stages look for work written by other replicas or coming due.
    pub poll: Duration,
    /// Inbox events matched per database round.
    pub match_batch: i64,
    /// Executions a worker claims, runs and commits together. Larger batches cost fewer
    /// statements per execution; smaller ones spread a short queue over more workers.
    pub execution_batch: i64,
}

impl PipelineOptions {
    /// Options from the server config: its connections and its `[limits]`.
    pub fn from_config(config: &Config) -> Self {
        let server = &config.limits;
        let defaults = Limits::default();
        let limits = Limits {
            cpu_time_ms: defaults.cpu_time_ms.min(server.timeout_ms),
            wall_clock_ms: server.timeout_ms,
            memory_bytes: server.max_memory_mb.saturating_mul(1 << 20),
            log_bytes: server.max_log_bytes,
            max_effects: u32::try_from(server.max_effects).unwrap_or(u32::MAX),
            ..defaults
        };
        Self {
            connections: config.connections.iter().map(|c| c.name.clone()).collect(),
            limits,
            ..Self::with_limits(limits)
        }
    }

    /// Options with `limits`, no connections and default timings.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            connections: Vec::new(),
            limits,
            lease: lease_for(&limits),
            poll: crate::wake::DEFAULT_POLL_INTERVAL,
            match_batch: 256,
            execution_batch: 32,
        }
    }
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

/// A lease comfortably longer than one run may take: twice the wall-clock limit plus a minute.
fn lease_for(limits: &Limits) -> Duration {
    limits.wall_clock() * 2 + Duration::from_secs(60)
}

/// The clock the pipeline stamps rows with (tests drive it by hand to reach retry times).
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

/// The execution pipeline. Share it in an `Arc`: every method takes `&self`.
pub struct Pipeline {
    store: Store,
    handlers: Arc<Handlers>,
    options: PipelineOptions,
    clock: Clock,
    rules: RuleCache,
    clients: Option<Arc<Clients>>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline over `store`, running handlers through `handlers`.
    pub fn new(store: Store, handlers: Arc<Handlers>, options: PipelineOptions) -> Self {
        Self {
            store,
            handlers,
            options,
            clock: Arc::new(now_millis),
            rules: RuleCache::default(),
            clients: None,
        }
    }

    /// Reads attendance and approvals through the provider clients (without them, handlers get
    /// `unavailable` for those reads).
    pub fn with_clients(mut self, clients: Arc<Clients>) -> Self {
        self.clients = Some(clients);
        self
    }

    /// Replaces the wall clock (tests use a hand-driven one to reach retry times at once).
    pub fn with_clock(mut self, clock: impl Fn() -> Millis + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The sandboxes and plugins.
    pub fn handlers(&self) -> &Arc<Handlers> {
        &self.handlers
    }

    /// The options in force.
    pub fn options(&self) -> &PipelineOptions {
        &self.options
    }

    fn now(&self) -> Millis {
        (self.clock)()
    }

    /// The connection a rule's messages go to and its reads come from: its own; else the one
    /// the event came from (a callback's source is its connection, so a welcome rule answers
    /// in the tenant that reported the new member); else the first configured one.
    fn connection_for(
        &self,
        rule: &compiled::CompiledRule,
        event_source: &str,
    ) -> Result<Option<String>, PipelineError> {
        let known = |name: &str| self.options.connections.iter().any(|c| c == name);
        match &rule.rule.manifest.connection {
            Some(name) if known(name) => Ok(Some(name.clone())),
            Some(name) => Err(PipelineError::UnknownConnection {
                rule: rule.name().to_owned(),
                connection: name.clone(),
            }),
            None if known(event_source) => Ok(Some(event_source.to_owned())),
            None => Ok(self.options.connections.first().cloned()),
        }
    }
}
