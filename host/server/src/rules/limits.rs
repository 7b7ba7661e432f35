//! `[limits]`: a rule may ask for less than the server's per-invocation limits, never more.
//!
//! The server's `[limits]` are what the operator is willing to spend on any one handler; a rule
//! tightening them (a quick filter that should never need a second of CPU) is welcome, a rule
//! loosening them would let whoever writes rules overrule the operator.

use serde::Deserialize;
use worklink_runtime::invocation::Limits;

/// The limits a manifest sets; absent ones follow the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleLimits {
    /// CPU time of the handler's own code, in milliseconds.
    pub cpu_time_ms: Option<u64>,
    /// Wall-clock time of the whole call, in milliseconds.
    pub wall_clock_ms: Option<u64>,
    /// Linear memory, in bytes.
    pub memory_bytes: Option<u64>,
    /// Largest handler output, in bytes.
    pub output_bytes: Option<u64>,
    /// Largest execution log, in bytes.
    pub log_bytes: Option<u64>,
    /// Most staged effects.
    pub max_effects: Option<u32>,
}

impl RuleLimits {
    /// `server` tightened by every limit this rule sets.
    pub fn within(&self, server: Limits) -> Limits {
        let tighten = |own: Option<u64>, cap: u64| own.map_or(cap, |own| own.min(cap));
        Limits {
            cpu_time_ms: tighten(self.cpu_time_ms, server.cpu_time_ms),
            wall_clock_ms: tighten(self.wall_clock_ms, server.wall_clock_ms),
            memory_bytes: tighten(self.memory_bytes, server.memory_bytes),
            output_bytes: tighten(self.output_bytes, server.output_bytes),
            log_bytes: tighten(self.log_bytes, server.log_bytes),
            max_effects: self
                .max_effects
                .map_or(server.max_effects, |own| own.min(server.max_effects)),
        }
    }

    /// The first limit set to zero, which would make every run fail.
    pub(crate) fn first_zero(&self) -> Option<&'static str> {
        [
            ("limits.cpu_time_ms", self.cpu_time_ms),
            ("limits.wall_clock_ms", self.wall_clock_ms),
            ("limits.memory_bytes", self.memory_bytes),
            ("limits.output_bytes", self.output_bytes),
            ("limits.log_bytes", self.log_bytes),
            ("limits.max_effects", self.max_effects.map(u64::from)),
        ]
        .into_iter()
        .find_map(|(key, value)| (value == Some(0)).then_some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_can_tighten_but_not_loosen() {
        let server = Limits::default();
        let rule = RuleLimits {
            cpu_time_ms: Some(50),
            wall_clock_ms: Some(server.wall_clock_ms * 10),
            ..RuleLimits::default()
        };
        let limits = rule.within(server);
        assert_eq!(limits.cpu_time_ms, 50);
        assert_eq!(limits.wall_clock_ms, server.wall_clock_ms);
        assert_eq!(limits.memory_bytes, server.memory_bytes);
    }

    #[test]
    fn zero_limits_are_named() {
        let rule = RuleLimits {
            max_effects: Some(0),
            ..RuleLimits::default()
        };
        assert_eq!(rule.first_zero(), Some("limits.max_effects"));
        assert_eq!(RuleLimits::default().first_zero(), None);
    }
}
