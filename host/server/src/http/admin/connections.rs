//! `/api/v1/connections`: the configured WeCom and DingTalk apps, with the callback URL to enter
//! in each provider's console. Credentials never leave the server.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::config::Connection;
use crate::http::AppState;
use crate::http::error::AppError;

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
