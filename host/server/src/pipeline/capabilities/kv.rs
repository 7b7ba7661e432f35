//! `kv` over the kv table. Reads are live; writes are staged `kv_set` effects the outbox applies.

use worklink_runtime::capability::CapError;
use worklink_runtime::capability::kv::KvBackend;

use crate::storage::Store;

/// `kv` over the kv table. Values are stored as bytes; the capability deals in text.
pub(super) struct StoreKv {
    /// The store.
    pub store: Store,
}

#[async_trait::async_trait]
impl KvBackend for StoreKv {
    async fn get(&self, scope: &str, key: &str) -> Result<Option<String>, CapError> {
        let value = self
            .store
            .kv_get(scope, key)
            .await
            .map_err(|e| CapError::Unavailable(format!("kv store: {e}")))?;
        value
            .map(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    CapError::Invalid(format!("kv value `{key}` in `{scope}` is not UTF-8 text"))
                })
            })
            .transpose()
    }
}
