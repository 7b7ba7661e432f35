//! The outbox relay: delivers the effects that succeeded executions committed.
//!
//! Workers claim a batch of due effects under a lease, deliver each by kind (one file each:
//! [`message`], [`robot`], [`erp`], [`approval`], [`kv`]) and record the outcome. Every attempt
//! carries the effect's idempotency key, so delivery is at least once with duplicates dropped by
//! the receiver: WeCom's duplicate check, DingTalk's same-content rule, the ERP's
//! `Idempotency-Key`, and kv writes that are idempotent anyway. A transient failure (see
//! [`error`]) is retried with jittered exponential backoff until the attempts run out; anything
//! else becomes a dead letter with the provider's errcode and a hint.

mod approval;
pub mod erp;
pub mod error;
mod kv;
mod message;
pub mod payload;
mod recovery;
mod robot;

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use worklink_providers::api::RetryPolicy;
use worklink_runtime::invocation::Effect;

use crate::clients::Clients;
use crate::config::{Config, ErpConfig, RelaySettings};
use crate::storage::outbox::{DeliveryFailure, EffectRecord};
use crate::storage::{Backend, Millis, StorageError, Store, now_millis};
use crate::wake::{DEFAULT_POLL_INTERVAL, Wakeups, idle};

pub use error::{DeliveryError, ErpError};
pub use payload::EffectPayload;

/// How patient the relay is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayPolicy {
    /// Attempts per effect (the first included) and the backoff between them.
    pub retry: RetryPolicy,
    /// How long a worker holds a claimed effect before another may take it over. Longer than a
    /// provider call with its own quick retries can take.
    pub lease: Duration,
    /// How often an idle worker looks for due effects without being woken.
    pub poll: Duration,
    /// Timeout of one post to the ERP.
    pub erp_timeout: Duration,
    /// Effects a worker claims and delivers together; their deliveries run concurrently and
    /// the delivered ones are recorded in one statement.
    pub batch: i64,
}

impl Default for RelayPolicy {
    /// `[relay]`'s defaults: ten attempts from 2 s apart up to 10 minutes apart, so about half
    /// an hour of outage is ridden out before an effect is dead-lettered.
    fn default() -> Self {
        RelayPolicy::from(&RelaySettings::default())
    }
}

impl From<&RelaySettings> for RelayPolicy {
    /// The configured retry schedule; lease, poll interval and batch size are the relay's own.
    fn from(settings: &RelaySettings) -> Self {
        RelayPolicy {
            retry: RetryPolicy {
                max_attempts: settings.max_attempts,
                base_delay: Duration::from_secs(settings.retry_base_secs),
                max_delay: Duration::from_secs(settings.retry_max_secs),
            },
            lease: Duration::from_secs(120),
            poll: DEFAULT_POLL_INTERVAL,
            erp_timeout: Duration::from_secs(settings.erp_timeout_secs),
            batch: 16,
        }
    }
}

/// What happened to one claimed effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; `result` is what the receiver answered (message id, approval id, ...).
    Delivered {
        /// The receiver's answer.
        result: String,
    },
    /// Failed transiently; due again at `at`.
    Retrying {
        /// When the next attempt is due (Unix ms).
        at: Millis,
        /// What went wrong.
        error: String,
    },
    /// Given up: the effect is a dead letter.
    Dead {
        /// The provider's errcode or the ERP's status, when there was one.
        errcode: Option<String>,
        /// What went wrong, with a hint for the administrator.
        error: String,
    },
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The outbox row.
    pub effect_id: i64,
    /// The effect's kind (`message`, `erp_post`, ...).
    pub kind: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// How it went.
    pub outcome: Outcome,
}

/// Delivers outbox effects. Share it behind an `Arc`; [`Relay::run`] runs the workers.
#[derive(Debug)]
pub struct Relay {
    store: Store,
    clients: Arc<Clients>,
    erp: Option<ErpConfig>,
    erp_http: reqwest::Client,
    policy: RelayPolicy,
}

impl Relay {
    /// A relay over `store` sending through `clients`, posting ERP documents per `config.erp`
    /// and retrying per `config.relay`.
    pub fn new(store: Store, clients: Arc<Clients>, config: &Config) -> Self {
        Relay {
            store,
            clients,
            erp: config.erp.clone(),
            erp_http: reqwest::Client::new(),
            policy: RelayPolicy::from(&config.relay),
        }
    }

