//! The state tables on both backends: encrypted token cache, kv, API keys, rules and their
//! versions, and the directory.

#[macro_use]
mod storage_support;

use serde_json::json;
use sqlx::Row;
use storage_support::NOW;
use worklink_providers::token::{CachedToken, TokenKey, TokenStore};
use worklink_server::config::Secret;
use worklink_server::storage::api_keys::{ApiRole, hash_key};
use worklink_server::storage::directory::{Binding, Department, DirectoryUser};
use worklink_server::storage::{CipherError, StorageError, Store, from_millis};

fn cached(value: &str, expires_at: i64) -> CachedToken {
    CachedToken {
        value: Secret::new(value),
        expires_at: from_millis(expires_at),
        refresh_at: from_millis(expires_at - 300_000),
    }
}

fn token_key(org: &str) -> TokenKey {
    TokenKey::new("wecom", org, &Secret::new("app-secret"))
}

async fn token_round_trip_with_expiry(store: &Store) {
    let key = token_key("acme");
    assert_eq!(store.load(&key).await.unwrap(), None);
    store
        .save(&key, &cached("tok-1", NOW + 7_200_000))
        .await
        .unwrap();
    assert_eq!(
        store.load(&key).await.unwrap(),
        Some(cached("tok-1", NOW + 7_200_000))
    );
    store.save(&key, &cached("tok-2", NOW + 10)).await.unwrap();
    assert_eq!(
        store.load(&key).await.unwrap().unwrap().value.expose(),
        "tok-2"
    );

    // Expired tokens are purged; live ones stay.
    let other = token_key("other");
    store
        .save(&other, &cached("tok-3", NOW + 1_000))
        .await
        .unwrap();
    assert_eq!(store.purge_expired_tokens(NOW + 11).await.unwrap(), 1);
    assert_eq!(store.load(&key).await.unwrap(), None);
    assert!(store.load(&other).await.unwrap().is_some());
}

async fn token_invalidation_is_compare_and_expire(store: &Store) {
    let key = token_key("acme");
    store
        .save(&key, &cached("fresh", NOW + 1_000))
        .await
        .unwrap();
    store.invalidate(&key, &Secret::new("stale")).await.unwrap();
    assert_eq!(
        store.load(&key).await.unwrap().unwrap().value.expose(),
        "fresh"
    );
    store.invalidate(&key, &Secret::new("fresh")).await.unwrap();
    assert_eq!(store.load(&key).await.unwrap(), None);
    store.invalidate(&key, &Secret::new("fresh")).await.unwrap();
}

