//! The admin API under `/api/v1`: one module per resource (connections, rules, plugins,
//! executions, dead letters, directory). Each operation declares the role it
//! needs in its OpenAPI `security` (scopes are role names); [`crate::http::auth`] enforces it.

pub mod connections;
pub mod dead_letters;
pub mod directory;
pub mod executions;
pub mod plugins;
pub mod rules;
pub mod views;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Every admin route, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connections::list))
        .routes(routes!(connections::test))
        .routes(routes!(rules::list))
        .routes(routes!(rules::show))
        .routes(routes!(rules::reload))
        .routes(routes!(rules::enable))
        .routes(routes!(rules::disable))
        .routes(routes!(rules::approve))
        .routes(routes!(rules::test))
        .routes(routes!(plugins::list, plugins::upload))
        .routes(routes!(plugins::inspect))
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
