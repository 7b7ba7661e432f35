//! Shared harness for the HTTP tests: a router over a real store (a SQLite file, or a fresh
//! PostgreSQL database), two connections with known callback keys, API keys of both roles, and
//! helpers that send requests through `oneshot` — no socket, no network.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use worklink_providers::api::{HttpConfig, RetryPolicy};
use worklink_providers::crypto::{CallbackCrypto, Envelope};
use worklink_runtime::script::ScriptLimits;
use worklink_runtime::wasm::WasmConfig;
use worklink_server::clients::Clients;
use worklink_server::config::Config;
use worklink_server::http::{AppState, router};
use worklink_server::pipeline::{Handlers, Pipeline, PipelineOptions};
use worklink_server::storage::Store;
use worklink_server::storage::api_keys::ApiRole;
use worklink_server::wake::Wakeups;

use crate::storage_support::{self, NOW, TestStore};

pub const WECOM: &str = "acme";
pub const WECOM_CORP: &str = "ww1234";
pub const WECOM_TOKEN: &str = "wecom-token";
pub const WECOM_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
pub const DINGTALK: &str = "acme-dt";
pub const DINGTALK_APP_KEY: &str = "dingappkey";
pub const DINGTALK_TOKEN: &str = "dingtalk-token";
pub const DINGTALK_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
/// Above the size of a plugin component, small enough that a test body can exceed it cheaply.
pub const BODY_LIMIT: usize = 512 * 1024;

/// A router over a real store, and keys of both roles.
pub struct Harness {
    pub store: TestStore,
    pub state: AppState,
    pub router: Router,
    pub admin_key: String,
    pub integrator_key: String,
    /// The configured rules directory (empty until a test writes manifests).
    pub rules_dir: tempfile::TempDir,
    /// The configured plugins directory (empty until a test uploads one).
    pub plugins_dir: tempfile::TempDir,
}

/// One attempt with a short timeout: the tests talk to loopback only.
fn http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        },
    }
}

/// A small wasm host; compiled components are cached across the tests of one build.
fn wasm_config() -> WasmConfig {
    WasmConfig {
        max_concurrent: 2,
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("http-wasm-cache")),
        ..WasmConfig::default()
    }
}

/// Where and as whom the WeCom connection calls the provider's API.
pub struct WeComApi {
    pub corp_id: String,
    pub secret: String,
    pub api_base: String,
}

impl Default for WeComApi {
    /// The test corp; nothing listens at its API base (a closed loopback port).
    fn default() -> Self {
        WeComApi {
            corp_id: WECOM_CORP.into(),
            secret: "wecom-app-secret".into(),
            api_base: "http://127.0.0.1:9".into(),
        }
    }
}

fn config(rules_dir: &Path, plugins_dir: &Path, api: &WeComApi) -> Config {
    let text = format!(
        r#"
rules_dir = "{}"
plugins_dir = "{}"

[server]
public_url = "https://worklink.example.com"

[connections.{WECOM}]
provider = "wecom"
corp_id = "{}"
agent_id = 1000002
secret = "{}"
api_base = "{}"
callback_token = "{WECOM_TOKEN}"
callback_aes_key = "{WECOM_KEY}"

[connections.{DINGTALK}]
provider = "dingtalk"
corp_id = "ding5678"
agent_id = 2000001
app_key = "{DINGTALK_APP_KEY}"
app_secret = "dingtalk-app-secret"
callback_token = "{DINGTALK_TOKEN}"
callback_aes_key = "{DINGTALK_KEY}"

[limits]
body_limit_bytes = {BODY_LIMIT}
"#,
        rules_dir.display(),
        plugins_dir.display(),
        api.corp_id,
        api.secret,
        api.api_base,
    );
    Config::parse(&text, Path::new("/etc/worklink/worklink.toml"), &|_| None).expect("test config")
}

impl Harness {
    /// A harness over `store`.
    pub async fn over(store: TestStore) -> Self {
        Self::with_api(store, WeComApi::default()).await
    }

