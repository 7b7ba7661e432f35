//! A process-local copy of fresh tokens in front of the database token store.
//!
//! The token manager asks its store for the token on every provider call; with the database as
//! the store that is a query and a decryption per message sent. A token that is still fresh
//! cannot have changed in the database except by an invalidation, and a replica that keeps
//! using a token another replica invalidated gets "token invalid" back, invalidates its own copy
//! and fetches anew (the client's refresh-once rule), so serving fresh tokens from memory is
//! safe. Anything not fresh goes to the database, where replicas share refreshes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use async_trait::async_trait;
use worklink_providers::api::Secret;
use worklink_providers::token::{CachedToken, TokenKey, TokenStore, TokenStoreError};

/// Serves fresh tokens from memory, everything else from the store behind it.
pub struct MemoizedTokenStore {
    inner: Arc<dyn TokenStore>,
    fresh: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl std::fmt::Debug for MemoizedTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoizedTokenStore").finish_non_exhaustive()
    }
}

impl MemoizedTokenStore {
    /// A memo in front of `inner`.
    pub fn new(inner: Arc<dyn TokenStore>) -> Self {
        MemoizedTokenStore {
            inner,
            fresh: Mutex::new(HashMap::new()),
        }
    }

    fn fresh(&self) -> MutexGuard<'_, HashMap<TokenKey, CachedToken>> {
        // Each operation is one insert, lookup or removal, so a poisoned map is still whole.
        self.fresh
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl TokenStore for MemoizedTokenStore {
    async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError> {
        let now = SystemTime::now();
        if let Some(token) = self.fresh().get(key).filter(|t| t.is_fresh(now)) {
            return Ok(Some(token.clone()));
        }
        let stored = self.inner.load(key).await?;
        match &stored {
            Some(token) if token.is_fresh(now) => {
                self.fresh().insert(key.clone(), token.clone());
            }
            _ => {
                self.fresh().remove(key);
            }
        }
        Ok(stored)
    }

    async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError> {
        self.inner.save(key, token).await?;
        self.fresh().insert(key.clone(), token.clone());
        Ok(())
    }

    async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError> {
        {
            let mut fresh = self.fresh();
            if fresh.get(key).is_some_and(|t| t.value == *failed) {
                fresh.remove(key);
            }
        }
        self.inner.invalidate(key, failed).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use worklink_providers::token::MemoryTokenStore;

    use super::*;

    /// Counts loads that reach the store behind the memo.
    #[derive(Default)]
    struct Counting {
        inner: MemoryTokenStore,
        loads: AtomicU32,
    }

    #[async_trait]
    impl TokenStore for Counting {
        async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError> {
            self.loads.fetch_add(1, Ordering::SeqCst);
            self.inner.load(key).await
        }
        async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError> {
            self.inner.save(key, token).await
        }
        async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError> {
            self.inner.invalidate(key, failed).await
        }
    }

    fn token(value: &str, refresh_in: Duration) -> CachedToken {
        let now = SystemTime::now();
        CachedToken {
            value: Secret::new(value),
            expires_at: now + refresh_in + Duration::from_secs(300),
            refresh_at: now + refresh_in,
        }
    }

    fn key() -> TokenKey {
        TokenKey::new("wecom", "corp", &Secret::new("s"))
    }

    #[tokio::test]
    async fn fresh_tokens_are_served_from_memory_until_invalidated() {
        let behind = Arc::new(Counting::default());
        let memo = MemoizedTokenStore::new(behind.clone());
        memo.save(&key(), &token("t1", Duration::from_secs(3600)))
            .await
            .unwrap();
        for _ in 0..3 {
            let loaded = memo.load(&key()).await.unwrap().unwrap();
            assert_eq!(loaded.value.expose(), "t1");
        }
        assert_eq!(behind.loads.load(Ordering::SeqCst), 0);
        // Invalidating another value leaves the memo alone; the failed one goes.
        memo.invalidate(&key(), &Secret::new("t0")).await.unwrap();
        assert!(memo.load(&key()).await.unwrap().is_some());
        assert_eq!(behind.loads.load(Ordering::SeqCst), 0);
        memo.invalidate(&key(), &Secret::new("t1")).await.unwrap();
        assert!(memo.load(&key()).await.unwrap().is_none());
        assert_eq!(behind.loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn tokens_due_for_refresh_are_read_from_the_store_every_time() {
        let behind = Arc::new(Counting::default());
        behind
            .inner
            .save(&key(), &token("due", Duration::ZERO))
            .await
            .unwrap();
        let memo = MemoizedTokenStore::new(behind.clone());
        memo.load(&key()).await.unwrap();
        memo.load(&key()).await.unwrap();
        assert_eq!(behind.loads.load(Ordering::SeqCst), 2);
    }
}
