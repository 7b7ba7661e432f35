//! How the pipeline handles failure on both backends: retries with the rule's backoff then the
//! execution dead letter, work a killed process left running, and dry runs that store nothing.

#[macro_use]
mod storage_support;
mod pipeline_support;

use std::time::Duration;

use pipeline_support::{Fixture, TASK_NOTIFY_GRANTS, shipped_manifest, task_assigned};
use serde_json::json;
use storage_support::NOW;
use tokio_util::sync::CancellationToken;
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::Outcome;
use worklink_runtime::types::Event;
use worklink_server::storage::executions::ExecutionStatus;
use worklink_server::storage::{Backend, Store};
use worklink_server::wake::Wakeups;

const WORKER: &str = "test-worker";

/// A script rule whose ERP is down: every run throws a retryable handler error.
const FLAKY: &str = r#"
name = "flaky"
on = "erp.order.*"
script = "flaky.rhai"
grants = ["log"]

[retry]
attempts = 3
backoff_ms = 1000
"#;

async fn a_failing_handler_is_retried_with_backoff_then_failed(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write(
        "flaky.rhai",
        r#"fn handle(event, config) {
            log::warn(`order ${event.payload.order}: ERP unreachable`);
            throw #{ code: "erp-down", message: "ERP unreachable", retryable: true };
        }"#,
    );
    fx.rule("flaky", FLAKY, &[Capability::Log]).await;
    fx.event("O-1", "erp.order.created", json!({"order": "O-1"}))
        .await;
    assert_eq!(fx.pipeline.match_pending().await.unwrap().executions, 1);

    let first = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!((first.status, first.attempts), (ExecutionStatus::Queued, 1));
    let execution = fx
        .store
        .execution(first.execution_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(execution.next_attempt_at, NOW + 1_000);
    assert!(execution.error.unwrap().contains("erp-down"));
    assert!(
        execution.logs.contains("ERP unreachable"),
        "{}",
        execution.logs
    );

    // Not due before its backoff has passed.
    assert!(fx.pipeline.run_one(WORKER).await.unwrap().is_none());
    fx.advance(1_000);
    let second = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!(
        (second.status, second.attempts),
        (ExecutionStatus::Queued, 2)
    );
    let execution = fx
        .store
        .execution(second.execution_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        execution.next_attempt_at,
        NOW + 1_000 + 2_000,
        "backoff doubles"
    );

    fx.advance(2_000);
    let third = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!((third.status, third.attempts), (ExecutionStatus::Failed, 3));
    let error = third.error.unwrap();
    assert!(error.starts_with("gave up after 3 attempts"), "{error}");

    fx.advance(1_000_000);
    assert!(
        fx.pipeline.run_one(WORKER).await.unwrap().is_none(),
        "a dead letter stays put"
    );
    assert_eq!(fx.count("outbox").await, 0);
}

async fn an_execution_left_running_by_a_killed_process_runs_again(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.task_notify().await;
    fx.event("T-1", "erp.task.assigned", task_assigned("T-1"))
        .await;
    fx.pipeline.match_pending().await.unwrap();
    // A worker of a previous process claimed it and died holding a long lease.
    let lease = fx.pipeline.options().lease.as_millis() as i64;
    let crashed = fx
        .store
        .claim_execution("killed-worker", NOW, NOW + lease)
        .await
        .unwrap()
        .unwrap();
    assert!(
        fx.pipeline.run_one(WORKER).await.unwrap().is_none(),
        "the lease holds"
    );

    match fx.store.backend() {
        // One process owns a SQLite file: starting the pipeline requeues at once.
        Backend::Sqlite => {
            let cancel = CancellationToken::new();
            let running = tokio::spawn(fx.pipeline.clone().run(1, Wakeups::new(), cancel.clone()));
            let status = wait_until_finished(&fx.store, crashed.id).await;
            cancel.cancel();
            running.await.unwrap();
            assert_eq!(status, ExecutionStatus::Succeeded);
        }
        // Replicas share PostgreSQL: the lease runs out and another worker takes over.
        Backend::Postgres => {
            fx.advance(lease + 1);
            let report = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
            assert_eq!(report.execution_id, crashed.id);
            assert_eq!(report.status, ExecutionStatus::Succeeded);
        }
    }
    let execution = fx.store.execution(crashed.id).await.unwrap().unwrap();
    assert_eq!(
        execution.attempts, 2,
        "the crashed run counts as an attempt"
    );
    let effects = fx.store.effects_of_execution(crashed.id).await.unwrap();
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].idempotency_key, format!("exec-{}/1", crashed.id));
}

