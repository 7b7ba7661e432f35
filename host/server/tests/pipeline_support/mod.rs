//! Shared harness for the pipeline tests: a store (from `storage_support`), the real compiled
//! task-notify plugin installed in a temporary plugins directory, a rules directory to write
//! manifests into, a seeded directory (employee `E-1` bound to the active user `zhangsan`), and a
//! hand-driven clock so retry times are reached without waiting.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};
use worklink_runtime::capability::Capability;
use worklink_runtime::script::ScriptLimits;
use worklink_runtime::wasm::WasmConfig;
use worklink_server::config::Config;
use worklink_server::pipeline::{Handlers, Pipeline, PipelineOptions};
use worklink_server::rules::{ReloadReport, reload};
use worklink_server::storage::Store;
use worklink_server::storage::directory::{Binding, DirectoryUser};
use worklink_server::storage::inbox::{InboxInsert, NewEvent};

use crate::storage_support::NOW;

/// The connection rules send through.
pub const CONNECTION: &str = "acme";

/// The task-notify manifest shipped in the repository's `rules/`.
pub fn shipped_manifest(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../rules")
        .join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The compiled task-notify component, built by `make plugins`.
pub fn task_notify_wasm() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release/task_notify.wasm");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: run `make plugins` first", path.display()))
}

/// A small wasm host; compiled components are cached across the tests of one build.
fn wasm_config() -> WasmConfig {
    WasmConfig {
        max_concurrent: 2,
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipeline-wasm-cache")),
        ..WasmConfig::default()
    }
}

fn config() -> Config {
    let text = format!(
        r#"
[connections.{CONNECTION}]
provider = "wecom"
corp_id = "ww1234"
agent_id = 1000002
secret = "wecom-app-secret"
callback_token = "wecom-token"
callback_aes_key = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
"#
    );
    Config::parse(&text, Path::new("/etc/worklink/worklink.toml"), &|_| None).expect("test config")
}

/// A pipeline over a seeded store, with task-notify installed.
pub struct Fixture {
    pub store: Store,
    pub pipeline: Arc<Pipeline>,
    pub rules_dir: tempfile::TempDir,
    pub clock: Arc<AtomicI64>,
    _plugins_dir: tempfile::TempDir,
}

impl Fixture {
    /// Seeds `store` and builds a pipeline over it.
    pub async fn new(store: &Store) -> Self {
        let config = config();
        for connection in &config.connections {
            store.register_connection(connection, NOW).await.unwrap();
        }
        store
            .upsert_user(
                CONNECTION,
                &DirectoryUser {
                    user_id: "zhangsan".into(),
                    name: "Zhang San".into(),
                    mobile: Some("13800000001".into()),
                    email: None,
                    title: None,
                    active: true,
                    department_ids: vec!["1".into()],
                    tag_ids: vec![],
                    profile: json!({}),
                },
                NOW,
            )
            .await
            .unwrap();
        store
            .bind_employee(
                CONNECTION,
                &Binding {
                    erp_employee_id: "E-1".into(),
                    user_id: "zhangsan".into(),
                    matched_by: "manual".into(),
                },
                NOW,
            )
            .await
            .unwrap();

        let plugins_dir = tempfile::tempdir().unwrap();
        let handlers =
            Handlers::new(plugins_dir.path(), wasm_config(), ScriptLimits::default()).unwrap();
        let installed = handlers.install(&task_notify_wasm()).await.unwrap();
        assert_eq!(installed.info.name, "task-notify");

        let clock = Arc::new(AtomicI64::new(NOW));
        let reading = clock.clone();
        let pipeline = Pipeline::new(
            store.clone(),
            Arc::new(handlers),
            PipelineOptions::from_config(&config),
        )
        .with_clock(move || reading.load(Ordering::SeqCst));
        Fixture {
            store: store.clone(),
            pipeline: Arc::new(pipeline),
            rules_dir: tempfile::tempdir().unwrap(),
            clock,
            _plugins_dir: plugins_dir,
        }
    }

    /// Writes `<name>` into the rules directory.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.rules_dir.path().join(name), text).unwrap();
    }

    /// Publishes the rules directory.
    pub async fn reload(&self) -> ReloadReport {
        reload(&self.store, self.rules_dir.path()).await.unwrap()
    }

    /// Writes manifest `<name>.toml`, publishes it, approves `grants` and enables it.
    pub async fn rule(&self, name: &str, manifest: &str, grants: &[Capability]) {
        self.write(&format!("{name}.toml"), manifest);
        self.reload().await;
        self.store
            .approve_rule_grants(name, grants, NOW)
            .await
            .unwrap();
        self.store.set_rule_enabled(name, true, NOW).await.unwrap();
    }

    /// The shipped task-notify rule, approved and enabled.
    pub async fn task_notify(&self) {
        self.rule(
            "task-notify",
            &shipped_manifest("task-notify"),
            &TASK_NOTIFY_GRANTS,
        )
        .await;
    }

    /// Puts an event in the inbox and returns its id.
    pub async fn event(&self, dedup_key: &str, kind: &str, payload: Value) -> i64 {
        let event = NewEvent {
            source: "erp".into(),
            dedup_key: dedup_key.into(),
            kind: kind.into(),
            occurred_at: NOW,
            payload,
        };
        match self.store.insert_event(&event, NOW).await.unwrap() {
            InboxInsert::Inserted(id) => id,
            InboxInsert::Duplicate(id) => panic!("event {dedup_key} already in the inbox as {id}"),
        }
    }

    /// Moves the clock forward by `millis`.
    pub fn advance(&self, millis: i64) {
        self.clock.fetch_add(millis, Ordering::SeqCst);
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

/// An `erp.task.assigned` payload for employee `E-1`.
pub fn task_assigned(task_id: &str) -> Value {
    json!({
        "task_id": task_id,
        "title": "Review the Q3 budget",
        "url": format!("https://erp.example.com/tasks/{task_id}"),
        "assignee": {"employee_id": "E-1", "name": "Zhang San"},
        "project": "Finance",
    })
}

/// Every capability task-notify asks for.
pub const TASK_NOTIFY_GRANTS: [Capability; 3] =
    [Capability::Contacts, Capability::Messaging, Capability::Log];
