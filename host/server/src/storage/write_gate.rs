//! One writer at a time, queued in the process rather than in SQLite.
//!
//! SQLite admits one writer at a time. A connection that finds the write lock taken calls its
//! busy handler, which sleeps and retries with growing pauses (1, 2, 5, 10 ms and on), so under
//! steady writes from the pipeline's workers, the relay and ingest, a writer often sleeps long
//! after the lock came free. This process owns its SQLite file, so its writers queue on a
//! fair async mutex instead and each is handed the lock as soon as the previous one is done;
//! SQLite's own locking stays underneath as the guarantee, with nothing left to contend.
//! PostgreSQL locks rows, not the database, and gets no gate.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::Backend;

/// The gate of one store.
#[derive(Debug, Clone)]
pub(super) struct WriteGate {
    /// The backend, which says how a write transaction begins.
    backend: Backend,
    /// The writers' queue: `None` on PostgreSQL.
    inner: Option<Arc<Mutex<()>>>,
}

/// A place in the writers' queue, held until the write is done (dropped).
pub(super) type Turn = Option<OwnedMutexGuard<()>>;

impl WriteGate {
    /// The gate for `backend`: SQLite's queues writers, PostgreSQL's lets every writer through.
    pub(super) fn new(backend: Backend) -> Self {
        WriteGate {
            backend,
            inner: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        }
    }

    /// Starts a write transaction on `pool` in this writer's turn. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`) so a writer of another process queues on the busy
    /// timeout instead of failing when a read upgrades to a write.
    pub(super) async fn begin(&self, pool: &AnyPool) -> Result<WriteTx, sqlx::Error> {
        let turn = self.turn().await;
        let tx = match self.backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Waits for this writer's turn.
    pub(super) async fn turn(&self) -> Turn {
        match &self.inner {
            Some(mutex) => Some(mutex.clone().lock_owned().await),
            None => None,
        }
    }
}

/// A write transaction holding its writer's turn until it commits or is dropped (rolled back).
/// Dereferences to the connection, so statements run on it as `.execute(&mut *tx)`.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    /// Released after the transaction, as fields drop in order.
    _turn: Turn,
}

impl WriteTx {
    /// Commits, then gives up the turn.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_queueing_gate_admits_one_writer_at_a_time() {
        let gate = WriteGate::new(Backend::Sqlite);
        let first = gate.turn().await;
        assert!(first.is_some());
        let waiting = tokio::time::timeout(Duration::from_millis(20), gate.turn()).await;
        assert!(
            waiting.is_err(),
            "a second writer waits while the first writes"
        );
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), gate.turn()).await;
        assert!(matches!(second, Ok(Some(_))), "and goes once it is done");
    }

    #[tokio::test]
    async fn an_open_gate_never_waits() {
        let gate = WriteGate::new(Backend::Postgres);
        let (a, b) = (gate.turn().await, gate.turn().await);
        assert!(a.is_none() && b.is_none());
    }
}
