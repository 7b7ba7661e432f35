//! The execution pipeline end to end on both backends, with the real task-notify plugin: a rule
//! matched to an event runs and leaves its effects in the outbox; disabled rules, unapproved
//! capabilities and false conditions stop it at the right point; matching twice queues once;
//! a worker's batch commits every outcome, and a row that cannot commit stays out of the way.

#[macro_use]
mod storage_support;
mod pipeline_support;

use pipeline_support::{CONNECTION, Fixture, TASK_NOTIFY_GRANTS, shipped_manifest, task_assigned};
use serde_json::json;
use worklink_runtime::capability::Capability;
use worklink_server::storage::Store;
use worklink_server::storage::executions::{
    Completion, ExecutionStatus, NewEffect, Outcome, ResourceUse,
};
use worklink_server::storage::outbox::EffectStatus;

const WORKER: &str = "test-worker";

/// The shipped task-notify manifest with a `when` that lets only Finance tasks through.
fn finance_only() -> String {
    shipped_manifest("task-notify").replace(
        "plugin = \"task-notify\"",
        "plugin = \"task-notify\"\nwhen = 'event.payload.project == \"Finance\"'",
    )
}

async fn enabled_rule_runs_and_its_effect_enters_the_outbox(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.task_notify().await;
    let event = fx
        .event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;

    let matched = fx.pipeline.match_pending().await.unwrap();
    assert_eq!((matched.events, matched.executions), (1, 1));
    let report = fx
        .pipeline
        .run_one(WORKER)
        .await
        .unwrap()
        .expect("an execution is due");
    assert_eq!(report.status, ExecutionStatus::Succeeded, "{report:?}");
    assert_eq!(report.rule.as_deref(), Some("task-notify"));
    assert_eq!(report.effects, 1);

    let execution = fx
        .store
        .execution(report.execution_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(execution.event_id, event);
    assert!(execution.logs.contains("staged as"), "{}", execution.logs);
    let effects = fx
        .store
        .effects_of_execution(report.execution_id)
        .await
        .unwrap();
    assert_eq!(effects.len(), 1);
    let effect = &effects[0];
    assert_eq!(
        effect.idempotency_key,
        format!("exec-{}/1", report.execution_id)
    );
    assert_eq!(effect.kind, "message");
    assert_eq!(effect.status, EffectStatus::Pending);
    let payload: serde_json::Value = serde_json::from_str(&effect.payload).unwrap();
    assert_eq!(payload["connection"], CONNECTION);
    assert_eq!(payload["id"], effect.idempotency_key.as_str());
    assert_eq!(payload["to"]["users"], json!(["zhangsan"]));
    assert_eq!(payload["message"]["title"], "[ERP] Review the Q3 budget");

    assert!(fx.pipeline.run_one(WORKER).await.unwrap().is_none());
}

async fn a_disabled_rule_never_runs(store: &Store) {
    let fx = Fixture::new(store).await;
    // Published and approved, but never enabled.
    fx.write("task-notify.toml", &shipped_manifest("task-notify"));
    let report = fx.reload().await;
    assert!(report.published[0].created);
    fx.store
        .approve_rule_grants("task-notify", &TASK_NOTIFY_GRANTS, 0)
        .await
        .unwrap();
    fx.event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;
    let matched = fx.pipeline.match_pending().await.unwrap();
    assert_eq!((matched.events, matched.executions), (1, 0));
    assert!(fx.pipeline.run_one(WORKER).await.unwrap().is_none());

    // Enabled, matched, then disabled before a worker got to it: skipped, nothing staged.
    fx.store
        .set_rule_enabled("task-notify", true, 0)
        .await
        .unwrap();
    fx.event("T-2", "erp.task.assigned", task_assigned("T-2"))
        .await;
    assert_eq!(fx.pipeline.match_pending().await.unwrap().executions, 1);
    fx.store
        .set_rule_enabled("task-notify", false, 0)
        .await
        .unwrap();
    let report = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!(report.status, ExecutionStatus::Skipped);
    let execution = fx
        .store
        .execution(report.execution_id)
        .await
        .unwrap()
        .unwrap();
    assert!(execution.logs.contains("is disabled"), "{}", execution.logs);
    assert_eq!(fx.count("outbox").await, 0);
}

async fn an_unapproved_capability_is_denied(store: &Store) {
    let fx = Fixture::new(store).await;
    // The manifest requests messaging; the admin approved only the reads.
    fx.rule(
        "task-notify",
        &shipped_manifest("task-notify"),
        &[Capability::Contacts, Capability::Log],
    )
    .await;
    fx.event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;
    fx.pipeline.match_pending().await.unwrap();
    let report = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    // A denial is not retryable: retrying cannot grant the capability.
    assert_eq!(report.status, ExecutionStatus::Failed, "{report:?}");
    let error = report.error.unwrap();
    assert!(error.contains("denied"), "{error}");
    assert!(error.contains("`messaging` is not granted"), "{error}");
    assert_eq!(fx.count("outbox").await, 0);
}

async fn a_false_condition_skips_the_rule(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.rule("task-notify", &finance_only(), &TASK_NOTIFY_GRANTS)
        .await;
    let mut other = task_assigned("T-1");
    other["project"] = json!("Sales");
    fx.event("T-1", "erp.task.assigned", other).await;
    fx.event("T-2", "erp.task.assigned", task_assigned("T-2"))
        .await;
    assert_eq!(fx.pipeline.match_pending().await.unwrap().executions, 2);

    let first = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!(first.status, ExecutionStatus::Skipped);
    let logs = fx
        .store
        .execution(first.execution_id)
        .await
        .unwrap()
        .unwrap()
        .logs;
    assert!(logs.contains("`when` is false"), "{logs}");
    assert!(
        fx.store
            .effects_of_execution(first.execution_id)
            .await
            .unwrap()
            .is_empty()
    );

    let second = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!(second.status, ExecutionStatus::Succeeded);
    assert_eq!(fx.count("outbox").await, 1);
}

async fn matching_an_event_twice_queues_it_once(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.task_notify().await;
    let event = fx
        .event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;
    // Two replicas read the same unmatched event before either marks it matched.
    let version = fx.store.rule("task-notify").await.unwrap().unwrap();
    let version_id = version.current_version.unwrap().id;
    let versions = [version_id];
    let (a, b) = tokio::join!(
        fx.pipeline.match_pending(),
        fx.store.enqueue_executions(event, &versions, 0),
    );
    assert_eq!(a.unwrap().executions + b.unwrap().len(), 1);
    assert_eq!(fx.pipeline.match_pending().await.unwrap().events, 0);
    assert_eq!(fx.count("executions").await, 1);
}

async fn an_event_no_rule_wants_is_matched_without_executions(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.task_notify().await;
    fx.event("M-1", "erp.mention", json!({"text": "hi"})).await;
    let matched = fx.pipeline.match_pending().await.unwrap();
    assert_eq!((matched.events, matched.executions), (1, 0));
    assert_eq!(fx.pipeline.match_pending().await.unwrap().events, 0);
}

async fn a_batch_runs_each_execution_and_commits_every_outcome(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.rule("task-notify", &finance_only(), &TASK_NOTIFY_GRANTS)
        .await;
    let mut sales = task_assigned("T-2");
    sales["project"] = json!("Sales");
    fx.event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;
    fx.event("T-2", "erp.task.assigned", sales).await;
    fx.event("T-3", "erp.task.assigned", task_assigned("T-3"))
        .await;
    assert_eq!(fx.pipeline.match_pending().await.unwrap().executions, 3);

    let reports = fx.pipeline.run_batch(WORKER, 10).await.unwrap();
    let statuses: Vec<ExecutionStatus> = reports.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            ExecutionStatus::Succeeded,
            ExecutionStatus::Skipped,
            ExecutionStatus::Succeeded
        ]
    );
    for report in &reports {
        let record = fx
            .store
            .execution(report.execution_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.status, report.status, "committed as reported");
        let keys: Vec<String> = fx
            .store
            .effects_of_execution(report.execution_id)
            .await
            .unwrap()
            .into_iter()
            .map(|effect| effect.idempotency_key)
            .collect();
        let expected = match report.status {
            ExecutionStatus::Succeeded => vec![format!("exec-{}/1", report.execution_id)],
            _ => vec![],
        };
        assert_eq!(keys, expected);
    }
    assert!(fx.pipeline.run_batch(WORKER, 10).await.unwrap().is_empty());
}

