//! Documents posted to the ERP webhook (staged writes).

use crate::prelude::*;
use crate::route::route;
use crate::types::{CapError, EffectId};

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::erp as wit;
pub use crate::bindings::worklink::plugin::erp::Document;

/// Stages posting `document` to the ERP.
pub fn post(document: &Document) -> Result<EffectId, CapError> {
    route!(wasm: wit::post(document), native: |host| host.erp_post(document))
}

impl Document {
    /// A document whose body is `body` serialised as JSON.
    pub fn json(
        kind: impl Into<String>,
        idempotency_key: impl Into<String>,
        body: &impl serde::Serialize,
    ) -> Result<Self, CapError> {
        let body = serde_json::to_string(body).map_err(|e| {
            CapError::Invalid(format!("document body is not JSON-serialisable: {e}"))
        })?;
        Ok(Document {
            kind: kind.into(),
            idempotency_key: idempotency_key.into(),
            body,
        })
    }
}
