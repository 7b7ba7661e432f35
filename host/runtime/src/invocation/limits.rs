//! Per-invocation resource limits, configurable per rule.
//!
//! The defaults suit a business handler that reads a few records and stages a few writes: such a
//! handler runs in microseconds to milliseconds, so the limits only ever catch runaway code.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Limits for one invocation. Deserialisable with every field optional, so a rule manifest can
/// override just one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// CPU time the handler's own code may use, in milliseconds (default 1 000). Enforced by the
    /// epoch deadline in wasm and by the operation budget in Rhai; time spent in host calls does
    /// not count.
    pub cpu_time_ms: u64,
    /// Wall-clock time for the whole call including host calls, in milliseconds (default 5 000).
    pub wall_clock_ms: u64,
    /// Linear memory the handler may grow to, in bytes (default 64 MiB).
    pub memory_bytes: u64,
    /// Largest handler output (serialised JSON), in bytes (default 64 KiB).
    pub output_bytes: u64,
    /// Largest execution log, in bytes; later lines are dropped and counted (default 64 KiB).
    pub log_bytes: u64,
    /// Most staged effects per invocation (default 100); one more is refused as `invalid`.
    pub max_effects: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_time_ms: 1_000,
            wall_clock_ms: 5_000,
            memory_bytes: 64 << 20,
            output_bytes: 64 << 10,
            log_bytes: 64 << 10,
            max_effects: 100,
        }
    }
}

impl Limits {
    /// A builder starting from the defaults.
    pub fn builder() -> LimitsBuilder {
        LimitsBuilder(Limits::default())
    }

    /// CPU time as a duration.
    pub fn cpu_time(&self) -> Duration {
        Duration::from_millis(self.cpu_time_ms)
    }

    /// Wall-clock time as a duration.
    pub fn wall_clock(&self) -> Duration {
        Duration::from_millis(self.wall_clock_ms)
    }
}

/// Builds [`Limits`] from the defaults, one override at a time.
#[derive(Debug, Clone, Copy)]
pub struct LimitsBuilder(Limits);

impl LimitsBuilder {
    /// Sets the CPU time budget.
    pub fn cpu_time(mut self, cpu: Duration) -> Self {
        self.0.cpu_time_ms = duration_ms(cpu);
        self
    }

    /// Sets the wall-clock timeout.
    pub fn wall_clock(mut self, wall: Duration) -> Self {
        self.0.wall_clock_ms = duration_ms(wall);
        self
    }

    /// Sets the memory limit in bytes.
    pub fn memory_bytes(mut self, bytes: u64) -> Self {
        self.0.memory_bytes = bytes;
        self
    }

    /// Sets the output size cap in bytes.
    pub fn output_bytes(mut self, bytes: u64) -> Self {
        self.0.output_bytes = bytes;
        self
    }

    /// Sets the log size cap in bytes.
    pub fn log_bytes(mut self, bytes: u64) -> Self {
        self.0.log_bytes = bytes;
        self
    }

    /// Sets the most staged effects.
    pub fn max_effects(mut self, n: u32) -> Self {
        self.0.max_effects = n;
        self
    }

    /// The finished limits.
    pub fn build(self) -> Limits {
        self.0
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_can_override_one_limit() {
        let limits: Limits = serde_json::from_str(r#"{"cpu_time_ms": 50}"#).unwrap();
        assert_eq!(limits.cpu_time(), Duration::from_millis(50));
        assert_eq!(limits.memory_bytes, Limits::default().memory_bytes);
        assert!(serde_json::from_str::<Limits>(r#"{"cpu": 1}"#).is_err());
    }

    #[test]
    fn the_builder_starts_from_the_defaults() {
        let limits = Limits::builder()
            .wall_clock(Duration::from_secs(2))
            .log_bytes(10)
            .build();
        assert_eq!(limits.wall_clock_ms, 2_000);
        assert_eq!(limits.log_bytes, 10);
        assert_eq!(limits.cpu_time_ms, Limits::default().cpu_time_ms);
    }
}
