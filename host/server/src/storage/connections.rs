//! The connections known to the database: a row per configured WeCom or DingTalk app, so the
//! directory can hang off it. Credentials stay in the config; only identifiers are stored.

use super::{Millis, StorageError, Store};
use crate::config::Connection;

impl Store {
    /// Records `connection` (or refreshes its identifiers after a config change).
    pub async fn register_connection(
        &self,
        connection: &Connection,
        now: Millis,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO connections (name, provider, corp_id, agent_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET provider = excluded.provider, corp_id = excluded.corp_id, \
                 agent_id = excluded.agent_id, updated_at = excluded.updated_at",
        )
        .bind(connection.name.as_str())
        .bind(connection.provider().as_str())
        .bind(connection.corp_id.as_str())
        .bind(connection.agent_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
