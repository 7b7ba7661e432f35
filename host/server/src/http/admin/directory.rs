//! `/api/v1/directory/{connection}/...`: the organisation mirrored from a connection (departments,
//! users, one user with memberships) and the ERP-employee bindings, for checking what rules see.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::storage::directory::{Binding, Department, DirectoryUser};
use crate::storage::listing::UserSummary;

/// Page size when the query names none.
const DEFAULT_LIMIT: i64 = 100;

/// Keyset paging by id.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Only ids after this one (the last id of the previous page).
    pub after: Option<String>,
    /// Page size (1 to 500, default 100).
    pub limit: Option<i64>,
}

/// A department.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    /// The provider's id.
    pub dept_id: String,
    /// Parent; none for the root.
    pub parent_id: Option<String>,
    /// Display name.
    pub name: String,
}

/// A user with memberships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Summary fields.
    #[serde(flatten)]
    pub user: UserSummary,
    /// Departments the user belongs to.
    pub department_ids: Vec<String>,
    /// Tags the user carries.
    pub tag_ids: Vec<String>,
    /// Remaining provider fields.
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
}

/// An ERP employee tied to a provider user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BindingView {
    /// The ERP's employee id.
    pub erp_employee_id: String,
    /// The provider user id.
    pub user_id: String,
    /// What established the match.
    pub matched_by: String,
}

/// 404 unless `connection` is configured: an unknown name is a typo, not an empty directory.
fn known(state: &AppState, connection: &str) -> Result<(), AppError> {
    state
        .config
        .connection(connection)
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound(format!("connection `{connection}`")))
}

/// Lists a connection's departments.
#[utoipa::path(
    get,
    path = "/api/v1/directory/{connection}/departments",
    tag = "directory",
    security(("api_key" = ["integrator"])),
    params(("connection" = String, Path, description = "A configured connection")),
    responses((status = 200, body = Vec<DepartmentView>), (status = 404, body = ErrorBody))
)]
pub async fn departments(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
) -> Result<Json<Vec<DepartmentView>>, AppError> {
    known(&state, &connection)?;
    let departments = state.store.list_departments(&connection).await?;
    Ok(Json(
        departments
            .into_iter()
            .map(
                |Department {
                     dept_id,
                     parent_id,
                     name,
                 }| DepartmentView {
                    dept_id,
                    parent_id,
                    name,
                },
            )
            .collect(),
    ))
}

/// Lists a connection's users by id.
#[utoipa::path(
    get,
    path = "/api/v1/directory/{connection}/users",
    tag = "directory",
    security(("api_key" = ["integrator"])),
    params(("connection" = String, Path, description = "A configured connection"), PageQuery),
    responses((status = 200, body = Vec<UserSummary>), (status = 404, body = ErrorBody))
)]
pub async fn users(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Vec<UserSummary>>, AppError> {
    known(&state, &connection)?;
    let users = state
        .store
        .list_users(
            &connection,
            page.after.as_deref(),
            page.limit.unwrap_or(DEFAULT_LIMIT),
        )
        .await?;
    Ok(Json(users))
}

/// Shows one user with memberships.
#[utoipa::path(
    get,
    path = "/api/v1/directory/{connection}/users/{user_id}",
    tag = "directory",
    security(("api_key" = ["integrator"])),
    params(
        ("connection" = String, Path, description = "A configured connection"),
        ("user_id" = String, Path, description = "The provider's user id"),
    ),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody))
)]
pub async fn user(
    State(state): State<AppState>,
    ApiPath((connection, user_id)): ApiPath<(String, String)>,
) -> Result<Json<UserView>, AppError> {
    known(&state, &connection)?;
    let DirectoryUser {
        user_id,
        name,
        mobile,
        email,
        title,
        active,
        department_ids,
        tag_ids,
        profile,
    } = state
        .store
        .directory_user(&connection, &user_id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("user `{user_id}` of connection `{connection}`"))
        })?;
    Ok(Json(UserView {
        user: UserSummary {
            user_id,
            name,
            mobile,
            email,
            title,
            active,
        },
        department_ids,
        tag_ids,
        profile,
    }))
}

/// Lists a connection's ERP-employee bindings.
#[utoipa::path(
    get,
    path = "/api/v1/directory/{connection}/bindings",
    tag = "directory",
    security(("api_key" = ["integrator"])),
    params(("connection" = String, Path, description = "A configured connection"), PageQuery),
    responses((status = 200, body = Vec<BindingView>), (status = 404, body = ErrorBody))
)]
pub async fn bindings(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Vec<BindingView>>, AppError> {
    known(&state, &connection)?;
    let bindings = state
        .store
        .list_bindings(
            &connection,
            page.after.as_deref(),
            page.limit.unwrap_or(DEFAULT_LIMIT),
        )
        .await?;
    Ok(Json(
        bindings
            .into_iter()
            .map(
                |Binding {
                     erp_employee_id,
                     user_id,
                     matched_by,
                 }| BindingView {
                    erp_employee_id,
                    user_id,
                    matched_by,
                },
            )
            .collect(),
    ))
}
