//! The one wasmtime `Engine` of the process and how it is configured.

use std::path::PathBuf;
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How the wasm host is set up. The defaults suit one server process.
#[derive(Debug, Clone)]
pub struct WasmConfig {
    /// Invocations that may run at once; sizes the pooling allocator (default 64). An
    /// invocation beyond this waits for a slot, within its own wall-clock limit.
    pub max_concurrent: u32,
    /// Largest memory any rule may be allowed (default 256 MiB); per-rule limits are capped here.
    pub max_memory_bytes: u64,
    /// How often the epoch advances (default 10 ms): the granularity of the CPU limit.
    pub epoch_tick: Duration,
    /// Where compiled components are cached; `None` compiles every load.
    pub cache_dir: Option<PathBuf>,
    /// Use the pooling allocator (default true). Without it, each instance maps its own memory;
    /// slower, but needs no large virtual-address reservation.
    pub pooling: bool,
}

impl Default for WasmConfig {
    fn default() -> Self {
        Self {
            max_concurrent: 64,
            max_memory_bytes: 256 << 20,
            epoch_tick: Duration::from_millis(10),
            cache_dir: None,
            pooling: true,
        }
    }
}

/// Builds the engine: cranelift, epoch interruption, async host calls, and (when asked) the
/// pooling allocator sized from `config`.
pub(crate) fn build_engine(config: &WasmConfig) -> wasmtime::Result<Engine> {
    let mut wasm = Config::new();
    wasm.epoch_interruption(true);
    // Plugins do not use the component-model async ABI; without it calls take the cheaper sync
    // path inside wasmtime.
    wasm.concurrency_support(false);
    // Copy-on-write memory images make a fresh instance's data segments free to set up.
    wasm.memory_init_cow(true);
    if config.pooling {
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling(config)));
    }
    Engine::new(&wasm)
}

/// Bytes of a linear memory kept mapped when its slot is returned to the pool. A small Rust
/// component touches well under this per invocation; resetting those pages in place (to zero or
/// to the original data image, exactly as a fresh mapping would read) avoids an `madvise` and
/// the page faults that would follow on the next invocation.
const MEMORY_KEEP_RESIDENT: usize = 2 << 20;

/// The same, for tables (a component's tables are a few KiB).
const TABLE_KEEP_RESIDENT: usize = 64 << 10;

/// Pool sizes, per concurrent invocation `n`. A Rust `wasm32-wasip2` component holds one memory,
/// a few core instances (the program plus the small shim modules the component linker adds) and
/// a few tables; the figures leave headroom for that shape and refuse anything much larger.
fn pooling(config: &WasmConfig) -> PoolingAllocationConfig {
    let n = config.max_concurrent.max(1);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(n)
        .total_core_instances(8 * n)
        .total_memories(2 * n)
        .total_tables(8 * n)
        .total_stacks(n)
        .total_gc_heaps(n)
        .max_core_instances_per_component(16)
        .max_memories_per_component(2)
        .max_tables_per_component(16)
        .max_memory_size(usize::try_from(config.max_memory_bytes).unwrap_or(usize::MAX))
        .linear_memory_keep_resident(MEMORY_KEEP_RESIDENT)
        .table_keep_resident(TABLE_KEEP_RESIDENT)
        // Where the kernel supports it, reset only the pages the invocation dirtied.
        .pagemap_scan(Enabled::Auto);
    pool
}
