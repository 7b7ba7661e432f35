//! End to end: ERP events from the inbox, matched to the shipped task-notify rule, run through
//! the real task-notify plugin, written to the outbox and delivered to the WeCom simulator — the
//! whole `worklink dev` instance ([`DevInstance`]: simulators, server, shipped rules enabled,
//! employees bound) in this process. The clock runs from the first event entering the inbox to
//! the simulator having accepted one message per event.
//!
//! `cargo bench -p worklink-server --bench pipeline`. Runs on SQLite (a file, WAL), then on
//! PostgreSQL when `WORKLINK_BENCH_POSTGRES_URL` or `WORKLINK_TEST_POSTGRES_URL` names a server
//! (`scripts/with-postgres.sh cargo bench -p worklink-server --bench pipeline`); a database of
//! its own is created there. `WORKLINK_BENCH_COUNT` sets the events per backend (default 5,000).

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection as _;
use worklink_server::dev::{DevInstance, DevOptions, WECOM_CONNECTION};
use worklink_server::http::events::SOURCE;
use worklink_server::storage::inbox::NewEvent;
use worklink_server::storage::now_millis;

use support::{env_usize, load_average, thousands};

/// Employees the dev instance binds (`E001`…`E005`); events are spread over them.
const EMPLOYEES: usize = 5;
/// Tasks putting events in the inbox at once, as concurrent ingest requests do (the ingest
/// bench posts from as many connections).
const INSERTERS: usize = 32;
/// Longest wait for the deliveries before the run is declared stuck.
const DEADLINE: Duration = Duration::from_secs(300);

/// ERP event `i`: a task whose title (and so the message sent) differs from every other event's,
/// so WeCom's duplicate check does not drop it.
fn event(i: usize) -> NewEvent {
    let task = format!("T-{i}");
    NewEvent {
        source: SOURCE.to_owned(),
        dedup_key: format!("bench-{task}"),
        kind: "erp.task.assigned".to_owned(),
        occurred_at: now_millis(),
        payload: json!({
            "task_id": task,
            "title": format!("Review purchase order {i}"),
            "url": format!("https://erp.example.com/tasks/{task}"),
            "assignee": {"employee_id": format!("E{:03}", i % EMPLOYEES + 1)},
        }),
    }
}

/// A rules directory holding only the shipped task-notify rule, sending through the WeCom
/// connection (without `connection` a rule uses the first configured connection, which in the
/// dev config is the DingTalk one).
fn wecom_rules(shipped: &Path, dir: &Path) -> PathBuf {
    let manifest = std::fs::read_to_string(shipped).expect("rules/task-notify.toml");
    let manifest = manifest.replacen(
        "plugin = \"task-notify\"\n",
        &format!("plugin = \"task-notify\"\nconnection = \"{WECOM_CONNECTION}\"\n"),
        1,
    );
    assert!(
        manifest.contains("connection ="),
        "task-notify.toml names its plugin on one line"
    );
    std::fs::create_dir_all(dir).expect("rules dir");
    std::fs::write(dir.join("task-notify.toml"), manifest).expect("write rule");
    dir.to_path_buf()
}

/// What one backend measured.
struct Outcome {
    elapsed: Duration,
    accepted: usize,
    delivered: usize,
    throttled: usize,
}

async fn measure(database_url: Option<String>, count: usize) -> Outcome {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = tempfile::tempdir().expect("temp dir");
    let rules = wecom_rules(
        &root.join("rules/task-notify.toml"),
        &data.path().join("rules-from"),
    );
    let instance = DevInstance::start(DevOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: data.path().to_path_buf(),
        plugins_from: root.join("plugins/target/wasm32-wasip2/release"),
        rules_from: rules,
        database_url,
    })
    .await
    .expect("dev instance (build the plugins first: `make plugins`)");
    let state = instance.server.state().clone();
    let controls = instance.sims.wecom.controls();
    let before = controls.messages().len();
    let events: Vec<NewEvent> = (0..count).map(event).collect();

    eprintln!("pipeline: instance up; inserting {count} events from {INSERTERS} tasks");
    let started = Instant::now();
    let mut inserters = tokio::task::JoinSet::new();
    for share in events.chunks(count.div_ceil(INSERTERS).max(1)) {
        let share = share.to_vec();
        let state = state.clone();
        inserters.spawn(async move {
            for event in &share {
                state
                    .store
                    .insert_event(event, now_millis())
                    .await
                    .expect("insert event");
                state.wake.inbox.notify_one();
            }
        });
    }
    while let Some(done) = inserters.join_next().await {
        done.expect("inserter");
    }
    eprintln!(
        "pipeline: {count} events in the inbox after {:?}",
        started.elapsed()
    );
    loop {
        if controls.call_count("/cgi-bin/message/send") >= before + count
            && controls.messages().len() >= before + count
        {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "stuck: {} of {count} messages after {DEADLINE:?}",
            controls.messages().len() - before
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        if started.elapsed().as_millis() % 5_000 < 20 {
            eprintln!(
                "pipeline: {} messages accepted after {:?}",
                controls.messages().len() - before,
                started.elapsed()
            );
        }
    }
    let elapsed = started.elapsed();
    let messages = &controls.messages()[before..];
    let outcome = Outcome {
        elapsed,
        accepted: messages.len(),
        delivered: messages.iter().filter(|m| !m.delivered.is_empty()).count(),
        throttled: messages.iter().filter(|m| !m.throttled.is_empty()).count(),
    };
    instance.server.shutdown().await;
    outcome
}

/// A fresh database on the PostgreSQL server at `base` (a URL ending in `/<database>`).
async fn postgres_database(base: &str) -> String {
    let name = format!(
        "worklink_bench_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to PostgreSQL");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create the bench database");
    admin.close().await.ok();
    let (server, _) = base.rsplit_once('/').expect("URL ends in /database");
    format!("{server}/{name}")
}

fn row(backend: &str, count: usize, outcome: &Outcome) {
    println!(
        "| {backend} | {count} | {:.2} s | {} | {} | {} |",
        outcome.elapsed.as_secs_f64(),
        thousands(outcome.accepted as f64 / outcome.elapsed.as_secs_f64()),
        outcome.delivered,
        outcome.throttled,
    );
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let count = env_usize("WORKLINK_BENCH_COUNT", 5_000);
    println!(
        "pipeline: {count} ERP events per backend through task-notify to the WeCom simulator; load average {} at start",
        load_average()
    );
    let mut rows = vec![("SQLite (file, WAL)", measure(None, count).await)];
    let postgres = std::env::var("WORKLINK_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("WORKLINK_TEST_POSTGRES_URL"))
        .ok();
    if let Some(base) = postgres {
        let url = postgres_database(&base).await;
        rows.push(("PostgreSQL", measure(Some(url), count).await));
    }
    println!("| backend | events | time | events/s | delivered | throttled by the simulator |");
    println!("|---|---|---|---|---|---|");
    for (backend, outcome) in &rows {
        row(backend, count, outcome);
    }
    println!("load average {} at end", load_average());
}
