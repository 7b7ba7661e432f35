//! Dispatch over the contract versions a plugin may be built against (Zed's `wit.rs` pattern):
//! the rest of the host calls `describe` and `handle` here and never sees a versioned type.

use wasmtime::Store;
use wasmtime::component::InstancePre;

use super::inspect::ContractVersion;
use super::since_v0_1;
use super::state::StoreState;
use crate::types::{Event, HandlerError, PluginInfo};

/// A plugin's pre-instantiated bindings, in the version it was built for.
pub(crate) enum Bindings {
    /// `worklink:plugin@0.1.x`.
    V0_1(since_v0_1::HandlerPre),
}

impl Bindings {
    /// Wraps a type-checked `InstancePre`; fails if the exports do not match the version's types.
    pub(crate) fn new(
        version: ContractVersion,
        pre: InstancePre<StoreState>,
    ) -> wasmtime::Result<Self> {
        match version {
            ContractVersion::V0_1 => Ok(Bindings::V0_1(since_v0_1::HandlerPre::new(pre)?)),
        }
    }

    /// Instantiates and calls `describe`; the inner error says why the info is unusable.
    pub(crate) async fn describe(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<Result<PluginInfo, String>> {
        match self {
            Bindings::V0_1(pre) => Ok(since_v0_1::plugin_info(pre.describe(store).await?)),
        }
    }

    /// Instantiates and calls `handle`; `Ok(Ok(output))` is the handler's JSON output text.
    pub(crate) async fn handle(
        &self,
        store: &mut Store<StoreState>,
        event: Event,
        config: &str,
    ) -> wasmtime::Result<Result<String, HandlerError>> {
        match self {
            Bindings::V0_1(pre) => {
                let result = pre.handle(store, &event.into(), config).await?;
                Ok(result.map(|outcome| outcome.output).map_err(Into::into))
            }
        }
    }
}
