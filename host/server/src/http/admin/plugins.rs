//! `/api/v1/plugins`: uploading a `.wasm` component (checked, then installed under the name its
//! `describe()` reports), listing the installed ones and inspecting one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::ApiPath;
use worklink_runtime::wasm::PluginSummary;

use crate::pipeline::PluginEntry;

/// Lists the installed plugins, with what each says about itself or why it does not load.
#[utoipa::path(
    get,
    path = "/api/v1/plugins",
    tag = "plugins",
    security(("api_key" = ["integrator"])),
    responses((status = 200, description = "`[{name, summary | error}]`", body = Vec<Object>))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<PluginEntry>>, AppError> {
    Ok(Json(state.handlers.list().await?))
}

/// Shows an installed plugin: name, version, event kinds, capabilities, config schema, hash.
#[utoipa::path(
    get,
    path = "/api/v1/plugins/{name}",
    tag = "plugins",
    security(("api_key" = ["integrator"])),
    params(("name" = String, Path, description = "Plugin name")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody))
)]
pub async fn inspect(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<PluginSummary>, AppError> {
    Ok(Json(state.handlers.get(&name).await?.summary()))
}

/// Installs a plugin from the request body (the component's bytes), replacing an earlier
/// version of the same name.
#[utoipa::path(
    post,
    path = "/api/v1/plugins",
    tag = "plugins",
    security(("api_key" = ["admin"])),
    request_body(content = Vec<u8>, description = "A wasm component", content_type = "application/wasm"),
    responses(
        (status = 201, description = "Installed; the plugin's summary", body = Object),
        (status = 400, description = "Not a usable plugin", body = ErrorBody),
        (status = 413, description = "Over the body limit", body = ErrorBody),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<PluginSummary>), AppError> {
    if body.is_empty() {
        return Err(AppError::BadRequest(
            "the body must be a wasm component".into(),
        ));
    }
    let summary = state.handlers.install(&body).await?;
    tracing::info!(plugin = %summary.info.name, sha256 = %summary.sha256, "plugin installed");
    Ok((StatusCode::CREATED, Json(summary)))
}
