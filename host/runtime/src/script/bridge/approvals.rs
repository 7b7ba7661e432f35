//! `approvals::get_instance(id)` (a live read) and `approvals::submit(request)` (a staged write)
//! (WIT `approvals`).

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::{ret, thrown};
use super::{Call, capability_fn, located, session};
use crate::capability::Capability::Approvals;
use crate::types::ApprovalRequest;

/// The `approvals` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("get_instance").set_into_module(
        &mut module,
        |ctx: NativeCallContext, id: &str| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                ret(&session.block_on(host.get_approval(id))?)
            })
        },
    );
    capability_fn("submit").set_into_module(
        &mut module,
        |ctx: NativeCallContext, request: Dynamic| -> Call<String> {
            located(&ctx, || {
                let session = session()?;
                let request: ApprovalRequest =
                    session.arg(Approvals, "approvals::submit", "request", &request)?;
                let effect = session.host().submit_approval(request);
                effect.map_err(thrown)
            })
        },
    );
    module
}
