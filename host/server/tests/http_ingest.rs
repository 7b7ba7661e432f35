//! Ingest over HTTP: WeCom's URL check and event callbacks, DingTalk's pushes and URL check, and
//! ERP events, through the real router and a real store. Requests are encrypted with the
//! providers' own crypto, as WeCom and DingTalk would send them.

#[macro_use]
mod storage_support;
#[macro_use]
mod http_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_support::*;
use serde_json::json;
use worklink_providers::crypto::CallbackCrypto;
use worklink_providers::crypto::dingtalk::{Reply as DingTalkReply, SUCCESS};

/// A WeCom text message, as its plaintext XML.
const WECOM_TEXT: &str = "<xml><ToUserName><![CDATA[ww1234]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>\
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content>\
<MsgId>4561255354251345929</MsgId><AgentID>1000002</AgentID></xml>";

/// A DingTalk contact event.
const DINGTALK_USER_ADDED: &str = r#"{"EventType":"user_add_org","CorpId":"ding5678","TimeStamp":"1700000000000","UserId":["lisi"]}"#;

async fn wecom_post_stores_one_event_and_a_retry_nothing(h: Harness) {
    let crypto = wecom_crypto();
    let first = h
        .send(wecom_post(WECOM, &crypto, WECOM_TEXT, "1700000000", "n1"))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.text(), "success");
    assert_eq!(h.inbox_count().await, 1);
    let (source, kind): (String, String) = sqlx::query_as("SELECT source, kind FROM inbox_events")
        .fetch_one(h.store.pool())
        .await
        .unwrap();
    assert_eq!(
        (source.as_str(), kind.as_str()),
        (WECOM, "wecom.message.text.received")
    );

    // The identical request again, and WeCom's retry (fresh timestamp, nonce and random prefix).
    let again = h
        .send(wecom_post(WECOM, &crypto, WECOM_TEXT, "1700000000", "n1"))
        .await;
    let retry = h
        .send(wecom_post(WECOM, &crypto, WECOM_TEXT, "1700000005", "n2"))
        .await;
    for reply in [again, retry] {
        assert_eq!(
            (reply.status, reply.text()),
            (StatusCode::OK, "success".to_owned())
        );
    }
    assert_eq!(h.inbox_count().await, 1);
}

async fn erp_events_with_a_client_id_are_idempotent(h: Harness) {
    let event = json!({"kind": "erp.task.assigned", "id": "T-42", "payload": {"task": "T-42", "assignee": "zhangsan"}});
    let key = Some(h.integrator_key.as_str());
    let first = h
        .api("POST", "/api/v1/events", key, Some(event.clone()))
        .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    assert_eq!(first.json()["duplicate"], false);
    let second = h.api("POST", "/api/v1/events", key, Some(event)).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.json()["duplicate"], true);
    assert_eq!(second.json()["event_id"], first.json()["event_id"]);
    assert_eq!(h.inbox_count().await, 1);

    // Without a client id every post is a new event.
    for _ in 0..2 {
        let reply = h
            .api(
                "POST",
                "/api/v1/events",
                key,
                Some(json!({"kind": "erp.mention"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    assert_eq!(h.inbox_count().await, 3);
    let stored: String =
        sqlx::query_scalar("SELECT payload FROM inbox_events WHERE kind = 'erp.task.assigned'")
            .fetch_one(h.store.pool())
            .await
            .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored).unwrap()["assignee"],
        "zhangsan"
    );

    // The id may come as an Idempotency-Key header instead.
    let with_header = || {
        Request::post("/api/v1/events")
            .header("authorization", format!("Bearer {}", h.integrator_key))
            .header("content-type", "application/json")
            .header("idempotency-key", "M-7")
            .body(Body::from(json!({"kind": "erp.mention"}).to_string()))
            .unwrap()
    };
    assert_eq!(h.send(with_header()).await.status, StatusCode::ACCEPTED);
    assert_eq!(h.send(with_header()).await.json()["duplicate"], true);
    assert_eq!(h.inbox_count().await, 4);
}

async fn dingtalk_push_is_stored_and_answered_with_encrypted_success(h: Harness) {
    let crypto = dingtalk_crypto();
    let reply = h
        .send(dingtalk_post(
            &crypto,
            DINGTALK_USER_ADDED,
            "1700000000000",
            "abcd1234",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_success_reply(&crypto, &reply);
    let retry = h
        .send(dingtalk_post(
            &crypto,
            DINGTALK_USER_ADDED,
            "1700000001000",
            "efgh5678",
        ))
        .await;
    assert_success_reply(&crypto, &retry);
    assert_eq!(h.inbox_count().await, 1);
    let (source, kind): (String, String) = sqlx::query_as("SELECT source, kind FROM inbox_events")
        .fetch_one(h.store.pool())
        .await
        .unwrap();
    assert_eq!(source, DINGTALK);
    assert!(kind.starts_with("dingtalk.contact.user."), "{kind}");
}

http_on_both_backends!(
    wecom_post_stores_one_event_and_a_retry_nothing,
    erp_events_with_a_client_id_are_idempotent,
    dingtalk_push_is_stored_and_answered_with_encrypted_success,
    metrics_count_what_ingest_did,
);

/// Decrypts DingTalk's reply with DingTalk's copy of the keys; it must say `success`.
fn assert_success_reply(crypto: &CallbackCrypto, reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let parsed: DingTalkReply = serde_json::from_slice(&reply.body).expect("DingTalk reply JSON");
    let plaintext = crypto
        .decrypt(
            &parsed.msg_signature,
            &parsed.time_stamp,
            &parsed.nonce,
            &parsed.encrypt,
        )
        .unwrap();
    assert_eq!(plaintext, SUCCESS);
}

#[tokio::test]
async fn wecom_url_check_echoes_the_challenge_exactly() {
    let h = Harness::sqlite().await;
    // A challenge with characters that need percent-encoding once encrypted (+, /, =).
    let challenge = "8393041265203851123";
    let envelope = wecom_crypto().encrypt(challenge, "1700000000", "nonce-1");
    let reply = h
        .send(wecom_url_check(&envelope, &envelope.msg_signature))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.body, challenge.as_bytes(), "no quotes, no newline");
    assert_eq!(h.inbox_count().await, 0);

    // A tampered signature is refused.
    let reply = h.send(wecom_url_check(&envelope, "0000")).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::FORBIDDEN, "bad_signature".to_owned())
    );
}

#[tokio::test]
async fn wrong_signature_is_refused_and_stores_nothing() {
    let h = Harness::sqlite().await;
    // Signed with another token: the signature cannot match ours.
    let forger = CallbackCrypto::new("not-our-token", WECOM_KEY, WECOM_CORP).unwrap();
    let reply = h
        .send(wecom_post(WECOM, &forger, WECOM_TEXT, "1700000000", "n1"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "bad_signature");
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("signature")
    );
    assert_eq!(h.inbox_count().await, 0);
}

#[tokio::test]
async fn wrong_receive_id_is_refused_and_stores_nothing() {
    let h = Harness::sqlite().await;
    // Right token and key, but encrypted for another corp.
    let other_corp = CallbackCrypto::new(WECOM_TOKEN, WECOM_KEY, "ww-someone-else").unwrap();
    let reply = h
        .send(wecom_post(
            WECOM,
            &other_corp,
            WECOM_TEXT,
            "1700000000",
            "n1",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code(), "wrong_receive_id");
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("ww-someone-else")
    );
    assert_eq!(h.inbox_count().await, 0);
}

#[tokio::test]
async fn malformed_bodies_and_unknown_connections_are_4xx() {
    let h = Harness::sqlite().await;
    let q = query(&[("msg_signature", "abc"), ("timestamp", "1"), ("nonce", "n")]);
    let not_xml = Request::post(format!("/callbacks/wecom/{WECOM}?{q}"))
        .body(Body::from("<xml><Encrypt>"))
        .unwrap();
    let reply = h.send(not_xml).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::BAD_REQUEST, "malformed_callback".to_owned())
    );

    let no_query = Request::post(format!("/callbacks/wecom/{WECOM}"))
        .body(Body::from("<xml/>"))
        .unwrap();
    assert_eq!(h.send(no_query).await.status, StatusCode::BAD_REQUEST);

    // A DingTalk connection's name on the WeCom route, and a name nobody configured.
    for name in [DINGTALK, "nobody"] {
        let reply = h
            .send(wecom_post(
                name,
                &wecom_crypto(),
                WECOM_TEXT,
                "1700000000",
                "n1",
            ))
            .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::NOT_FOUND, "unknown_connection".to_owned())
        );
    }
    assert_eq!(h.inbox_count().await, 0);
}

