//! `/api/v1/connections`: the configured WeCom and DingTalk apps, with the callback URL to enter
//! in each provider's console, and a credential check that proves one works. Credentials never
//! leave the server.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::clients::CheckReport;
use crate::config::Connection;
use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::ApiPath;

/// A connection as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectionView {
    /// The name used in URLs and rules.
    pub name: String,
    /// `wecom` or `dingtalk`.
    pub provider: &'static str,
    /// WeCom CorpID or DingTalk corpId.
    pub corp_id: String,
    /// The app's AgentId.
    pub agent_id: i64,
    /// The id callbacks are encrypted for (CorpID or AppKey).
    pub receive_id: String,
    /// Where the provider must send callbacks: absolute when `server.public_url` is set.
    pub callback_url: String,
    /// The API origin, when it overrides the provider's.
    pub api_base: Option<String>,
}

impl ConnectionView {
    fn new(connection: &Connection, public_url: Option<&url::Url>) -> Self {
        let provider = connection.provider().as_str();
        let path = format!("/callbacks/{provider}/{}", connection.name);
        let callback_url = match public_url {
            Some(base) => format!("{}{path}", base.as_str().trim_end_matches('/')),
            None => path,
        };
        ConnectionView {
            name: connection.name.clone(),
            provider,
            corp_id: connection.corp_id.clone(),
            agent_id: connection.agent_id,
            receive_id: connection.receive_id().to_owned(),
            callback_url,
            api_base: connection.api_base.as_ref().map(|url| url.to_string()),
        }
    }
}

/// Lists the configured connections.
#[utoipa::path(
    get,
    path = "/api/v1/connections",
    tag = "connections",
    security(("api_key" = ["integrator"])),
    responses((status = 200, body = Vec<ConnectionView>))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ConnectionView>>, AppError> {
    let public_url = state.config.server.public_url.as_ref();
    Ok(Json(
        state
            .config
            .connections
            .iter()
            .map(|c| ConnectionView::new(c, public_url))
            .collect(),
    ))
}

/// A passed credential check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    /// The connection checked.
    pub connection: String,
    /// `wecom` or `dingtalk`.
    pub provider: &'static str,
    /// The corp id it is configured with.
    pub corp_id: String,
    /// Departments the app can see.
    pub visible_departments: usize,
    /// How long the check took, token fetch included.
    pub elapsed_ms: u128,
}

impl From<CheckReport> for CheckView {
    fn from(report: CheckReport) -> Self {
        CheckView {
            connection: report.connection,
            provider: report.provider,
            corp_id: report.corp_id,
            visible_departments: report.visible_departments,
            elapsed_ms: report.elapsed.as_millis(),
        }
    }
}

/// Tests a connection's credentials: fetches a token and makes one cheap read.
#[utoipa::path(
    post,
    path = "/api/v1/connections/{connection}/test",
    tag = "connections",
    security(("api_key" = ["admin"])),
    params(("connection" = String, Path, description = "A configured connection")),
    responses(
        (status = 200, description = "The credentials work", body = CheckView),
        (status = 404, body = ErrorBody),
        (status = 502, description = "The provider refused or could not be reached; the detail has its errcode and hint", body = ErrorBody),
    )
)]
pub async fn test(
    State(state): State<AppState>,
    ApiPath(connection): ApiPath<String>,
) -> Result<Json<CheckView>, AppError> {
    Ok(Json(state.clients.check(&connection).await?.into()))
}
