//! `/api/v1/dead-letters`: effects the outbox gave up on (a permanent provider error, or retries
//! exhausted), with the provider's errcode and hint, and requeueing one after the cause is fixed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::views::EffectView;
use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::storage::listing::MAX_PAGE;
use crate::storage::now_millis;

/// Page size of the listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many, oldest first (1 to 500, default 100).
    pub limit: Option<i64>,
}

/// Lists dead letters, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/dead-letters",
    tag = "dead letters",
    security(("api_key" = ["integrator"])),
    params(ListQuery),
    responses((status = 200, body = Vec<EffectView>))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<EffectView>>, AppError> {
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let letters = state.store.dead_letters(limit).await?;
    Ok(Json(letters.into_iter().map(EffectView::from).collect()))
}

/// Puts a dead letter back in the outbox, due now, with the same idempotency key.
#[utoipa::path(
    post,
    path = "/api/v1/dead-letters/{id}/requeue",
    tag = "dead letters",
    security(("api_key" = ["admin"])),
    params(("id" = i64, Path, description = "Effect id")),
    responses(
        (status = 204, description = "Requeued"),
        (status = 409, description = "The effect is not a dead letter (or does not exist)", body = ErrorBody),
    )
)]
pub async fn requeue(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    if !state.store.requeue_dead_effect(id, now_millis()).await? {
        return Err(AppError::Conflict(format!(
            "effect {id} is not a dead letter"
        )));
    }
    state.wake.outbox.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
