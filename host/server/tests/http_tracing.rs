//! Request tracing names the method and the route and never a secret: not the API key in the
//! `Authorization` header, not the signature or challenge in a callback's query string, not the
//! connection's token or AES key.

#[macro_use]
mod storage_support;
#[macro_use]
mod http_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use http_support::*;
use worklink_providers::crypto::CallbackCrypto;

/// Everything the subscriber writes, kept for inspection.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_routes_and_hide_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runs on one thread, so the subscriber sees every request below.
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::sqlite().await;
    let envelope = wecom_crypto().encrypt("challenge-1234", "1700000000", "nonce-1");
    let reply = h
        .send(wecom_url_check(&envelope, &envelope.msg_signature))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // A rejected callback is logged with its reason.
    let forger = CallbackCrypto::new("forged-token", WECOM_KEY, WECOM_CORP).unwrap();
    let rejected = h
        .send(wecom_post(
            WECOM,
            &forger,
            "<xml/>",
            "1700000001",
            "nonce-2",
        ))
        .await;
    assert_eq!(rejected.status, StatusCode::FORBIDDEN);
    let listed = h
        .api("GET", "/api/v1/executions", Some(&h.admin_key), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let refused = h
        .api(
            "POST",
            "/api/v1/rules/reload",
            Some(&h.integrator_key),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "/callbacks/wecom/{connection}",
        "/api/v1/executions",
        "callback rejected",
        "signature does not match",
    ] {
        assert!(
            log.contains(expected),
            "the log should mention {expected:?}:\n{log}"
        );
    }
    for secret in [
        h.admin_key.as_str(),
        h.integrator_key.as_str(),
        WECOM_TOKEN,
        WECOM_KEY,
        "forged-token",
        envelope.msg_signature.as_str(),
        envelope.encrypt.as_str(),
        "challenge-1234",
    ] {
        assert!(!log.contains(secret), "the log leaks {secret:?}:\n{log}");
    }
}
