//! Access tokens cached in the database, so replicas share one token per app instead of each
//! calling `gettoken` (WeCom and DingTalk rate-limit it and may invalidate older tokens).
//! Values are encrypted at rest and bound to their key.

use sqlx::Row;

use super::{Millis, StorageError, Store};
use crate::config::Secret;

/// A cached token that has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    /// The token.
    pub value: Secret,
    /// When the provider stops accepting it.
    pub expires_at: Millis,
}

impl Store {
    /// The token cached under `key`, unless it expires at or before `now`.
    pub async fn token(&self, key: &str, now: Millis) -> Result<Option<CachedToken>, StorageError> {
        let Some(row) =
            sqlx::query("SELECT value, expires_at FROM tokens WHERE key = $1 AND expires_at > $2")
                .bind(key)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let sealed: Vec<u8> = row.try_get("value")?;
        let plain = self
            .cipher
            .decrypt(&sealed, &token_context(key))
            .map_err(|source| StorageError::Cipher {
                context: key.to_owned(),
                source,
            })?;
        let value = String::from_utf8(plain).map_err(|_| StorageError::Corrupt {
            column: "tokens.value",
            value: "non-UTF-8 token".to_owned(),
        })?;
        Ok(Some(CachedToken {
            value: Secret::new(value),
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Caches `value` under `key` until `expires_at`, replacing any previous token.
    pub async fn put_token(
        &self,
        key: &str,
        value: &Secret,
        expires_at: Millis,
        now: Millis,
    ) -> Result<(), StorageError> {
        let sealed = self
            .cipher
            .encrypt(value.expose().as_bytes(), &token_context(key))
            .map_err(|source| StorageError::Cipher {
                context: key.to_owned(),
                source,
            })?;
        sqlx::query(
            "INSERT INTO tokens (key, value, expires_at, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(sealed)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Drops the token cached under `key` (the provider rejected it before its expiry).
    pub async fn forget_token(&self, key: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM tokens WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Associated data binding a sealed token to its row.
fn token_context(key: &str) -> String {
    format!("tokens:{key}")
}
