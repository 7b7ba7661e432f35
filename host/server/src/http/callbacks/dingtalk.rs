//! `POST /callbacks/dingtalk/{connection}`: DingTalk's event pushes. Its URL check is a push too
//! (`EventType: check_url`); every push, the check included, is answered with the encrypted string
//! `success` in DingTalk's reply JSON, which it must receive within 1.5 s.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use worklink_providers::crypto::CallbackCrypto;
use worklink_providers::crypto::dingtalk::{self, CallbackQuery};
use worklink_providers::events::ProviderEvent;
use worklink_providers::events::ingest;

use super::{CallbackApi, IngestFn, receive};
use crate::config::Provider;
use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::storage::now_millis;

/// The kind the providers crate gives DingTalk's URL check.
const URL_CHECK_KIND: &str = "dingtalk.check_url";

/// DingTalk's side of the shared callback path.
pub struct DingTalk;

impl CallbackApi for DingTalk {
    const PROVIDER: Provider = Provider::Dingtalk;
    type Query = CallbackQuery;

    const INGEST: IngestFn<CallbackQuery> = ingest::dingtalk;

    fn acknowledge(crypto: &CallbackCrypto) -> Response {
        let reply =
            dingtalk::success_reply(crypto, &now_millis().to_string(), &dingtalk::random_nonce());
        Json(reply).into_response()
    }

    fn is_url_check(event: &ProviderEvent) -> bool {
        event.kind == URL_CHECK_KIND
    }
}

/// Stores a DingTalk push in the inbox (a URL check is only answered) and acknowledges it.
#[utoipa::path(
    post,
    path = "/callbacks/dingtalk/{connection}",
    tag = "callbacks",
    params(
        ("connection" = String, Path, description = "A configured DingTalk connection"),
        ("msg_signature" = String, Query, description = "SHA1 over token, timestamp, nonce and encrypt (also accepted as `signature`)"),
        ("timestamp" = String, Query, description = "Unix milliseconds (also accepted as `timeStamp`)"),
        ("nonce" = String, Query, description = "Random string"),
    ),
    request_body(content = String, description = "`{\"encrypt\": \"...\"}`", content_type = "application/json"),
    responses(
        (status = 200, description = "Stored (or already stored, or a URL check): `{msg_signature, timeStamp, nonce, encrypt}` carrying the encrypted string `success`", body = serde_json::Value),
        (status = 400, description = "Malformed envelope", body = ErrorBody),
        (status = 403, description = "Bad signature or receive id", body = ErrorBody),
        (status = 404, description = "No such DingTalk connection", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 422, description = "Authentic but unusable content", body = ErrorBody),
    )
)]
pub async fn event(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
    ApiQuery(query): ApiQuery<CallbackQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    receive::<DingTalk>(&state, &connection, &query, &body).await
}