async fn one_bad_row_does_not_hold_back_the_rest_of_its_batch(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.task_notify().await;
    for task in ["T-1", "T-2", "T-3"] {
        fx.event(task, "erp.task.assigned", task_assigned(task))
            .await;
    }
    assert_eq!(fx.pipeline.match_pending().await.unwrap().executions, 3);
    // Another worker takes the oldest execution and stages an effect under the key the newest
    // one's effect will carry, so that one cannot commit.
    let now = fx.clock.load(std::sync::atomic::Ordering::SeqCst);
    let first = fx
        .store
        .claim_execution("other", now, now + 60_000)
        .await
        .unwrap()
        .unwrap();
    let last = first.id + 2;
    let blocking = Completion {
        outcome: Outcome::Succeeded {
            effects: vec![NewEffect {
                idempotency_key: format!("exec-{last}/1"),
                kind: "kv".into(),
                payload: json!({}),
            }],
        },
        logs: String::new(),
        usage: ResourceUse::default(),
    };
    fx.store
        .complete_execution(first.id, "other", now, &blocking)
        .await
        .unwrap();

    let reports = fx.pipeline.run_batch(WORKER, 10).await.unwrap();
    let ran: Vec<(i64, ExecutionStatus)> =
        reports.iter().map(|r| (r.execution_id, r.status)).collect();
    assert_eq!(ran, [(first.id + 1, ExecutionStatus::Succeeded)]);
    let stuck = fx.store.execution(last).await.unwrap().unwrap();
    assert_eq!(
        stuck.status,
        ExecutionStatus::Running,
        "left for its lease to expire"
    );
    assert_eq!(fx.count("outbox").await, 2);
}

on_both_backends!(
    enabled_rule_runs_and_its_effect_enters_the_outbox,
    a_disabled_rule_never_runs,
    an_unapproved_capability_is_denied,
    a_false_condition_skips_the_rule,
    matching_an_event_twice_queues_it_once,
    an_event_no_rule_wants_is_matched_without_executions,
    a_batch_runs_each_execution_and_commits_every_outcome,
    one_bad_row_does_not_hold_back_the_rest_of_its_batch,
);
