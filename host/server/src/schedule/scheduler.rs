//! [`Scheduler`]: turns the fire times of enabled cron rules into inbox events.
//!
//! Each round covers the time since the previous round: every fire time of every enabled
//! `on = "schedule"` rule in that window becomes a `schedule.fired` event (source `schedule`,
//! dedup key `<rule>@<scheduled unix ms>`, payload `{rule, scheduled_for}`), which the matcher
//! gives to that rule alone. Fire times that passed while no replica was running are not made
//! up for: a scheduler starts from the moment it is created.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::CronSchedule;
use crate::rules::{EventPattern, Rule, SCHEDULE_FIRED};
use crate::storage::inbox::NewEvent;
use crate::storage::{Millis, StorageError, Store, now_millis};
use crate::wake::Wakeups;

/// The inbox source of scheduler ticks.
pub const SCHEDULE_SOURCE: &str = "schedule";

/// How often the scheduler looks at the clock; cron expressions may have a seconds field.
pub const TICK_INTERVAL: Duration = Duration::from_secs(1);

/// Most fire times of one rule written in one round, so a clock jump cannot flood the inbox.
const MAX_FIRES_PER_ROUND: usize = 100;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Fire times due in the window, over all rules.
    pub due: usize,
    /// Events newly written (the rest were already in the inbox, written by another replica).
    pub inserted: usize,
    /// Whether another replica held the scheduler lock, so this round wrote nothing.
    pub skipped: bool,
}

/// A cron rule version, parsed once.
struct CronRule {
    name: String,
    schedule: CronSchedule,
}

/// The scheduler of one process.
pub struct Scheduler {
    store: Store,
    default_timezone: String,
    /// The end of the window the last round covered.
    covered_until: Mutex<Millis>,
    /// Cron rules by version id (versions are immutable); `None` for versions that are not cron
    /// rules or cannot be read.
    rules: Mutex<HashMap<i64, Option<Arc<CronRule>>>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("default_timezone", &self.default_timezone)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler whose first round covers the time after `start`; rules without a `timezone`
    /// are read in `default_timezone`.
    pub fn new(store: Store, default_timezone: impl Into<String>, start: Millis) -> Self {
        Self {
            store,
            default_timezone: default_timezone.into(),
            covered_until: Mutex::new(start),
            rules: Mutex::new(HashMap::new()),
        }
    }

    /// Writes the ticks due in `(end of the last round, now]`.
    pub async fn tick(&self, now: Millis) -> Result<TickReport, StorageError> {
        let since = *self.covered_until.lock().unwrap_or_else(|e| e.into_inner());
        if now <= since {
            return Ok(TickReport::default());
        }
        let mut ticks = Vec::new();
        for rule in self.cron_rules().await? {
            for at in rule.schedule.fires_between(since, now, MAX_FIRES_PER_ROUND) {
                ticks.push(NewEvent {
                    source: SCHEDULE_SOURCE.into(),
                    dedup_key: format!("{}@{at}", rule.name),
                    kind: SCHEDULE_FIRED.into(),
                    occurred_at: at,
                    payload: json!({ "rule": rule.name, "scheduled_for": at }),
                });
            }
        }
        let report = if ticks.is_empty() {
            TickReport::default()
        } else {
            match self.store.insert_scheduled_events(&ticks, now).await? {
                Some(inserted) => TickReport {
                    due: ticks.len(),
                    inserted,
                    skipped: false,
                },
                None => TickReport {
                    due: ticks.len(),
                    inserted: 0,
                    skipped: true,
                },
            }
        };
        // A round another replica held the lock for is covered again next time: should that
        // replica fail before committing, its ticks are still written (the dedup key drops
        // them if it did not).
        if !report.skipped {
            *self.covered_until.lock().unwrap_or_else(|e| e.into_inner()) = now;
        }
        Ok(report)
    }

    /// Runs a round every [`TICK_INTERVAL`] until `cancel` fires, ringing the inbox bell when a
    /// round wrote ticks.
    pub async fn run(self: Arc<Self>, wake: Wakeups, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            match self.tick(now_millis()).await {
                Ok(report) if report.inserted > 0 => wake.inbox.notify_one(),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "scheduler round failed"),
            }
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = tokio::time::sleep(TICK_INTERVAL) => {}
            }
        }
    }

    /// The enabled cron rules.
    async fn cron_rules(&self) -> Result<Vec<Arc<CronRule>>, StorageError> {
        let versions = self.store.enabled_rule_versions().await?;
        let mut known = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        Ok(versions
            .iter()
            .filter_map(|version| {
                known
                    .entry(version.id)
                    .or_insert_with(|| self.cron_rule(version))
                    .clone()
            })
            .collect())
    }

    fn cron_rule(&self, version: &crate::storage::rules::RuleVersion) -> Option<Arc<CronRule>> {
        let rule = match Rule::from_version(version) {
            Ok(rule) => rule,
            Err(error) => {
                tracing::error!(rule = %version.rule_id, %error, "rule version cannot be scheduled");
                return None;
            }
        };
        let manifest = rule.manifest;
        let spec = manifest
            .schedule
            .filter(|_| manifest.on == EventPattern::Schedule)?;
        let zone = spec.timezone.as_deref().unwrap_or(&self.default_timezone);
        match CronSchedule::parse(&spec.cron, zone) {
            Ok(schedule) => Some(Arc::new(CronRule {
                name: manifest.name,
                schedule,
            })),
            Err(error) => {
                tracing::error!(rule = %manifest.name, %error, "rule version cannot be scheduled");
                None
            }
        }
    }
}
