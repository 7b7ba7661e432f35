//! [`AppError`]: every way a request can fail, mapped to one status code and a JSON body
//! `{"error": "<code>", "detail": "<what was wrong>"}` so operators and the providers' consoles see
//! the reason, and so clients can match on `error` without parsing prose.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use worklink_providers::crypto::CryptoError;
use worklink_providers::events::ingest::IngestError;

use crate::clients::ClientsError;
use crate::pipeline::{PipelineError, PluginError};
use crate::rules::RuleError;
use crate::storage::StorageError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No `Authorization: Bearer <key>` header, or a key that is unknown or revoked.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The key is valid but its role may not use this route.
    #[error("this route needs the {needed} role; the key `{key}` has {has}")]
    Forbidden {
        /// The role the route declares.
        needed: &'static str,
        /// The role the presented key has.
        has: &'static str,
        /// The key's name (never the key).
        key: String,
    },
    /// No connection of this name is configured for this provider.
    #[error("no {provider} connection named `{name}` is configured")]
    UnknownConnection {
        /// `wecom` or `dingtalk`.
        provider: &'static str,
        /// The name from the URL.
        name: String,
    },
    /// A callback failed verification or decryption, or its content is unusable.
    #[error(transparent)]
    Callback(#[from] IngestError),
    /// A named thing (execution, rule, plugin, dead letter) does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// The request is well-formed HTTP but its content is not acceptable.
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with the current state (e.g. requeueing a letter that is not dead).
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than `limits.body_limit_bytes`.
    #[error("request body is larger than the configured limit (limits.body_limit_bytes)")]
    BodyTooLarge,
    /// Reloading rules failed (a manifest names its file, key and reason).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// A dry run could not be carried out.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A plugin could not be installed or loaded.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// A provider client could not be found or its provider refused.
    #[error(transparent)]
    Clients(#[from] ClientsError),
    /// The database failed; the detail is logged, the client sees only that storage failed.
    #[error("storage failure: {0}")]
    Storage(#[from] StorageError),
    /// A dependency the route needs is down (e.g. the database for `/readyz`).
    #[error("{0}")]
    Unavailable(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`bad_signature`, `forbidden`, `not_found`...).
    pub error: &'static str,
    /// A readable explanation naming what was wrong.
    pub detail: String,
}

impl AppError {
    /// The status code and stable code of this error.
    fn classify(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::UnknownConnection { .. } => (StatusCode::NOT_FOUND, "unknown_connection"),
            AppError::Callback(IngestError::Crypto(crypto)) => match crypto {
                CryptoError::BadSignature => (StatusCode::FORBIDDEN, "bad_signature"),
                CryptoError::ReceiveIdMismatch { .. } => {
                    (StatusCode::FORBIDDEN, "wrong_receive_id")
                }
                // A server-side key problem, not the caller's fault.
                CryptoError::InvalidAesKey { .. } => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "callback_key_invalid")
                }
                _ => (StatusCode::BAD_REQUEST, "malformed_callback"),
            },
            AppError::Callback(IngestError::Event { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unusable_callback")
            }
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            AppError::Rule(RuleError::Manifest(_)) => (StatusCode::BAD_REQUEST, "invalid_rule"),
            AppError::Rule(RuleError::Storage(err))
            | AppError::Pipeline(PipelineError::Storage(err)) => storage_class(err),
            AppError::Rule(_) => (StatusCode::INTERNAL_SERVER_ERROR, "rules_unreadable"),
            AppError::Pipeline(PipelineError::UnknownRule(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            AppError::Pipeline(PipelineError::Plugin(err)) | AppError::Plugin(err) => {
                plugin_class(err)
            }
            AppError::Pipeline(
                PipelineError::Script { .. } | PipelineError::UnknownConnection { .. },
            ) => (StatusCode::CONFLICT, "rule_not_runnable"),
            AppError::Pipeline(PipelineError::Rule(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "rules_unreadable")
            }
            AppError::Clients(
                ClientsError::UnknownConnection(_) | ClientsError::UnknownRobot(_),
            ) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Clients(ClientsError::WrongProvider { .. }) => {
                (StatusCode::CONFLICT, "wrong_provider")
            }
            AppError::Clients(ClientsError::RobotUrl { .. }) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "robot_misconfigured")
            }
            AppError::Clients(ClientsError::Api(_)) => (StatusCode::BAD_GATEWAY, "provider_error"),
            AppError::Storage(err) => storage_class(err),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        }
    }
}

/// A storage failure: a missing row is the client's 404, anything else the server's 500.
fn storage_class(err: &StorageError) -> (StatusCode, &'static str) {
    match err {
        StorageError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
    }
}

/// A plugin failure: a bad upload or name is the client's, an unreadable directory the server's.
fn plugin_class(err: &PluginError) -> (StatusCode, &'static str) {
    match err {
        PluginError::NotInstalled { .. } => (StatusCode::NOT_FOUND, "not_found"),
        PluginError::Load { .. } | PluginError::InvalidName(_) => {
            (StatusCode::BAD_REQUEST, "invalid_plugin")
        }
        PluginError::NameMismatch { .. } => (StatusCode::CONFLICT, "plugin_name_mismatch"),
        PluginError::Io { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "plugins_dir"),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error) = self.classify();
        let detail = match &self {
            // Database errors can quote SQL and row values; they go to the log only.
            AppError::Storage(StorageError::NotFound(what))
            | AppError::Rule(RuleError::Storage(StorageError::NotFound(what)))
            | AppError::Pipeline(PipelineError::Storage(StorageError::NotFound(what))) => {
                format!("{what} does not exist")
            }
            AppError::Storage(err)
            | AppError::Rule(RuleError::Storage(err))
            | AppError::Pipeline(PipelineError::Storage(err)) => {
                tracing::error!(error = %err, "request failed in storage");
                "the database failed; see the server log".to_owned()
            }
            // The plaintext of an unusable callback may carry personal data: keep it out of
            // the answer, name only the parse error.
            AppError::Callback(IngestError::Event { error, .. }) => {
                format!("callback content unusable: {error}")
            }
            other => other.to_string(),
        };
        if status.is_client_error() {
            tracing::debug!(status = status.as_u16(), error, %detail, "request refused");
        }
        let mut response = (status, Json(ErrorBody { error, detail })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: AppError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn crypto_failures_get_distinct_codes() {
        let (status, body) = body_of(AppError::Callback(IngestError::Crypto(
            CryptoError::BadSignature,
        )))
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("bad_signature"))
        );
        let mismatch = CryptoError::ReceiveIdMismatch {
            expected: "ww1".into(),
            got: "ww2".into(),
        };
        let (status, body) = body_of(AppError::Callback(IngestError::Crypto(mismatch))).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("wrong_receive_id"))
        );
        assert!(body["detail"].as_str().unwrap().contains("ww2"));
    }

    #[tokio::test]
    async fn unusable_content_never_echoes_the_plaintext() {
        let error = IngestError::Event {
            error: worklink_providers::events::EventError::NotAMap { reason: "a list" },
            plaintext: "mobile 13800000000".into(),
        };
        let (status, body) = body_of(AppError::Callback(error)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!body.to_string().contains("13800000000"), "{body}");
    }

    #[tokio::test]
    async fn database_errors_are_not_quoted_to_the_client() {
        let err = StorageError::Corrupt {
            column: "outbox.status",
            value: "secret-ish".into(),
        };
        let (status, body) = body_of(AppError::Storage(err)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("secret-ish"));
    }

    #[tokio::test]
    async fn unauthenticated_answers_name_the_scheme() {
        let response = AppError::Unauthenticated("missing key").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
