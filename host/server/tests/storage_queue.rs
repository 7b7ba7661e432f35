//! The event pipeline's tables on both backends: inbox dedup, execution claiming and atomic
//! completion, and outbox delivery with idempotency keys and dead letters.

#[macro_use]
mod storage_support;

use std::collections::BTreeSet;

use serde_json::json;
use storage_support::NOW;
use worklink_server::storage::executions::{
    Completion, ExecutionStatus, NewEffect, Outcome, ResourceUse,
};
use worklink_server::storage::inbox::{InboxInsert, NewEvent};
use worklink_server::storage::outbox::{DeliveryFailure, EffectStatus};
use worklink_server::storage::{StorageError, Store};

const LEASE: i64 = 60_000;

fn event(dedup_key: &str) -> NewEvent {
    NewEvent {
        source: "wecom:acme".into(),
        dedup_key: dedup_key.into(),
        kind: "approval.completed".into(),
        occurred_at: NOW - 1_000,
        payload: json!({ "sp_no": dedup_key }),
    }
}

/// Publishes a rule and queues one execution of it per new event; returns the execution ids.
async fn queue_executions(store: &Store, count: usize) -> Vec<i64> {
    let version = store
        .publish_rule("notify", "on = \"approval.completed\"", NOW)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..count {
        let InboxInsert::Inserted(event_id) = store
            .insert_event(&event(&format!("ev-{n}")), NOW)
            .await
            .unwrap()
        else {
            panic!("fresh event reported as duplicate");
        };
        ids.extend(
            store
                .enqueue_executions(event_id, &[version.id], NOW)
                .await
                .unwrap(),
        );
    }
    ids
}

/// Queues `count` executions and claims them all as worker `w`.
async fn claimed_executions(store: &Store, count: usize) -> Vec<i64> {
    let ids = queue_executions(store, count).await;
    for _ in &ids {
        store
            .claim_execution("w", NOW, NOW + LEASE)
            .await
            .unwrap()
            .unwrap();
    }
    ids
}

fn effect(key: &str) -> NewEffect {
    NewEffect {
        idempotency_key: key.into(),
        kind: "message.send".into(),
        payload: json!({ "to": "zhangsan", "text": key }),
    }
}

fn success(keys: &[&str]) -> Completion {
    Completion {
        outcome: Outcome::Succeeded {
            effects: keys.iter().map(|key| effect(key)).collect(),
        },
        logs: "handled".into(),
        usage: ResourceUse {
            duration_ms: 12,
            fuel_used: Some(3_400),
            memory_peak_bytes: Some(1 << 20),
        },
    }
}

async fn dedup_insert_reports_duplicate(store: &Store) {
    let first = store.insert_event(&event("sp-1"), NOW).await.unwrap();
    let InboxInsert::Inserted(id) = first else {
        panic!("first insert was {first:?}")
    };
    assert_eq!(
        store
            .insert_event(&event("sp-1"), NOW + 5_000)
            .await
            .unwrap(),
        InboxInsert::Duplicate(id)
    );
    // The same key from another source is a different event.
    let other_source = NewEvent {
        source: "dingtalk:acme".into(),
        ..event("sp-1")
    };
    assert!(
        matches!(store.insert_event(&other_source, NOW).await.unwrap(), InboxInsert::Inserted(other) if other != id)
    );

    let stored = store.event(id).await.unwrap().unwrap();
    assert_eq!(stored.payload, json!({ "sp_no": "sp-1" }));
    assert_eq!(stored.received_at, NOW);
    assert_eq!(store.unmatched_events(10).await.unwrap().len(), 2);
}

async fn matching_twice_queues_once(store: &Store) {
    let version = store.publish_rule("r", "v1", NOW).await.unwrap();
    let InboxInsert::Inserted(event_id) = store.insert_event(&event("e"), NOW).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(
        store
            .enqueue_executions(event_id, &[version.id], NOW)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .enqueue_executions(event_id, &[version.id], NOW)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.event(event_id).await.unwrap().unwrap().matched_at,
        Some(NOW)
    );
    assert!(store.unmatched_events(10).await.unwrap().is_empty());
}

