//! Resident memory of the release `worklink serve` process: idle (no rules, no plugins), then
//! with 50 enabled rules each running its own plugin — 50 distinct components, loaded through
//! the plugin listing and then each invoked once by one ERP event.
//!
//! The 50 components are copies of the shipped task-notify plugin, each with its name rewritten
//! in place (`task-notify` becomes `task-no-001`…, the same length, so the binary layout is
//! untouched). A plugin is stored and loaded under the name its `describe()` reports, so copies
//! that kept the name would be one plugin; renamed ones are 50, each compiled on its own.
//!
//! `cargo bench -p worklink-server --bench memory` (needs `make plugins`). RSS is `VmRSS` from
//! `/proc/<pid>/status`, with `VmHWM` (the peak) beside it.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use worklink_server::rules::Rule;
use worklink_server::storage::api_keys::ApiRole;
use worklink_server::storage::{SecretCipher, Store, now_millis};

use support::{CONNECTION, config_text, load_average};

const PLUGINS: usize = 50;
const SHIPPED_NAME: &[u8] = b"task-notify";
const KEY: [u8; 32] = [9; 32];
/// How long the process is left alone before reading its memory.
const SETTLE: Duration = Duration::from_secs(3);

/// Writes the config (see [`config_text`]) and returns its path.
fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("worklink.toml");
    std::fs::write(&path, config_text(dir)).expect("write config");
    path
}

/// `task-no-<n>`: the same length as `task-notify`.
fn plugin_name(n: usize) -> String {
    format!("task-no-{n:03}")
}

/// Writes plugin copy `n` and the enabled-to-be rule running it.
fn install_copy(dir: &Path, shipped: &[u8], n: usize) {
    let name = plugin_name(n);
    assert_eq!(name.len(), SHIPPED_NAME.len());
    let mut bytes = shipped.to_vec();
    let mut replaced = 0;
    let mut at = 0;
    while let Some(found) = bytes[at..]
        .windows(SHIPPED_NAME.len())
        .position(|w| w == SHIPPED_NAME)
    {
        let start = at + found;
        bytes[start..start + SHIPPED_NAME.len()].copy_from_slice(name.as_bytes());
        at = start + SHIPPED_NAME.len();
        replaced += 1;
    }
    assert!(replaced > 0, "task_notify.wasm names itself");
    std::fs::write(dir.join("plugins").join(format!("{name}.wasm")), bytes).expect("write plugin");
    let rule = format!(
        r#"name = "notify-{n:03}"
description = "task-notify copy {n}"
on = "erp.task.assigned"
plugin = "{name}"
connection = "{CONNECTION}"
grants = ["contacts", "messaging", "log"]

[config]
skip_unbound = true
"#
    );
    std::fs::write(dir.join("rules").join(format!("notify-{n:03}.toml")), rule)
        .expect("write rule");
}

/// Publishes the rules, approves and enables them, and returns an admin API key.
async fn prepare_store(dir: &Path) -> (Store, String) {
    let url = format!("sqlite://{}/worklink.db", dir.display());
    let store = Store::open(&url, SecretCipher::from_bytes(&KEY))
        .await
        .expect("open store");
    worklink_server::rules::reload(&store, &dir.join("rules"))
        .await
        .expect("publish rules");
    for record in store.list_rules().await.expect("list rules") {
        let version = record.current_version.expect("published");
        let rule = Rule::from_version(&version).expect("rule");
        store
            .approve_rule_grants(&record.name, &rule.manifest.grants, now_millis())
            .await
            .expect("approve");
        store
            .set_rule_enabled(&record.name, true, now_millis())
            .await
            .expect("enable");
    }
    let (_, key) = store
        .create_api_key("bench", ApiRole::Admin, now_millis())
        .await
        .expect("api key");
    (store, key.expose().to_owned())
}

/// A running `worklink serve` and its URL.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(config: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_worklink"))
            .args(["serve", "--sync-minutes", "0", "--config"])
            .arg(config)
            .env(
                "WORKLINK_SECRET_KEY",
                base64::engine::general_purpose::STANDARD.encode(KEY),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start worklink serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("banner");
        let banner: Value = serde_json::from_str(&line).expect("banner is JSON");
        let url = banner["url"].as_str().expect("url").to_owned();
        Serve { child, url }
    }

    /// (VmRSS, VmHWM) in MiB.
    fn memory(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
                .expect("field in /proc status")
                / 1024.0
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::main]
async fn main() {
    println!(
        "memory: release `worklink serve`; load average {} at start",
        load_average()
    );
    let shipped_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release/task_notify.wasm");
    let shipped = std::fs::read(&shipped_path).expect("task_notify.wasm (run `make plugins`)");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let mut rows = Vec::new();

    let idle_dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(idle_dir.path());
    {
        let serve = Serve::start(&config);
        http.get(format!("{}/healthz", serve.url))
            .send()
            .await
            .expect("healthz");
        tokio::time::sleep(SETTLE).await;
        rows.push(("idle: no rules, no plugins", serve.memory()));
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path());
    for n in 1..=PLUGINS {
        install_copy(dir.path(), &shipped, n);
    }
    let (store, key) = prepare_store(dir.path()).await;
    let serve = Serve::start(&config);
    tokio::time::sleep(SETTLE).await;
    rows.push((
        "50 rules enabled, before any plugin is loaded",
        serve.memory(),
    ));

    let started = Instant::now();
    let listed: Value = http
        .get(format!("{}/api/v1/plugins", serve.url))
        .bearer_auth(&key)
        .send()
        .await
        .expect("list plugins")
        .json()
        .await
        .expect("plugin list");
    let loaded = listed
        .as_array()
        .or_else(|| listed["plugins"].as_array())
        .map(|all| all.iter().filter(|p| p.get("summary").is_some()).count())
        .unwrap_or(0);
    assert_eq!(loaded, PLUGINS, "every copy loads: {listed}");
    let load_time = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    rows.push(("50 plugins loaded (compiled)", serve.memory()));

    let posted = http
        .post(format!("{}/api/v1/events", serve.url))
        .bearer_auth(&key)
        .json(&json!({"kind": "erp.task.assigned", "payload": {"task_id": "T-1", "title": "Check", "url": "https://erp.example.com/t/1", "assignee": {"employee_id": "E404"}}}))
        .send()
        .await
        .expect("post event");
    assert!(
        posted.status().is_success(),
        "event accepted: {}",
        posted.status()
    );
    loop {
        let finished: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM executions WHERE finished_at IS NOT NULL")
                .fetch_one(store.pool())
                .await
                .expect("count executions");
        if finished as usize >= PLUGINS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "only {finished} of {PLUGINS} executions finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(SETTLE).await;
    rows.push(("50 plugins loaded, each run once", serve.memory()));
    drop(serve);
    store.close().await;

    println!("| state | VmRSS | VmHWM (peak) |");
    println!("|---|---|---|");
    for (state, (rss, hwm)) in rows {
        println!("| {state} | {rss:.1} MiB | {hwm:.1} MiB |");
    }
    println!(
        "loading 50 plugins (compiling each) took {:.1} s; load average {} at end",
        load_time.as_secs_f64(),
        load_average()
    );
}
