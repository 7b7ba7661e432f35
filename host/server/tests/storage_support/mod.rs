//! Shared harness for the storage tests: every test body runs against a fresh SQLite file and a
//! fresh PostgreSQL database (its own, so tests run in parallel).
//!
//! PostgreSQL comes from `WORKLINK_TEST_POSTGRES_URL`, which `scripts/with-postgres.sh` (and so
//! `make test`) sets up. Without it the PostgreSQL variants fail rather than skip, so a run that
//! never touched PostgreSQL cannot pass for one that did.

#![allow(dead_code)]

use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use worklink_server::storage::{SecretCipher, Store};

/// A fixed clock reading, so expiry and due times are deterministic.
pub const NOW: i64 = 1_700_000_000_000;

/// A store plus whatever keeps its database alive.
pub struct TestStore {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// The at-rest key used by every test store.
pub fn cipher() -> SecretCipher {
    SecretCipher::from_bytes(&[42; 32])
}

/// A store on a new SQLite file in a temporary directory.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("worklink.db").display());
    let store = Store::open(&url, cipher())
        .await
        .expect("open SQLite store");
    TestStore {
        store,
        _dir: Some(dir),
    }
}

/// A store on a new database in the test PostgreSQL cluster.
pub async fn postgres() -> TestStore {
    let url = postgres_database().await;
    let store = Store::open(&url, cipher())
        .await
        .expect("open PostgreSQL store");
    TestStore { store, _dir: None }
}

/// Creates a database of its own for one test and returns its URL.
pub async fn postgres_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("WORKLINK_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "WORKLINK_TEST_POSTGRES_URL is not set: the PostgreSQL storage tests need a server. \
             Run them with `make test`, or `scripts/with-postgres.sh cargo test -p worklink-server`."
        )
    });
    let name = format!(
        "worklink_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    );
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("connect to WORKLINK_TEST_POSTGRES_URL");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (server, _) = base.rsplit_once('/').expect("URL ends in /database");
    format!("{server}/{name}")
}

/// Defines, for each named `async fn(&Store)`, a test on SQLite and a test on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(&*$crate::storage_support::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(&*$crate::storage_support::postgres().await).await;
                }
            )*
        }
    };
}

/// Registers a WeCom connection named `acme`, which directory rows must belong to.
pub async fn register_acme(store: &Store) {
    let config = worklink_server::config::Config::parse(
        "[connections.acme]\nprovider = \"wecom\"\ncorp_id = \"ww1\"\nagent_id = 1\nsecret = \"s\"\n\
         callback_token = \"t\"\ncallback_aes_key = \"6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\"\n",
        std::path::Path::new("worklink.toml"),
        &|_| None,
    )
    .unwrap();
    store
        .register_connection(&config.connections[0], NOW)
        .await
        .unwrap();
}
