//! Leased claiming of work rows, shared by executions and outbox effects.
//!
//! A row is claimable when it is ready and due, or when the worker holding it let its lease run
//! out (it crashed or stalled). Claiming is one `UPDATE ... RETURNING` that flips up to a batch
//! of due rows, oldest due first, to their held status, records the worker and lease, and counts
//! the attempt — one statement however many rows a worker takes:
//! - PostgreSQL locks the chosen rows with `FOR UPDATE SKIP LOCKED`, so concurrent replicas each
//!   take different rows without waiting on one another.
//! - SQLite has one writer at a time; the single statement runs under the write lock, so the
//!   sub-select and the update see the same state and no two claimers can pick the same row.

use super::Backend;

/// The shape of a claimable table.
pub(super) struct Queue {
    /// Table name.
    pub table: &'static str,
    /// Status of rows waiting to be claimed.
    pub ready: &'static str,
    /// Status of rows held by a worker.
    pub held: &'static str,
    /// Extra `SET` assignments made on claim (may use `$3`, the claim time).
    pub also_set: &'static str,
    /// Columns returned for the claimed row.
    pub returning: &'static str,
}

impl Queue {
    /// The claim statement. Binds: `$1` worker, `$2` lease end, `$3` now, `$4` most rows to take.
    /// The rows come back in no particular order.
    pub fn claim_sql(&self, backend: Backend) -> String {
        let Queue {
            table,
            ready,
            held,
            also_set,
            returning,
        } = self;
        let lock = match backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        format!(
            "UPDATE {table} SET status = '{held}', claimed_by = $1, claimed_until = $2, \
                 attempts = attempts + 1{also_set} \
             WHERE id IN (SELECT id FROM {table} \
                 WHERE (status = '{ready}' AND next_attempt_at <= $3) \
                    OR (status = '{held}' AND claimed_until < $3) \
                 ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             RETURNING {returning}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUEUE: Queue = Queue {
        table: "jobs",
        ready: "ready",
        held: "held",
        also_set: "",
        returning: "id",
    };

    #[test]
    fn only_postgres_skips_locked_rows() {
        assert!(
            QUEUE
                .claim_sql(Backend::Postgres)
                .contains("FOR UPDATE SKIP LOCKED")
        );
        assert!(!QUEUE.claim_sql(Backend::Sqlite).contains("FOR UPDATE"));
    }

    #[test]
    fn expired_leases_are_claimable_again() {
        let sql = QUEUE.claim_sql(Backend::Sqlite);
        assert!(
            sql.contains("status = 'held' AND claimed_until < $3"),
            "{sql}"
        );
    }
}
