//! `kv_set` effects: a handler's storage write, applied only once its invocation succeeded.

use super::Relay;
use super::error::DeliveryError;
use crate::storage::now_millis;

/// Writes the value; setting the same value again is harmless, so a resend needs no key.
pub(super) async fn deliver(
    relay: &Relay,
    scope: &str,
    key: &str,
    value: &str,
) -> Result<String, DeliveryError> {
    relay
        .store
        .kv_set(scope, key, value.as_bytes(), now_millis())
        .await?;
    Ok(format!("{scope}/{key}"))
}
