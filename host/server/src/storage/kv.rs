//! Key-value storage for plugins and rules, each confined to its own scope (e.g.
//! `plugin:approval-to-voucher` or `rule:notify-late`) so one handler cannot read another's data.

use super::{Millis, StorageError, Store};

impl Store {
    /// The value stored at `key` in `scope`.
    pub async fn kv_get(&self, scope: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM kv WHERE scope = $1 AND key = $2")
                .bind(scope)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Stores `value` at `key` in `scope`, replacing what was there.
    pub async fn kv_set(
        &self,
        scope: &str,
        key: &str,
        value: &[u8],
        now: Millis,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO kv (scope, key, value, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(scope)
        .bind(key)
        .bind(value.to_vec())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes `key` from `scope`; returns whether it existed.
    pub async fn kv_delete(&self, scope: &str, key: &str) -> Result<bool, StorageError> {
        let done = sqlx::query("DELETE FROM kv WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
