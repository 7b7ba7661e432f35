//! Shared set-up for the delivery tests: both simulators on loopback ports, an ERP receiver that
//! checks signatures, a configuration pointing at all three, and helpers to stage effects the
//! way the pipeline commits them and to run the relay until they settle.

#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use worklink_providers::api::{HttpConfig, RetryPolicy};
use worklink_providers::sim::dingtalk::DingTalkSim;
use worklink_providers::sim::wecom::WeComSim;
use worklink_providers::sim::{self, Controls, RunningSim, SimConfig};
use worklink_server::clients::Clients;
use worklink_server::config::Config;
use worklink_server::delivery::{Delivery, Outcome, Relay, RelayPolicy};
use worklink_server::storage::Store;
use worklink_server::storage::executions::{
    Completion, NewEffect, Outcome as RunOutcome, ResourceUse,
};
use worklink_server::storage::inbox::{InboxInsert, NewEvent};

use crate::storage_support::NOW;

/// The shared secret the ERP receiver verifies signatures with.
pub const ERP_SECRET: &str = "erp-hmac-secret-for-tests";

/// Both simulated tenants, served.
pub struct Sims {
    pub wecom: WeComSim,
    pub wecom_server: RunningSim,
    pub dingtalk: DingTalkSim,
    pub dingtalk_server: RunningSim,
}

impl Sims {
    /// Fresh tenants generated from a fixed seed.
    pub async fn start() -> Self {
        let tenant = SimConfig {
            seed: 21,
            users: 30,
            departments: 5,
        };
        let wecom = WeComSim::new(tenant);
        let dingtalk = DingTalkSim::new(tenant);
        Sims {
            wecom_server: serve(wecom.router()).await,
            dingtalk_server: serve(dingtalk.router()).await,
            wecom,
            dingtalk,
        }
    }

    /// The id of the WeCom corp's `n`th member.
    pub fn wecom_user(&self, n: usize) -> String {
        nth_member(&self.wecom.controls(), n)
    }

    /// The id of the DingTalk organisation's `n`th member.
    pub fn dingtalk_user(&self, n: usize) -> String {
        nth_member(&self.dingtalk.controls(), n)
    }
}

fn nth_member(controls: &Controls, n: usize) -> String {
    let directory = controls.directory();
    directory
        .users()
        .nth(n)
        .expect("seeded member")
        .userid
        .clone()
}

async fn serve(router: axum::Router) -> RunningSim {
    sim::serve(router, "127.0.0.1:0".parse().expect("loopback"))
        .await
        .expect("bind loopback")
}

/// One post the ERP receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// `Idempotency-Key`.
    pub idempotency_key: String,
    /// Whether `X-Worklink-Signature` matched the body under [`ERP_SECRET`].
    pub signature_valid: bool,
    /// The JSON body.
    pub body: Value,
}

#[derive(Default)]
struct ErpState {
    received: Mutex<Vec<Received>>,
    fail_next: AtomicU32,
}

/// A tiny ERP webhook on loopback.
pub struct Erp {
    pub url: String,
    state: Arc<ErpState>,
    _server: tokio::task::JoinHandle<()>,
}

impl Erp {
    /// Listens on an ephemeral port; answers 200 unless told to fail.
    pub async fn start() -> Self {
        let state = Arc::new(ErpState::default());
        let app = axum::Router::new()
            .route("/documents", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}/documents", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Erp {
            url,
            state,
            _server: server,
        }
    }

    /// Answers the next `count` posts with 503.
    pub fn fail_next(&self, count: u32) {
        self.state.fail_next.store(count, Ordering::SeqCst);
    }

    /// Every post so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(state): State<Arc<ErpState>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    // Verified independently of the server's signing code, as an ERP would.
    let mut mac = Hmac::<Sha256>::new_from_slice(ERP_SECRET.as_bytes()).unwrap();
    mac.update(&body);
    let signature_valid = header("x-worklink-signature")
        .strip_prefix("sha256=")
        .and_then(|hex_sig| hex::decode(hex_sig).ok())
        .is_some_and(|sig| mac.verify_slice(&sig).is_ok());
    state.received.lock().unwrap().push(Received {
        idempotency_key: header("idempotency-key"),
        signature_valid,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let failing = state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        (StatusCode::SERVICE_UNAVAILABLE, "try later".into())
    } else if !signature_valid {
        (StatusCode::UNAUTHORIZED, "bad signature".into())
    } else {
        (StatusCode::OK, r#"{"accepted":true}"#.into())
    }
}

/// A configuration with connections `corp` (WeCom) and `ding` (DingTalk), robots `wecom-ops`
/// and `ding-ops`, and the ERP.
pub fn config(sims: &Sims, erp_url: &str) -> Config {
    let w = sims.wecom.credentials();
    let d = sims.dingtalk.credentials();
    let (wecom_base, ding_base) = (&sims.wecom_server.base_url, &sims.dingtalk_server.base_url);
    let text = format!(
        r#"
[connections.corp]
provider = "wecom"
corp_id = "{w_corp}"
agent_id = {w_agent}
secret = "{w_secret}"
callback_token = "{w_token}"
callback_aes_key = "{w_aes}"
api_base = "{wecom_base}"

[connections.ding]
provider = "dingtalk"
corp_id = "{d_corp}"
agent_id = {d_agent}
app_key = "{d_key}"
app_secret = "{d_secret}"
callback_token = "{d_token}"
callback_aes_key = "{d_aes}"
api_base = "{ding_base}"

[robots.wecom-ops]
provider = "wecom"
url = "{wecom_base}/cgi-bin/webhook/send?key={w_robot}"

[robots.ding-ops]
provider = "dingtalk"
url = "{ding_base}/robot/send?access_token={d_robot}"
secret = "{d_robot_secret}"

[erp]
url = "{erp_url}"
hmac_secret = "{ERP_SECRET}"
"#,
        w_corp = w.corp_id,
        w_agent = w.agent_id,
        w_secret = w.secret,
        w_token = w.callback_token,
        w_aes = w.callback_aes_key,
        w_robot = w.robot_key,
        d_corp = d.corp_id,
        d_agent = d.agent_id,
        d_key = d.app_key,
        d_secret = d.app_secret,
        d_token = d.callback_token,
        d_aes = d.callback_aes_key,
        d_robot = d.robot_token,
        d_robot_secret = d.robot_secret,
    );
    Config::parse(&text, Path::new("worklink.toml"), &|_| None).expect("test config")
}

/// Provider calls without in-call retries, so every transient failure reaches the relay.
pub fn http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        },
    }
}

