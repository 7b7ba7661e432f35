//! Turning a failed guest call into a specific [`Outcome`].

use wasmtime::Trap;

use super::state::StoreState;
use crate::invocation::{LogSource, Outcome, TrapKind};

/// Raised by the epoch callback when the guest has used up its CPU time; a distinct type so the
/// classification below never confuses it with another trap.
#[derive(Debug, thiserror::Error)]
#[error("CPU time limit exceeded")]
pub(crate) struct CpuLimitExceeded;

/// Classifies the error of a guest call, using what the store observed (a refused memory
/// growth, the panic message on stderr).
pub(crate) fn classify(error: &wasmtime::Error, state: &StoreState) -> Outcome {
    let limits = state.host.limits();
    if error.downcast_ref::<CpuLimitExceeded>().is_some() {
        return Outcome::CpuLimit {
            limit_ms: limits.cpu_time_ms,
        };
    }
    if state.limiter.refused {
        // The allocator's failure shows up as an abort (`unreachable`) or an out-of-bounds
        // access; either way the cause is the refused growth.
        return Outcome::MemoryLimit {
            limit_bytes: limits.memory_bytes,
        };
    }
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Outcome::Trap {
            kind: TrapKind::Other,
            message: format!("the plugin called exit({})", exit.0),
        };
    }
    let Some(trap) = error.downcast_ref::<Trap>() else {
        return Outcome::HostError {
            message: format!("{error:#}"),
        };
    };
    let (kind, message) = match trap {
        Trap::Interrupt | Trap::OutOfFuel => {
            return Outcome::CpuLimit {
                limit_ms: limits.cpu_time_ms,
            };
        }
        Trap::StackOverflow => (
            TrapKind::StackOverflow,
            "call stack exhausted (unbounded recursion?)".to_string(),
        ),
        Trap::UnreachableCodeReached => match panic_message(state) {
            Some(message) => (TrapKind::Panic, message),
            None => (
                TrapKind::Panic,
                "wasm `unreachable` executed (a panic or abort in the plugin)".to_string(),
            ),
        },
        Trap::MemoryOutOfBounds
        | Trap::HeapMisaligned
        | Trap::TableOutOfBounds
        | Trap::IndirectCallToNull => (TrapKind::OutOfBounds, trap.to_string()),
        Trap::IntegerOverflow | Trap::IntegerDivisionByZero | Trap::BadConversionToInteger => {
            (TrapKind::Arithmetic, trap.to_string())
        }
        other => (TrapKind::Other, other.to_string()),
    };
    Outcome::Trap { kind, message }
}

/// The panic message a Rust guest printed: std's hook writes `... panicked at <file:line>:` and
/// then the message on the following stderr lines; the SDK's hook also logs `panic: <message>`.
fn panic_message(state: &StoreState) -> Option<String> {
    let (lines, _) = state.host.logs().snapshot();
    let stderr: Vec<&str> = lines
        .iter()
        .filter(|l| l.source == LogSource::Stderr)
        .map(|l| l.message.as_str())
        .collect();
    if let Some(start) = stderr.iter().rposition(|l| l.contains("panicked at")) {
        let message: Vec<&str> = stderr[start + 1..]
            .iter()
            .take_while(|l| !l.starts_with("note:"))
            .copied()
            .collect();
        if !message.is_empty() {
            return Some(message.join("\n"));
        }
    }
    lines
        .iter()
        .rev()
        .filter(|l| l.source == LogSource::Handler)
        .find_map(|l| l.message.strip_prefix("panic: ").map(str::to_string))
}
