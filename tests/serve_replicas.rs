//! Scale-out: three `worklink serve` processes on one PostgreSQL database share the work, and
//! each event is executed exactly once and each card delivered exactly once.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use worklink_e2e::deployment::{Database, Deployment};
use worklink_e2e::http::wait_for;

const EVENTS: usize = 1_500;
const PATIENCE: Duration = Duration::from_secs(600);

#[test]
fn three_replicas_on_postgres_process_each_event_exactly_once() {
    let deployment = Deployment::new(Database::Postgres);
    let users = deployment.sim_users();
    // The test itself fetched a token to list the members; the replicas come after.
    let tokens_before = token_fetches(&deployment);
    let replicas: Vec<_> = (0..3).map(|_| deployment.serve()).collect();
    let urls: Vec<String> = replicas.iter().map(|(_, url)| url.clone()).collect();
    wait_for("the directory sync", PATIENCE, || {
        let listed = deployment.api_get(&urls[0], "/api/v1/directory/wecom/users?limit=500");
        (listed.as_array().map_or(0, Vec::len) >= users.len()).then_some(())
    });

    // Events arrive at every replica, as behind a load balancer.
    for n in 0..EVENTS {
        let event = json!({
            "id": format!("task-{n}"),
            "kind": "erp.task.assigned",
            "payload": {
                "task_id": format!("T-{n}"),
                "title": format!("Replicated task {n}"),
                "url": format!("https://erp.example.com/tasks/{n}"),
                "assignee": {"user_id": users[n % users.len()]}
            }
        });
        let status = deployment.post_event(&urls[n % urls.len()], &event);
        assert!((200..300).contains(&status), "event {n}: HTTP {status}");
    }

    let per_task = wait_for("every task to be delivered", PATIENCE, || {
        let mut per_task: HashMap<String, usize> = HashMap::new();
        for message in deployment.delivered_messages() {
            if message["delivered"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
            {
                let title = message["body"]["textcard"]["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                *per_task.entry(title).or_insert(0) += 1;
            }
        }
        (per_task.len() == EVENTS).then_some(per_task)
    });
    let twice: Vec<_> = per_task.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        twice.is_empty(),
        "tasks delivered more than once: {twice:?}"
    );

    // One execution per event, and one gettoken shared by the three replicas.
    let mut executions = 0;
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(id) => format!("/api/v1/executions?limit=500&before={id}"),
            None => "/api/v1/executions?limit=500".to_owned(),
        };
        let page = deployment.api_get(&urls[1], &path);
        let page = page.as_array().cloned().unwrap_or_default();
        if page.is_empty() {
            break;
        }
        for execution in &page {
            assert_eq!(execution["status"], "succeeded", "{execution}");
        }
        executions += page.len();
        before = page.last().and_then(|e| e["id"].as_i64());
    }
    assert_eq!(executions, EVENTS);
    assert_eq!(
        token_fetches(&deployment) - tokens_before,
        1,
        "replicas fetched their own tokens"
    );
}

/// How many times the simulator was asked for an access token.
fn token_fetches(deployment: &Deployment) -> usize {
    let calls = worklink_e2e::http::get(&format!("{}/_sim/calls", deployment.sim_url()));
    calls.as_array().map_or(0, |c| {
        c.iter()
            .filter(|c| c["path"] == "/cgi-bin/gettoken")
            .count()
    })
}
