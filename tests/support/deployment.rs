//! A production-shaped deployment for end-to-end tests: a `worklink sim wecom` process standing
//! in for WeCom (a separate process, so it outlives a killed server and keeps its record), a
//! `worklink.toml` with a task-notify rule and its plugin, a database (a SQLite file, or a fresh
//! PostgreSQL database on the server `make test` starts), and `worklink serve` processes on it —
//! set up through the real CLI (`apikey create`, `rule approve`, `rule enable`), as an admin would.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::http::{client, get};
use crate::process::Spawned;
use crate::{plugin_wasm, worklink_bin};

/// The at-rest key of every test deployment (base64 of 32 bytes).
const SECRET_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

/// Which database a deployment runs on.
pub enum Database {
    /// A SQLite file in the deployment's directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `WORKLINK_TEST_POSTGRES_URL`.
    Postgres,
}

/// The rule every test deployment runs.
const RULE: &str = r#"
name = "task-notify"
description = "Cards ERP task assignees"
on = "erp.task.assigned"
plugin = "task-notify"
grants = ["contacts", "messaging", "log"]

[retry]
attempts = 5
backoff_ms = 500
"#;

/// A simulator, a config and a database; servers are started on demand.
pub struct Deployment {
    /// The WeCom simulator.
    pub sim: Spawned,
    /// The config file.
    pub config: PathBuf,
    /// An admin API key.
    pub api_key: String,
    dir: tempfile::TempDir,
}

impl Deployment {
    /// Starts the simulator, writes plugins, rule and config, and enables the rule. The corp has
    /// 400 members because WeCom silently drops an app's 31st message within a minute to one
    /// member (the simulator too): thousands of test cards must be spread over many people.
    pub fn new(database: Database) -> Deployment {
        let sim = Spawned::start(
            &[
                "sim",
                "wecom",
                "--listen",
                "127.0.0.1:0",
                "--users",
                "400",
                "--departments",
                "12",
                "--seed",
                "11",
            ],
            &[],
            None,
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let plugins = dir.path().join("plugins");
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(&plugins).expect("plugins dir");
        std::fs::create_dir_all(&rules).expect("rules dir");
        std::fs::copy(plugin_wasm("task-notify"), plugins.join("task-notify.wasm"))
            .expect("install task-notify");
        std::fs::write(rules.join("task-notify.toml"), RULE).expect("write the rule");
        let database_url = match database {
            Database::Sqlite => format!("sqlite://{}", dir.path().join("worklink.db").display()),
            Database::Postgres => postgres_database(),
        };
        let config = dir.path().join("worklink.toml");
        std::fs::write(&config, render_config(&sim, &database_url, dir.path()))
            .expect("write the config");
        let mut deployment = Deployment {
            sim,
            config,
            api_key: String::new(),
            dir,
        };
        let created = deployment.cli(&["apikey", "create", "--name", "e2e", "--role", "admin"]);
        let key: Value = serde_json::from_str(&created).expect("apikey create prints JSON");
        deployment.api_key = key["key"].as_str().expect("a key").to_owned();
        deployment.cli(&["rule", "reload"]);
        deployment.cli(&["rule", "approve", "task-notify"]);
        deployment.cli(&["rule", "enable", "task-notify"]);
        deployment
    }

    /// Runs `worklink <args> --config <config>` to completion; panics unless it succeeds.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new(worklink_bin())
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env("WORKLINK_SECRET_KEY", SECRET_KEY)
            .output()
            .expect("run worklink");
        assert!(
            output.status.success(),
            "worklink {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts one `worklink serve` (on its own port) and returns it with its URL.
    pub fn serve(&self) -> (Spawned, String) {
        let config = self.config.to_str().expect("utf-8 path");
        let server = Spawned::start(
            &["serve", "--config", config, "--sync-minutes", "60"],
            &[("WORKLINK_SECRET_KEY", SECRET_KEY), ("RUST_LOG", "warn")],
            Some(self.dir.path()),
        );
        let url = server.field("url");
        (server, url)
    }

    /// The simulator's base URL.
    pub fn sim_url(&self) -> String {
        self.sim.field("base_url")
    }

    /// The simulated corp's member ids, from its own API.
    pub fn sim_users(&self) -> Vec<String> {
        let base = self.sim_url();
        let token = get(&format!(
            "{base}/cgi-bin/gettoken?corpid={}&corpsecret={}",
            self.sim.field("corp_id"),
            self.sim.field("secret")
        ))["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        let list = crate::http::post(
            &format!("{base}/cgi-bin/user/list_id?access_token={token}"),
            &serde_json::json!({"limit": 10000}),
        );
        let mut ids: Vec<String> = list["dept_user"]
            .as_array()
            .expect("dept_user")
            .iter()
            .filter_map(|u| u["userid"].as_str().map(str::to_owned))
            .collect();
        // A member of several departments is listed once per department.
        ids.sort();
        ids.dedup();
        ids
    }

    /// Every message the simulator delivered.
    pub fn delivered_messages(&self) -> Vec<Value> {
        get(&format!("{}/_sim/messages", self.sim_url()))
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Posts one ERP event to `server`; returns the HTTP status (0 when the server is down).
    pub fn post_event(&self, server: &str, event: &Value) -> u16 {
        client()
            .post(format!("{server}/api/v1/events"))
            .bearer_auth(&self.api_key)
            .json(event)
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    /// An admin GET on `server`.
    pub fn api_get(&self, server: &str, path: &str) -> Value {
        client()
            .get(format!("{server}{path}"))
            .bearer_auth(&self.api_key)
            .send()
            .and_then(|r| r.json())
            .unwrap_or(Value::Null)
    }
}

fn render_config(sim: &Spawned, database_url: &str, dir: &Path) -> String {
    format!(
        r#"rules_dir = "{dir}/rules"
plugins_dir = "{dir}/plugins"

[server]
listen = "127.0.0.1:0"

[database]
url = "{database_url}"

[connections.wecom]
provider = "wecom"
corp_id = "{corp_id}"
agent_id = {agent_id}
secret = "{secret}"
callback_token = "{token}"
callback_aes_key = "{aes_key}"
api_base = "{base}"
"#,
        dir = dir.display(),
        corp_id = sim.field("corp_id"),
        agent_id = sim.field("agent_id"),
        secret = sim.field("secret"),
        token = sim.field("callback_token"),
        aes_key = sim.field("callback_aes_key"),
        base = sim.field("base_url"),
    )
}

/// A new, empty database on the PostgreSQL server `make test` started
/// (`WORKLINK_TEST_POSTGRES_URL`), created with that server's own `psql`.
pub fn postgres_database() -> String {
    let base = std::env::var("WORKLINK_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("WORKLINK_TEST_POSTGRES_URL is not set: run through `make test` or scripts/with-postgres.sh")
    });
    let name = format!("e2e_{}_{}", std::process::id(), unique());
    let psql = psql();
    let status = Command::new(&psql)
        .arg(&base)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("run psql");
    assert!(status.success(), "CREATE DATABASE {name} failed");
    let (server, _) = base.rsplit_once('/').expect("URL ends in /database");
    format!("{server}/{name}")
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    nanos * 1000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `psql` from the newest installed PostgreSQL, else from `PATH`.
fn psql() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin/psql"))
        .filter(|path| path.exists())
        .collect();
    candidates.sort();
    candidates.pop().unwrap_or_else(|| PathBuf::from("psql"))
}
