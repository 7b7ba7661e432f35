//! The middleware every simulated API call passes through: record it, then apply the fault knobs.
//!
//! Doing this in one layer keeps the endpoint handlers about behaviour only, and guarantees that
//! e.g. the IP allow-list refusal really hits *every* call, gettoken and webhooks included, as it
//! does on the real services.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::controls::Controls;
use super::dialect::{Dialect, Failure};
use super::faults::Verdict;
use super::recorder::RecordedCall;
use super::serve::ConnectionHandle;

/// Largest request body the simulators accept (the real services refuse far smaller bodies for
/// most endpoints; this only keeps a runaway client from exhausting memory).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// State of the guard layer: the knobs and the provider's wording of refusals.
#[derive(Clone)]
pub struct Guard {
    /// Knobs and recorder of the simulator.
    pub controls: Controls,
    /// How the provider words a refusal.
    pub dialect: Arc<dyn Dialect>,
}

/// The middleware function (use with `axum::middleware::from_fn_with_state`).
pub async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let path = parts.uri.path().to_owned();
    guard.controls.recorder().record_call(RecordedCall {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    });
    let latency = guard.controls.faults().latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let failure = match guard
        .controls
        .faults()
        .judge(&path, guard.controls.clock().now_ms())
    {
        Verdict::Pass => {
            return next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
        }
        Verdict::Drop => return dropped(parts.extensions.get::<ConnectInfo<ConnectionHandle>>()),
        Verdict::ServerError(status) => return gateway_error(status),
        Verdict::IpBlocked => Failure::IpBlocked,
        Verdict::RateLimited => Failure::RateLimited,
        Verdict::Errcode(code) => Failure::Injected(code),
    };
    tracing::debug!(%path, %failure, "simulated refusal");
    guard.dialect.reject(&path, &failure)
}

/// Kills the connection; without a killable connection (router driven in-process), answers with a
/// body that fails mid-stream, which clients see as a broken connection too.
fn dropped(handle: Option<&ConnectInfo<ConnectionHandle>>) -> Response {
    if let Some(ConnectInfo(handle)) = handle {
        handle.kill();
    }
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// What a gateway in front of the service answers when the backend is down.
fn gateway_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page = format!(
        "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// A provider's complete router: its API behind the guard layer, plus the unguarded `/_sim/`
/// control endpoints.
pub fn guarded(api: axum::Router, controls: Controls, dialect: impl Dialect) -> axum::Router {
    let state = Guard {
        controls: controls.clone(),
        dialect: Arc::new(dialect),
    };
    api.layer(axum::middleware::from_fn_with_state(state, guard))
        .merge(super::control_api::routes(controls))
}
