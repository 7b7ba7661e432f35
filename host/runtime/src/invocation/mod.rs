//! One invocation of a handler, independent of the sandbox that runs it.
//!
//! [`InvocationHost`] is the object both the wasm host and the Rhai engine call for every
//! capability function: grant check, then validation, then either a live read or a staged write.
//! [`InvocationResult`] is what both return, so the server stores a script run and a plugin run
//! the same way.

mod effects;
mod host;
mod limits;
mod logs;
mod result;

pub use effects::{Effect, StagedEffect};
pub use host::{InvocationHost, InvocationRequest};
pub use limits::{Limits, LimitsBuilder};
pub use logs::{LogBuffer, LogLine, LogSource};
pub use result::{InvocationResult, Outcome, TrapKind, Usage};
