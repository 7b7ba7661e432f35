//! The wasm sandbox: wasmtime components implementing the `worklink:plugin` contract.
//!
//! # Layout
//!
//! - `engine`, `ticker`: the one engine (epoch interruption, pooling allocator) and the thread
//!   that advances its epoch.
//! - `cache`: compiled components on disk, keyed by content hash and engine compatibility.
//! - `inspect`, [`LoadError`]: refusing what is not a usable plugin before it runs.
//! - `since_v0_1`, `bindings`: generated bindings per contract version and the dispatch over
//!   them.
//! - `state`, `capture`: what a store holds: the invocation host, an empty WASI context with
//!   stdout/stderr captured into the log, and memory accounting.
//! - `trap`: turning a failed call into a specific outcome.
//! - [`WasmHost`], [`Plugin`]: load once, invoke many times.

mod bindings;
mod cache;
mod capture;
mod engine;
mod error;
mod host;
mod inspect;
mod plugin;
mod since_v0_1;
mod state;
mod ticker;
mod trap;

pub use cache::{CacheStats, CacheStatus};
pub use engine::WasmConfig;
pub use error::LoadError;
pub use host::{HostError, Invocation, WasmHost};
pub use plugin::{Plugin, PluginSummary};