/// Runs `workers` tasks that each call `claim_one(worker_name)` until it returns `None`, and
/// checks no id came back twice; returns the ids claimed.
async fn claim_concurrently<F, Fut>(workers: usize, claim_one: F) -> BTreeSet<i64>
where
    F: Fn(String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Option<i64>> + Send,
{
    let tasks: Vec<_> = (0..workers)
        .map(|n| {
            let claim_one = claim_one.clone();
            tokio::spawn(async move {
                let mut claimed = Vec::new();
                while let Some(id) = claim_one(format!("worker-{n}")).await {
                    claimed.push(id);
                    tokio::task::yield_now().await;
                }
                claimed
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "a row was claimed twice: {all:?}");
    unique
}

async fn concurrent_claimers_never_share_an_execution(store: &Store) {
    let queued: BTreeSet<i64> = queue_executions(store, 40).await.into_iter().collect();
    assert_eq!(queued.len(), 40);
    let store = store.clone();
    let claimed = claim_concurrently(8, move |worker| {
        let store = store.clone();
        async move {
            let execution = store
                .claim_execution(&worker, NOW, NOW + LEASE)
                .await
                .unwrap()?;
            assert_eq!(execution.attempts, 1);
            Some(execution.id)
        }
    })
    .await;
    assert_eq!(claimed, queued, "every execution is claimed exactly once");
}

async fn expired_lease_is_reclaimed_and_old_holder_is_fenced_off(store: &Store) {
    let [id] = queue_executions(store, 1).await[..] else {
        panic!()
    };
    assert_eq!(
        store
            .claim_execution("a", NOW, NOW + LEASE)
            .await
            .unwrap()
            .unwrap()
            .id,
        id
    );
    assert!(
        store
            .claim_execution("b", NOW + 1, NOW + LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let reclaimed = store
        .claim_execution("b", NOW + LEASE + 1, NOW + 2 * LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((reclaimed.id, reclaimed.attempts), (id, 2));
    let late = store
        .complete_execution(id, "a", NOW + LEASE + 2, &success(&["late"]))
        .await;
    assert!(
        matches!(late, Err(StorageError::LeaseLost { id: lost, .. }) if lost == id),
        "{late:?}"
    );
    assert!(store.effects_of_execution(id).await.unwrap().is_empty());
}

async fn completion_writes_result_and_effects_together(store: &Store) {
    let [id] = claimed_executions(store, 1).await[..] else {
        panic!()
    };
    store
        .complete_execution(id, "w", NOW + 20, &success(&["exec-1:0", "exec-1:1"]))
        .await
        .unwrap();

    let record = store.execution(id).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(record.logs, "handled");
    assert_eq!(record.usage.fuel_used, Some(3_400));
    assert_eq!(record.finished_at, Some(NOW + 20));
    assert_eq!(record.claimed_by, None);
    let effects = store.effects_of_execution(id).await.unwrap();
    let keys: Vec<_> = effects.iter().map(|e| e.idempotency_key.as_str()).collect();
    assert_eq!(keys, ["exec-1:0", "exec-1:1"]);
    assert!(effects.iter().all(|e| e.status == EffectStatus::Pending));
}

async fn failure_mid_transaction_writes_nothing(store: &Store) {
    let [first, second] = claimed_executions(store, 2).await[..] else {
        panic!()
    };
    store
        .complete_execution(first, "w", NOW, &success(&["taken"]))
        .await
        .unwrap();

    // The second effect collides after the execution row and the first effect were written.
    let failed = store
        .complete_execution(second, "w", NOW, &success(&["fresh", "taken"]))
        .await;
    assert!(
        matches!(&failed, Err(StorageError::DuplicateIdempotencyKey(key)) if key == "taken"),
        "{failed:?}"
    );
    let record = store.execution(second).await.unwrap().unwrap();
    assert_eq!(
        record.status,
        ExecutionStatus::Running,
        "result must be rolled back"
    );
    assert_eq!(record.logs, "");
    assert_eq!(record.finished_at, None);
    assert!(
        store.effects_of_execution(second).await.unwrap().is_empty(),
        "effects must be rolled back"
    );

    // The worker still holds the execution and can finish it properly.
    store
        .complete_execution(second, "w", NOW, &success(&["fresh"]))
        .await
        .unwrap();
    assert_eq!(store.effects_of_execution(second).await.unwrap().len(), 1);
}

async fn failed_runs_keep_no_effects_and_retry_when_due(store: &Store) {
    let [id] = claimed_executions(store, 1).await[..] else {
        panic!()
    };
    let retry = Completion {
        outcome: Outcome::Retry {
            error: "provider timeout".into(),
            retry_at: NOW + 30_000,
        },
        logs: "trying".into(),
        usage: ResourceUse::default(),
    };
    store
        .complete_execution(id, "w", NOW + 10, &retry)
        .await
        .unwrap();
    let record = store.execution(id).await.unwrap().unwrap();
    assert_eq!(
        (record.status, record.error.as_deref()),
        (ExecutionStatus::Queued, Some("provider timeout"))
    );
    assert!(
        store
            .claim_execution("w", NOW + 29_999, NOW + LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let again = store
        .claim_execution("w", NOW + 30_000, NOW + LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.attempts, 2);

    let failed = Completion {
        outcome: Outcome::Failed {
            error: "trap: unreachable".into(),
        },
        logs: String::new(),
        usage: ResourceUse::default(),
    };
    store
        .complete_execution(id, "w", NOW + 30_001, &failed)
        .await
        .unwrap();
    assert_eq!(
        store.execution(id).await.unwrap().unwrap().status,
        ExecutionStatus::Failed
    );
    assert!(store.effects_of_execution(id).await.unwrap().is_empty());

    let replay = store.replay_execution(id, NOW + 40_000).await.unwrap();
    let claimed = store
        .claim_execution("w", NOW + 40_000, NOW + LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((claimed.id, claimed.replay_of), (replay, Some(id)));
}

async fn outbox_idempotency_keys_are_unique_across_executions(store: &Store) {
    let [a, b] = claimed_executions(store, 2).await[..] else {
        panic!()
    };
    store
        .complete_execution(a, "w", NOW, &success(&["erp:doc-9"]))
        .await
        .unwrap();
    let dup = store
        .complete_execution(b, "w", NOW, &success(&["erp:doc-9"]))
        .await;
    assert!(
        matches!(dup, Err(StorageError::DuplicateIdempotencyKey(_))),
        "{dup:?}"
    );
    // A key repeated within one execution is refused too.
    let dup = store
        .complete_execution(b, "w", NOW, &success(&["x", "x"]))
        .await;
    assert!(
        matches!(dup, Err(StorageError::DuplicateIdempotencyKey(_))),
        "{dup:?}"
    );
    assert_eq!(store.effects_of_execution(a).await.unwrap().len(), 1);
    assert!(store.effects_of_execution(b).await.unwrap().is_empty());
}

async fn outbox_delivers_retries_and_dead_letters(store: &Store) {
    let [id] = claimed_executions(store, 1).await[..] else {
        panic!()
    };
    store
        .complete_execution(id, "w", NOW, &success(&["k1", "k2"]))
        .await
        .unwrap();

    let first = store
        .claim_effect("relay", NOW, NOW + LEASE)
        .await
        .unwrap()
        .unwrap();
    let second = store
        .claim_effect("relay", NOW, NOW + LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(first.id, second.id);
    assert!(
        store
            .claim_effect("relay", NOW, NOW + LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(first.status, EffectStatus::Sending);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&first.payload).unwrap()["to"],
        "zhangsan"
    );

    store
        .mark_effect_delivered(first.id, "relay", NOW + 5, r#"{"msgid":"m1"}"#)
        .await
        .unwrap();
    let wrong_worker = store
        .mark_effect_delivered(second.id, "other", NOW + 5, "{}")
        .await;
    assert!(
        matches!(
            wrong_worker,
            Err(StorageError::LeaseLost {
                table: "outbox",
                ..
            })
        ),
        "{wrong_worker:?}"
    );

    let transient = DeliveryFailure {
        errcode: Some("45009".into()),
        error: "api freq out of limit".into(),
        retry_at: Some(NOW + 1_000),
    };
    store
        .mark_effect_failed(second.id, "relay", &transient)
        .await
        .unwrap();
    assert!(
        store
            .claim_effect("relay", NOW + 999, NOW + LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let retried = store
        .claim_effect("relay", NOW + 1_000, NOW + LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((retried.id, retried.attempts), (second.id, 2));

    let fatal = DeliveryFailure {
        errcode: Some("81013".into()),
        error: "user not found".into(),
        retry_at: None,
    };
    store
        .mark_effect_failed(second.id, "relay", &fatal)
        .await
        .unwrap();
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].status, dead[0].last_errcode.as_deref()),
        (EffectStatus::Dead, Some("81013"))
    );
    assert!(
        store
            .claim_effect("relay", NOW + 1_000_000, NOW + LEASE)
            .await
            .unwrap()
            .is_none()
    );

    assert!(
        store
            .requeue_dead_effect(second.id, NOW + 2_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .requeue_dead_effect(first.id, NOW + 2_000)
            .await
            .unwrap(),
        "delivered effects stay delivered"
    );
    assert_eq!(
        store
            .claim_effect("relay", NOW + 2_000, NOW + LEASE)
            .await
            .unwrap()
            .unwrap()
            .id,
        second.id
    );

    let effects = store.effects_of_execution(id).await.unwrap();
    assert_eq!(effects[0].result.as_deref(), Some(r#"{"msgid":"m1"}"#));
    assert_eq!(effects[0].status, EffectStatus::Delivered);
}

async fn concurrent_relays_never_share_an_effect(store: &Store) {
    for id in claimed_executions(store, 10).await {
        let keys: Vec<String> = (0..3).map(|n| format!("{id}:{n}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        store
            .complete_execution(id, "w", NOW, &success(&keys))
            .await
            .unwrap();
    }
    let store = store.clone();
    let delivered = claim_concurrently(6, move |worker| {
        let store = store.clone();
        async move {
            let effect = store
                .claim_effect(&worker, NOW, NOW + LEASE)
                .await
                .unwrap()?;
            store
                .mark_effect_delivered(effect.id, &worker, NOW, "{}")
                .await
                .unwrap();
            Some(effect.id)
        }
    })
    .await;
    assert_eq!(delivered.len(), 30);
}

on_both_backends!(
    dedup_insert_reports_duplicate,
    matching_twice_queues_once,
    concurrent_claimers_never_share_an_execution,
    expired_lease_is_reclaimed_and_old_holder_is_fenced_off,
    completion_writes_result_and_effects_together,
    failure_mid_transaction_writes_nothing,
    failed_runs_keep_no_effects_and_retry_when_due,
    outbox_idempotency_keys_are_unique_across_executions,
    outbox_delivers_retries_and_dead_letters,
    concurrent_relays_never_share_an_effect,
);
