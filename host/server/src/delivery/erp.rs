//! `erp_post` effects: a document for the ERP, posted to `[erp] url`.
//!
//! The body is `{id, kind, document, document_key}` with `id` the effect's idempotency key (the
//! same on every attempt, so the ERP can drop repeats; also sent as `Idempotency-Key`) and
//! `document_key` the key the handler chose for the document itself. The ERP authenticates the
//! post with `X-Worklink-Signature: sha256=<hex>`, an HMAC-SHA256 under the shared
//! `hmac_secret` over the exact body bytes.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use worklink_providers::api::Secret;
use worklink_runtime::types::ErpDocument;

use super::Relay;
use super::error::{DeliveryError, ErpError};

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Worklink-Signature";
/// The header carrying the effect's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// How much of the ERP's answer is kept as the delivery result.
const RESULT_LIMIT: usize = 1024;

/// `sha256=<hex HMAC-SHA256 of body under secret>`, the value of [`SIGNATURE_HEADER`].
pub fn signature(secret: &Secret, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so building it cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts the document; the result is the start of the ERP's answer.
pub(super) async fn deliver(
    relay: &Relay,
    idempotency_key: &str,
    document: &ErpDocument,
) -> Result<String, DeliveryError> {
    let erp = relay.erp.as_ref().ok_or(DeliveryError::NoErp)?;
    let body = serde_json::to_vec(&json!({
        "id": idempotency_key,
        "kind": document.kind,
        "document": document.body,
        "document_key": document.idempotency_key,
    }))
    .map_err(|err| DeliveryError::Payload(err.to_string()))?;
    let endpoint = format!(
        "{}{}",
        erp.url.host_str().unwrap_or_default(),
        erp.url.path()
    );
    let failed = |status: Option<u16>, detail: String| ErpError {
        endpoint: endpoint.clone(),
        status,
        detail,
    };
    let response = relay
        .erp_http
        .post(erp.url.clone())
        .timeout(relay.policy.erp_timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature(&erp.hmac_secret, &body))
        .header(IDEMPOTENCY_HEADER, idempotency_key)
        .body(body)
        .send()
        .await
        .map_err(|err| failed(None, describe(&err)))?;
    let status = response.status();
    let answer = response
        .text()
        .await
        .map_err(|err| failed(Some(status.as_u16()), describe(&err)))?;
    let answer: String = answer.chars().take(RESULT_LIMIT).collect();
    if status.is_success() {
        Ok(answer)
    } else {
        Err(failed(Some(status.as_u16()), format!("HTTP {status}: {answer}")).into())
    }
}

/// A reqwest error without its URL (whose query might carry a credential).
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    match std::error::Error::source(err) {
        Some(source) => format!("{kind}: {source}"),
        None => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signed = signature(&Secret::new("Jefe"), b"what do ya want for nothing?");
        assert_eq!(
            signed,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
