//! Rhai script tier throughput: `when` conditions evaluated from a cached AST, and whole handler
//! invocations of a small script.
//!
//! A condition is evaluated for every event whose kind matches a rule, so its cost bounds how
//! many rules an event can fan out to; the target is at least 200,000 evaluations per second on
//! one core. Each condition evaluation includes converting the event into a Rhai map. A handler
//! invocation includes a fresh `InvocationHost`, the hop to the blocking pool, two capability
//! calls and the result. Run with `cargo bench -p worklink-runtime --bench rhai_when`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use worklink_runtime::capability::memory::{MemoryBackend, MemorySeed};
use worklink_runtime::capability::{Backends, Capability, Grants};
use worklink_runtime::invocation::{InvocationRequest, Limits};
use worklink_runtime::script::{ScriptEngine, ScriptLimits};
use worklink_runtime::types::Event;

/// How long each measurement runs.
const MEASURE: Duration = Duration::from_secs(2);

/// A small handler: one live read, one staged write, one log line.
const HANDLER: &str = r#"
fn handle(event, config) {
    let user = contacts::get_user(event.payload.assignee);
    let id = messaging::send(#{ users: [user.id] }, #{ type: "text", content: `${config.prefix}${event.payload.title}` });
    log::info(`sent ${id}`);
    #{ notified: user.id, effect: id }
}"#;

fn order(amount: i64) -> Event {
    Event {
        id: "ev-1".into(),
        kind: "erp.order.created".into(),
        source: "erp".into(),
        occurred_at: 1_700_000_000_000,
        payload: json!({
            "order_no": "SO-2026-0042",
            "amount": amount,
            "currency": "CNY",
            "customer": {"name": "Acme", "tags": ["vip", "north"]}
        }),
    }
}

/// Runs `f` repeatedly for [`MEASURE`] and returns calls per second.
fn rate(mut f: impl FnMut()) -> f64 {
    for _ in 0..1_000 {
        f();
    }
    let started = Instant::now();
    let mut calls = 0_u64;
    while started.elapsed() < MEASURE {
        for _ in 0..100 {
            f();
        }
        calls += 100;
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

fn conditions(engine: &ScriptEngine) {
    let cases = [
        ("kind only", r#"event.kind == "erp.order.created""#),
        (
            "kind and amount",
            r#"event.kind == "erp.order.created" && event.payload.amount > 1000"#,
        ),
        (
            "nested tag lookup",
            r#"event.payload.amount > 1000 && event.payload.customer.tags.contains("vip")"#,
        ),
    ];
    let events = [order(1500), order(500)];
    for (label, expression) in cases {
        let condition = engine
            .compile_condition(expression)
            .expect("condition compiles");
        let mut i = 0;
        let per_second = rate(|| {
            i += 1;
            let event = &events[i % 2];
            black_box(
                engine
                    .eval_condition(&condition, black_box(event))
                    .expect("condition evaluates"),
            );
        });
        println!(
            "when {label:<20} {per_second:>12.0} evaluations/s  ({:.2} µs each)",
            1e6 / per_second
        );
    }
}

fn invocations(engine: &ScriptEngine) {
    // One worker and the blocking pool: the script thread is the one core being measured.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let script = engine
        .compile("bench.rhai", HANDLER)
        .expect("handler compiles");
    let backends = Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo())));
    let event = Event {
        payload: json!({"assignee": "zhangsan", "title": "Review the Q3 budget"}),
        ..order(0)
    };
    let config = json!({"prefix": "[ERP] "});
    let granted = [Capability::Contacts, Capability::Messaging, Capability::Log];
    let per_second = rate(|| {
        let request = InvocationRequest {
            invocation_id: "inv".into(),
            scope: "bench".into(),
            grants: Grants::new(Capability::ALL, granted),
            backends: backends.clone(),
            limits: Limits::default(),
        };
        let result = runtime.block_on(engine.invoke(&script, &event, &config, request));
        assert!(result.outcome.is_ok(), "{:?}", result.outcome);
        black_box(result);
    });
    println!(
        "handler invocation        {per_second:>12.0} invocations/s ({:.1} µs each)",
        1e6 / per_second
    );
}

fn main() {
    let engine = ScriptEngine::new(ScriptLimits::default());
    conditions(&engine);
    invocations(&engine);
}
