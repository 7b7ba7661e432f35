//! The admin API under `/api/v1`: one module per resource. Each operation declares the role it
//! needs in its OpenAPI `security` (scopes are role names); [`crate::http::auth`] enforces it.

pub mod connections;
pub mod dead_letters;
pub mod directory;
pub mod executions;
pub mod views;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Every admin route, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connections::list))
        .routes(routes!(executions::list))
        .routes(routes!(executions::show))
        .routes(routes!(executions::replay))
        .routes(routes!(dead_letters::list))
        .routes(routes!(dead_letters::requeue))
        .routes(routes!(directory::departments))
        .routes(routes!(directory::users))
        .routes(routes!(directory::user))
        .routes(routes!(directory::bindings))
}
