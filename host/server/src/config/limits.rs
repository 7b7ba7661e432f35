//! `[limits]`: the defaults every rule runs under unless its manifest asks for less, and the
//! size of request bodies the HTTP endpoints accept.

use serde::Deserialize;

/// Per-invocation sandbox limits and the HTTP body limit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Wall-clock time one handler invocation may take.
    pub timeout_ms: u64,
    /// Linear memory one wasm instance may grow to.
    pub max_memory_mb: u64,
    /// Bytes of log output kept per execution.
    pub max_log_bytes: u64,
    /// Effects one execution may stage.
    pub max_effects: u64,
    /// Largest request body accepted by callbacks and the API.
    pub body_limit_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_ms: 5_000,
            max_memory_mb: 64,
            max_log_bytes: 64 * 1024,
            max_effects: 100,
            body_limit_bytes: 1024 * 1024,
        }
    }
}

impl Limits {
    /// The name of the first limit that is zero, which would make every invocation fail.
    pub(super) fn first_zero(&self) -> Option<&'static str> {
        [
            ("timeout_ms", self.timeout_ms),
            ("max_memory_mb", self.max_memory_mb),
            ("max_log_bytes", self.max_log_bytes),
            ("max_effects", self.max_effects),
            ("body_limit_bytes", self.body_limit_bytes),
        ]
        .into_iter()
        .find_map(|(name, value)| (value == 0).then_some(name))
    }
}
