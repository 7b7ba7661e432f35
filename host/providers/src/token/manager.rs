//! Hands out valid tokens: from the store while fresh, otherwise through a single refresh per key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use thiserror::Error;

use super::cached::{CachedToken, FreshToken, TokenKey};
use super::store::{MemoryTokenStore, TokenStore, TokenStoreError};
use crate::api::{ApiError, Secret};

/// Fetches a new token from the provider (`gettoken`, `oauth2/accessToken`).
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// Asks the provider for a token.
    async fn fetch(&self) -> Result<FreshToken, ApiError>;
}

/// Why no token could be handed out.
#[derive(Debug, Clone, Error)]
pub enum TokenError {
    /// The provider refused or could not be reached.
    #[error(transparent)]
    Fetch(#[from] ApiError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] TokenStoreError),
}

/// The token cache with single-flight refresh. Cheap to share behind an `Arc`.
pub struct TokenManager {
    store: Arc<dyn TokenStore>,
    flights: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
    refresh_ahead: Duration,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("refresh_ahead", &self.refresh_ahead)
            .finish()
    }
}

impl Default for TokenManager {
    fn default() -> Self {
        Self::new(Arc::new(MemoryTokenStore::new()))
    }
}

impl TokenManager {
    /// A manager over `store` that refreshes tokens 5 minutes before they expire.
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        TokenManager {
            store,
            flights: Mutex::new(HashMap::new()),
            refresh_ahead: Duration::from_secs(300),
        }
    }

    /// Changes how long before expiry a token is refreshed.
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// A valid token for `key`, fetched from `source` when none is cached or a refresh is due.
    ///
    /// Concurrent callers for the same key share one fetch. While a token that is due for
    /// refresh is still valid, callers that find a refresh already running keep using it instead
    /// of waiting, so there is never a gap without a token.
    pub async fn get(
        &self,
        key: &TokenKey,
        source: &dyn TokenSource,
    ) -> Result<Secret, TokenError> {
        let cached = self.store.load(key).await?;
        let now = SystemTime::now();
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh(now)) {
            return Ok(token.value.clone());
        }
        let flight = self.flight(key);
        let _guard = match (cached.filter(|t| t.is_valid(now)), flight.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some(still_valid), Err(_)) => return Ok(still_valid.value),
            (None, Err(_)) => flight.lock().await,
        };
        // Another caller may have refreshed while this one waited for the lock.
        if let Some(token) = self.store.load(key).await?
            && token.is_fresh(SystemTime::now())
        {
            return Ok(token.value);
        }
        let fresh = source.fetch().await?;
        let token = CachedToken::from_fresh(fresh, SystemTime::now(), self.refresh_ahead);
        self.store.save(key, &token).await?;
        tracing::debug!(key = %key, "access token refreshed");
        Ok(token.value)
    }

    /// Forgets the token for `key` if it is still `failed`, so the next [`get`](Self::get)
    /// fetches a new one.
    pub async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenError> {
        self.store.invalidate(key, failed).await?;
        Ok(())
    }

    fn flight(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        // Same reasoning as the memory store: inserting an entry cannot be left half-done.
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        flights.entry(key.clone()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrCode, Provider};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Counts fetches and yields a few times mid-fetch so that concurrent callers overlap.
    struct CountingSource {
        fetches: AtomicU32,
        lifetime: Duration,
    }

    impl CountingSource {
        fn new(lifetime: Duration) -> Self {
            CountingSource {
                fetches: AtomicU32::new(0),
                lifetime,
            }
        }
    }

    #[async_trait]
    impl TokenSource for CountingSource {
        async fn fetch(&self) -> Result<FreshToken, ApiError> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            Ok(FreshToken {
                value: Secret::new(format!("token-{n}")),
                expires_in: self.lifetime,
            })
        }
    }

    struct FailingSource;

    #[async_trait]
    impl TokenSource for FailingSource {
        async fn fetch(&self) -> Result<FreshToken, ApiError> {
            Err(ApiError::rejected(
                Provider::WeCom,
                "/cgi-bin/gettoken",
                ErrCode::Number(40001),
                "invalid credential".into(),
                true,
            ))
        }
    }

    /// A source whose fetch waits until the test releases it.
    struct GatedSource {
        entered: tokio::sync::Notify,
        release: tokio::sync::Notify,
    }

    #[async_trait]
    impl TokenSource for GatedSource {
        async fn fetch(&self) -> Result<FreshToken, ApiError> {
            self.entered.notify_one();
            self.release.notified().await;
            Ok(FreshToken {
                value: Secret::new("new"),
                expires_in: Duration::from_secs(7200),
            })
        }
    }

    #[tokio::test]
    async fn due_but_valid_token_is_served_while_a_refresh_runs() {
        let store = Arc::new(MemoryTokenStore::new());
        let now = SystemTime::now();
        let due = CachedToken {
            value: Secret::new("old"),
            expires_at: now + Duration::from_secs(3600),
            refresh_at: now - Duration::from_secs(1),
        };
        store.save(&key(), &due).await.unwrap();
        let manager = Arc::new(TokenManager::new(store));
        let source = Arc::new(GatedSource {
            entered: Default::default(),
            release: Default::default(),
        });
        let refresher = {
            let (manager, source) = (manager.clone(), source.clone());
            tokio::spawn(async move { manager.get(&key(), &*source).await.unwrap() })
        };
        source.entered.notified().await;
        // The refresh is in flight: another caller gets the old, still valid token at once.
        assert_eq!(manager.get(&key(), &*source).await.unwrap().expose(), "old");
        source.release.notify_one();
        assert_eq!(refresher.await.unwrap().expose(), "new");
        assert_eq!(manager.get(&key(), &*source).await.unwrap().expose(), "new");
    }

    fn key() -> TokenKey {
        TokenKey::new("wecom", "corp", &Secret::new("s"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_fetch() {
        let manager = Arc::new(TokenManager::default());
        let source = Arc::new(CountingSource::new(Duration::from_secs(7200)));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let (manager, source) = (manager.clone(), source.clone());
            tasks.spawn(async move { manager.get(&key(), &*source).await.unwrap() });
        }
        while let Some(token) = tasks.join_next().await {
            assert_eq!(token.unwrap().expose(), "token-1");
        }
        assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_forces_exactly_one_new_fetch() {
        let manager = TokenManager::default();
        let source = CountingSource::new(Duration::from_secs(7200));
        let first = manager.get(&key(), &source).await.unwrap();
        manager.invalidate(&key(), &first).await.unwrap();
        let second = manager.get(&key(), &source).await.unwrap();
        assert_eq!(second.expose(), "token-2");
        // A late invalidation of the old token must not throw the new one away.
        manager.invalidate(&key(), &first).await.unwrap();
        assert_eq!(
            manager.get(&key(), &source).await.unwrap().expose(),
            "token-2"
        );
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn token_due_for_refresh_is_replaced() {
        let manager = TokenManager::default().with_refresh_ahead(Duration::from_secs(7200));
        // With a 2 s lifetime the refresh point is at half-life; a zero lifetime is due at once.
        let source = CountingSource::new(Duration::ZERO);
        manager.get(&key(), &source).await.unwrap();
        let again = manager.get(&key(), &source).await.unwrap();
        assert_eq!(again.expose(), "token-2");
    }

    #[tokio::test]
    async fn fetch_errors_are_passed_through() {
        let manager = TokenManager::default();
        let err = manager.get(&key(), &FailingSource).await.unwrap_err();
        let TokenError::Fetch(api) = err else {
            panic!("expected a fetch error")
        };
        assert_eq!(api.errcode(), Some(40001));
    }
}
