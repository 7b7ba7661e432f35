//! Scripts that try to escape their limits: each ends with its own specific error, and the
//! shared engine runs an ordinary script correctly afterwards.

use std::time::Duration;

use super::{assert_still_healthy, engine, run, tight};
use crate::capability::Capability;
use crate::invocation::{Limits, LogSource, Outcome, TrapKind};
use crate::script::{ScriptEngine, ScriptError, ScriptLimits};

#[tokio::test]
async fn an_endless_loop_hits_the_cpu_limit_and_logs_where() {
    let engine = engine();
    let source = "fn handle(event, config) {\n    let n = 0;\n    loop { n += 1; }\n}";
    let result = run(&engine, "rules/spin.rhai", source, &[], tight()).await;
    assert_eq!(result.outcome, Outcome::CpuLimit { limit_ms: 20 });
    assert!(result.usage.cpu_ticks >= 20_000, "{:?}", result.usage);
    let logged = result
        .logs
        .iter()
        .find(|l| l.source == LogSource::Host && l.message.starts_with("rules/spin.rhai"));
    assert!(
        logged.is_some_and(|l| l.message.contains("operation limit of 20000")),
        "{:?}",
        result.logs
    );
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_loop_with_no_operation_budget_is_stopped_by_the_deadline() {
    // Operations unlimited, so only the wall clock can end this loop.
    let engine = ScriptEngine::new(ScriptLimits {
        max_operations: u64::MAX,
        operations_per_cpu_ms: u64::MAX,
        ..ScriptLimits::default()
    });
    let limits = Limits::builder()
        .wall_clock(Duration::from_millis(30))
        .build();
    let result = run(
        &engine,
        "spin.rhai",
        "fn handle(event, config) { loop { } }",
        &[],
        limits,
    )
    .await;
    assert_eq!(result.outcome, Outcome::Timeout { limit_ms: 30 });
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_doubling_string_hits_the_size_limit() {
    let engine = engine();
    let source = r#"fn handle(event, config) { let s = "0123456789"; loop { s += s; } }"#;
    let result = run(&engine, "bomb.rhai", source, &[], tight()).await;
    let limit = ScriptLimits::default().max_string_size as u64;
    assert_eq!(result.outcome, Outcome::MemoryLimit { limit_bytes: limit });
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_growing_array_hits_the_size_limit() {
    let engine = engine();
    let source = "fn handle(event, config) { let a = []; loop { a.push(1); } }";
    let result = run(&engine, "array.rhai", source, &[], Limits::default()).await;
    let Outcome::Trap {
        kind: TrapKind::Other,
        message,
    } = &result.outcome
    else {
        panic!("{:?}", result.outcome)
    };
    assert!(
        message.starts_with("array.rhai") && message.contains("Size of array"),
        "{message}"
    );
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn unbounded_recursion_hits_the_call_depth_limit() {
    let engine = engine();
    let source = "fn down(n) { down(n + 1) }\nfn handle(event, config) { down(0) }";
    let result = run(&engine, "deep.rhai", source, &[], Limits::default()).await;
    let Outcome::Trap {
        kind: TrapKind::StackOverflow,
        message,
    } = &result.outcome
    else {
        panic!("{:?}", result.outcome)
    };
    assert!(
        message.starts_with("deep.rhai") && message.contains("call depth limit of 32"),
        "{message}"
    );
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_limit_hit_inside_a_caught_call_still_ends_the_run() {
    let engine = engine();
    let source =
        "fn spin() { loop { } }\nfn handle(event, config) { loop { try { spin(); } catch { } } }";
    let result = run(&engine, "sly.rhai", source, &[], tight()).await;
    assert_eq!(result.outcome, Outcome::CpuLimit { limit_ms: 20 });
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn eval_is_refused_at_compile_time_with_its_position() {
    let engine = engine();
    let err = engine
        .compile(
            "rules/e.rhai",
            "fn handle(event, config) {\n  eval(\"1 + 1\")\n}",
        )
        .unwrap_err();
    assert!(matches!(err, ScriptError::Syntax { .. }), "{err}");
    assert_eq!(
        (err.location().line, err.location().column),
        (Some(2), Some(3)),
        "{err}"
    );
    assert!(err.to_string().contains("eval"), "{err}");
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn eval_cannot_be_reached_through_a_function_pointer() {
    let engine = engine();
    let source = r#"fn handle(event, config) { let f = Fn("ev" + "al"); f.call("40 + 2") }"#;
    let result = run(&engine, "ptr.rhai", source, &[], Limits::default()).await;
    assert!(!result.outcome.is_ok(), "{:?}", result.outcome);
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn import_is_refused_at_compile_time() {
    let engine = engine();
    let err = engine
        .compile(
            "i.rhai",
            "import \"/etc/passwd\" as secrets;\nfn handle(event, config) { 1 }",
        )
        .unwrap_err();
    assert!(matches!(err, ScriptError::Syntax { .. }), "{err}");
    assert_eq!(err.location().line, Some(1), "{err}");
    assert!(err.to_string().contains("import"), "{err}");
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_throw_after_a_staged_send_stages_nothing() {
    let engine = engine();
    let source = r#"
fn handle(event, config) {
    let id = messaging::send(#{ users: ["zhangsan"] }, #{ type: "text", content: "hi" });
    log::info(`staged ${id}`);
    throw "changed my mind";
}"#;
    let result = run(
        &engine,
        "oops.rhai",
        source,
        &[Capability::Messaging, Capability::Log],
        tight(),
    )
    .await;
    let Outcome::HandlerError(error) = &result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(error.code, "script-error");
    assert_eq!(error.message, "oops.rhai:5:5: changed my mind");
    assert!(result.effects.is_empty(), "{:?}", result.effects);
    assert!(
        result.logs.iter().any(|l| l.message == "staged inv/1"),
        "{:?}",
        result.logs
    );
    assert_still_healthy(&engine).await;
}

#[tokio::test]
async fn a_huge_output_is_refused() {
    let engine = engine();
    let source = r#"fn handle(event, config) { let s = "x"; s.pad(100, "x"); s }"#;
    let limits = Limits::builder().output_bytes(50).build();
    let result = run(&engine, "big.rhai", source, &[], limits).await;
    assert_eq!(
        result.outcome,
        Outcome::OutputTooLarge {
            limit_bytes: 50,
            size_bytes: 102
        }
    );
}

#[tokio::test]
async fn printing_in_a_loop_is_bounded_by_the_log_budget() {
    let engine = engine();
    let source = r#"fn handle(event, config) { for i in 0..1000 { print(`line ${i}`); } "done" }"#;
    let limits = Limits::builder().log_bytes(64).build();
    let result = run(&engine, "chatty.rhai", source, &[], limits).await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: "done".into()
        }
    );
    let kept: usize = result.logs.iter().map(|l| l.message.len()).sum();
    assert!(kept <= 64, "{:?}", result.logs);
    assert!(result.logs_dropped > 900, "{}", result.logs_dropped);
    assert!(result.logs.iter().all(|l| l.source == LogSource::Stdout));
}
