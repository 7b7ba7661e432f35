//! The on-disk cache of compiled components.
//!
//! Compiling a plugin with cranelift takes tens to hundreds of milliseconds; loading the compiled
//! artifact takes well under one. Artifacts are keyed by the SHA-256 of the component bytes and by
//! the engine's compatibility hash (wasmtime version, target, compiler settings), so a new
//! wasmtime or a changed engine config simply misses instead of loading incompatible code.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Whether a load used the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheStatus {
    /// The compiled artifact was on disk.
    Hit,
    /// The component was compiled (and written to the cache).
    Miss,
    /// No cache directory is configured.
    Disabled,
}

/// Hit and miss counters, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Loads served from disk.
    pub hits: u64,
    /// Loads that compiled.
    pub misses: u64,
}

/// A directory of compiled components.
#[derive(Debug)]
pub(crate) struct DiskCache {
    dir: PathBuf,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl DiskCache {
    /// A cache in `dir` (created on first write).
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The compiled component for `bytes`: from disk if present and loadable, else compiled and
    /// written. A failure to write is not an error (the next load compiles again).
    pub(crate) fn load(
        &self,
        engine: &Engine,
        bytes: &[u8],
        sha256: &str,
    ) -> wasmtime::Result<Component> {
        let path = self.path_for(engine, sha256);
        if path.exists() {
            // SAFETY: `deserialize_file` trusts the file to be wasmtime's own output. The only
            // files in this directory are written below, by this code, from components this
            // engine compiled, and the file name carries the engine's compatibility hash. Anyone
            // able to replace them could already replace the host binary. A file that fails
            // wasmtime's own header and version checks is recompiled, not trusted.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(component);
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "discarding unusable cached component")
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        self.misses.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = component
            .serialize()
            .map_err(std::io::Error::other)
            .and_then(|art| write_atomically(&path, &art))
        {
            tracing::warn!(path = %path.display(), error = %e, "could not cache compiled component");
        }
        Ok(component)
    }

    fn path_for(&self, engine: &Engine, sha256: &str) -> PathBuf {
        // `DefaultHasher::new()` uses fixed keys, so the value is stable for a given build; a
        // different Rust release may hash differently, which only costs a recompile.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        self.dir
            .join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
    }
}

/// The hex SHA-256 of a component: its identity in the cache and in the plugin registry.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes to a temporary file beside `path`, then renames, so a concurrent reader never sees a
/// half-written artifact.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("cache path has no parent"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.{}.tmp", std::process::id(), unique_suffix()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn unique_suffix() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
