//! The records every plugin touches: the event, what a plugin says about itself, what a handler
//! returns, and why a capability call failed.
//!
//! They are the generated WIT types themselves (so they cross the component boundary without
//! conversion); this crate adds constructors and conversions to them in `info.rs`, `outcome.rs`
//! and `event.rs`.

pub use crate::bindings::worklink::plugin::types::{
    CapError, Capability, EffectId, Event, HandlerError, Outcome, PluginInfo, ProviderError,
    TimeRange,
};
