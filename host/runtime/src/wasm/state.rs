//! The data a wasm `Store` holds for one invocation.

use std::time::{Duration, Instant};

use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::capture::Capture;
use crate::invocation::{InvocationHost, LogBuffer};

/// Store data: the sandbox-independent [`InvocationHost`] plus what wasmtime needs around it.
pub(crate) struct StoreState {
    /// Grants, backends, effects and the log.
    pub(crate) host: InvocationHost,
    /// WASI with nothing in it, built on the guest's first WASI call: most handlers never make
    /// one, and building the context (its random sources, clocks and stdio) is a measurable
    /// share of a short invocation.
    wasi: Option<Wasi>,
    table: ResourceTable,
    /// Memory accounting on top of wasmtime's `StoreLimits`.
    pub(crate) limiter: MemoryLimiter,
    /// When the guest call started, for the CPU budget.
    pub(crate) started: Instant,
    /// Time spent inside async host calls, which the CPU budget does not count.
    pub(crate) in_host: Duration,
}

impl StoreState {
    /// Fresh state for one invocation.
    pub(crate) fn new(host: InvocationHost) -> Self {
        let memory = usize::try_from(host.limits().memory_bytes).unwrap_or(usize::MAX);
        Self {
            host,
            wasi: None,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory),
            started: Instant::now(),
            in_host: Duration::ZERO,
        }
    }

    /// Guest CPU time so far: wall time since the call started minus time in host calls.
    pub(crate) fn guest_time(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.in_host)
    }

    /// Emits any unterminated stdout/stderr line into the log.
    pub(crate) fn flush_captures(&self) {
        if let Some(wasi) = &self.wasi {
            for capture in &wasi.captures {
                capture.flush_partial();
            }
        }
    }
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let logs = self.host.logs();
        let wasi = self.wasi.get_or_insert_with(|| Wasi::new(logs));
        WasiCtxView {
            ctx: &mut wasi.ctx,
            table: &mut self.table,
        }
    }
}

/// The guest's WASI context and the two streams it writes stdout and stderr into.
struct Wasi {
    ctx: WasiCtx,
    /// Captured stdout and stderr, flushed when the invocation ends.
    captures: [Capture; 2],
}

impl Wasi {
    fn new(logs: &LogBuffer) -> Self {
        let stdout = Capture::stdout(logs.clone());
        let stderr = Capture::stderr(logs.clone());
        // `WasiCtxBuilder::new()` starts empty: stdin closed, no environment, no arguments, no
        // preopened directories, TCP/UDP/name lookup denied. Only stdout/stderr are routed, to
        // the invocation log. Clocks and random stay available (std needs them).
        let ctx = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        Self {
            ctx,
            captures: [stdout, stderr],
        }
    }
}

/// Wasmtime's `StoreLimits` (memory size, instance, table and memory counts) plus the peak memory
/// reached and whether the memory limit refused a growth, so a resulting trap can be reported
/// as "memory limit" rather than as a bare trap.
pub(crate) struct MemoryLimiter {
    limits: StoreLimits,
    limit: usize,
    /// Largest memory size granted so far, in bytes.
    pub(crate) peak: usize,
    /// A growth past the limit was refused.
    pub(crate) refused: bool,
}

impl MemoryLimiter {
    fn new(limit: usize) -> Self {
        let limits = StoreLimitsBuilder::new()
            .memory_size(limit)
            // A Rust component instantiates a handful of core instances, tables and memories;
            // these bounds stop a component that tries to create far more.
            .instances(32)
            .tables(32)
            .memories(4)
            .table_elements(100_000)
            .build();
        Self {
            limits,
            limit,
            peak: 0,
            refused: false,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak = self.peak.max(desired);
        } else if desired > self.limit {
            self.refused = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}
