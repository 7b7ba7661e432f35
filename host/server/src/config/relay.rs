//! `[relay]`: how patiently the outbox relay retries a failed delivery before the effect becomes
//! a dead letter. The defaults ride out about half an hour of provider or ERP outage; a site
//! whose ERP has longer maintenance windows raises `max_attempts` or `retry_max_secs`.

use serde::Deserialize;

/// The retry schedule of effect delivery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelaySettings {
    /// Attempts per effect, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Seconds before the first retry; doubled, with jitter, for each further one.
    pub retry_base_secs: u64,
    /// Longest wait between two attempts, in seconds.
    pub retry_max_secs: u64,
    /// Timeout of one post to the ERP, in seconds.
    pub erp_timeout_secs: u64,
}

impl Default for RelaySettings {
    fn default() -> Self {
        RelaySettings {
            max_attempts: 10,
            retry_base_secs: 2,
            retry_max_secs: 600,
            erp_timeout_secs: 10,
        }
    }
}

impl RelaySettings {
    /// The first key with an unusable value, and why.
    pub(super) fn problem(&self) -> Option<(&'static str, &'static str)> {
        let zero = [
            ("max_attempts", u64::from(self.max_attempts)),
            ("retry_base_secs", self.retry_base_secs),
            ("retry_max_secs", self.retry_max_secs),
            ("erp_timeout_secs", self.erp_timeout_secs),
        ]
        .into_iter()
        .find_map(|(name, value)| (value == 0).then_some(name));
        if let Some(name) = zero {
            return Some((name, "must be greater than zero"));
        }
        if self.retry_max_secs < self.retry_base_secs {
            return Some((
                "retry_max_secs",
                "must not be below `retry_base_secs`, the first wait",
            ));
        }
        None
    }
}
