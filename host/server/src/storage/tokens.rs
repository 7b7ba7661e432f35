//! Access tokens cached in the database, so replicas share one token per app instead of each
//! calling `gettoken` (WeCom and DingTalk rate-limit it and may invalidate older tokens).
//!
//! [`Store`] is the providers' [`TokenStore`]: the token manager does the single-flight refresh,
//! this file only keeps the tokens. Values are encrypted at rest and bound to their key.

use std::time::SystemTime;

use async_trait::async_trait;
use sqlx::Row;
use worklink_providers::api::Secret;
use worklink_providers::token::{CachedToken, TokenKey, TokenStore, TokenStoreError};

use super::{Millis, StorageError, Store, from_millis, to_millis};

impl Store {
    /// The token cached under `key`, expired or not (the token manager decides).
    pub async fn load_token(&self, key: &str) -> Result<Option<CachedToken>, StorageError> {
        let Some(row) =
            sqlx::query("SELECT value, expires_at, refresh_at FROM tokens WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let sealed: Vec<u8> = row.try_get("value")?;
        Ok(Some(CachedToken {
            value: self.open_token(key, &sealed)?,
            expires_at: from_millis(row.try_get("expires_at")?),
            refresh_at: from_millis(row.try_get("refresh_at")?),
        }))
    }

    /// Caches `token` under `key`, replacing any previous token.
    pub async fn save_token(&self, key: &str, token: &CachedToken) -> Result<(), StorageError> {
        let sealed = self
            .cipher
            .encrypt(token.value.expose().as_bytes(), &token_context(key))
            .map_err(|source| StorageError::Cipher {
                context: key.to_owned(),
                source,
            })?;
        sqlx::query(
            "INSERT INTO tokens (key, value, expires_at, refresh_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, \
                 refresh_at = excluded.refresh_at, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(sealed)
        .bind(to_millis(token.expires_at))
        .bind(to_millis(token.refresh_at))
        .bind(to_millis(SystemTime::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Drops the token under `key` only if it is still `failed`: a replica that saw the provider
    /// reject a token must not delete the fresh one another replica already stored.
    pub async fn invalidate_token(&self, key: &str, failed: &Secret) -> Result<(), StorageError> {
        let Some(sealed) =
            sqlx::query_scalar::<_, Vec<u8>>("SELECT value FROM tokens WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(());
        };
        if self.open_token(key, &sealed)? == *failed {
            // Matching the exact ciphertext read makes this a compare-and-delete: a token saved
            // in between has a fresh nonce, so it is left alone.
            sqlx::query("DELETE FROM tokens WHERE key = $1 AND value = $2")
                .bind(key)
                .bind(sealed)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Deletes tokens that expired before `now`; returns how many.
    pub async fn purge_expired_tokens(&self, now: Millis) -> Result<u64, StorageError> {
        let done = sqlx::query("DELETE FROM tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    fn open_token(&self, key: &str, sealed: &[u8]) -> Result<Secret, StorageError> {
        let plain = self
            .cipher
            .decrypt(sealed, &token_context(key))
            .map_err(|source| StorageError::Cipher {
                context: key.to_owned(),
                source,
            })?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| StorageError::Corrupt {
                column: "tokens.value",
                value: "non-UTF-8 token".to_owned(),
            })
    }
}

#[async_trait]
impl TokenStore for Store {
    async fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenStoreError> {
        self.load_token(key.as_str()).await.map_err(store_error)
    }

    async fn save(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenStoreError> {
        self.save_token(key.as_str(), token)
            .await
            .map_err(store_error)
    }

    async fn invalidate(&self, key: &TokenKey, failed: &Secret) -> Result<(), TokenStoreError> {
        self.invalidate_token(key.as_str(), failed)
            .await
            .map_err(store_error)
    }
}

fn store_error(err: StorageError) -> TokenStoreError {
    TokenStoreError(err.to_string())
}

/// Associated data binding a sealed token to its row.
fn token_context(key: &str) -> String {
    format!("tokens:{key}")
}
