//! Loading: invalid components are refused with what is missing; compiled components are cached
//! on disk.

mod support;

use support::plugin_bytes;
use worklink_runtime::wasm::{CacheStatus, LoadError, WasmConfig, WasmHost};

fn host_with_cache(dir: &std::path::Path) -> WasmHost {
    WasmHost::new(WasmConfig {
        max_concurrent: 2,
        cache_dir: Some(dir.to_path_buf()),
        ..WasmConfig::default()
    })
    .expect("wasm host")
}

#[tokio::test]
async fn refuses_bytes_that_are_not_wasm() {
    let err = support::host()
        .load(b"#!/bin/sh\necho hi\n")
        .await
        .unwrap_err();
    assert!(matches!(err, LoadError::NotWasm), "{err}");
}

#[tokio::test]
async fn refuses_a_core_module() {
    // The smallest valid core module: the preamble and no sections.
    let err = support::host().load(b"\0asm\x01\0\0\0").await.unwrap_err();
    assert!(matches!(err, LoadError::CoreModule), "{err}");
    assert!(err.to_string().contains("wasm32-wasip2"), "{err}");
}

#[tokio::test]
async fn refuses_a_component_without_the_handler_export() {
    // The smallest valid component: the preamble and no sections.
    let err = support::host()
        .load(b"\0asm\x0d\0\x01\0")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "component does not export `worklink:plugin/handler@0.1.0`"
    );
}

#[tokio::test]
async fn refuses_a_component_of_another_world_and_says_what_it_exports() {
    let err = support::host()
        .load(&plugin_bytes("match-by-mobile"))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("component does not export `worklink:plugin/handler@0.1.0`"),
        "{message}"
    );
    assert!(
        message.contains("worklink:plugin/matching@0.1.0"),
        "{message}"
    );
}

#[tokio::test]
async fn refuses_a_truncated_component() {
    let bytes = plugin_bytes("hello");
    let err = support::host()
        .load(&bytes[..bytes.len() / 2])
        .await
        .unwrap_err();
    assert!(matches!(err, LoadError::Compile(_)), "{err}");
}

#[tokio::test]
async fn a_second_load_hits_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("hello");
    let first = host_with_cache(dir.path());
    assert_eq!(
        first.load(&bytes).await.unwrap().cache_status(),
        CacheStatus::Miss
    );
    drop(first);
    // A new host (a restarted process) finds the artifact the first one wrote.
    let second = host_with_cache(dir.path());
    let plugin = second.load(&bytes).await.unwrap();
    assert_eq!(plugin.cache_status(), CacheStatus::Hit);
    assert_eq!(second.cache_stats().hits, 1);
    assert_eq!(second.cache_stats().misses, 0);
    assert_eq!(plugin.info().name, "hello");
}

#[tokio::test]
async fn a_corrupt_cache_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = plugin_bytes("hello");
    host_with_cache(dir.path()).load(&bytes).await.unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not a compiled component").unwrap();
    }
    let host = host_with_cache(dir.path());
    let plugin = host.load(&bytes).await.unwrap();
    assert_eq!(plugin.cache_status(), CacheStatus::Miss);
    support::assert_hello_still_works(&host).await;
}
