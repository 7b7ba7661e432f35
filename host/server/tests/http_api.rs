//! The API surface as a whole: every `/api/v1` route refuses a request without a key (401) and
//! a key of too weak a role (403), the roles enforced are the roles documented, every documented
//! route is served, and the admin views read what the pipeline wrote.

#[macro_use]
mod storage_support;
#[macro_use]
mod http_support;

use axum::http::StatusCode;
use http_support::*;
use serde_json::{Value, json};
use storage_support::NOW;
use worklink_providers::sim::wecom::WeComSim;
use worklink_providers::sim::{self, SimConfig};
use worklink_server::http::openapi_document;
use worklink_server::storage::directory::{Binding, Department, DirectoryUser};
use worklink_server::storage::executions::{Completion, NewEffect, Outcome, ResourceUse};
use worklink_server::storage::inbox::{InboxInsert, NewEvent};
use worklink_server::storage::outbox::DeliveryFailure;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Every operation in the OpenAPI document: (method, path template, operation JSON).
fn operations() -> Vec<(String, String, Value)> {
    let document = serde_json::to_value(openapi_document()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                operations.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    operations
}

/// A concrete URI for a path template.
fn concrete(path: &str) -> String {
    path.replace("{connection}", WECOM)
        .replace("{id}", "999999")
        .replace("{user_id}", "nobody")
        .replace("{name}", "no-such-rule")
}

/// The role an operation declares: the single scope of its single `api_key` requirement.
fn declared_role(path: &str, operation: &Value) -> String {
    let requirements = operation["security"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} declares no security"));
    assert_eq!(requirements.len(), 1, "{path}: one requirement");
    let scopes = requirements[0]["api_key"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no api_key requirement"));
    assert_eq!(scopes.len(), 1, "{path}: one role");
    scopes[0].as_str().unwrap().to_owned()
}

/// Whether a reply came from a handler rather than the router's "no such route" (which has an
/// empty body).
fn handled(reply: &Reply) -> bool {
    !(matches!(
        reply.status,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    ) && reply.body.is_empty())
}

#[tokio::test]
async fn every_api_route_needs_a_key_and_the_role_it_declares() {
    let h = Harness::sqlite().await;
    let api: Vec<_> = operations()
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/api/v1/"))
        .collect();
    assert!(
        api.len() >= 10,
        "the API routes are in the document: {}",
        api.len()
    );
    let mut admin_only = 0;
    for (method, path, operation) in &api {
        let uri = concrete(path);
        let role = declared_role(path, operation);
        assert!(
            role == "admin" || role == "integrator",
            "{path}: unknown role {role}"
        );
        // Integrators post events and read; every other change needs an admin.
        if method != "GET" && path != "/api/v1/events" {
            assert_eq!(role, "admin", "{method} {path} changes state");
        }

        for key in [None, Some("wlk_not-a-key")] {
            let reply = h.api(method, &uri, key, None).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {key:?}: {}",
                reply.text()
            );
            assert_eq!(reply.error_code(), "unauthorized");
        }

        let reply = h.api(method, &uri, Some(&h.integrator_key), None).await;
        if role == "admin" {
            admin_only += 1;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{method} {path} as integrator: {}",
                reply.text()
            );
            assert_eq!(reply.error_code(), "forbidden");
        } else {
            assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status),
                "{method} {path} as integrator: {}",
                reply.text()
            );
        }

        let reply = h.api(method, &uri, Some(&h.admin_key), None).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status),
            "{method} {path} as admin: {}",
            reply.text()
        );
        assert!(
            handled(&reply),
            "{method} {path} is documented but not routed"
        );
    }
    assert!(admin_only > 0, "some routes are admin-only");
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let h = Harness::sqlite().await;
    let served = h
        .api("GET", "/api/v1/openapi.json", Some(&h.integrator_key), None)
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served.json(),
        serde_json::to_value(openapi_document()).unwrap()
    );
    assert_eq!(
        served.json()["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );

    let documented: Vec<String> = operations()
        .iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    for route in [
        "GET /callbacks/wecom/{connection}",
        "POST /callbacks/wecom/{connection}",
        "POST /callbacks/dingtalk/{connection}",
        "POST /api/v1/events",
        "GET /api/v1/openapi.json",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
    ] {
        assert!(
            documented.iter().any(|d| d == route),
            "{route} is not documented: {documented:?}"
        );
    }
    // Public routes answer without a key, from a handler.
    for (method, path, operation) in operations()
        .iter()
        .filter(|(_, p, _)| !p.starts_with("/api/"))
    {
        assert!(
            operation.get("security").is_none(),
            "{path} is public and declares no key"
        );
        let reply = h.api(method, &concrete(path), None, None).await;
        assert!(
            handled(&reply),
            "{method} {path} is documented but not routed"
        );
        assert_ne!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // The probe above can tell a missing route apart.
    assert!(!handled(&h.api("GET", "/api/v2/nothing", None, None).await));
}

async fn health_and_connections(h: Harness) {
    for path in ["/healthz", "/readyz"] {
        let reply = h.api("GET", path, None, None).await;
        assert_eq!(
            (reply.status, reply.json()["status"].clone()),
            (StatusCode::OK, json!("ok"))
        );
    }
    let reply = h
        .api("GET", "/api/v1/connections", Some(&h.integrator_key), None)
        .await;
    let connections = reply.json();
    assert_eq!(connections[0]["name"], WECOM);
    assert_eq!(
        connections[0]["callback_url"],
        "https://worklink.example.com/callbacks/wecom/acme"
    );
    assert_eq!(connections[1]["receive_id"], DINGTALK_APP_KEY);
    assert!(
        !reply.text().contains("secret"),
        "credentials stay on the server: {}",
        reply.text()
    );
}

/// One event, a rule, and one execution that succeeded with one effect; returns the execution id.
async fn seed_execution(h: &Harness) -> i64 {
    let store = &h.store;
    let version = store.publish_rule("notify", "v1", NOW).await.unwrap();
    let event = NewEvent {
        source: WECOM.into(),
        dedup_key: "k1".into(),
        kind: "wecom.contact.user.created".into(),
        occurred_at: NOW,
        payload: json!({"user_id": "zhangsan"}),
    };
    let InboxInsert::Inserted(event_id) = store.insert_event(&event, NOW).await.unwrap() else {
        panic!("new event")
    };
    let ids = store
        .enqueue_executions(event_id, &[version.id], NOW)
        .await
        .unwrap();
    let claimed = store
        .claim_execution("w1", NOW, NOW + 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, ids[0]);
    let effect = NewEffect {
        idempotency_key: format!("exec-{}/0", claimed.id),
        kind: "message".into(),
        payload: json!({"text": "hi"}),
    };
    let completion = Completion {
        outcome: Outcome::Succeeded {
            effects: vec![effect],
        },
        logs: "sent a greeting\n".into(),
        usage: ResourceUse {
            duration_ms: 3,
            fuel_used: None,
            memory_peak_bytes: None,
        },
    };
    store
        .complete_execution(claimed.id, "w1", NOW, &completion)
        .await
        .unwrap();
    claimed.id
}

async fn executions_are_listed_shown_and_replayed(h: Harness) {
    let id = seed_execution(&h).await;
    let key = Some(h.integrator_key.as_str());

    let all = h.api("GET", "/api/v1/executions", key, None).await.json();
    assert_eq!(all[0]["id"], id);
    assert_eq!(all[0]["rule"], "notify");
    assert_eq!(all[0]["event_kind"], "wecom.contact.user.created");
    for (query, expected) in [
        ("status=succeeded", 1),
        ("status=failed", 0),
        ("rule=notify", 1),
        ("rule=other", 0),
        ("before=1", 0),
    ] {
        let page = h
            .api("GET", &format!("/api/v1/executions?{query}"), key, None)
            .await
            .json();
        assert_eq!(page.as_array().unwrap().len(), expected, "{query}");
    }
    let bad = h
        .api("GET", "/api/v1/executions?status=done", key, None)
        .await;
    assert_eq!(
        (bad.status, bad.error_code()),
        (StatusCode::BAD_REQUEST, "bad_request".to_owned())
    );

    let shown = h
        .api("GET", &format!("/api/v1/executions/{id}"), key, None)
        .await
        .json();
    assert_eq!(shown["logs"], "sent a greeting\n");
    assert_eq!(shown["event"]["payload"]["user_id"], "zhangsan");
    assert_eq!(shown["staged_effects"][0]["kind"], "message");
    assert_eq!(shown["deliveries"][0]["status"], "pending");
    assert_eq!(
        shown["deliveries"][0]["idempotency_key"],
        format!("exec-{id}/0")
    );

    // Replay against the original version, then against a newer current one.
    let admin = Some(h.admin_key.as_str());
    let original = h
        .api(
            "POST",
            &format!("/api/v1/executions/{id}/replay"),
            admin,
            None,
        )
        .await;
    assert_eq!(original.status, StatusCode::ACCEPTED, "{}", original.text());
    let new_version = h.store.publish_rule("notify", "v2", NOW).await.unwrap();
    let current = h
        .api(
            "POST",
            &format!("/api/v1/executions/{id}/replay?version=current"),
            admin,
            None,
        )
        .await;
    assert_eq!(current.status, StatusCode::ACCEPTED, "{}", current.text());
    let replays = h
        .api("GET", "/api/v1/executions?status=queued", key, None)
        .await
        .json();
    let versions: Vec<i64> = replays
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule_version_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        versions,
        vec![new_version.id, shown["rule_version_id"].as_i64().unwrap()]
    );
    assert!(
        replays
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["replay_of"] == id)
    );
    let missing = h
        .api("POST", "/api/v1/executions/424242/replay", admin, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn dead_letters_are_listed_and_requeued_once(h: Harness) {
    let id = seed_execution(&h).await;
    let effect = h
        .store
        .claim_effect("relay", NOW, NOW + 60_000)
        .await
        .unwrap()
        .unwrap();
    let failure = DeliveryFailure {
        errcode: Some("60020".into()),
        error: "IP not allowed".into(),
        retry_at: None,
    };
    h.store
        .mark_effect_failed(effect.id, "relay", &failure)
        .await
        .unwrap();

    let letters = h
        .api("GET", "/api/v1/dead-letters", Some(&h.integrator_key), None)
        .await
        .json();
    assert_eq!(letters[0]["execution_id"], id);
    assert_eq!(letters[0]["last_errcode"], "60020");
    assert_eq!(letters[0]["payload"]["text"], "hi");

    let uri = format!("/api/v1/dead-letters/{}/requeue", effect.id);
    assert_eq!(
        h.api("POST", &uri, Some(&h.admin_key), None).await.status,
        StatusCode::NO_CONTENT
    );
    let again = h.api("POST", &uri, Some(&h.admin_key), None).await;
    assert_eq!(
        (again.status, again.error_code()),
        (StatusCode::CONFLICT, "conflict".to_owned())
    );
    let letters = h
        .api("GET", "/api/v1/dead-letters", Some(&h.integrator_key), None)
        .await
        .json();
    assert_eq!(letters, json!([]));
}

async fn directory_views_page_through_a_connection(h: Harness) {
    let store = &h.store;
    store
        .upsert_department(
            WECOM,
            &Department {
                dept_id: "1".into(),
                parent_id: None,
                name: "总部".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    for user_id in ["lisi", "wangwu", "zhangsan"] {
        let user = DirectoryUser {
            user_id: user_id.into(),
            name: user_id.to_uppercase(),
            mobile: None,
            email: None,
            title: None,
            active: true,
            department_ids: vec!["1".into()],
            tag_ids: vec![],
            profile: json!({}),
        };
        store.upsert_user(WECOM, &user, NOW).await.unwrap();
    }
    let binding = Binding {
        erp_employee_id: "E-1".into(),
        user_id: "zhangsan".into(),
        matched_by: "mobile".into(),
    };
    store.bind_employee(WECOM, &binding, NOW).await.unwrap();

    let key = Some(h.integrator_key.as_str());
    let base = format!("/api/v1/directory/{WECOM}");
    assert_eq!(
        h.api("GET", &format!("{base}/departments"), key, None)
            .await
            .json()[0]["name"],
        "总部"
    );
    let first = h
        .api("GET", &format!("{base}/users?limit=2"), key, None)
        .await
        .json();
    assert_eq!(
        first
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["user_id"].clone())
            .collect::<Vec<_>>(),
        vec![json!("lisi"), json!("wangwu")]
    );
    let rest = h
        .api("GET", &format!("{base}/users?after=wangwu"), key, None)
        .await
        .json();
    assert_eq!(rest[0]["user_id"], "zhangsan");
    assert_eq!(rest.as_array().unwrap().len(), 1);
    let one = h
        .api("GET", &format!("{base}/users/zhangsan"), key, None)
        .await
        .json();
    assert_eq!(one["department_ids"], json!(["1"]));
    assert_eq!(
        h.api("GET", &format!("{base}/bindings"), key, None)
            .await
            .json()[0]["erp_employee_id"],
        "E-1"
    );
    let unknown = h
        .api("GET", "/api/v1/directory/nope/users", key, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

http_on_both_backends!(
    executions_are_listed_shown_and_replayed,
    dead_letters_are_listed_and_requeued_once,
    directory_views_page_through_a_connection,
    health_and_connections,
);

#[tokio::test]
async fn a_connection_test_reads_from_the_provider_or_names_why_not() {
    let tenant = SimConfig {
        seed: 7,
        users: 5,
        departments: 3,
    };
    let wecom = WeComSim::new(tenant);
    let server = sim::serve(wecom.router(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let credentials = wecom.credentials();
    let api = WeComApi {
        corp_id: credentials.corp_id.clone(),
        secret: credentials.secret.clone(),
        api_base: server.base_url.clone(),
    };
    let h = Harness::with_api(storage_support::sqlite().await, api).await;

    let reply = h
        .api(
            "POST",
            &format!("/api/v1/connections/{WECOM}/test"),
            Some(&h.admin_key),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let report = reply.json();
    assert_eq!(report["corp_id"], credentials.corp_id);
    assert!(
        report["visible_departments"].as_u64().unwrap() >= 1,
        "{report}"
    );

    // The default harness points at a closed port: the failure is the provider's, named.
    let offline = Harness::sqlite().await;
    let reply = offline
        .api(
            "POST",
            &format!("/api/v1/connections/{WECOM}/test"),
            Some(&offline.admin_key),
            None,
        )
        .await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::BAD_GATEWAY, "provider_error".to_owned())
    );
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("gettoken"),
        "{}",
        reply.text()
    );
    assert!(
        !reply.text().contains("wecom-app-secret"),
        "no secret in the answer"
    );
    let unknown = offline
        .api(
            "POST",
            "/api/v1/connections/nope/test",
            Some(&offline.admin_key),
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