/// Polls execution `id` until it has finished (the pipeline runs in the background).
async fn wait_until_finished(store: &Store, id: i64) -> ExecutionStatus {
    for _ in 0..1_000 {
        let status = store.execution(id).await.unwrap().unwrap().status;
        if !matches!(status, ExecutionStatus::Queued | ExecutionStatus::Running) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("execution {id} did not finish");
}

async fn a_dry_run_returns_the_effects_and_stores_nothing(store: &Store) {
    let fx = Fixture::new(store).await;
    // Not enabled: a dry run is how a rule is tried before it is switched on.
    fx.write("task-notify.toml", &shipped_manifest("task-notify"));
    fx.reload().await;
    fx.store
        .approve_rule_grants("task-notify", &TASK_NOTIFY_GRANTS, NOW)
        .await
        .unwrap();
    let before = (
        fx.count("inbox_events").await,
        fx.count("executions").await,
        fx.count("outbox").await,
        fx.count("kv").await,
    );
    let event = Event {
        id: "sample-1".into(),
        kind: "erp.task.assigned".into(),
        source: "erp".into(),
        occurred_at: NOW,
        payload: task_assigned("T-9"),
    };
    let result = fx.pipeline.dry_run("task-notify", event).await.unwrap();
    assert!(
        matches!(result.outcome, Outcome::Ok { .. }),
        "{:?}",
        result.outcome
    );
    assert_eq!(result.effects.len(), 1);
    assert_eq!(result.effects[0].id, "dry-run-sample-1/1");
    assert!(
        result
            .logs
            .iter()
            .any(|line| line.message.contains("is disabled")),
        "{:?}",
        result.logs
    );
    let after = (
        fx.count("inbox_events").await,
        fx.count("executions").await,
        fx.count("outbox").await,
        fx.count("kv").await,
    );
    assert_eq!(before, after);
    assert!(fx.pipeline.dry_run("absent", sample()).await.is_err());
}

fn sample() -> Event {
    Event {
        id: "x".into(),
        kind: "erp.task.assigned".into(),
        source: "erp".into(),
        occurred_at: NOW,
        payload: json!({}),
    }
}

/// A script rule that reads the kv table and the directory, and stages a kv write.
const COUNTER: &str = r#"
name = "counter"
on = "erp.order.*"
script = "counter.rhai"
grants = ["kv", "contacts"]
"#;

async fn a_script_rule_reads_kv_and_the_directory_and_stages_writes(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write(
        "counter.rhai",
        r#"fn handle(event, config) {
            let seen = parse_int(kv::get("orders") ?? "0");
            let owner = contacts::find_users(#{ mobile: "13800000001" });
            kv::set("orders", `${seen + 1}`);
            #{ seen: seen, owner: owner[0].id, employee: owner[0].employee_no }
        }"#,
    );
    fx.rule("counter", COUNTER, &[Capability::Kv, Capability::Contacts])
        .await;
    fx.store
        .kv_set("counter", "orders", b"41", NOW)
        .await
        .unwrap();
    fx.event("O-1", "erp.order.created", json!({})).await;
    fx.pipeline.match_pending().await.unwrap();
    let report = fx.pipeline.run_one(WORKER).await.unwrap().unwrap();
    assert_eq!(report.status, ExecutionStatus::Succeeded, "{report:?}");
    let effects = fx
        .store
        .effects_of_execution(report.execution_id)
        .await
        .unwrap();
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].kind, "kv_set");
    let payload: serde_json::Value = serde_json::from_str(&effects[0].payload).unwrap();
    assert_eq!(
        (payload["scope"].as_str(), payload["value"].as_str()),
        (Some("counter"), Some("42"))
    );

    let result = fx.pipeline.dry_run("counter", sample()).await.unwrap();
    let Outcome::Ok { output } = result.outcome else {
        panic!("{:?}", result.outcome);
    };
    assert_eq!(
        output,
        json!({"seen": 41, "owner": "zhangsan", "employee": "E-1"})
    );
}

on_both_backends!(
    a_failing_handler_is_retried_with_backoff_then_failed,
    an_execution_left_running_by_a_killed_process_runs_again,
    a_dry_run_returns_the_effects_and_stores_nothing,
    a_script_rule_reads_kv_and_the_directory_and_stages_writes,
);
