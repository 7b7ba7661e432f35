//! The Worklink sandbox: everything a business handler can touch, and nothing else.
//!
//! # Layout
//!
//! - [`types`]: Rust mirrors of the WIT records in `wit/worklink.wit` (events, messages,
//!   directory, attendance, approvals, ERP documents).
//! - [`capability`]: one module per WIT interface: its backend trait for live reads, the
//!   validation of its staged writes, the grant check, and in-memory backends.
//! - [`invocation`]: the per-invocation host object both sandboxes call, limits, the bounded log,
//!   staged effects and the result.
//! - [`schema`]: validating a rule's config against the handler's JSON Schema.
//! - [`wasm`]: the wasmtime component host.
//! - [`script`]: the Rhai script tier: one hardened engine, cached ASTs, `when` conditions, and
//!   handler scripts calling the same capabilities as plugins.
//!
//! The runtime knows nothing of HTTP, SQL or a specific provider: the server adapts its provider
//! clients to the capability traits.

pub mod capability;
pub mod invocation;
pub mod schema;
pub mod script;
pub mod types;
pub mod wasm;