    /// The same relay with another policy.
    pub fn with_policy(mut self, policy: RelayPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Claims the next due effect for `worker` and delivers it; `None` when nothing is due.
    pub async fn deliver_one(&self, worker: &str) -> Result<Option<Delivery>, StorageError> {
        Ok(self.deliver_batch(worker, 1).await?.pop())
    }

    /// Claims up to `limit` due effects for `worker`, delivers them concurrently and records
    /// the outcomes: every delivered one in a single statement, each failure on its own (they
    /// are rare and each gets its own backoff). An empty list when nothing is due. An effect
    /// whose lease ran out while it was being delivered is left to the worker that took it
    /// over and is not reported.
    pub async fn deliver_batch(
        &self,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        let now = now_millis();
        let lease_until = now + millis(self.policy.lease);
        let effects = self
            .store
            .claim_effects(worker, now, lease_until, limit)
            .await?;
        if effects.is_empty() {
            return Ok(Vec::new());
        }
        let results =
            futures_util::future::join_all(effects.iter().map(|effect| self.deliver(effect))).await;
        let delivered: Vec<(i64, &str)> = effects
            .iter()
            .zip(&results)
            .filter_map(|(effect, result)| Some((effect.id, result.as_deref().ok()?)))
            .collect();
        let lost = self
            .store
            .mark_effects_delivered(worker, now_millis(), &delivered)
            .await?;
        let mut deliveries = Vec::with_capacity(effects.len());
        for (effect, result) in effects.into_iter().zip(results) {
            let outcome = match result {
                Ok(_) if lost.contains(&effect.id) => continue,
                Ok(result) => Outcome::Delivered { result },
                Err(err) => self.fail(&effect, worker, &err).await?,
            };
            deliveries.push(Delivery {
                effect_id: effect.id,
                kind: effect.kind,
                attempts: effect.attempts,
                outcome,
            });
        }
        Ok(deliveries)
    }

    /// Runs `workers` delivery loops until `cancel` fires. Each loop delivers while effects are
    /// due, then waits for the outbox bell or the poll interval. On SQLite, effects a killed
    /// process left `sending` are requeued first.
    pub async fn run(
        self: Arc<Self>,
        workers: usize,
        wake: Wakeups,
        cancel: CancellationToken,
    ) -> Result<(), StorageError> {
        if self.store.backend() == Backend::Sqlite {
            let requeued = recovery::requeue_sending(&self.store, now_millis()).await?;
            if requeued > 0 {
                tracing::info!(
                    requeued,
                    "requeued effects left sending by an earlier process"
                );
            }
        }
        let instance: u32 = rand::random();
        let mut tasks = JoinSet::new();
        for n in 0..workers.max(1) {
            let worker = format!("relay-{}-{instance:08x}-{n}", std::process::id());
            tasks.spawn(Arc::clone(&self).work(worker, wake.clone(), cancel.clone()));
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// One worker's loop.
    async fn work(self: Arc<Self>, worker: String, wake: Wakeups, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            match self.deliver_batch(&worker, self.policy.batch).await {
                Ok(deliveries) if !deliveries.is_empty() => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(worker, error = %err, "outbox delivery step failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = idle(&wake.outbox, self.policy.poll) => {}
            }
        }
    }

    /// Delivers `effect` by its kind; the result is what the receiver answered.
    async fn deliver(&self, effect: &EffectRecord) -> Result<String, DeliveryError> {
        let payload = EffectPayload::parse(&effect.payload)?;
        let key = effect.idempotency_key.as_str();
        match &payload.staged.effect {
            Effect::Message { to, message } => {
                message::deliver(self, payload.connection()?, to, message).await
            }
            Effect::RobotPost(post) => robot::deliver(self, post).await,
            Effect::ErpPost(document) => erp::deliver(self, key, document).await,
            Effect::ApprovalSubmit(request) => {
                approval::deliver(self, payload.connection()?, request).await
            }
            Effect::KvSet { scope, key, value } => kv::deliver(self, scope, key, value).await,
        }
    }

    /// Records a failed attempt: a retry at a jittered backoff while the error is transient and
    /// attempts remain, otherwise a dead letter.
    async fn fail(
        &self,
        effect: &EffectRecord,
        worker: &str,
        err: &DeliveryError,
    ) -> Result<Outcome, StorageError> {
        let attempts = u32::try_from(effect.attempts).unwrap_or(u32::MAX);
        let retry = err.is_transient() && attempts < self.policy.retry.max_attempts;
        let now = now_millis();
        let (retry_at, error) = if retry {
            let delay = self.policy.retry.delay(attempts.saturating_sub(1));
            (Some(now + millis(delay)), err.to_string())
        } else if err.is_transient() {
            (None, format!("gave up after {attempts} attempts: {err}"))
        } else {
            (None, err.to_string())
        };
        let failure = DeliveryFailure {
            errcode: err.errcode(),
            error,
            retry_at,
        };
        tracing::warn!(
            effect = effect.id,
            kind = %effect.kind,
            attempts,
            retry = retry_at.is_some(),
            error = %failure.error,
            "effect delivery failed"
        );
        self.store
            .mark_effect_failed(effect.id, worker, &failure)
            .await?;
        Ok(match retry_at {
            Some(at) => Outcome::Retrying {
                at,
                error: failure.error,
            },
            None => Outcome::Dead {
                errcode: failure.errcode,
                error: failure.error,
            },
        })
    }
}

fn millis(duration: Duration) -> Millis {
    Millis::try_from(duration.as_millis()).unwrap_or(Millis::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_schedule_becomes_the_policy() {
        let policy = RelayPolicy::from(&RelaySettings {
            max_attempts: 3,
            retry_base_secs: 5,
            retry_max_secs: 50,
            erp_timeout_secs: 7,
        });
        assert_eq!(policy.retry.max_attempts, 3);
        assert_eq!(policy.retry.base_delay, Duration::from_secs(5));
        assert_eq!(policy.retry.max_delay, Duration::from_secs(50));
        assert_eq!(policy.erp_timeout, Duration::from_secs(7));
        // The rest is the relay's own, whatever the config says.
        assert_eq!(policy.lease, RelayPolicy::default().lease);
        assert_eq!(policy.batch, RelayPolicy::default().batch);
    }
}
