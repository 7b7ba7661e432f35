//! Write Worklink plugins in Rust.
//!
//! A plugin is a WebAssembly component implementing the `rule` (or `matcher`) world of
//! `wit/worklink.wit`. This crate gives plugin authors:
//!
//! - the capability calls as plain functions ([`messaging::send`], [`contacts::resolve_binding`],
//!   [`kv::get`], [`log::info`], ...), which call the host's imports on wasm32 and the in-memory
//!   [`testing`] host natively, so the same plugin code runs under `cargo test`;
//! - typed event payloads ([`payload`]) and [`types::Event::payload_as`], whose errors name the
//!   event kind and what was wrong;
//! - the [`Rule`] and [`Matcher`] traits and the [`export_rule!`] / [`export_matcher!`] macros that
//!   turn a type implementing them into the component's exports.
//!
//! ```
//! struct Hello;
//!
//! impl worklink_sdk::Rule for Hello {
//!     fn describe() -> worklink_sdk::types::PluginInfo {
//!         worklink_sdk::types::PluginInfo::new("hello", env!("CARGO_PKG_VERSION"))
//!             .handles(["demo.*"])
//!             .capabilities([worklink_sdk::types::Capability::Log])
//!     }
//!
//!     fn handle(event: worklink_sdk::types::Event, _config: worklink_sdk::Config)
//!         -> Result<worklink_sdk::types::Outcome, worklink_sdk::types::HandlerError>
//!     {
//!         worklink_sdk::log::info(&format!("hello from {}", event.kind));
//!         Ok(worklink_sdk::types::Outcome::json(&serde_json::json!({ "greeting": "hello" })))
//!     }
//! }
//!
//! worklink_sdk::export_rule!(Hello);
//!
//! // Natively, the same code runs against the in-memory test host:
//! use worklink_sdk::testing::TestHost;
//! use worklink_sdk::types::{Capability, Event};
//!
//! let run = TestHost::new()
//!     .grant([Capability::Log])
//!     .run::<Hello>(&Event::new("demo.ping", &serde_json::json!({})), "{}");
//! assert_eq!(run.output()["greeting"], "hello");
//! ```

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod bindings;

pub mod approvals;
pub mod attendance;
mod config;
pub mod contacts;
pub mod erp;
mod event;
#[cfg(target_arch = "wasm32")]
mod guest;
mod info;
pub mod kv;
pub mod log;
pub mod matcher;
pub mod messaging;
mod outcome;
pub mod payload;
pub mod prelude;
mod route;
mod rule;
// Used by the wasm32 allocator only; built everywhere so its bookkeeping is tested natively.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod small_blocks;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
pub mod types;

pub use config::Config;
pub use event::{EventPayload, PayloadError, kind_matches};
pub use matcher::Matcher;
pub use rule::Rule;
pub use worklink_sdk_macro::{export_matcher, export_rule};

/// What the export macros expand to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(target_arch = "wasm32")]
    pub use crate::guest::{Allocator, cabi_realloc, panic};
    pub use crate::matcher::{describe_matcher, match_employees};
    pub use crate::rule::{describe_rule, handle};
    pub use wit_bindgen;
}
