//! The dev ERP: a small receiver `worklink dev` points `[erp] url` at, so documents staged by
//! rules (`erp_post` effects) visibly arrive somewhere. It checks each post the way a real ERP
//! integration should — the `X-Worklink-Signature` HMAC over the exact body, and the
//! `Idempotency-Key` to drop repeats — and lists what it accepted at `GET /documents`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use worklink_providers::api::Secret;

use crate::delivery::erp::{IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature};

/// What the receiver has accepted, by idempotency key, in arrival order.
#[derive(Default)]
struct Received {
    order: Vec<String>,
    documents: HashMap<String, Value>,
    repeats: u64,
}

#[derive(Clone)]
struct DevErp {
    secret: Arc<Secret>,
    received: Arc<Mutex<Received>>,
}

/// A running dev ERP.
pub struct RunningErp {
    /// `http://127.0.0.1:PORT/documents`: the URL documents are posted to.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningErp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the dev ERP on an ephemeral loopback port, accepting posts signed with `secret`.
pub async fn start(secret: Secret) -> std::io::Result<RunningErp> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/documents", listener.local_addr()?);
    let state = DevErp {
        secret: Arc::new(secret),
        received: Arc::default(),
    };
    let app = Router::new()
        .route("/documents", get(list).post(receive))
        .with_state(state);
    let task = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the dev ERP stopped");
        }
    });
    Ok(RunningErp { url, task })
}

async fn receive(
    State(erp): State<DevErp>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    let presented = headers
        .get(SIGNATURE_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let expected = signature(&erp.secret, &body);
    if !bool::from(presented.ct_eq(expected.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": format!("missing or wrong {SIGNATURE_HEADER}")})),
        );
    }
    let Some(key) = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("missing {IDEMPOTENCY_HEADER}")})),
        );
    };
    let document: Value = match serde_json::from_slice(&body) {
        Ok(document) => document,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("body is not JSON: {e}")})),
            );
        }
    };
    let mut received = erp.received.lock().unwrap_or_else(|e| e.into_inner());
    if received.documents.contains_key(key) {
        received.repeats += 1;
    } else {
        received.order.push(key.to_owned());
        received.documents.insert(key.to_owned(), document);
    }
    (StatusCode::OK, Json(json!({"accepted": key})))
}

async fn list(State(erp): State<DevErp>) -> Json<Value> {
    let received = erp.received.lock().unwrap_or_else(|e| e.into_inner());
    let documents: Vec<&Value> = received
        .order
        .iter()
        .filter_map(|key| received.documents.get(key))
        .collect();
    Json(json!({"documents": documents, "repeats_dropped": received.repeats}))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn post(url: &str, body: &str, signature: &str, key: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(url)
            .header(SIGNATURE_HEADER, signature)
            .header(IDEMPOTENCY_HEADER, key)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
            .status()
    }

    #[tokio::test]
    async fn accepts_signed_posts_once_and_refuses_bad_signatures() {
        let secret = Secret::new("dev-erp-secret".to_owned());
        let erp = start(secret.clone()).await.unwrap();
        let body = r#"{"id":"exec-1/1","kind":"voucher","document":{"amount":3}}"#;
        let good = signature(&secret, body.as_bytes());
        assert_eq!(post(&erp.url, body, &good, "exec-1/1").await, 200);
        assert_eq!(post(&erp.url, body, &good, "exec-1/1").await, 200);
        let forged = signature(&Secret::new("other".to_owned()), body.as_bytes());
        assert_eq!(post(&erp.url, body, &forged, "exec-1/2").await, 401);
        let listed: Value = reqwest::get(&erp.url).await.unwrap().json().await.unwrap();
        assert_eq!(listed["documents"].as_array().unwrap().len(), 1);
        assert_eq!(listed["documents"][0]["document"]["amount"], 3);
        assert_eq!(listed["repeats_dropped"], 1);
    }
}
