//! `erp`: documents posted to the ERP webhook. Writes only; the outbox signs and delivers them.

use super::CapError;
use super::validate::{max_bytes, non_empty};
use crate::types::ErpDocument;

/// Largest document body, serialised: a voucher is a few KiB; anything near this is a bug.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Checks a document before it is staged.
pub fn validate_post(document: &ErpDocument) -> Result<(), CapError> {
    non_empty("kind", &document.kind)?;
    non_empty("idempotency_key", &document.idempotency_key)?;
    max_bytes("idempotency_key", &document.idempotency_key, 256)?;
    if !document.body.is_object() {
        return Err(CapError::Invalid("`body` must be a JSON object".into()));
    }
    max_bytes("body", &document.body.to_string(), MAX_BODY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_kind_key_and_object_body() {
        let doc = |key: &str, body| ErpDocument {
            kind: "voucher".into(),
            idempotency_key: key.into(),
            body,
        };
        assert!(validate_post(&doc("k1", serde_json::json!({"amount": 1}))).is_ok());
        assert!(
            validate_post(&doc("", serde_json::json!({})))
                .unwrap_err()
                .to_string()
                .contains("idempotency_key")
        );
        assert!(
            validate_post(&doc("k1", serde_json::json!([1])))
                .unwrap_err()
                .to_string()
                .contains("body")
        );
    }
}
