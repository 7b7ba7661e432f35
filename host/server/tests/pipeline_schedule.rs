//! Cron rules on both backends: the scheduler writes each fire time once, even with two
//! replicas, and a tick runs only the rule it belongs to.

#[macro_use]
mod storage_support;
mod pipeline_support;

use pipeline_support::Fixture;
use storage_support::NOW;
use worklink_runtime::capability::Capability;
use worklink_server::schedule::Scheduler;
use worklink_server::storage::Store;
use worklink_server::storage::executions::ExecutionStatus;

const MINUTE: i64 = 60_000;

const EVERY_MINUTE: &str = r#"
name = "every-minute"
on = "schedule"
schedule = "* * * * *"
timezone = "UTC"
script = "remember.rhai"
grants = ["kv"]
"#;

/// A rule that would take any other event.
const CATCH_ALL: &str = r#"
name = "catch-all"
on = "*"
script = "remember.rhai"
grants = ["kv"]
"#;

async fn cron_rules_fire_once_per_due_time_and_only_for_themselves(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write(
        "remember.rhai",
        r#"fn handle(event, config) { kv::set("last", `${event.payload.scheduled_for}`); }"#,
    );
    fx.rule("every-minute", EVERY_MINUTE, &[Capability::Kv])
        .await;
    fx.rule("catch-all", CATCH_ALL, &[Capability::Kv]).await;

    // NOW is 22:13:20 UTC: three whole minutes pass in the next 3 minutes.
    let scheduler = Scheduler::new(store.clone(), "Asia/Shanghai", NOW);
    let report = scheduler.tick(NOW + 3 * MINUTE).await.unwrap();
    assert_eq!((report.due, report.inserted), (3, 3));
    assert_eq!(scheduler.tick(NOW + 3 * MINUTE).await.unwrap().due, 0);

    // A second replica covering the same window writes nothing new.
    let replica = Scheduler::new(store.clone(), "Asia/Shanghai", NOW);
    let report = replica.tick(NOW + 3 * MINUTE).await.unwrap();
    assert_eq!(report.inserted, 0, "{report:?}");
    assert_eq!(fx.count("inbox_events").await, 3);

    let first_fire = (NOW / MINUTE + 1) * MINUTE;
    let key: String = sqlx::query_scalar("SELECT dedup_key FROM inbox_events ORDER BY id LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(key, format!("every-minute@{first_fire}"));

    let matched = fx.pipeline.match_pending().await.unwrap();
    assert_eq!((matched.events, matched.executions), (3, 3));
    for _ in 0..3 {
        let report = fx.pipeline.run_one("w").await.unwrap().unwrap();
        assert_eq!(report.rule.as_deref(), Some("every-minute"));
        assert_eq!(report.status, ExecutionStatus::Succeeded);
        assert_eq!(report.effects, 1);
    }
}

async fn a_disabled_cron_rule_does_not_fire(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write("remember.rhai", "fn handle(event, config) { }");
    fx.rule("every-minute", EVERY_MINUTE, &[Capability::Kv])
        .await;
    fx.store
        .set_rule_enabled("every-minute", false, NOW)
        .await
        .unwrap();
    let scheduler = Scheduler::new(store.clone(), "Asia/Shanghai", NOW);
    assert_eq!(scheduler.tick(NOW + 10 * MINUTE).await.unwrap().due, 0);
    assert_eq!(fx.count("inbox_events").await, 0);
}

on_both_backends!(
    cron_rules_fire_once_per_due_time_and_only_for_themselves,
    a_disabled_cron_rule_does_not_fire,
);
