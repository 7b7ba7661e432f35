//! Documents posted to the ERP (WIT `erp`).

use serde::{Deserialize, Serialize};

/// A document for the ERP webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDocument {
    /// Document kind, e.g. `voucher`.
    pub kind: String,
    /// Key the ERP uses to drop duplicates.
    pub idempotency_key: String,
    /// The document body; a JSON object.
    pub body: serde_json::Value,
}