#[tokio::test]
async fn oversized_bodies_get_413_and_store_nothing() {
    let h = Harness::sqlite().await;
    let big = "x".repeat(BODY_LIMIT + 1);
    let plaintext =
        format!("<xml><MsgType>text</MsgType><Content>{big}</Content><MsgId>1</MsgId></xml>");
    let reply = h
        .send(wecom_post(
            WECOM,
            &wecom_crypto(),
            &plaintext,
            "1700000000",
            "n1",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "body_too_large");

    // With a Content-Length the limit refuses the request before reading it.
    let mut request = wecom_post(WECOM, &wecom_crypto(), &plaintext, "1700000000", "n1");
    let length = axum::http::HeaderValue::from(BODY_LIMIT + 100);
    request
        .headers_mut()
        .insert(axum::http::header::CONTENT_LENGTH, length);
    let reply = h.send(request).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".to_owned())
    );

    // The ERP API has the same limit.
    let event = json!({"kind": "erp.mention", "payload": {"text": big}});
    let reply = h
        .api("POST", "/api/v1/events", Some(&h.admin_key), Some(event))
        .await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".to_owned())
    );
    assert_eq!(h.inbox_count().await, 0);
}

#[tokio::test]
async fn dingtalk_url_check_answers_encrypted_success_and_stores_nothing() {
    let h = Harness::sqlite().await;
    let crypto = dingtalk_crypto();
    let reply = h
        .send(dingtalk_post(
            &crypto,
            r#"{"EventType":"check_url"}"#,
            "1700000000000",
            "WL4PK6yA",
        ))
        .await;
    assert_success_reply(&crypto, &reply);
    assert_eq!(h.inbox_count().await, 0);
}

async fn metrics_count_what_ingest_did(h: Harness) {
    let crypto = wecom_crypto();
    h.send(wecom_post(WECOM, &crypto, WECOM_TEXT, "1700000000", "n1"))
        .await;
    h.send(wecom_post(WECOM, &crypto, WECOM_TEXT, "1700000001", "n2"))
        .await;
    let forger = CallbackCrypto::new("forged", WECOM_KEY, WECOM_CORP).unwrap();
    h.send(wecom_post(WECOM, &forger, WECOM_TEXT, "1700000002", "n3"))
        .await;

    let reply = h
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = reply.text();
    for line in [
        r#"worklink_ingest_events_total{source="wecom",outcome="stored"} 1"#,
        r#"worklink_ingest_events_total{source="wecom",outcome="duplicate"} 1"#,
        r#"worklink_ingest_events_total{source="wecom",outcome="rejected"} 1"#,
        r#"worklink_queue_depth{queue="inbox",status="unmatched"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
}
