//! `/api/v1/executions`: the execution history (filtered, newest first), one execution with its
//! logs, staged effects, event and deliveries, and replaying one against the rule version it ran
//! or the rule's current version.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::views::ExecutionView;
use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::storage::listing::{ExecutionFilter, ExecutionSummary, execution_status};
use crate::storage::now_millis;

/// Page size when the query names none.
const DEFAULT_LIMIT: i64 = 50;

/// Filters of the execution listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `queued`, `running`, `succeeded`, `failed` or `skipped`.
    pub status: Option<String>,
    /// A rule name.
    pub rule: Option<String>,
    /// An inbox event id.
    pub event_id: Option<i64>,
    /// Only ids below this (the last id of the previous page).
    pub before: Option<i64>,
    /// Page size (1 to 500, default 50).
    pub limit: Option<i64>,
}

/// Lists executions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/executions",
    tag = "executions",
    security(("api_key" = ["integrator"])),
    params(ListQuery),
    responses(
        (status = 200, body = Vec<ExecutionSummary>),
        (status = 400, description = "Unknown status", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ExecutionSummary>>, AppError> {
    let status = query
        .status
        .as_deref()
        .map(|name| {
            execution_status(name).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "status {name:?}: expected queued, running, succeeded, failed or skipped"
                ))
            })
        })
        .transpose()?;
    let filter = ExecutionFilter {
        status,
        rule: query.rule,
        event_id: query.event_id,
        before_id: query.before,
        limit: query.limit.unwrap_or(DEFAULT_LIMIT),
    };
    Ok(Json(state.store.list_executions(&filter).await?))
}

/// Shows one execution with its logs, staged effects, event and deliveries.
#[utoipa::path(
    get,
    path = "/api/v1/executions/{id}",
    tag = "executions",
    security(("api_key" = ["integrator"])),
    params(("id" = i64, Path, description = "Execution id")),
    responses((status = 200, body = ExecutionView), (status = 404, body = ErrorBody))
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ExecutionView>, AppError> {
    let record = state
        .store
        .execution(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("execution {id}")))?;
    let event = state.store.event(record.event_id).await?;
    let deliveries = state.store.effects_of_execution(id).await?;
    Ok(Json(ExecutionView::new(record, event, deliveries)))
}

/// Which rule version a replay runs.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReplayVersion {
    /// The version the execution ran (reproduce it).
    #[default]
    Original,
    /// The rule's current version (check a fix).
    Current,
}

/// Options of a replay.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReplayQuery {
    /// `original` (default) or `current`.
    pub version: Option<ReplayVersion>,
}

/// The queued replay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Replayed {
    /// The new execution's id.
    pub execution_id: i64,
    /// The execution it replays.
    pub replay_of: i64,
}

/// Queues a new run of an execution's event, against the original or the current rule version.
#[utoipa::path(
    post,
    path = "/api/v1/executions/{id}/replay",
    tag = "executions",
    security(("api_key" = ["admin"])),
    params(("id" = i64, Path, description = "Execution id"), ReplayQuery),
    responses((status = 202, body = Replayed), (status = 404, body = ErrorBody))
)]
pub async fn replay(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReplayQuery>,
) -> Result<(StatusCode, Json<Replayed>), AppError> {
    let now = now_millis();
    let execution_id = match query.version.unwrap_or_default() {
        ReplayVersion::Original => state.store.replay_execution(id, now).await?,
        ReplayVersion::Current => state.store.replay_execution_on_current(id, now).await?,
    };
    state.wake.executions.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        Json(Replayed {
            execution_id,
            replay_of: id,
        }),
    ))
}
