//! The batched forms of the queue operations on both backends: claiming many rows in one
//! statement, completing a batch all or nothing, marking many effects delivered, matching many
//! events at once, and the one-query user read with memberships and binding.

#[macro_use]
mod storage_support;

use std::collections::BTreeSet;

use serde_json::json;
use storage_support::NOW;
use worklink_server::storage::directory::{Binding, DirectoryUser};
use worklink_server::storage::executions::{
    Completion, ExecutionStatus, NewEffect, Outcome, ResourceUse,
};
use worklink_server::storage::inbox::{InboxInsert, NewEvent};
use worklink_server::storage::outbox::EffectStatus;
use worklink_server::storage::{StorageError, Store};

const LEASE: i64 = 60_000;

/// Inserts `count` fresh events; returns their ids.
async fn events(store: &Store, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..count {
        let event = NewEvent {
            source: "erp".into(),
            dedup_key: format!("ev-{n}"),
            kind: "erp.task.assigned".into(),
            occurred_at: NOW,
            payload: json!({ "n": n }),
        };
        match store.insert_event(&event, NOW).await.unwrap() {
            InboxInsert::Inserted(id) => ids.push(id),
            InboxInsert::Duplicate(_) => panic!("fresh event reported as duplicate"),
        }
    }
    ids
}

/// Publishes a rule and queues one execution of it per each of `count` new events, matched as
/// one batch; returns the execution ids.
async fn queued(store: &Store, count: usize) -> Vec<i64> {
    let version = store
        .publish_rule("notify", "on = \"erp.*\"", NOW)
        .await
        .unwrap();
    let matches: Vec<(i64, Vec<i64>)> = events(store, count)
        .await
        .into_iter()
        .map(|event| (event, vec![version.id]))
        .collect();
    store.enqueue_matches(&matches, NOW).await.unwrap()
}

fn completion(outcome: Outcome) -> Completion {
    Completion {
        outcome,
        logs: "ran".into(),
        usage: ResourceUse {
            duration_ms: 2,
            fuel_used: None,
            memory_peak_bytes: Some(65_536),
        },
    }
}

fn success(keys: &[&str]) -> Completion {
    completion(Outcome::Succeeded {
        effects: keys
            .iter()
            .map(|key| NewEffect {
                idempotency_key: (*key).into(),
                kind: "message.send".into(),
                payload: json!({ "text": key }),
            })
            .collect(),
    })
}

async fn matching_a_batch_queues_every_pair_once_and_marks_every_event(store: &Store) {
    let first = store
        .publish_rule("first", "on = \"erp.*\"", NOW)
        .await
        .unwrap();
    let second = store
        .publish_rule("second", "on = \"erp.*\"", NOW)
        .await
        .unwrap();
    let ids = events(store, 3).await;
    let matches: Vec<(i64, Vec<i64>)> = ids
        .iter()
        .map(|&event| (event, vec![first.id, second.id]))
        .chain([(ids[0], vec![])])
        .collect();
    let queued = store.enqueue_matches(&matches, NOW).await.unwrap();
    assert_eq!(queued.len(), 6);
    assert!(
        queued.windows(2).all(|pair| pair[0] < pair[1]),
        "{queued:?}"
    );
    assert!(store.unmatched_events(10).await.unwrap().is_empty());
    assert!(
        store
            .enqueue_matches(&matches, NOW)
            .await
            .unwrap()
            .is_empty(),
        "matching the same batch again queues nothing"
    );
    let pairs: BTreeSet<(i64, i64)> = {
        let mut pairs = BTreeSet::new();
        for id in &queued {
            let record = store.execution(*id).await.unwrap().unwrap();
            assert_eq!(record.status, ExecutionStatus::Queued);
            pairs.insert((record.event_id, record.rule_version_id));
        }
        pairs
    };
    assert_eq!(pairs.len(), 6, "one execution per (event, rule version)");
}

async fn events_are_read_by_id_in_one_go(store: &Store) {
    let ids = events(store, 4).await;
    let wanted = [ids[3], ids[1], ids[1] + 1_000];
    let found = store.events(&wanted).await.unwrap();
    let found: Vec<(i64, serde_json::Value)> =
        found.into_iter().map(|e| (e.id, e.payload)).collect();
    assert_eq!(
        found,
        [(ids[1], json!({ "n": 1 })), (ids[3], json!({ "n": 3 }))]
    );
}

async fn batch_claims_respect_the_limit_and_never_overlap(store: &Store) {
    let all: BTreeSet<i64> = queued(store, 50).await.into_iter().collect();
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut claimed = Vec::new();
                loop {
                    let batch = store
                        .claim_executions(&format!("w{n}"), NOW, NOW + LEASE, 8)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return claimed;
                    }
                    assert!(batch.len() <= 8, "a batch of {}", batch.len());
                    assert!(batch.windows(2).all(|pair| pair[0].id < pair[1].id));
                    claimed.extend(batch.into_iter().map(|execution| execution.id));
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let unique: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        unique.len(),
        "an execution was claimed twice"
    );
    assert_eq!(unique, all);
}

