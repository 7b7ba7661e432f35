//! API keys for `/api/v1` (ERP event ingestion and the admin API).
//!
//! A key is 32 random bytes shown to the admin once; only its SHA-256 is stored, so a leaked
//! database does not leak working keys. A plain hash (not a slow password hash) is enough because
//! the key has 256 bits of entropy; lookup by hash also means verification never compares secrets
//! byte by byte in application code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Millis, StorageError, Store};
use crate::config::Secret;

/// Prefix that makes Worklink keys recognisable in logs and secret scanners.
const KEY_PREFIX: &str = "wlk_";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiRole {
    /// Everything, including rules, grants and keys.
    Admin,
    /// Post events and read executions.
    Integrator,
}

impl ApiRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiRole::Admin => "admin",
            ApiRole::Integrator => "integrator",
        }
    }

    fn parse(value: String) -> Result<Self, StorageError> {
        match value.as_str() {
            "admin" => Ok(ApiRole::Admin),
            "integrator" => Ok(ApiRole::Integrator),
            _ => Err(StorageError::Corrupt {
                column: "api_keys.role",
                value,
            }),
        }
    }
}

/// A key's identity, without the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    /// Key id.
    pub id: i64,
    /// The admin's label for it.
    pub name: String,
    /// What it may do.
    pub role: ApiRole,
}

impl Store {
    /// Creates a key; the returned [`Secret`] is the only time the key itself exists.
    pub async fn create_api_key(
        &self,
        name: &str,
        role: ApiRole,
        now: Millis,
    ) -> Result<(ApiKeyInfo, Secret), StorageError> {
        let key = format!(
            "{KEY_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
        );
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_keys (name, key_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(hash_key(&key))
        .bind(role.as_str())
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        let info = ApiKeyInfo {
            id,
            name: name.to_owned(),
            role,
        };
        Ok((info, Secret::new(key)))
    }

    /// The key `presented` belongs to, unless it is unknown or revoked.
    pub async fn verify_api_key(
        &self,
        presented: &str,
    ) -> Result<Option<ApiKeyInfo>, StorageError> {
        let Some(row) = sqlx::query(
            "SELECT id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_key(presented))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(ApiKeyInfo {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            role: ApiRole::parse(row.try_get("role")?)?,
        }))
    }

    /// Revokes key `id`; returns whether it was active.
    pub async fn revoke_api_key(&self, id: i64, now: Millis) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The stored form of a key: lowercase hex SHA-256.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
