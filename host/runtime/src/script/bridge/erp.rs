//! `erp::post(document)` (WIT `erp`): stages a document for the ERP; `body` is any map.

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::thrown;
use super::{Call, capability_fn, located, session};
use crate::capability::Capability::Erp;
use crate::types::ErpDocument;

/// The `erp` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("post").set_into_module(
        &mut module,
        |ctx: NativeCallContext, document: Dynamic| -> Call<String> {
            located(&ctx, || {
                let session = session()?;
                let document: ErpDocument = session.arg(Erp, "erp::post", "document", &document)?;
                let effect = session.host().erp_post(document);
                effect.map_err(thrown)
            })
        },
    );
    module
}
