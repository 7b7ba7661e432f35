//! The Rhai script tier: rules that administrators write and tweak without a build step.
//!
//! A script is held to the same contract as a wasm plugin, so a rule can move between the two
//! without changing meaning: it receives the same event and config, calls the same capabilities
//! (Rhai modules named like the WIT interfaces) under the same grants, and produces the same
//! [`InvocationResult`](crate::invocation::InvocationResult) with staged effects.
//!
//! # Layout
//! - [`limits`]: [`ScriptLimits`], the knobs and their defaults.
//! - `harden`: builds the one hardened engine (the single place limits are applied).
//! - `ambient`: per-run state (deadline, capability session) the engine's hooks reach.
//! - `bridge`: the capability modules (`messaging`, `contacts`, ...) over the invocation host.
//! - `cache`: the bounded AST cache, keyed by content hash.
//! - [`engine`]: [`ScriptEngine`] and compiling handler scripts.
//! - [`condition`]: `when` expressions.
//! - `invoke`: running `fn handle(event, config)` into an `InvocationResult`.
//! - [`outcome`]: how a script's ending maps onto the wasm outcome kinds.
//! - `value`: events and JSON as Rhai values.
//! - [`error`]: [`ScriptError`] with line and column.

mod ambient;
mod bridge;
mod cache;
pub mod condition;
pub mod engine;
pub mod error;
mod harden;
mod invoke;
pub mod limits;
pub mod outcome;
mod value;

#[cfg(test)]
mod tests;

pub use condition::Condition;
pub use engine::{CompiledScript, ScriptEngine};
pub use error::{Location, ScriptError};
pub use limits::ScriptLimits;
