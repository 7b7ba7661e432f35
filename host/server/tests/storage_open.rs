//! Opening a store: migrations apply once and are idempotent on both backends, and SQLite runs
//! with the settings the design relies on.

mod storage_support;

use sqlx::Row;
use worklink_server::storage::{Backend, Store};

#[tokio::test]
async fn sqlite_file_is_created_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, storage_support::cipher()).await.unwrap();
    assert!(path.exists(), "the database file is created when missing");
    assert_eq!(store.backend(), Backend::Sqlite);

    let mut conn = store.pool().acquire().await.unwrap();
    for (pragma, expected) in [
        ("journal_mode", "wal"),
        ("foreign_keys", "1"),
        ("synchronous", "1"),
        ("busy_timeout", "5000"),
    ] {
        let row = sqlx::query(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let value = row
            .try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .unwrap();
        assert_eq!(value, expected, "PRAGMA {pragma}");
    }
    drop(conn);
    store.close().await;

    assert_reopens_without_reapplying(&url).await;
}

/// Opening an already migrated database applies nothing again.
async fn assert_reopens_without_reapplying(url: &str) {
    let again = Store::open(url, storage_support::cipher()).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(again.pool())
        .await
        .unwrap();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(applied, i64::try_from(shipped).unwrap());
}

#[tokio::test]
async fn postgres_migrations_apply_once() {
    let url = storage_support::postgres_database().await;
    let store = Store::open(&url, storage_support::cipher()).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    store.close().await;
    assert_reopens_without_reapplying(&url).await;
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_across_calls() {
    let store = Store::open("sqlite::memory:", storage_support::cipher())
        .await
        .unwrap();
    store.kv_set("s", "k", b"v", 0).await.unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.kv_get("s", "k").await.unwrap() })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap(), Some(b"v".to_vec()));
    }
}

#[tokio::test]
async fn unsupported_scheme_is_a_typed_error() {
    let err = Store::open("mysql://localhost/x", storage_support::cipher())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("mysql"), "{err}");
}