async fn tokens_are_encrypted_and_tampering_is_detected(store: &Store) {
    let key = token_key("acme");
    store
        .save(&key, &cached("plain-token-value", NOW + 1_000))
        .await
        .unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT value FROM tokens WHERE key = $1")
        .bind(key.as_str())
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(
        !stored.windows(17).any(|w| w == b"plain-token-value"),
        "token stored in clear"
    );

    // A ciphertext moved to another row does not decrypt there.
    sqlx::query(
        "INSERT INTO tokens (key, value, expires_at, refresh_at, updated_at) VALUES ('moved', $1, $2, $2, $2)",
    )
    .bind(stored.clone())
    .bind(NOW)
    .execute(store.pool())
    .await
    .unwrap();
    let moved = store.load_token("moved").await;
    assert!(
        matches!(
            moved,
            Err(StorageError::Cipher {
                source: CipherError::Decrypt,
                ..
            })
        ),
        "{moved:?}"
    );

    let mut tampered = stored;
    tampered[20] ^= 0x01;
    sqlx::query("UPDATE tokens SET value = $1 WHERE key = $2")
        .bind(tampered)
        .bind(key.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.load_token(key.as_str()).await.unwrap_err();
    assert!(
        matches!(
            err,
            StorageError::Cipher {
                source: CipherError::Decrypt,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("plain-token-value"));
    // Through the providers' trait the failure is an error too, never a silent miss.
    assert!(store.load(&key).await.is_err());
}

async fn kv_is_scoped(store: &Store) {
    assert_eq!(store.kv_get("plugin:a", "cursor").await.unwrap(), None);
    store
        .kv_set("plugin:a", "cursor", b"42", NOW)
        .await
        .unwrap();
    store.kv_set("plugin:b", "cursor", b"7", NOW).await.unwrap();
    store
        .kv_set("plugin:a", "cursor", &[0, 255, 1], NOW + 1)
        .await
        .unwrap();
    assert_eq!(
        store.kv_get("plugin:a", "cursor").await.unwrap(),
        Some(vec![0, 255, 1])
    );
    assert_eq!(
        store.kv_get("plugin:b", "cursor").await.unwrap(),
        Some(b"7".to_vec())
    );
    assert!(store.kv_delete("plugin:a", "cursor").await.unwrap());
    assert!(!store.kv_delete("plugin:a", "cursor").await.unwrap());
    assert_eq!(store.kv_get("plugin:a", "cursor").await.unwrap(), None);
}

async fn api_keys_verify_only_the_right_key(store: &Store) {
    let (info, key) = store
        .create_api_key("erp-prod", ApiRole::Integrator, NOW)
        .await
        .unwrap();
    assert!(key.expose().starts_with("wlk_"));
    assert_eq!(
        store.verify_api_key(key.expose()).await.unwrap(),
        Some(info.clone())
    );
    assert_eq!(store.verify_api_key("wlk_wrong").await.unwrap(), None);
    let mut near_miss = key.expose().to_owned();
    near_miss.pop();
    assert_eq!(store.verify_api_key(&near_miss).await.unwrap(), None);

    let stored: String = sqlx::query_scalar("SELECT key_hash FROM api_keys WHERE id = $1")
        .bind(info.id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(stored, hash_key(key.expose()));
    assert!(!stored.contains(key.expose()));

    let (admin, admin_key) = store
        .create_api_key("ops", ApiRole::Admin, NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .verify_api_key(admin_key.expose())
            .await
            .unwrap()
            .unwrap()
            .role,
        ApiRole::Admin
    );
    assert!(store.revoke_api_key(admin.id, NOW).await.unwrap());
    assert_eq!(
        store.verify_api_key(admin_key.expose()).await.unwrap(),
        None
    );
}

async fn rule_versions_are_immutable_snapshots(store: &Store) {
    let v1 = store
        .publish_rule("late-notify", "script v1", NOW)
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(
        store
            .publish_rule("late-notify", "script v1", NOW + 1)
            .await
            .unwrap(),
        v1
    );
    let v2 = store
        .publish_rule("late-notify", "script v2", NOW + 2)
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_ne!(v1.content_hash, v2.content_hash);
    assert_eq!(
        store.rule_version(v1.id).await.unwrap().unwrap().content,
        "script v1"
    );

    assert!(
        store.enabled_rule_versions().await.unwrap().is_empty(),
        "new rules start disabled"
    );
    store
        .set_rule_enabled("late-notify", true, NOW)
        .await
        .unwrap();
    assert_eq!(store.enabled_rule_versions().await.unwrap(), vec![v2]);
    let missing = store.set_rule_enabled("nope", true, NOW).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound(_))),
        "{missing:?}"
    );
}

async fn directory_users_memberships_and_bindings(store: &Store) {
    storage_support::register_acme(store).await;
    let dept = Department {
        dept_id: "2".into(),
        parent_id: Some("1".into()),
        name: "Sales".into(),
    };
    store.upsert_department("acme", &dept, NOW).await.unwrap();
    store
        .upsert_tag("acme", "t1", "managers", NOW)
        .await
        .unwrap();
    let mut user = DirectoryUser {
        user_id: "zhangsan".into(),
        name: "张三".into(),
        mobile: Some("13800000000".into()),
        email: None,
        title: Some("经理".into()),
        active: true,
        department_ids: vec!["2".into(), "3".into()],
        tag_ids: vec!["t1".into()],
        profile: json!({ "gender": "1" }),
    };
    store.upsert_user("acme", &user, NOW).await.unwrap();
    assert_eq!(
        store.directory_user("acme", "zhangsan").await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.department_members("acme", "2").await.unwrap(),
        ["zhangsan"]
    );

    user.department_ids = vec!["3".into()];
    user.active = false;
    store.upsert_user("acme", &user, NOW + 1).await.unwrap();
    assert!(
        store
            .department_members("acme", "2")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .department_members("acme", "3")
            .await
            .unwrap()
            .is_empty(),
        "inactive users are not members"
    );
    assert_eq!(
        store.directory_user("acme", "zhangsan").await.unwrap(),
        Some(user)
    );

    let binding = Binding {
        erp_employee_id: "E001".into(),
        user_id: "zhangsan".into(),
        matched_by: "mobile".into(),
    };
    store.bind_employee("acme", &binding, NOW).await.unwrap();
    assert_eq!(
        store.binding_for_employee("acme", "E001").await.unwrap(),
        Some(binding.clone())
    );
    assert_eq!(
        store.binding_for_user("acme", "zhangsan").await.unwrap(),
        Some(binding)
    );
    assert_eq!(
        store.binding_for_employee("acme", "E404").await.unwrap(),
        None
    );

    // Directory rows hang off a registered connection.
    let orphan = store.upsert_tag("unknown", "t", "x", NOW).await;
    assert!(orphan.is_err(), "foreign keys must be enforced");
}

async fn every_table_exists(store: &Store) {
    for table in [
        "connections",
        "tokens",
        "departments",
        "users",
        "tags",
        "user_departments",
        "user_tags",
        "bindings",
        "inbox_events",
        "rules",
        "rule_versions",
        "executions",
        "outbox",
        "kv",
        "api_keys",
    ] {
        let count: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(store.pool())
            .await
            .unwrap_or_else(|err| panic!("table {table}: {err}"))
            .get("n");
        assert_eq!(count, 0, "{table} starts empty");
    }
}

on_both_backends!(
    token_round_trip_with_expiry,
    token_invalidation_is_compare_and_expire,
    tokens_are_encrypted_and_tampering_is_detected,
    kv_is_scoped,
    api_keys_verify_only_the_right_key,
    rule_versions_are_immutable_snapshots,
    directory_users_memberships_and_bindings,
    every_table_exists,
);
