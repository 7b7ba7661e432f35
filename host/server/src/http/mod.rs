//! The HTTP surface: provider callbacks, the ERP events API, the admin API, health and metrics.
//!
//! [`router`] builds the whole service from an [`AppState`] without binding a socket, so tests
//! drive it with `tower::ServiceExt::oneshot`. Layout, one route group per file:
//! - [`callbacks`]: `/callbacks/wecom/{connection}` and `/callbacks/dingtalk/{connection}`.
//! - [`events`]: `POST /api/v1/events`.
//! - [`admin`]: connections, rules, plugins, executions, dead letters, directory.
//! - [`health`], [`metrics`], [`openapi`]: `/healthz`, `/readyz`, `/metrics`, the API document.
//! - [`auth`]: API keys and roles; [`error`]: the JSON error answer; [`extract`]: extractors
//!   whose rejections are JSON errors too.
//!
//! Cross-cutting layers: a body limit (`limits.body_limit_bytes`, 413 beyond it) and request
//! tracing that records method, route and status, never query strings (signatures, challenges)
//! or headers (API keys).

pub mod admin;
pub mod auth;
pub mod callbacks;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Extension, MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use worklink_providers::crypto::CryptoError;

use crate::clients::Clients;
use crate::config::Config;
use crate::pipeline::{Handlers, Pipeline};
use crate::storage::Store;
use crate::wake::Wakeups;
use auth::{Gate, RouteRoles};
use callbacks::CallbackKeys;
use error::AppError;
use metrics::Metrics;

/// Everything a handler may need; cheap to clone (all shared).
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The checked configuration.
    pub config: Arc<Config>,
    /// Bells to ring after writing work for the next stage.
    pub wake: Wakeups,
    /// Matching, runs and dry runs.
    pub pipeline: Arc<Pipeline>,
    /// The wasm host, the script engine and the installed plugins (the pipeline's own).
    pub handlers: Arc<Handlers>,
    /// The provider clients (credential checks).
    pub clients: Arc<Clients>,
    /// Counters served at `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Each connection's callback crypto, built once.
    pub callbacks: CallbackKeys,
}

impl AppState {
    /// State over `store`, `config`, `pipeline` (whose handlers serve the plugin routes) and
    /// `clients`; fails if a connection's callback key is unusable (the config check already
    /// refuses such keys, so this names a programming error early).
    pub fn new(
        store: Store,
        config: Arc<Config>,
        wake: Wakeups,
        pipeline: Arc<Pipeline>,
        clients: Arc<Clients>,
    ) -> Result<Self, CryptoError> {
        let callbacks = CallbackKeys::from_config(&config)?;
        let handlers = Arc::clone(pipeline.handlers());
        Ok(AppState {
            store,
            config,
            wake,
            pipeline,
            handlers,
            clients,
            metrics: Arc::default(),
            callbacks,
        })
    }
}

/// Routes under `/api/v1`: every one needs an API key.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(events::post_event))
        .routes(routes!(openapi::openapi))
        .merge(admin::routes())
}

/// Routes outside `/api/v1`: authenticated by the providers' signatures, or public.
fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            callbacks::wecom::verify_url,
            callbacks::wecom::event
        ))
        .routes(routes!(callbacks::dingtalk::event))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
}

/// The OpenAPI document of every route [`router`] serves.
pub fn openapi_document() -> OpenApi {
    openapi::assemble([api_routes().into_openapi(), public_routes().into_openapi()])
}

/// The whole HTTP service.
pub fn router(state: AppState) -> Router {
    let (api, api_doc) = api_routes().split_for_parts();
    let (public, public_doc) = public_routes().split_for_parts();
    let document = openapi::assemble([api_doc, public_doc]);
    let gate = Gate {
        store: state.store.clone(),
        roles: RouteRoles::from_openapi(&document),
    };
    let api = api.route_layer(middleware::from_fn_with_state(gate, auth::require_key));
    // `usize` is at least 32 bits; a limit beyond it is no limit a request could reach.
    let limit = usize::try_from(state.config.limits.body_limit_bytes).unwrap_or(usize::MAX);
    public
        .merge(api)
        .layer(Extension(openapi::Document::new(&document)))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::map_response(json_payload_too_large))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The tracing span of a request: method and route template (the URI's path when no route
/// matched), never the query string or headers.
fn request_span(request: &Request) -> tracing::Span {
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |path| path.as_str().to_owned(),
    );
    tracing::info_span!("http", method = %request.method(), route)
}

/// The body limit layer answers 413 in plain text before any handler runs; give it the same
/// JSON shape as every other error.
async fn json_payload_too_large(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return AppError::BodyTooLarge.into_response();
    }
    response
}
