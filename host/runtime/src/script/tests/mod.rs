//! Tests of whole handler runs through [`ScriptEngine::invoke`], one file per concern.

mod capabilities;
mod hostile;
mod task_notify;

use std::sync::Arc;
use std::time::Duration;

use crate::capability::memory::{MemoryBackend, MemorySeed};
use crate::capability::{Backends, Capability, Grants};
use crate::invocation::{InvocationRequest, InvocationResult, Limits};
use crate::script::{ScriptEngine, ScriptLimits};
use crate::types::Event;

/// An engine with the default limits.
fn engine() -> ScriptEngine {
    ScriptEngine::new(ScriptLimits::default())
}

/// An event of `kind` with `payload`.
fn event(kind: &str, payload: serde_json::Value) -> Event {
    Event {
        id: "evt-1".into(),
        kind: kind.into(),
        source: "erp".into(),
        occurred_at: 1_700_000_000_000,
        payload,
    }
}

/// A request granting `granted` (everything is requested: a script declares no needs of its
/// own, the rule's grant decides) over the demo directory.
fn request(granted: &[Capability], limits: Limits) -> InvocationRequest {
    request_with(
        granted,
        limits,
        Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo()))),
    )
}

/// As [`request`], over the given backends.
fn request_with(granted: &[Capability], limits: Limits, backends: Backends) -> InvocationRequest {
    InvocationRequest {
        invocation_id: "inv".into(),
        scope: "test-rule".into(),
        grants: Grants::new(Capability::ALL, granted.iter().copied()),
        backends,
        limits,
    }
}

/// Limits small enough that runaway scripts end quickly.
fn tight() -> Limits {
    Limits::builder()
        .cpu_time(Duration::from_millis(20))
        .wall_clock(Duration::from_secs(10))
        .build()
}

/// Compiles `source` as `name` and runs it with `granted` under `limits`.
async fn run(
    engine: &ScriptEngine,
    name: &str,
    source: &str,
    granted: &[Capability],
    limits: Limits,
) -> InvocationResult {
    let script = engine
        .compile(name, source)
        .unwrap_or_else(|e| panic!("{e}"));
    let event = event("erp.task.assigned", serde_json::json!({"n": 1}));
    engine
        .invoke(
            &script,
            &event,
            &serde_json::json!({}),
            request(granted, limits),
        )
        .await
}

/// Asserts the engine still runs an ordinary script correctly after a hostile one.
async fn assert_still_healthy(engine: &ScriptEngine) {
    let good = "fn handle(event, config) { let total = 0; for i in 1..=10 { total += i; } #{ total: total, n: event.payload.n } }";
    let result = run(engine, "good.rhai", good, &[], Limits::default()).await;
    assert_eq!(
        result.outcome,
        crate::invocation::Outcome::Ok {
            output: serde_json::json!({"total": 55, "n": 1})
        }
    );
}
