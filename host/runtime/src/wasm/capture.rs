//! Guest stdout and stderr, captured line by line into the invocation log.
//!
//! WASI output streams are wired to these instead of the host's own stdio. Every write is
//! accepted (a guest whose `println!` failed would panic), split into lines and appended to the
//! bounded [`LogBuffer`]; what does not fit is counted as dropped. A partial line is held until
//! its newline, the end of the invocation, or [`MAX_LINE`] bytes, so host memory stays bounded.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

use crate::invocation::{LogBuffer, LogSource};
use crate::types::LogLevel;

/// Longest line kept whole; longer output is cut into lines of this size.
pub(crate) const MAX_LINE: usize = 8 * 1024;

/// Bytes a guest may write per `check-write` permit.
const PERMIT: usize = 64 * 1024;

/// One captured stream (stdout or stderr).
#[derive(Clone)]
pub(crate) struct Capture {
    logs: LogBuffer,
    source: LogSource,
    level: LogLevel,
    partial: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    /// Captures guest stdout as info lines.
    pub(crate) fn stdout(logs: LogBuffer) -> Self {
        Self::new(logs, LogSource::Stdout, LogLevel::Info)
    }

    /// Captures guest stderr as warning lines.
    pub(crate) fn stderr(logs: LogBuffer) -> Self {
        Self::new(logs, LogSource::Stderr, LogLevel::Warn)
    }

    fn new(logs: LogBuffer, source: LogSource, level: LogLevel) -> Self {
        Self {
            logs,
            source,
            level,
            partial: Arc::default(),
        }
    }

    fn write_bytes(&self, mut bytes: &[u8]) {
        let mut partial = self.partial.lock().unwrap_or_else(|p| p.into_inner());
        while !bytes.is_empty() {
            let room = MAX_LINE - partial.len();
            let newline = bytes.iter().take(room).position(|&b| b == b'\n');
            let take = newline.map_or(room.min(bytes.len()), |i| i + 1);
            partial.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if newline.is_some() || partial.len() >= MAX_LINE {
                self.emit(&mut partial);
            }
        }
    }

    /// Emits a held partial line; called when the invocation ends.
    pub(crate) fn flush_partial(&self) {
        let mut partial = self.partial.lock().unwrap_or_else(|p| p.into_inner());
        if !partial.is_empty() {
            self.emit(&mut partial);
        }
    }

    fn emit(&self, partial: &mut Vec<u8>) {
        let line = String::from_utf8_lossy(partial);
        self.logs
            .push(self.level, self.source, line.trim_end_matches(['\n', '\r']));
        partial.clear();
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[async_trait::async_trait]
impl Pollable for Capture {
    async fn ready(&mut self) {}
}

impl OutputStream for Capture {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_bytes(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(PERMIT)
    }
}

impl tokio::io::AsyncWrite for Capture {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.write_bytes(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(logs: &LogBuffer) -> Vec<String> {
        logs.snapshot().0.into_iter().map(|l| l.message).collect()
    }

    #[test]
    fn splits_lines_across_writes() {
        let logs = LogBuffer::new(1 << 20);
        let out = Capture::stdout(logs.clone());
        out.write_bytes(b"hel");
        out.write_bytes(b"lo\nwor");
        out.write_bytes(b"ld\n\ntail");
        assert_eq!(messages(&logs), ["hello", "world", ""]);
        out.flush_partial();
        assert_eq!(messages(&logs).last().map(String::as_str), Some("tail"));
    }

    #[test]
    fn cuts_endless_lines() {
        let logs = LogBuffer::new(1 << 20);
        let err = Capture::stderr(logs.clone());
        err.write_bytes(&vec![b'x'; MAX_LINE * 2 + 1]);
        let lines = logs.snapshot().0;
        assert_eq!(lines.len(), 2);
        assert!(
            lines
                .iter()
                .all(|l| l.message.len() == MAX_LINE && l.source == LogSource::Stderr)
        );
    }
}
