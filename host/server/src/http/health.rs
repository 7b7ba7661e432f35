//! `/healthz` (the process answers) and `/readyz` (and can reach its database), for load
//! balancers and orchestrators. Neither needs a key: they reveal nothing but up or down.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::AppState;
use super::error::{AppError, ErrorBody};

/// The body of a healthy answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// Liveness: answers as long as the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: answers once the database answers a trivial query.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses((status = 200, body = Health), (status = 503, description = "Database unreachable", body = ErrorBody))
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(state.store.pool())
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            AppError::Unavailable("the database is unreachable".into())
        })?;
    Ok(Json(Health { status: "ok" }))
}
