//! Bindings for plugins built against `worklink:plugin@0.1.x`.
//!
//! One module per published contract version (as Zed's extension host does): this one generates
//! the 0.1 bindings, implements their host traits by delegating to [`InvocationHost`], and
//! converts between the generated types and the runtime's own ([`crate::types`]). When 0.2 ships,
//! `since_v0_2.rs` joins it and 0.1 plugins keep loading through this module unchanged; see
//! docs/versioning.md.
//!
//! [`InvocationHost`]: crate::invocation::InvocationHost

mod convert;
pub(crate) use convert::plugin_info;
mod host;
mod pre;
pub(crate) use pre::HandlerPre;

use wasmtime::component::{HasSelf, Linker};

use super::state::StoreState;

wasmtime::component::bindgen!({
    world: "worklink:plugin/rule@0.1.0",
    path: "../../wit",
    // Live reads may wait on a provider, so they are async on the host; writes only validate and
    // stage, so they stay synchronous. The guest sees blocking calls either way. No import
    // traps: every failure reaches the guest as a `cap-error` value.
    imports: {
        "worklink:plugin/contacts": async,
        "worklink:plugin/attendance": async,
        "worklink:plugin/approvals.get-instance": async,
        "worklink:plugin/kv.get": async,
    },
    exports: { default: async },
});

/// The contract version these bindings implement.
pub(crate) const VERSION: semver::Version = semver::Version::new(0, 1, 0);

/// The exported interface a 0.1 plugin must provide.
pub(crate) const HANDLER_EXPORT: &str = "worklink:plugin/handler@0.1.0";

/// Adds the 0.1 capability interfaces to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    Rule::add_to_linker::<StoreState, HasSelf<StoreState>>(linker, |state| state)
}
