//! Rules and plugins through the admin API: reload publishes the rules directory (new rules
//! disabled), enable/disable and grant approval change what runs, a dry run returns the effects
//! a rule would stage and stores nothing, and an uploaded component is installed under its own
//! name and can be listed and inspected.

#[macro_use]
mod storage_support;
#[macro_use]
mod http_support;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_support::*;
use serde_json::json;

const MANIFEST: &str = r#"
name = "greet"
description = "Greets whoever is mentioned"
on = "erp.mention"
script = "greet.rhai"
grants = ["messaging", "log"]
"#;

const SCRIPT: &str = r#"
fn handle(event, config) {
    let effect = messaging::send(#{ users: [event.payload.user] }, #{ type: "text", content: "hi " + event.payload.user });
    #{ effect: effect }
}
"#;

fn write_rule(h: &Harness, manifest: &str) {
    std::fs::write(h.rules_dir.path().join("greet.toml"), manifest).unwrap();
    std::fs::write(h.rules_dir.path().join("greet.rhai"), SCRIPT).unwrap();
}

async fn rules_are_reloaded_enabled_approved_and_dry_run(h: Harness) {
    write_rule(&h, MANIFEST);
    let admin = Some(h.admin_key.as_str());
    let reload = h.api("POST", "/api/v1/rules/reload", admin, None).await;
    assert_eq!(reload.status, StatusCode::OK, "{}", reload.text());
    assert_eq!(
        reload.json()["published"],
        json!([{"name": "greet", "version": 1, "created": true}])
    );
    let again = h
        .api("POST", "/api/v1/rules/reload", admin, None)
        .await
        .json();
    assert_eq!(again["unchanged"], json!(["greet"]));

    let rule = h
        .api("GET", "/api/v1/rules/greet", Some(&h.integrator_key), None)
        .await
        .json();
    assert_eq!(rule["enabled"], false, "new rules start disabled");
    assert_eq!(rule["on"], "erp.mention");
    assert_eq!(rule["handler"], "script:greet.rhai");
    assert_eq!(rule["requested_grants"], json!(["messaging", "log"]));
    assert_eq!(rule["effective_grants"], json!([]));

    let approved = h
        .api(
            "POST",
            "/api/v1/rules/greet/grants",
            admin,
            Some(json!({"grants": ["messaging", "log", "kv"]})),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    assert_eq!(
        approved.json()["effective_grants"],
        json!(["messaging", "log"])
    );
    let bad = h
        .api(
            "POST",
            "/api/v1/rules/greet/grants",
            admin,
            Some(json!({"grants": ["root"]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        h.api("POST", "/api/v1/rules/greet/enable", admin, None)
            .await
            .json()["enabled"],
        true
    );
    let listed = h
        .api("GET", "/api/v1/rules", Some(&h.integrator_key), None)
        .await
        .json();
    assert_eq!(
        (listed[0]["name"].clone(), listed[0]["enabled"].clone()),
        (json!("greet"), json!(true))
    );
    assert_eq!(
        h.api("POST", "/api/v1/rules/greet/disable", admin, None)
            .await
            .json()["enabled"],
        false
    );

    let event = json!({"id": "t1", "kind": "erp.mention", "source": "erp", "occurred_at": 1, "payload": {"user": "zhangsan"}});
    let dry = h
        .api(
            "POST",
            "/api/v1/rules/greet/test",
            admin,
            Some(event.clone()),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let result = dry.json();
    assert_eq!(result["effects"].as_array().unwrap().len(), 1, "{result}");
    assert!(result.to_string().contains("hi zhangsan"), "{result}");
    let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(h.store.pool())
        .await
        .unwrap();
    assert_eq!(
        (outbox, h.inbox_count().await),
        (0, 0),
        "a dry run stores nothing"
    );

    let unknown = h
        .api("POST", "/api/v1/rules/nope/test", admin, Some(event))
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (StatusCode::NOT_FOUND, "not_found".to_owned())
    );
    let missing = h
        .api("POST", "/api/v1/rules/nope/enable", admin, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

http_on_both_backends!(rules_are_reloaded_enabled_approved_and_dry_run);

#[tokio::test]
async fn a_broken_manifest_publishes_nothing_and_names_the_file() {
    let h = Harness::sqlite().await;
    write_rule(&h, &MANIFEST.replace("on = \"erp.mention\"", "on = 42"));
    let reply = h
        .api("POST", "/api/v1/rules/reload", Some(&h.admin_key), None)
        .await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::BAD_REQUEST, "invalid_rule".to_owned())
    );
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("greet.toml"),
        "{}",
        reply.text()
    );
    assert_eq!(
        h.api("GET", "/api/v1/rules", Some(&h.admin_key), None)
            .await
            .json(),
        json!([])
    );
}

/// A shipped plugin component, built by `make plugins`.
fn plugin_wasm(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release")
        .join(file);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: run `make plugins` first", path.display()))
}

#[tokio::test]
async fn plugins_are_uploaded_listed_and_inspected() {
    let h = Harness::sqlite().await;
    let upload = |bytes: Vec<u8>| {
        Request::post("/api/v1/plugins")
            .header(header::AUTHORIZATION, format!("Bearer {}", h.admin_key))
            .header(header::CONTENT_TYPE, "application/wasm")
            .body(Body::from(bytes))
            .unwrap()
    };
    let installed = h.send(upload(plugin_wasm("task_notify.wasm"))).await;
    assert_eq!(
        installed.status,
        StatusCode::CREATED,
        "{}",
        installed.text()
    );
    assert_eq!(installed.json()["name"], "task-notify");
    assert!(h.plugins_dir.path().join("task-notify.wasm").is_file());

    let listed = h
        .api("GET", "/api/v1/plugins", Some(&h.integrator_key), None)
        .await
        .json();
    assert_eq!(listed[0]["name"], "task-notify");
    let inspected = h
        .api(
            "GET",
            "/api/v1/plugins/task-notify",
            Some(&h.integrator_key),
            None,
        )
        .await
        .json();
    assert_eq!(inspected["sha256"], installed.json()["sha256"]);
    let missing = h
        .api(
            "GET",
            "/api/v1/plugins/nothing-here",
            Some(&h.integrator_key),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let garbage = h.send(upload(b"\0asm not really".to_vec())).await;
    assert_eq!(
        (garbage.status, garbage.error_code()),
        (StatusCode::BAD_REQUEST, "invalid_plugin".to_owned())
    );
}
