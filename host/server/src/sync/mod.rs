//! Directory sync: a connection's departments, users and tags copied into the directory tables,
//! where handlers read them through the `contacts` capability without calling the provider.
//!
//! Sync never deletes. Users that vanish from the provider are marked inactive, and only when
//! the read was complete and an earlier complete sync exists: a first sync (whose tables may
//! hold rows written before it) and a sync that failed to read some department change nobody's
//! state on the strength of an absence. What differs between WeCom and DingTalk is confined to
//! [`snapshot`]; the periodic loop is in [`schedule`].

pub mod schedule;
pub mod snapshot;

use serde::Serialize;
use thiserror::Error;
use worklink_providers::api::ApiError;

use crate::clients::{Clients, ClientsError};
use crate::storage::{Millis, StorageError, Store, now_millis};

/// The kv scope where the time of each connection's last complete sync is kept.
pub const SYNC_SCOPE: &str = "sync";

/// Why a sync failed.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The connection is not configured.
    #[error(transparent)]
    Clients(#[from] ClientsError),
    /// The provider refused or could not be reached (departments or tags could not be read).
    #[error(transparent)]
    Provider(#[from] ApiError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The connection synced.
    pub connection: String,
    /// Departments written.
    pub departments: usize,
    /// Users written (active or not, as the provider reports them).
    pub users: usize,
    /// Tags written.
    pub tags: usize,
    /// Users no longer at the provider, now marked inactive.
    pub deactivated: u64,
    /// Whether every member list was read.
    pub complete: bool,
    /// Whether this was the connection's first complete sync.
    pub first: bool,
}

/// Syncs connection `name`'s directory from its provider into `store`.
pub async fn sync_connection(
    store: &Store,
    clients: &Clients,
    name: &str,
) -> Result<SyncReport, SyncError> {
    let connection = clients.connection(name)?;
    let started = now_millis();
    store.register_connection(connection, started).await?;
    let snapshot = snapshot::read(clients.app(name)?).await?;
    for department in &snapshot.departments {
        store.upsert_department(name, department, started).await?;
    }
    for (tag_id, tag_name) in &snapshot.tags {
        store.upsert_tag(name, tag_id, tag_name, started).await?;
    }
    for user in snapshot.users.values() {
        store.upsert_user(name, user, started).await?;
    }
    let previous = last_complete_sync(store, name).await?;
    let deactivated = match (snapshot.complete, previous) {
        (true, Some(_)) => deactivate_missing(store, name, started).await?,
        _ => 0,
    };
    if snapshot.complete {
        store
            .kv_set(SYNC_SCOPE, name, started.to_string().as_bytes(), started)
            .await?;
    }
    let report = SyncReport {
        connection: name.to_owned(),
        departments: snapshot.departments.len(),
        users: snapshot.users.len(),
        tags: snapshot.tags.len(),
        deactivated,
        complete: snapshot.complete,
        first: snapshot.complete && previous.is_none(),
    };
    tracing::info!(?report, "directory synced");
    Ok(report)
}

/// When connection `name` last synced completely.
pub async fn last_complete_sync(store: &Store, name: &str) -> Result<Option<Millis>, StorageError> {
    Ok(store
        .kv_get(SYNC_SCOPE, name)
        .await?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse().ok()))
}

/// Marks inactive the active users of `connection` this sync did not write: every user read was
/// written with `updated_at = started`, so the others are older.
async fn deactivate_missing(
    store: &Store,
    connection: &str,
    started: Millis,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "UPDATE users SET active = 0, updated_at = $1 \
         WHERE connection = $2 AND active = 1 AND updated_at < $1",
    )
    .bind(started)
    .bind(connection)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}
