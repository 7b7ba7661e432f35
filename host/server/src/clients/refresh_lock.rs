//! Token refreshes serialised across replicas with a PostgreSQL advisory lock.
//!
//! The providers' token manager refreshes once per process; with several replicas on one
//! database each would still call `gettoken` when the shared token falls due, and providers
//! rate-limit that call. [`RefreshLockedStore`] wraps the database token store: when a load
//! finds the token missing or due, it takes a transaction-scoped advisory lock for that token,
//! reads again (another replica may have just refreshed it), and if the token is still due keeps
//! the lock until the manager saves the new token. Other replicas block on the lock and then
//! read the fresh token instead of fetching their own.
//!
//! The manager has no hook between its load and its fetch, so the lock outlives the `load`
//! call; if the fetch fails and nothing is saved, the lock is given up after [`LEASE`] (or at
//! the next load after it), never held for good. Holding it in a transaction means dropping
//! the transaction alone releases it, whatever path gives it up.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};
use tokio::sync::Mutex;
use worklink_providers::api::Secret;
use worklink_providers::token::{CachedToken, TokenKey, TokenStore, TokenStoreError};

use crate::storage::{StorageError, Store};

/// How long one replica may hold a refresh before others go ahead without it.
pub const LEASE: Duration = Duration::from_secs(60);

/// PostgreSQL's wait for the lock, in its `lock_timeout` syntax; a little under [`LEASE`].
const LOCK_WAIT: &str = "45s";

/// A database token store whose refreshes take a PostgreSQL advisory lock.
pub struct RefreshLockedStore {
    store: Store,
    /// Locks this process holds, by token key, with when each was taken.
    held: Mutex<HashMap<String, (Transaction<'static, Any>, Instant)>>,
}

impl std::fmt::Debug for RefreshLockedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshLockedStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl RefreshLockedStore {
    /// Wraps `store` (a PostgreSQL store; on SQLite the lock statement fails and refreshes go
    /// ahead unguarded).
    pub fn new(store: Store) -> Self {
        RefreshLockedStore {
            store,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Takes the advisory lock of `key` in a new transaction.
    async fn lock(&self, key: &str) -> Result<Transaction<'static, Any>, StorageError> {
        let mut tx = self.store.pool().begin().await?;
        sqlx::query(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock_id(NAMESPACE, key))
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

/// A PostgreSQL advisory-lock id for `key` within `namespace`: 64 bits of a SHA-256, so ids do
/// not collide in practice, neither between keys nor between uses (token refresh, sync).
pub fn lock_id(namespace: &str, key: &str) -> i64 {
    let digest = Sha256::digest(format!("worklink:{namespace}:{key}").as_bytes());
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// The namespace of token-refresh locks.
const NAMESPACE: &str = "token-refresh";

#[async_trait]
impl TokenStore for RefreshLockedStore {
    async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError> {
        let key = key.as_str();
        let cached = self.store.load_token(key).await.map_err(store_error)?;
        if cached
            .as_ref()
            .is_some_and(|t| t.is_fresh(SystemTime::now()))
        {
            return Ok(cached);
        }
        let mut held = self.held.lock().await;
        match held.get(key) {
            // This process is already refreshing it: the caller is the one that will fetch.
            Some((_, since)) if since.elapsed() < LEASE => return Ok(cached),
            // An abandoned refresh (its fetch failed): dropping the transaction releases it.
            Some(_) => drop(held.remove(key)),
            None => {}
        }
        let tx = match self.lock(key).await {
            Ok(tx) => tx,
            Err(err) => {
                tracing::warn!(key, error = %err, "token refresh lock not taken; refreshing without it");
                return Ok(cached);
            }
        };
        let current = self.store.load_token(key).await.map_err(store_error)?;
        if current
            .as_ref()
            .is_some_and(|t| t.is_fresh(SystemTime::now()))
        {
            // Another replica refreshed while this one waited; the lock is released on drop.
            return Ok(current);
        }
        held.insert(key.to_owned(), (tx, Instant::now()));
        Ok(current)
    }

    async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError> {
        let saved = self.store.save_token(key.as_str(), token).await;
        // Released only after the new token is visible to the replicas waiting on the lock.
        if let Some((tx, _)) = self.held.lock().await.remove(key.as_str()) {
            tx.rollback().await.ok();
        }
        saved.map_err(store_error)
    }

    async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError> {
        self.store
            .invalidate_token(key.as_str(), failed)
            .await
            .map_err(store_error)
    }
}

fn store_error(err: StorageError) -> TokenStoreError {
    TokenStoreError(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids_are_stable_and_distinct_per_key_and_namespace() {
        assert_eq!(lock_id("t", "wecom:ww1:abc"), lock_id("t", "wecom:ww1:abc"));
        assert_ne!(lock_id("t", "wecom:ww1:abc"), lock_id("t", "wecom:ww2:abc"));
        assert_ne!(lock_id("t", "corp"), lock_id("sync", "corp"));
    }
}
