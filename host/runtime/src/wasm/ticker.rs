//! The background thread that advances the engine's epoch.
//!
//! Epoch interruption is how a guest that never calls the host is stopped: compiled code checks
//! the epoch at function entries and loop back-edges, which costs far less than fuel metering.
//! The ticker also counts ticks, so an invocation can report how many it spanned.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::Engine;

/// Advances the engine epoch every `interval` until dropped.
#[derive(Debug)]
pub(crate) struct EpochTicker {
    ticks: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts the thread.
    pub(crate) fn start(engine: Engine, interval: Duration) -> std::io::Result<Self> {
        let ticks = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("worklink-epoch".into())
            .spawn({
                let ticks = ticks.clone();
                let stop = stop.clone();
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(interval);
                        engine.increment_epoch();
                        ticks.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })?;
        Ok(Self {
            ticks,
            stop,
            thread: Some(thread),
        })
    }

    /// Ticks so far.
    pub(crate) fn now(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // The thread exits within one interval; joining keeps it from outliving the engine's
            // owner in tests that create many hosts.
            let _ = thread.join();
        }
    }
}