async fn a_batch_completes_every_outcome_together(store: &Store) {
    queued(store, 3).await;
    let claimed = store
        .claim_executions("w", NOW, NOW + LEASE, 10)
        .await
        .unwrap();
    let [a, b, c] = [claimed[0].id, claimed[1].id, claimed[2].id];
    let sent = success(&["a:0", "a:1"]);
    let failed = completion(Outcome::Failed {
        error: "no such user".into(),
    });
    let retry = completion(Outcome::Retry {
        error: "directory unavailable".into(),
        retry_at: NOW + 5_000,
    });
    store
        .complete_executions("w", NOW + 10, &[(a, &sent), (b, &failed), (c, &retry)])
        .await
        .unwrap();

    let a_record = store.execution(a).await.unwrap().unwrap();
    assert_eq!(a_record.status, ExecutionStatus::Succeeded);
    assert_eq!(a_record.logs, "ran");
    assert_eq!(a_record.usage.memory_peak_bytes, Some(65_536));
    assert_eq!(a_record.finished_at, Some(NOW + 10));
    assert_eq!(a_record.claimed_by, None);
    let keys: Vec<String> = store
        .effects_of_execution(a)
        .await
        .unwrap()
        .into_iter()
        .map(|effect| effect.idempotency_key)
        .collect();
    assert_eq!(keys, ["a:0", "a:1"]);

    let b_record = store.execution(b).await.unwrap().unwrap();
    assert_eq!(b_record.status, ExecutionStatus::Failed);
    assert_eq!(b_record.error.as_deref(), Some("no such user"));
    let c_record = store.execution(c).await.unwrap().unwrap();
    assert_eq!(c_record.status, ExecutionStatus::Queued);
    assert_eq!(c_record.next_attempt_at, NOW + 5_000);
    assert!(store.effects_of_execution(b).await.unwrap().is_empty());
    assert!(store.effects_of_execution(c).await.unwrap().is_empty());
}

async fn a_batch_with_one_lost_lease_writes_nothing(store: &Store) {
    queued(store, 2).await;
    let claimed = store
        .claim_executions("a", NOW, NOW + LEASE, 10)
        .await
        .unwrap();
    let (first, second) = (claimed[0].id, claimed[1].id);
    // Worker `a` stalls past its lease; `b` takes the first one over.
    let taken = store
        .claim_executions("b", NOW + LEASE + 1, NOW + 2 * LEASE, 1)
        .await
        .unwrap();
    assert_eq!(taken[0].id, first);

    let (one, two) = (success(&["first:0"]), success(&["second:0"]));
    let late = store
        .complete_executions("a", NOW + LEASE + 2, &[(first, &one), (second, &two)])
        .await;
    assert!(
        matches!(late, Err(StorageError::LeaseLost { id, .. }) if id == first),
        "{late:?}"
    );
    let untouched = store.execution(second).await.unwrap().unwrap();
    assert_eq!(untouched.status, ExecutionStatus::Running, "rolled back");
    assert!(store.effects_of_execution(second).await.unwrap().is_empty());
    // On its own, the execution `a` still holds completes.
    store
        .complete_execution(second, "a", NOW + LEASE + 3, &two)
        .await
        .unwrap();
    assert_eq!(store.effects_of_execution(second).await.unwrap().len(), 1);
}

async fn a_key_staged_twice_in_one_batch_is_refused(store: &Store) {
    queued(store, 2).await;
    let claimed = store
        .claim_executions("w", NOW, NOW + LEASE, 10)
        .await
        .unwrap();
    let (one, two) = (success(&["same"]), success(&["other", "same"]));
    let refused = store
        .complete_executions("w", NOW, &[(claimed[0].id, &one), (claimed[1].id, &two)])
        .await;
    assert!(
        matches!(&refused, Err(StorageError::DuplicateIdempotencyKey(key)) if key == "same"),
        "{refused:?}"
    );
    for execution in &claimed {
        let record = store.execution(execution.id).await.unwrap().unwrap();
        assert_eq!(record.status, ExecutionStatus::Running);
    }
}

async fn delivered_effects_are_marked_together_except_those_taken_over(store: &Store) {
    queued(store, 1).await;
    let claimed = store
        .claim_executions("w", NOW, NOW + LEASE, 1)
        .await
        .unwrap();
    store
        .complete_execution(claimed[0].id, "w", NOW, &success(&["k0", "k1", "k2"]))
        .await
        .unwrap();
    let effects = store
        .claim_effects("r1", NOW, NOW + LEASE, 10)
        .await
        .unwrap();
    assert_eq!(effects.len(), 3);
    // `r1` stalls; `r2` takes the oldest effect over once the lease has run out.
    let taken = store
        .claim_effects("r2", NOW + LEASE + 1, NOW + 2 * LEASE, 1)
        .await
        .unwrap();
    assert_eq!(taken[0].id, effects[0].id);

    let results: Vec<(i64, &str)> = effects
        .iter()
        .map(|effect| (effect.id, effect.idempotency_key.as_str()))
        .collect();
    let lost = store
        .mark_effects_delivered("r1", NOW + LEASE + 2, &results)
        .await
        .unwrap();
    assert_eq!(lost, [effects[0].id]);
    let records = store.effects_of_execution(claimed[0].id).await.unwrap();
    let states: Vec<(EffectStatus, Option<&str>)> = records
        .iter()
        .map(|record| (record.status, record.result.as_deref()))
        .collect();
    assert_eq!(
        states,
        [
            (EffectStatus::Sending, None),
            (EffectStatus::Delivered, Some("k1")),
            (EffectStatus::Delivered, Some("k2")),
        ]
    );
}