/// Four attempts a few milliseconds apart.
pub fn policy() -> RelayPolicy {
    RelayPolicy {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
        },
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(5),
        erp_timeout: Duration::from_secs(5),
        ..RelayPolicy::default()
    }
}

/// Simulators, ERP, clients and relay over `store`.
pub struct World {
    pub sims: Sims,
    pub erp: Erp,
    pub config: Config,
    pub clients: Arc<Clients>,
    pub relay: Arc<Relay>,
    pub store: Store,
}

impl World {
    pub async fn start(store: &Store) -> Self {
        let sims = Sims::start().await;
        let erp = Erp::start().await;
        let config = config(&sims, &erp.url);
        let clients = Clients::with_http(&config, store.clone(), &http()).expect("clients");
        let relay = Relay::new(store.clone(), clients.clone(), &config).with_policy(policy());
        World {
            sims,
            erp,
            config,
            clients,
            relay: Arc::new(relay),
            store: store.clone(),
        }
    }

    /// Commits `effects` (runtime effect JSON without `id`) as one succeeded execution, the way
    /// the pipeline does; returns their idempotency keys.
    pub async fn stage(&self, effects: Vec<Value>) -> Vec<String> {
        stage(&self.store, effects).await
    }

    /// Delivers until `count` deliveries have settled (delivered or dead); returns every attempt.
    pub async fn settle(&self, count: usize) -> Vec<Delivery> {
        settle(&self.relay, count).await
    }
}

/// See [`World::stage`].
pub async fn stage(store: &Store, effects: Vec<Value>) -> Vec<String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let version = store
        .publish_rule(&format!("rule-{n}"), &format!("on = \"test.{n}\""), NOW)
        .await
        .unwrap();
    let event = NewEvent {
        source: "test".into(),
        dedup_key: format!("event-{n}"),
        kind: format!("test.{n}"),
        occurred_at: NOW,
        payload: json!({}),
    };
    let InboxInsert::Inserted(event_id) = store.insert_event(&event, NOW).await.unwrap() else {
        panic!("fresh event reported as duplicate");
    };
    store
        .enqueue_executions(event_id, &[version.id], NOW)
        .await
        .unwrap();
    let claimed = store
        .claim_execution("pipeline", NOW, NOW + 60_000)
        .await
        .unwrap()
        .expect("queued execution");
    let effects: Vec<NewEffect> = effects
        .into_iter()
        .enumerate()
        .map(|(seq, mut effect)| {
            let key = format!("exec-{}/{seq}", claimed.id);
            effect["id"] = json!(key);
            NewEffect {
                idempotency_key: key,
                kind: effect["effect"].as_str().unwrap().to_owned(),
                payload: effect,
            }
        })
        .collect();
    let keys = effects.iter().map(|e| e.idempotency_key.clone()).collect();
    let completion = Completion {
        outcome: RunOutcome::Succeeded { effects },
        logs: String::new(),
        usage: ResourceUse::default(),
    };
    store
        .complete_execution(claimed.id, "pipeline", NOW, &completion)
        .await
        .unwrap();
    keys
}

/// See [`World::settle`].
pub async fn settle(relay: &Relay, count: usize) -> Vec<Delivery> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut attempts = Vec::new();
    let settled = |attempts: &[Delivery]| {
        attempts
            .iter()
            .filter(|d| !matches!(d.outcome, Outcome::Retrying { .. }))
            .count()
    };
    while settled(&attempts) < count {
        assert!(
            Instant::now() < deadline,
            "effects did not settle: {attempts:?}"
        );
        match relay.deliver_one("test-worker").await.unwrap() {
            Some(delivery) => attempts.push(delivery),
            None => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
    attempts
}

/// A text message effect to `user` through `connection`.
pub fn text_message(connection: &str, user: &str, content: &str) -> Value {
    json!({
        "effect": "message",
        "connection": connection,
        "to": {"users": [user]},
        "message": {"type": "text", "content": content},
    })
}
