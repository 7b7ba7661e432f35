//! Rules: manifests in the rules directory, published as immutable versions.
//!
//! A rule says which events it reacts to (`on`, optionally `when`), what runs (a plugin or a Rhai
//! script), with which config, capabilities, limits and retry policy. [`reload`] publishes the
//! directory; each change becomes a new version and executions record the version they ran.
//! Admins enable rules and approve their grants in the database ([`crate::storage::rules`]):
//! nothing runs until enabled, and a handler may use only the capabilities its manifest requests
//! and an admin approved.
//!
//! - [`manifest`]: the TOML format and its checks.
//! - [`pattern`]: `on` patterns.
//! - [`limits`], [`retry`]: the `[limits]` and `[retry]` tables.
//! - [`source`]: what a version stores, and reading it back as a [`Rule`].
//! - [`reload`](mod@reload): publishing the directory.

mod error;
pub mod limits;
pub mod manifest;
pub mod pattern;
pub mod reload;
pub mod retry;
pub mod source;

pub use error::RuleError;
pub use limits::RuleLimits;
pub use manifest::{HandlerRef, Manifest, ScheduleSpec};
pub use pattern::{EventPattern, SCHEDULE_FIRED};
pub use reload::{Published, ReloadReport, reload};
pub use retry::RetryPolicy;
pub use source::{Rule, RuleSource, ScriptSource};