async fn a_user_is_read_with_sorted_memberships_and_binding(store: &Store) {
    storage_support::register_acme(store).await;
    let user = DirectoryUser {
        user_id: "zhangsan".into(),
        name: "张三".into(),
        mobile: None,
        email: Some("zs@example.com".into()),
        title: None,
        active: true,
        department_ids: vec!["9".into(), "10".into(), "2".into()],
        tag_ids: vec!["t2".into(), "t1".into()],
        profile: json!({ "gender": "1" }),
    };
    store.upsert_user("acme", &user, NOW).await.unwrap();
    let bare = DirectoryUser {
        user_id: "lisi".into(),
        department_ids: vec![],
        tag_ids: vec![],
        ..user.clone()
    };
    store.upsert_user("acme", &bare, NOW).await.unwrap();
    let binding = Binding {
        erp_employee_id: "E001".into(),
        user_id: "zhangsan".into(),
        matched_by: "mobile".into(),
    };
    store.bind_employee("acme", &binding, NOW).await.unwrap();

    let (read, employee) = store
        .bound_directory_user("acme", "zhangsan")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.department_ids, ["10", "2", "9"], "sorted as text");
    assert_eq!(read.tag_ids, ["t1", "t2"]);
    assert_eq!(read.profile, json!({ "gender": "1" }));
    assert_eq!(read.email.as_deref(), Some("zs@example.com"));
    assert_eq!(employee.as_deref(), Some("E001"));

    let (read, employee) = store
        .bound_directory_user("acme", "lisi")
        .await
        .unwrap()
        .unwrap();
    assert!(read.department_ids.is_empty() && read.tag_ids.is_empty());
    assert_eq!(employee, None);
    assert_eq!(
        store.bound_directory_user("acme", "nobody").await.unwrap(),
        None
    );
    assert_eq!(
        store
            .bound_directory_user("other", "zhangsan")
            .await
            .unwrap(),
        None,
        "connections do not share users"
    );
}

async fn concurrent_inserts_store_each_key_once_and_name_the_first(store: &Store) {
    // 40 tasks at once, every key sent twice and one already stored: whatever groups the
    // writer forms, each key is inserted once and every other attempt gets that row's id.
    let [earlier] = events(store, 1).await[..] else {
        panic!()
    };
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let event = NewEvent {
                    source: "erp".into(),
                    dedup_key: format!("ev-{}", n / 2),
                    kind: "erp.task.assigned".into(),
                    occurred_at: NOW,
                    payload: json!({ "attempt": n }),
                };
                (n / 2, store.insert_event(&event, NOW).await.unwrap())
            })
        })
        .collect();
    let mut by_key: std::collections::BTreeMap<usize, Vec<InboxInsert>> = Default::default();
    for task in tasks {
        let (key, insert) = task.await.unwrap();
        by_key.entry(key).or_default().push(insert);
    }
    assert_eq!(by_key.len(), 20);
    for (key, inserts) in &by_key {
        let ids: BTreeSet<i64> = inserts
            .iter()
            .map(|insert| match insert {
                InboxInsert::Inserted(id) | InboxInsert::Duplicate(id) => *id,
            })
            .collect();
        assert_eq!(ids.len(), 1, "key {key}: {inserts:?}");
        let fresh = inserts
            .iter()
            .filter(|insert| matches!(insert, InboxInsert::Inserted(_)))
            .count();
        if *key == 0 {
            assert_eq!(ids.first(), Some(&earlier), "ev-0 was stored before");
            assert_eq!(fresh, 0);
        } else {
            assert_eq!(fresh, 1, "key {key}: {inserts:?}");
        }
    }
    assert_eq!(store.unmatched_events(100).await.unwrap().len(), 20);
}

on_both_backends!(
    concurrent_inserts_store_each_key_once_and_name_the_first,
    matching_a_batch_queues_every_pair_once_and_marks_every_event,
    events_are_read_by_id_in_one_go,
    batch_claims_respect_the_limit_and_never_overlap,
    a_batch_completes_every_outcome_together,
    a_batch_with_one_lost_lease_writes_nothing,
    a_key_staged_twice_in_one_batch_is_refused,
    delivered_effects_are_marked_together_except_those_taken_over,
    a_user_is_read_with_sorted_memberships_and_binding,
);
