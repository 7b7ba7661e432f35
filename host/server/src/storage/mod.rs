//! The database: SQLite by default (one file, WAL), PostgreSQL when several replicas share work.
//!
//! [`Store`] wraps one connection pool and knows its [`Backend`]; every query is written once in
//! SQL both dialects accept (`$N` bind parameters, `ON CONFLICT`, `RETURNING`, integer millisecond
//! timestamps) and only row claiming differs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a
//! single-writer `UPDATE ... WHERE id = (SELECT ... LIMIT 1)` on SQLite). Each backend has its
//! own migrations directory with the same schema, applied when the store opens.
//!
//! One repository per file: [`inbox`], [`executions`], [`outbox`], [`kv`], [`tokens`],
//! [`directory`], [`rules`], [`api_keys`], [`connections`]; [`cipher`] encrypts secrets at rest.

pub mod api_keys;
mod batch;
pub mod cipher;
mod claim;
pub mod connections;
pub mod directory;
pub mod directory_lookup;
mod error;
pub mod executions;
pub mod inbox;
mod inbox_writer;
pub mod kv;
pub mod listing;
pub mod outbox;
mod recovery;
mod replay;
pub mod rules;
mod scheduled;
pub mod tokens;
mod write_gate;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use inbox_writer::InboxWriter;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use write_gate::{Turn, WriteGate, WriteTx};

pub use cipher::{CipherError, KeyError, SECRET_KEY_ENV, SecretCipher};
pub use error::StorageError;

/// Unix time in milliseconds: the one timestamp representation in the schema.
pub type Millis = i64;

/// The current time as [`Millis`].
pub fn now_millis() -> Millis {
    to_millis(SystemTime::now())
}

/// `time` as [`Millis`] (times before 1970 clamp to 0).
pub fn to_millis(time: SystemTime) -> Millis {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// [`Millis`] as a `SystemTime` (negative values clamp to 1970).
pub fn from_millis(millis: Millis) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap_or_default())
}

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a `database.url` names.
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => Err(StorageError::UnsupportedUrl(other.to_owned())),
        }
    }
}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for a pooled connection (also bounds connecting to PostgreSQL).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The database handle shared by the whole server.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    cipher: SecretCipher,
    /// Where this process's SQLite writers queue (see [`write_gate`]).
    gate: WriteGate,
    /// Writes inbox events in groups (see [`inbox_writer`]).
    inbox: InboxWriter,
}

impl Store {
    /// Connects to `url` (creating a SQLite file if missing) and applies pending migrations.
    pub async fn open(url: &str, cipher: SecretCipher) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options: AnyConnectOptions = match backend {
            Backend::Sqlite => with_create_mode(url),
            Backend::Postgres => url.to_owned(),
        }
        .parse()?;
        // An in-memory SQLite database lives only as long as its one connection, so it gets
        // exactly one, kept forever; otherwise each pooled connection would see its own empty
        // database.
        let in_memory = backend == Backend::Sqlite && is_sqlite_memory(url);
        let pool = AnyPoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(u32::from(in_memory))
            .idle_timeout((!in_memory).then_some(Duration::from_secs(600)))
            .max_lifetime((!in_memory).then_some(Duration::from_secs(1800)))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // No ping before every checkout: on SQLite each ping is one more round trip to the
            // connection's thread, as costly as the query it guards, and a connection that did
            // break fails its query with an error the callers already retry.
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(sqlite_pragmas().as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let gate = WriteGate::new(backend);
        let store = Store {
            inbox: InboxWriter::start(pool.clone(), gate.clone()),
            pool,
            backend,
            cipher,
            gate,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the backend's migrations that have not run yet.
    async fn migrate(&self) -> Result<(), StorageError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for queries outside the repositories (health checks, admin tools).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every pooled connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction in this writer's turn (see [`WriteGate::begin`]).
    async fn begin_write(&self) -> Result<WriteTx, StorageError> {
        Ok(self.gate.begin(&self.pool).await?)
    }

    /// Waits for this writer's turn before a single-statement write on a busy path (on
    /// PostgreSQL, at once). Hold it until the statement is done.
    async fn write_turn(&self) -> Turn {
        self.gate.turn().await
    }
}

/// Whether a SQLite URL names an in-memory database (`sqlite::memory:` or `mode=memory`).
fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Adds `mode=rwc` so the SQLite file is created on first start.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || is_sqlite_memory(url) {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Per-connection SQLite settings: WAL for concurrent readers beside one writer, NORMAL sync
/// (durable across application crashes, and WAL keeps the file consistent across power loss),
/// a busy timeout so writers queue, and enforced foreign keys.
fn sqlite_pragmas() -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
        SQLITE_BUSY_TIMEOUT.as_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://worklink.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            Backend::from_url("mysql://h/db"),
            Err(StorageError::UnsupportedUrl(scheme)) if scheme == "mysql"
        ));
    }

    /// Strips comments so only the schema itself is compared.
    fn schema_statements(sql: &str) -> Vec<String> {
        sql.lines()
            .filter(|line| !line.trim_start().starts_with("--"))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_schema_up_to_dialect() {
        assert_eq!(
            SQLITE_MIGRATIONS.iter().count(),
            POSTGRES_MIGRATIONS.iter().count()
        );
        for (sqlite, postgres) in SQLITE_MIGRATIONS.iter().zip(POSTGRES_MIGRATIONS.iter()) {
            assert_eq!(sqlite.version, postgres.version);
            let postgres_as_sqlite = postgres
                .sql
                .replace(
                    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                    "INTEGER PRIMARY KEY AUTOINCREMENT",
                )
                .replace("BYTEA", "BLOB");
            assert_eq!(
                schema_statements(&sqlite.sql),
                schema_statements(&postgres_as_sqlite),
                "migration {} differs between the backends",
                sqlite.version
            );
        }
    }

    #[test]
    fn sqlite_urls_get_create_mode_once() {
        assert_eq!(with_create_mode("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            with_create_mode("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            with_create_mode("sqlite://a.db?mode=ro"),
            "sqlite://a.db?mode=ro"
        );
    }
}
