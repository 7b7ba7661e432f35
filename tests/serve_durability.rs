//! Durability of the real server: `kill -9` it while 5,000 ERP events are in flight, start it
//! again, and every event is executed, every card reaches the simulator exactly once, and nothing
//! is lost. Runs on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use worklink_e2e::deployment::{Database, Deployment};
use worklink_e2e::http::wait_for;

/// Events per run; `WORKLINK_DURABILITY_EVENTS` lowers it while debugging.
fn events() -> usize {
    std::env::var("WORKLINK_DURABILITY_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000)
}
/// Generous: a debug build on a loaded 2-core CI machine. Nothing is asserted about speed.
const PATIENCE: Duration = Duration::from_secs(600);

/// The ERP event for task `n`, assigned to one of `users`. Titles differ per task, so WeCom's
/// duplicate check (identical content to the same user) never merges two tasks.
fn task(n: usize, users: &[String]) -> Value {
    json!({
        "id": format!("task-{n}"),
        "kind": "erp.task.assigned",
        "payload": {
            "task_id": format!("T-{n}"),
            "title": format!("Task number {n}"),
            "url": format!("https://erp.example.com/tasks/{n}"),
            "assignee": {"user_id": users[n % users.len()]}
        }
    })
}

/// Posts `event` until the server accepts it, as an ERP with a retrying outbox would; the event
/// id makes repeats harmless.
fn post_until_accepted(deployment: &Deployment, url: &str, event: &Value) {
    wait_for("the server to accept an event", PATIENCE, || {
        let status = deployment.post_event(url, event);
        (200..300).contains(&status).then_some(())
    });
}

/// Delivered cards per task number.
fn deliveries(deployment: &Deployment) -> HashMap<usize, usize> {
    let mut per_task = HashMap::new();
    for message in deployment.delivered_messages() {
        let delivered = message["delivered"]
            .as_array()
            .is_some_and(|d| !d.is_empty());
        let title = message["body"]["textcard"]["title"]
            .as_str()
            .unwrap_or_default();
        if let (true, Some(n)) = (
            delivered,
            title.rsplit(' ').next().and_then(|n| n.parse().ok()),
        ) {
            *per_task.entry(n).or_insert(0) += 1;
        }
    }
    per_task
}

/// Waits until `expected` tasks are delivered; on giving up, says where the rest are.
fn wait_for_all(deployment: &Deployment, url: &str, expected: usize) -> HashMap<usize, usize> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let per_task = deliveries(deployment);
        if per_task.len() == expected {
            return per_task;
        }
        if std::time::Instant::now() > deadline {
            let dead = deployment.api_get(url, "/api/v1/dead-letters");
            let failed = deployment.api_get(url, "/api/v1/executions?status=failed&limit=5");
            let queued = deployment.api_get(url, "/api/v1/executions?status=queued&limit=5");
            let head = |v: Value| v.to_string().chars().take(1500).collect::<String>();
            panic!(
                "{} of {expected} tasks delivered after {PATIENCE:?}\ndead letters: {}\nfailed: {}\nqueued: {}",
                per_task.len(),
                head(dead),
                head(failed),
                head(queued)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn survives_kill_9(database: Database) {
    let deployment = Deployment::new(database);
    let users = deployment.sim_users();
    assert!(
        users.len() >= 10,
        "the simulated corp has members: {users:?}"
    );
    let (mut server, url) = deployment.serve();
    wait_for("the directory sync", PATIENCE, || {
        let listed = deployment.api_get(&url, "/api/v1/directory/wecom/users?limit=500");
        (listed.as_array().map_or(0, Vec::len) >= users.len()).then_some(())
    });

    // Half the events, then the hard kill while executions and deliveries are under way.
    for n in 0..events() / 2 {
        post_until_accepted(&deployment, &url, &task(n, &users));
    }
    let before_kill = deliveries(&deployment).len();
    server.kill9();
    assert!(
        before_kill < events() / 2,
        "everything was delivered before the kill ({before_kill}); the test proves nothing"
    );

    let (_server, url) = deployment.serve();
    // The ERP resends what it may not have got through, then the rest.
    for n in 0..events() {
        post_until_accepted(&deployment, &url, &task(n, &users));
    }
    let per_task = wait_for_all(&deployment, &url, events());
    let twice: Vec<_> = per_task.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        twice.is_empty(),
        "tasks delivered more than once: {twice:?}"
    );

    // Every event ran exactly once, successfully.
    let mut succeeded = 0;
    let mut before: Option<i64> = None;
    loop {
        let page_path = match before {
            Some(id) => format!("/api/v1/executions?limit=500&before={id}"),
            None => "/api/v1/executions?limit=500".to_owned(),
        };
        let page = deployment.api_get(&url, &page_path);
        let page = page.as_array().cloned().unwrap_or_default();
        if page.is_empty() {
            break;
        }
        for execution in &page {
            assert_eq!(execution["status"], "succeeded", "{execution}");
            assert!(execution["replay_of"].is_null(), "{execution}");
            succeeded += 1;
        }
        before = page.last().and_then(|e| e["id"].as_i64());
    }
    assert_eq!(succeeded, events());
}

#[test]
fn sqlite_kill_9_with_5000_events_in_flight_loses_and_repeats_nothing() {
    survives_kill_9(Database::Sqlite);
}

#[test]
fn postgres_kill_9_with_5000_events_in_flight_loses_and_repeats_nothing() {
    survives_kill_9(Database::Postgres);
}
