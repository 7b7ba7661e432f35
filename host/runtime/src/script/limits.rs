//! Engine-wide limits for the Rhai script tier.
//!
//! Rules are written by administrators, not by the people who run the host, so every script is
//! treated as untrusted: a loop that never ends, a string that doubles until memory runs out or a
//! recursion without a base case must end that one execution with a clear error and leave the
//! engine usable. These numbers are the knobs; `harden.rs` is the one place that applies them.

use std::time::Duration;

/// Limits applied to every script the [`ScriptEngine`](super::ScriptEngine) runs.
///
/// The defaults are sized for glue rules (filters, field mapping, a handful of capability calls):
/// generous enough that a legitimate rule never meets them, small enough that a runaway rule is
/// stopped within milliseconds. Anything heavier belongs in a wasm plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Ceiling on Rhai operations (roughly: expression nodes, variable loads, operator and
    /// function calls, loop iterations) for any one run, handler or condition. Default
    /// 1,000,000, which a release build runs in well under a second.
    pub max_operations: u64,
    /// How a handler's CPU-time limit (`Limits::cpu_time_ms`) becomes an operation budget:
    /// Rhai counts operations, not time. Default 1,000 per millisecond, a conservative figure (a
    /// release build runs several times that), so the default 1 s limit is 1,000,000 operations.
    pub operations_per_cpu_ms: u64,
    /// Ceiling on any handler's wall-clock limit, including the live capability reads it waits
    /// on; the invocation's own `Limits::wall_clock_ms` applies when lower. Default 30 s.
    pub max_wall_time: Duration,
    /// Maximum nesting of script function calls, so unbounded recursion ends before it can
    /// overflow the native stack. Default 32.
    pub max_call_levels: usize,
    /// Maximum nesting depth of expressions at the top level of a script. Default 64.
    pub max_expr_depth: usize,
    /// Maximum nesting depth of expressions inside function bodies. Default 32.
    pub max_function_expr_depth: usize,
    /// Maximum length of any string value, in bytes. Default 1 MiB.
    pub max_string_size: usize,
    /// Maximum number of elements in any array. Default 10,000.
    pub max_array_size: usize,
    /// Maximum number of properties in any object map. Default 10,000.
    pub max_map_size: usize,
    /// Maximum number of variables alive at once. Default 1,000.
    pub max_variables: usize,
    /// Maximum number of functions a script may define. Default 256.
    pub max_functions: usize,
    /// Number of compiled scripts and conditions kept in the cache before the least recently used
    /// one is dropped. Default 512.
    pub cache_capacity: usize,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            operations_per_cpu_ms: 1_000,
            max_wall_time: Duration::from_secs(30),
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 1024 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_variables: 1_000,
            max_functions: 256,
            cache_capacity: 512,
        }
    }
}
