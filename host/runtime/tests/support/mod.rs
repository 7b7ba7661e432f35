//! Helpers for the runtime's integration tests: the real compiled plugins (built by
//! `make plugins`), a host, and one-call invocation.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use worklink_runtime::capability::memory::{MemoryBackend, MemorySeed};
use worklink_runtime::capability::{Backends, Capability};
use worklink_runtime::invocation::{InvocationResult, Limits, Outcome};
use worklink_runtime::types::Event;
use worklink_runtime::wasm::{Invocation, Plugin, WasmConfig, WasmHost};

/// Path of a compiled plugin, e.g. `hello` or `hostile-panic`.
pub fn plugin_path(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    assert!(
        path.exists(),
        "{} does not exist: run `make plugins` first",
        path.display()
    );
    path
}

/// A compiled plugin's bytes.
pub fn plugin_bytes(name: &str) -> Vec<u8> {
    std::fs::read(plugin_path(name)).expect("read plugin")
}

/// A small host without a disk cache.
pub fn host() -> WasmHost {
    WasmHost::new(WasmConfig {
        max_concurrent: 4,
        ..WasmConfig::default()
    })
    .expect("wasm host")
}

/// Loads a plugin by name.
pub async fn load(host: &WasmHost, name: &str) -> Plugin {
    host.load(&plugin_bytes(name))
        .await
        .unwrap_or_else(|e| panic!("load {name}: {e}"))
}

/// An event of `kind` with `payload`.
pub fn event(kind: &str, payload: Value) -> Event {
    Event {
        id: "ev-7".into(),
        kind: kind.into(),
        source: "test".into(),
        occurred_at: 1_700_000_000_000,
        payload,
    }
}

/// Invokes `plugin` on a `demo.ping` event against the demo directory.
pub async fn run(
    host: &WasmHost,
    plugin: &Plugin,
    config: Value,
    granted: &[Capability],
    limits: Limits,
) -> InvocationResult {
    run_event(
        host,
        plugin,
        event("demo.ping", json!({})),
        config,
        granted,
        limits,
    )
    .await
}

/// Invokes `plugin` on `event` against the demo directory.
pub async fn run_event(
    host: &WasmHost,
    plugin: &Plugin,
    event: Event,
    config: Value,
    granted: &[Capability],
    limits: Limits,
) -> InvocationResult {
    let invocation = Invocation {
        id: "inv".into(),
        event,
        config,
        granted: granted.to_vec(),
        backends: Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo()))),
        limits,
    };
    host.invoke(plugin, invocation).await
}

/// Only the `log` capability.
pub const LOG: &[Capability] = &[Capability::Log];

/// Loads `name` on a fresh host and runs it once on a `demo.ping` event; the host is returned so
/// a test can check it still serves other plugins.
pub async fn run_once(
    name: &str,
    config: Value,
    granted: &[Capability],
    limits: Limits,
) -> (WasmHost, InvocationResult) {
    let host = host();
    let plugin = load(&host, name).await;
    let result = run(&host, &plugin, config, granted, limits).await;
    (host, result)
}

/// Proves the host still serves a well-behaved plugin after whatever came before.
pub async fn assert_hello_still_works(host: &WasmHost) {
    let hello = load(host, "hello").await;
    let result = run(host, &hello, json!({}), LOG, Limits::default()).await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"greeting": "hello, demo.ping"})
        }
    );
}
