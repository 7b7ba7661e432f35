//! The hostile plugins: each must end its own invocation with a specific outcome, and the same
//! host must then run a well-behaved plugin normally.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{LOG, assert_hello_still_works, run_once};
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::{Limits, LogSource, Outcome, TrapKind};

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

#[tokio::test]
async fn an_infinite_loop_hits_the_cpu_limit() {
    let limits = Limits::builder()
        .cpu_time(millis(100))
        .wall_clock(millis(30_000))
        .build();
    let (host, result) = run_once("hostile-spin-loop", json!({}), LOG, limits).await;
    assert_eq!(result.outcome, Outcome::CpuLimit { limit_ms: 100 });
    assert!(result.usage.cpu_ticks >= 1, "{:?}", result.usage);
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn the_wall_clock_timeout_covers_the_whole_call() {
    let limits = Limits::builder()
        .cpu_time(millis(60_000))
        .wall_clock(millis(100))
        .build();
    let (host, result) = run_once("hostile-spin-loop", json!({}), LOG, limits).await;
    assert_eq!(result.outcome, Outcome::Timeout { limit_ms: 100 });
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn a_memory_bomb_hits_the_memory_limit() {
    let limits = Limits::builder().memory_bytes(16 << 20).build();
    let (host, result) = run_once("hostile-memory-bomb", json!({}), LOG, limits).await;
    assert_eq!(
        result.outcome,
        Outcome::MemoryLimit {
            limit_bytes: 16 << 20
        }
    );
    let peak = result.usage.peak_memory_bytes;
    assert!(peak > 8 << 20 && peak <= 16 << 20, "peak {peak}");
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn deep_recursion_is_a_stack_overflow_trap() {
    let (host, result) =
        run_once("hostile-deep-recursion", json!({}), LOG, Limits::default()).await;
    let Outcome::Trap { kind, .. } = &result.outcome else {
        panic!("expected a trap, got {:?}", result.outcome);
    };
    assert_eq!(*kind, TrapKind::StackOverflow);
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn a_panic_is_a_trap_carrying_the_panic_message() {
    let (host, result) = run_once("hostile-panic", json!({}), LOG, Limits::default()).await;
    let Outcome::Trap {
        kind: TrapKind::Panic,
        message,
    } = &result.outcome
    else {
        panic!("expected a panic trap, got {:?}", result.outcome);
    };
    assert!(
        message.contains("deliberate panic while handling event ev-7"),
        "{message}"
    );
    // Built without std, the plugin reports its panic through its own log line, with the
    // location, and nothing on stderr.
    assert!(
        result.logs.iter().any(|l| l.source == LogSource::Handler
            && l.message.starts_with("panic: panicked at ")),
        "{:?}",
        result.logs
    );
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn a_giant_log_is_truncated_and_the_run_still_succeeds() {
    let limits = Limits::builder().log_bytes(4096).build();
    let (host, result) =
        run_once("hostile-giant-log", json!({"bytes": 1 << 20}), LOG, limits).await;
    let expected = json!({"lines": 1024, "bytes": 1 << 20});
    assert_eq!(result.outcome, Outcome::Ok { output: expected });
    let kept: usize = result.logs.iter().map(|l| l.message.len()).sum();
    assert!(kept <= 4096, "kept {kept} bytes of log");
    assert!(
        result.logs_dropped >= 1000,
        "dropped {}",
        result.logs_dropped
    );
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn a_giant_output_is_refused_and_its_effects_dropped() {
    let limits = Limits::builder().output_bytes(1024).build();
    let config = json!({"bytes": 1 << 20, "to": "lisi"});
    let (host, result) = run_once(
        "hostile-giant-output",
        config,
        &[Capability::Messaging],
        limits,
    )
    .await;
    let size_bytes = (1 << 20) + 2; // the JSON string's quotes
    assert_eq!(
        result.outcome,
        Outcome::OutputTooLarge {
            limit_bytes: 1024,
            size_bytes
        }
    );
    assert!(result.effects.is_empty());
    assert_hello_still_works(&host).await;
}

#[tokio::test]
async fn ungranted_capabilities_are_denied_to_the_guest() {
    let grants = [Capability::Log, Capability::Messaging];
    let (_, result) = run_once(
        "hostile-ungranted-call",
        json!({}),
        &grants,
        Limits::default(),
    )
    .await;
    let Outcome::Ok { output } = &result.outcome else {
        panic!(
            "the plugin reports denials and succeeds, got {:?}",
            result.outcome
        );
    };
    let answer = |call: &str| output[call].as_str().unwrap_or_default().to_string();
    // Granted by the rule but never requested by the plugin, or neither.
    assert!(answer("messaging.send").starts_with("denied:"), "{output}");
    assert!(
        answer("messaging.send").contains("not requested"),
        "{output}"
    );
    assert!(
        answer("contacts.get-user").contains("not requested"),
        "{output}"
    );
    // Requested by the plugin but not granted by the rule.
    assert!(answer("kv.get").contains("not granted"), "{output}");
    assert!(answer("erp.post").contains("not granted"), "{output}");
    assert!(result.effects.is_empty());
}

#[tokio::test]
async fn wasi_files_env_and_sockets_fail_inside_the_guest() {
    let (_, result) = run_once("hostile-wasi-escape", json!({}), LOG, Limits::default()).await;
    let Outcome::Ok { output } = &result.outcome else {
        panic!(
            "the plugin reports each attempt and succeeds, got {:?}",
            result.outcome
        );
    };
    for attempt in ["file", "dir", "socket"] {
        let answer = output[attempt].as_str().unwrap_or_default();
        assert!(answer.starts_with("error:"), "{attempt}: {output}");
    }
    assert_eq!(output["env"]["vars"], 0, "{output}");
    assert!(
        output["env"]["var"]
            .as_str()
            .unwrap_or_default()
            .starts_with("error:"),
        "{output}"
    );
}

#[tokio::test]
async fn a_trap_after_a_staged_send_yields_no_effects() {
    let grants = [Capability::Messaging, Capability::Log];
    let config = json!({"to": "lisi"});
    let (host, result) = run_once(
        "hostile-trap-after-send",
        config,
        &grants,
        Limits::default(),
    )
    .await;
    let Outcome::Trap { kind, .. } = &result.outcome else {
        panic!("expected a trap, got {:?}", result.outcome);
    };
    assert_eq!(*kind, TrapKind::Panic);
    assert!(result.effects.is_empty());
    assert!(
        result
            .logs
            .iter()
            .any(|l| l.message.contains("now trapping")),
        "{:?}",
        result.logs
    );
    assert_eq!(
        result.usage.host_calls, 2,
        "the send and the log line were made"
    );
    assert_hello_still_works(&host).await;
}
