//! The OpenAPI document at `/api/v1/openapi.json`. It is assembled from the same `routes!` calls
//! that register the handlers (utoipa-axum), so a route cannot exist without being documented,
//! and the roles it declares are the roles [`super::auth`] enforces.

use std::sync::Arc;

use axum::extract::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use super::auth::SCHEME;
use super::error::ErrorBody;

/// Title, description and the API-key scheme; the paths come from the routers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Worklink",
        description = "Callbacks from WeCom and DingTalk, events from the ERP, and the admin API. \
                       `/api/v1` needs `Authorization: Bearer <API key>`; each operation names the \
                       role it needs (admin keys may use every operation)."
    ),
    components(schemas(ErrorBody)),
    modifiers(&ApiKeyScheme)
)]
struct Base;

/// Adds the bearer-key security scheme the operations refer to.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description =
            Some("An API key (`wlk_...`). Scopes name roles: `admin` or `integrator`.".into());
        components.add_security_scheme(SCHEME, SecurityScheme::Http(http));
    }
}

/// The base document, merged with the paths of `routers`.
pub fn assemble(routers: impl IntoIterator<Item = OpenApi>) -> OpenApi {
    let mut api = <Base as utoipa::OpenApi>::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    for paths in routers {
        api.merge(paths);
    }
    api
}

/// The document as served, rendered once.
#[derive(Debug, Clone)]
pub struct Document(Arc<String>);

impl Document {
    /// Renders `api` to JSON.
    pub fn new(api: &OpenApi) -> Self {
        // Serialising the document's own types cannot fail; an empty object would show it did.
        Document(Arc::new(api.to_json().unwrap_or_else(|_| "{}".to_owned())))
    }
}

/// Serves the OpenAPI document of every route.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    security(("api_key" = ["integrator"])),
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object))
)]
pub async fn openapi(Extension(document): Extension<Document>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.0.as_str().to_owned(),
    )
        .into_response()
}
