//! The simulator's own HTTP endpoints under `/_sim/`, for driving a standalone `worklink sim`
//! from another process (end-to-end tests, curl during a demo).
//!
//! They expose the same knobs and recordings as [`Controls`]; they bypass the fault guard and are
//! not recorded, so inspecting a simulator never changes what it records.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::controls::Controls;
use super::faults::RateLimit;

/// The `/_sim/` routes for one simulator.
pub fn routes(controls: Controls) -> Router {
    Router::new()
        .route(
            "/_sim/calls",
            get(|State(c): State<Controls>| async move { Json(json!(c.calls())) }),
        )
        .route(
            "/_sim/messages",
            get(|State(c): State<Controls>| async move { Json(json!(c.messages())) }),
        )
        .route(
            "/_sim/robot_posts",
            get(|State(c): State<Controls>| async move { Json(json!(c.robot_posts())) }),
        )
        .route(
            "/_sim/callbacks",
            get(|State(c): State<Controls>| async move { Json(json!(c.callbacks_sent())) }),
        )
        .route("/_sim/tokens/invalidate", post(invalidate))
        .route("/_sim/clock/advance", post(advance))
        .route("/_sim/faults", post(faults))
        .route("/_sim/oauth/code", post(oauth_code))
        .route("/_sim/approvals/{id}/{decision}", post(decide))
        .route("/_sim/checkins", post(check_in))
        .route("/_sim/callbacks/url", post(callback_url))
        .with_state(controls)
}

async fn invalidate(State(controls): State<Controls>) -> Json<Value> {
    controls.invalidate_tokens();
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance(State(controls): State<Controls>, Json(body): Json<Advance>) -> Json<Value> {
    controls.advance_clock(Duration::from_secs(body.seconds));
    Json(json!({"ok": true, "now_ms": controls.now_ms()}))
}

/// Knobs to change; absent fields are left alone.
#[derive(Deserialize)]
struct FaultsBody {
    ip_blocked: Option<bool>,
    new_app_mode: Option<bool>,
    latency_ms: Option<u64>,
    fail_next: Option<FailNext>,
    drop_next: Option<u32>,
    errcode_next: Option<ErrcodeNext>,
    /// `{"calls": N, "window_secs": S}` sets a limit; `{"calls": 0}` lifts it.
    rate_limit: Option<RateLimitBody>,
}

#[derive(Deserialize)]
struct FailNext {
    count: u32,
    status: u16,
}

#[derive(Deserialize)]
struct ErrcodeNext {
    path: String,
    errcode: i64,
}

#[derive(Deserialize)]
struct RateLimitBody {
    calls: u32,
    #[serde(default = "default_window")]
    window_secs: u64,
}

fn default_window() -> u64 {
    60
}

async fn faults(State(controls): State<Controls>, Json(body): Json<FaultsBody>) -> Json<Value> {
    if let Some(blocked) = body.ip_blocked {
        controls.set_ip_blocked(blocked);
    }
    if let Some(on) = body.new_app_mode {
        controls.set_new_app_mode(on);
    }
    if let Some(ms) = body.latency_ms {
        controls.set_latency(Duration::from_millis(ms));
    }
    if let Some(fail) = body.fail_next {
        controls.fail_next(fail.count, fail.status);
    }
    if let Some(count) = body.drop_next {
        controls.drop_next(count);
    }
    if let Some(next) = body.errcode_next {
        controls.errcode_next(&next.path, next.errcode);
    }
    if let Some(limit) = body.rate_limit {
        controls.set_rate_limit((limit.calls > 0).then(|| RateLimit {
            calls: limit.calls,
            window: Duration::from_secs(limit.window_secs),
        }));
    }
    Json(json!({"ok": true}))
}

/// A refusal of a control request: 400 with the reason.
fn refused(reason: impl std::fmt::Display) -> (StatusCode, Json<Value>) {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"ok": false, "error": reason.to_string()})),
    )
}

#[derive(Deserialize)]
struct UserBody {
    userid: String,
}

async fn oauth_code(
    State(controls): State<Controls>,
    Json(body): Json<UserBody>,
) -> (StatusCode, Json<Value>) {
    match controls.oauth_code_for(&body.userid) {
        Ok(code) => (StatusCode::OK, Json(json!({"ok": true, "code": code}))),
        Err(err) => refused(err),
    }
}

#[derive(Deserialize)]
struct DecisionBody {
    approver: String,
    #[serde(default)]
    speech: String,
}

/// `POST /_sim/approvals/{id}/approve|reject {"approver": "...", "speech": "..."}`.
async fn decide(
    State(controls): State<Controls>,
    Path((id, decision)): Path<(String, String)>,
    Json(body): Json<DecisionBody>,
) -> (StatusCode, Json<Value>) {
    let outcome = match decision.as_str() {
        "approve" => controls.approve(&id, &body.approver, &body.speech),
        "reject" => controls.reject(&id, &body.approver, &body.speech),
        other => return refused(format!("unknown decision {other:?}: use approve or reject")),
    };
    match outcome {
        Ok((approval, _)) => (
            StatusCode::OK,
            Json(json!({"ok": true, "approval": approval})),
        ),
        Err(err) => refused(err),
    }
}

async fn check_in(
    State(controls): State<Controls>,
    Json(body): Json<UserBody>,
) -> (StatusCode, Json<Value>) {
    match controls.check_in(&body.userid) {
        Ok((punch, _)) => (StatusCode::OK, Json(json!({"ok": true, "punch": punch}))),
        Err(err) => refused(err),
    }
}

#[derive(Deserialize)]
struct UrlBody {
    url: Option<String>,
}

async fn callback_url(State(controls): State<Controls>, Json(body): Json<UrlBody>) -> Json<Value> {
    controls.set_callback_url(body.url);
    Json(json!({"ok": true}))
}
