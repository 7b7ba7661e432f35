//! [`StorageError`]: what can go wrong talking to the database, typed so callers can tell a lost
//! lease or a duplicate key from an outage.

use super::cipher::{CipherError, KeyError};

/// A failed storage operation.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// `database.url` names neither SQLite nor PostgreSQL.
    #[error("unsupported database URL: expected sqlite://PATH or postgres://..., got scheme `{0}`")]
    UnsupportedUrl(String),
    /// The database refused or failed the operation.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("applying migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The at-rest encryption key is missing or malformed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A secret could not be sealed, or a stored one failed authentication.
    #[error("secret `{context}`: {source}")]
    Cipher {
        /// Which stored value (e.g. the token key).
        context: String,
        /// What failed.
        source: CipherError,
    },
    /// The worker no longer holds the row: its lease expired and another worker took it, or it
    /// was already completed.
    #[error("{table} row {id} is not held by worker `{worker}`")]
    LeaseLost {
        /// `executions` or `outbox`.
        table: &'static str,
        /// The row id.
        id: i64,
        /// The worker that tried to finish it.
        worker: String,
    },
    /// An outbox effect with this idempotency key already exists.
    #[error("an effect with idempotency key `{0}` already exists")]
    DuplicateIdempotencyKey(String),
    /// A row references something that does not exist (unknown rule version, event, connection).
    #[error("{0} does not exist")]
    NotFound(String),
    /// A value could not be written as the column's JSON text.
    #[error("cannot write {column} as JSON: {reason}")]
    Encode {
        /// Table and column.
        column: &'static str,
        /// What the serialiser reported.
        reason: String,
    },
    /// The grouped inbox write this insert joined failed (every event in it was refused, none
    /// stored), or the writer has stopped.
    #[error("writing to the inbox failed: {0}")]
    InboxWrite(String),
    /// A stored value is outside what this version understands.
    #[error("stored {column} has unexpected value `{value}`")]
    Corrupt {
        /// Table and column.
        column: &'static str,
        /// The value found.
        value: String,
    },
}

impl StorageError {
    /// Whether a database error is a unique-constraint violation (both backends report it).
    pub(super) fn is_unique_violation(err: &sqlx::Error) -> bool {
        matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
    }
}
