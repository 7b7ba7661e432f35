//! `GET|POST /callbacks/wecom/{connection}`: WeCom's URL check (reply the decrypted `echostr`
//! exactly, as a raw body) and its event callbacks (XML or the JSON variant; answered `success`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use worklink_providers::crypto::{
    CallbackCrypto,
    wecom::{self, CallbackQuery},
};
use worklink_providers::events::ingest::{self, IngestError};

use super::{CallbackApi, IngestFn, receive, rejected};
use crate::config::Provider;
use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};

/// WeCom's side of the shared callback path.
pub struct WeCom;

impl CallbackApi for WeCom {
    const PROVIDER: Provider = Provider::Wecom;
    type Query = CallbackQuery;

    const INGEST: IngestFn<CallbackQuery> = ingest::wecom;

    fn acknowledge(_crypto: &CallbackCrypto) -> Response {
        // No passive reply: `success` tells WeCom to stop retrying.
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "success",
        )
            .into_response()
    }
}

/// Answers WeCom's URL verification with the decrypted `echostr`.
#[utoipa::path(
    get,
    path = "/callbacks/wecom/{connection}",
    tag = "callbacks",
    params(
        ("connection" = String, Path, description = "A configured WeCom connection"),
        ("msg_signature" = String, Query, description = "SHA1 over token, timestamp, nonce and echostr"),
        ("timestamp" = String, Query, description = "Unix seconds"),
        ("nonce" = String, Query, description = "Random string"),
        ("echostr" = String, Query, description = "The encrypted challenge"),
    ),
    responses(
        (status = 200, description = "The decrypted challenge, byte for byte", body = String, content_type = "text/plain"),
        (status = 400, description = "Malformed query or challenge", body = ErrorBody),
        (status = 403, description = "Bad signature or receive id", body = ErrorBody),
        (status = 404, description = "No such WeCom connection", body = ErrorBody),
    )
)]
pub async fn verify_url(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> Result<Response, AppError> {
    let crypto = state.callbacks.get(Provider::Wecom, &connection)?;
    let echo = wecom::verify_url(crypto, &query).map_err(|err| {
        rejected(
            &state,
            Provider::Wecom,
            &connection,
            IngestError::Crypto(err),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo).into_response())
}

/// Stores a WeCom event callback in the inbox and acknowledges it.
#[utoipa::path(
    post,
    path = "/callbacks/wecom/{connection}",
    tag = "callbacks",
    params(
        ("connection" = String, Path, description = "A configured WeCom connection"),
        ("msg_signature" = String, Query, description = "SHA1 over token, timestamp, nonce and Encrypt"),
        ("timestamp" = String, Query, description = "Unix seconds"),
        ("nonce" = String, Query, description = "Random string"),
    ),
    request_body(content = String, description = "`<xml><ToUserName/><Encrypt/><AgentID/></xml>` or its JSON variant", content_type = "application/xml"),
    responses(
        (status = 200, description = "Stored (or already stored): `success`", body = String, content_type = "text/plain"),
        (status = 400, description = "Malformed envelope", body = ErrorBody),
        (status = 403, description = "Bad signature or receive id", body = ErrorBody),
        (status = 404, description = "No such WeCom connection", body = ErrorBody),
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
    receive::<WeCom>(&state, &connection, &query, &body).await
}