    /// A harness over `store` whose WeCom connection calls `api`.
    pub async fn with_api(store: TestStore, api: WeComApi) -> Self {
        let rules_dir = tempfile::tempdir().expect("rules dir");
        let plugins_dir = tempfile::tempdir().expect("plugins dir");
        let config = Arc::new(config(rules_dir.path(), plugins_dir.path(), &api));
        for connection in &config.connections {
            store
                .register_connection(connection, NOW)
                .await
                .expect("register connection");
        }
        let (_, admin) = store
            .create_api_key("ops", ApiRole::Admin, NOW)
            .await
            .expect("admin key");
        let (_, integrator) = store
            .create_api_key("erp", ApiRole::Integrator, NOW)
            .await
            .expect("integrator key");
        let handlers = Handlers::new(&config.plugins_dir, wasm_config(), ScriptLimits::default())
            .expect("wasm host");
        let options = PipelineOptions::from_config(&config);
        let pipeline = Arc::new(Pipeline::new(
            Store::clone(&store),
            Arc::new(handlers),
            options,
        ));
        let clients = Clients::with_http(&config, Store::clone(&store), &http()).expect("clients");
        let state = AppState::new(
            Store::clone(&store),
            config,
            Wakeups::new(),
            pipeline,
            clients,
        )
        .expect("state");
        Harness {
            router: router(state.clone()),
            state,
            store,
            admin_key: admin.expose().to_owned(),
            integrator_key: integrator.expose().to_owned(),
            rules_dir,
            plugins_dir,
        }
    }

    /// A harness on a new SQLite file.
    pub async fn sqlite() -> Self {
        Self::over(storage_support::sqlite().await).await
    }

    /// Sends `request` through the router; returns status, content type and body.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            content_type,
            body: body.to_vec(),
        }
    }

    /// `method uri` with an optional bearer key and JSON body.
    pub async fn api(
        &self,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// Rows in the inbox.
    pub async fn inbox_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox_events")
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error` code of a JSON error answer.
    pub fn error_code(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

/// The WeCom connection's crypto, as WeCom itself holds it.
pub fn wecom_crypto() -> CallbackCrypto {
    CallbackCrypto::new(WECOM_TOKEN, WECOM_KEY, WECOM_CORP).unwrap()
}

/// The DingTalk connection's crypto, as DingTalk holds it.
pub fn dingtalk_crypto() -> CallbackCrypto {
    CallbackCrypto::new(DINGTALK_TOKEN, DINGTALK_KEY, DINGTALK_APP_KEY).unwrap()
}

/// A query string from pairs, percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// WeCom's URL check: `GET` with the encrypted challenge `envelope.encrypt` in `echostr`, signed
/// by `msg_signature` (the envelope's own, or a tampered one).
pub fn wecom_url_check(envelope: &Envelope, msg_signature: &str) -> Request<Body> {
    let q = query(&[
        ("msg_signature", msg_signature),
        ("timestamp", &envelope.timestamp),
        ("nonce", &envelope.nonce),
        ("echostr", &envelope.encrypt),
    ]);
    Request::get(format!("/callbacks/wecom/{WECOM}?{q}"))
        .body(Body::empty())
        .unwrap()
}

/// A WeCom event POST carrying `plaintext`, encrypted and signed by `crypto`.
pub fn wecom_post(
    connection: &str,
    crypto: &CallbackCrypto,
    plaintext: &str,
    timestamp: &str,
    nonce: &str,
) -> Request<Body> {
    let envelope = crypto.encrypt(plaintext, timestamp, nonce);
    let body =
        worklink_providers::crypto::wecom::request_xml(WECOM_CORP, "1000002", &envelope.encrypt);
    let q = query(&[
        ("msg_signature", &envelope.msg_signature),
        ("timestamp", timestamp),
        ("nonce", nonce),
    ]);
    Request::post(format!("/callbacks/wecom/{connection}?{q}"))
        .header(header::CONTENT_TYPE, "text/xml")
        .body(Body::from(body))
        .unwrap()
}

/// A DingTalk push carrying `plaintext`, encrypted and signed by `crypto`.
pub fn dingtalk_post(
    crypto: &CallbackCrypto,
    plaintext: &str,
    timestamp: &str,
    nonce: &str,
) -> Request<Body> {
    let envelope = crypto.encrypt(plaintext, timestamp, nonce);
    let body = worklink_providers::crypto::dingtalk::request_body(&envelope.encrypt);
    let q = query(&[
        ("msg_signature", &envelope.msg_signature),
        ("timestamp", timestamp),
        ("nonce", nonce),
    ]);
    Request::post(format!("/callbacks/dingtalk/{DINGTALK}?{q}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap()
}

/// Defines, for each named `async fn(Harness)`, a test on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! http_on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::http_support::Harness::over($crate::storage_support::sqlite().await).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::http_support::Harness::over($crate::storage_support::postgres().await).await).await;
                }
            )*
        }
    };
}
