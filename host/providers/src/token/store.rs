//! Where cached tokens live. The trait is async and object safe so that the server can put the
//! tokens in its database and share them between replicas.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use thiserror::Error;

use super::cached::{CachedToken, TokenKey};
use crate::api::Secret;

/// A token store backend failed (e.g. the database is unreachable).
#[derive(Debug, Clone, Error)]
#[error("token store: {0}")]
pub struct TokenStoreError(pub String);

/// Persistent or shared storage for access tokens.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// The cached token for `key`, if any (expired ones may be returned; the manager checks).
    async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError>;

    /// Stores `token` for `key`, replacing any previous one.
    async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError>;

    /// Removes the token for `key` only if its value is still `failed` (compare-and-expire).
    async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError>;
}

/// A process-local [`TokenStore`].
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, CachedToken>> {
        // A panic while holding this lock cannot leave the map half-updated (every operation is
        // a single insert/remove), so a poisoned lock is still safe to use.
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError> {
        Ok(self.tokens().get(key).cloned())
    }

    async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError> {
        self.tokens().insert(key.clone(), token.clone());
        Ok(())
    }

    async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError> {
        let mut tokens = self.tokens();
        if tokens.get(key).is_some_and(|t| &t.value == failed) {
            tokens.remove(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn token(value: &str) -> CachedToken {
        let now = SystemTime::now();
        CachedToken {
            value: Secret::new(value),
            expires_at: now,
            refresh_at: now,
        }
    }

    #[tokio::test]
    async fn invalidate_only_removes_the_failed_token() {
        let store = MemoryTokenStore::new();
        let key = TokenKey::new("wecom", "c", &Secret::new("s"));
        store.save(&key, &token("new")).await.unwrap();
        store.invalidate(&key, &Secret::new("old")).await.unwrap();
        assert_eq!(
            store.load(&key).await.unwrap().unwrap().value.expose(),
            "new"
        );
        store.invalidate(&key, &Secret::new("new")).await.unwrap();
        assert!(store.load(&key).await.unwrap().is_none());
    }
}
