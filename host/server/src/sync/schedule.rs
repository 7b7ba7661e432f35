//! The periodic sync loop.
//!
//! Every replica runs it; each connection is synced when its last complete sync is older than
//! the interval. On PostgreSQL the sync of a connection holds an advisory lock (tried, not
//! waited for), and the due check is repeated under it, so replicas take turns instead of all
//! syncing the same connection.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, Transaction};
use tokio_util::sync::CancellationToken;

use super::{SyncError, last_complete_sync, sync_connection};
use crate::clients::Clients;
use crate::clients::refresh_lock::lock_id;
use crate::storage::{Backend, StorageError, Store, now_millis};

/// How often a connection is synced when the caller has no preference.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(3600);
/// The longest the loop sleeps between due checks (a shorter interval checks more often).
const MAX_TICK: Duration = Duration::from_secs(60);

/// Syncs every connection of `clients` every `every` until `cancel` fires. Failures are logged
/// and retried at the next check.
pub async fn run(store: Store, clients: Arc<Clients>, every: Duration, cancel: CancellationToken) {
    let tick = every.min(MAX_TICK);
    loop {
        for name in clients.connection_names() {
            match sync_if_due(&store, &clients, name, every).await {
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(connection = name, error = %err, "directory sync failed")
                }
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
    }
}

/// Syncs connection `name` if no complete sync happened within `every`; returns whether it ran.
pub async fn sync_if_due(
    store: &Store,
    clients: &Clients,
    name: &str,
    every: Duration,
) -> Result<bool, SyncError> {
    if !is_due(store, name, every).await? {
        return Ok(false);
    }
    let Some(guard) = try_lock(store, name).await? else {
        return Ok(false);
    };
    // Another replica may have finished a sync between the check and the lock.
    if !is_due(store, name, every).await? {
        return Ok(false);
    }
    let synced = sync_connection(store, clients, name).await;
    guard.release().await?;
    synced?;
    Ok(true)
}

async fn is_due(store: &Store, name: &str, every: Duration) -> Result<bool, StorageError> {
    let every = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    Ok(last_complete_sync(store, name)
        .await?
        .is_none_or(|last| now_millis().saturating_sub(last) >= every))
}

/// What keeps other replicas off a connection while it syncs: on PostgreSQL a transaction
/// holding the connection's advisory lock until [`Guard::release`]; on SQLite (one process per
/// file) nothing.
struct Guard {
    lock: Option<Transaction<'static, Any>>,
}

impl Guard {
    /// Releases the lock now. Dropping the transaction would only queue its rollback until the
    /// connection's next use, and until then another connection of the pool — the next sync of
    /// this replica, or another replica — would find the lock still taken.
    async fn release(self) -> Result<(), StorageError> {
        if let Some(tx) = self.lock {
            tx.rollback().await?;
        }
        Ok(())
    }
}

/// The sync lock of `name`, or `None` when another replica holds it.
async fn try_lock(store: &Store, name: &str) -> Result<Option<Guard>, StorageError> {
    if store.backend() == Backend::Sqlite {
        return Ok(Some(Guard { lock: None }));
    }
    let mut tx = store.pool().begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(lock_id("sync", name))
        .fetch_one(&mut *tx)
        .await?;
    Ok(locked.then_some(Guard { lock: Some(tx) }))
}
