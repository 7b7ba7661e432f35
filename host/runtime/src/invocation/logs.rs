//! The bounded execution log of one invocation.
//!
//! Handler log calls and captured guest stdout/stderr share one byte budget, so a handler that
//! logs in a loop costs the host at most `log_bytes`. Cloning shares the buffer: the wasm host
//! hands a clone to the stdout/stderr capture streams.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::types::LogLevel;

/// Where a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogSource {
    /// The handler's `log` capability.
    Handler,
    /// The guest's standard output.
    Stdout,
    /// The guest's standard error (panic messages land here).
    Stderr,
    /// The host, about the invocation (limits hit, lines dropped).
    Host,
}

/// One line of the execution log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Severity.
    pub level: LogLevel,
    /// Origin.
    pub source: LogSource,
    /// Text (cut at the budget when it was the line that exhausted it).
    pub message: String,
}

#[derive(Debug, Default)]
struct Inner {
    lines: Vec<LogLine>,
    used: u64,
    dropped: u64,
}

/// A log with a byte budget; cheap to clone (clones share the lines).
#[derive(Debug, Clone)]
pub struct LogBuffer {
    inner: Arc<Mutex<Inner>>,
    limit: u64,
}

impl LogBuffer {
    /// An empty log holding at most `limit` bytes of messages.
    pub fn new(limit: u64) -> Self {
        Self {
            inner: Arc::default(),
            limit,
        }
    }

    /// Appends a line, cutting it at the budget; once the budget is spent, lines are counted as
    /// dropped instead.
    pub fn push(&self, level: LogLevel, source: LogSource, message: &str) {
        let mut inner = self.lock();
        let room = self.limit.saturating_sub(inner.used);
        if room == 0 {
            inner.dropped += 1;
            return;
        }
        let message = truncate_to(message, usize::try_from(room).unwrap_or(usize::MAX));
        inner.used += message.len() as u64;
        inner.lines.push(LogLine {
            level,
            source,
            message: message.to_string(),
        });
    }

    /// Lines kept so far and how many were dropped for lack of room.
    pub fn snapshot(&self) -> (Vec<LogLine>, u64) {
        let inner = self.lock();
        (inner.lines.clone(), inner.dropped)
    }

    /// The last stderr line, where a Rust guest's panic message lands.
    pub fn last_stderr(&self) -> Option<String> {
        self.lock()
            .lines
            .iter()
            .rev()
            .find(|l| l.source == LogSource::Stderr)
            .map(|l| l.message.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Appending cannot leave the buffer inconsistent, so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The longest prefix of `s` that fits in `max` bytes without splitting a character.
fn truncate_to(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_within_budget_and_counts_the_rest() {
        let log = LogBuffer::new(10);
        log.push(LogLevel::Info, LogSource::Handler, "12345");
        log.push(LogLevel::Info, LogSource::Handler, "6789012");
        log.push(LogLevel::Info, LogSource::Handler, "dropped");
        let (lines, dropped) = log.snapshot();
        assert_eq!(
            lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
            ["12345", "67890"]
        );
        assert_eq!(dropped, 1);
    }

    #[test]
    fn never_splits_a_character() {
        let log = LogBuffer::new(4);
        log.push(LogLevel::Info, LogSource::Stdout, "好好");
        assert_eq!(log.snapshot().0[0].message, "好");
    }

    #[test]
    fn finds_the_last_stderr_line() {
        let log = LogBuffer::new(100);
        log.push(LogLevel::Warn, LogSource::Stderr, "first");
        log.push(LogLevel::Info, LogSource::Stdout, "out");
        log.push(LogLevel::Warn, LogSource::Stderr, "panicked at boom");
        assert_eq!(log.last_stderr().as_deref(), Some("panicked at boom"));
    }
}
