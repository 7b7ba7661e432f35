//! `/api/v1/rules`: the published rules (what they react to, what runs, which grants are
//! requested, approved and effective), reloading the rules directory, enabling and disabling,
//! approving grants, and dry runs that show the effects a rule would stage without storing any.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::InvocationResult;
use worklink_runtime::types::Event;

use crate::http::AppState;
use crate::http::error::{AppError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::rules::{HandlerRef, Published, ReloadReport, Rule};
use crate::storage::now_millis;
use crate::storage::rules::RuleRecord;

/// A rule as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    /// The rule's name.
    pub name: String,
    /// Whether live events run it.
    pub enabled: bool,
    /// The current version's number.
    pub version: Option<i64>,
    /// What the rule is for.
    pub description: Option<String>,
    /// The event-kind pattern.
    pub on: Option<String>,
    /// The optional Rhai condition.
    pub when: Option<String>,
    /// `plugin:<name>` or `script:<file>`.
    pub handler: Option<String>,
    /// The connection it sends through (`null`: the first configured one).
    pub connection: Option<String>,
    /// Capabilities its manifest requests.
    #[schema(value_type = Vec<String>)]
    pub requested_grants: Vec<Capability>,
    /// Capabilities an admin approved.
    #[schema(value_type = Vec<String>)]
    pub approved_grants: Vec<Capability>,
    /// What the handler may use: requested and approved.
    #[schema(value_type = Vec<String>)]
    pub effective_grants: Vec<Capability>,
    /// Why the current version cannot be read, if it cannot.
    pub error: Option<String>,
    /// When the rule last changed, Unix milliseconds.
    pub updated_at: i64,
}

impl RuleView {
    fn new(record: RuleRecord) -> Self {
        let parsed = record.current_version.as_ref().map(Rule::from_version);
        let (rule, error) = match parsed {
            Some(Ok(rule)) => (Some(rule), None),
            Some(Err(err)) => (None, Some(err.to_string())),
            None => (None, None),
        };
        let manifest = rule.as_ref().map(|rule| &rule.manifest);
        let requested = manifest.map(|m| m.grants.clone()).unwrap_or_default();
        let effective = requested
            .iter()
            .copied()
            .filter(|c| record.approved_grants.contains(c))
            .collect();
        RuleView {
            version: rule.as_ref().map(|rule| rule.version),
            description: manifest.map(|m| m.description.clone()),
            on: manifest.map(|m| m.on.to_string()),
            when: manifest.and_then(|m| m.when.clone()),
            handler: manifest.map(|m| match &m.handler {
                HandlerRef::Plugin(name) => format!("plugin:{name}"),
                HandlerRef::Script(file) => format!("script:{file}"),
            }),
            connection: manifest.and_then(|m| m.connection.clone()),
            requested_grants: requested,
            effective_grants: effective,
            approved_grants: record.approved_grants,
            name: record.name,
            enabled: record.enabled,
            error,
            updated_at: record.updated_at,
        }
    }
}

/// The rule `name`, or a 404 naming it.
async fn rule_view(state: &AppState, name: &str) -> Result<RuleView, AppError> {
    let record = state
        .store
        .rule(name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("rule `{name}`")))?;
    Ok(RuleView::new(record))
}

/// Lists the rules.
#[utoipa::path(
    get,
    path = "/api/v1/rules",
    tag = "rules",
    security(("api_key" = ["integrator"])),
    responses((status = 200, body = Vec<RuleView>))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<RuleView>>, AppError> {
    Ok(Json(
        state
            .store
            .list_rules()
            .await?
            .into_iter()
            .map(RuleView::new)
            .collect(),
    ))
}

/// Shows one rule.
#[utoipa::path(
    get,
    path = "/api/v1/rules/{name}",
    tag = "rules",
    security(("api_key" = ["integrator"])),
    params(("name" = String, Path, description = "Rule name")),
    responses((status = 200, body = RuleView), (status = 404, body = ErrorBody))
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<RuleView>, AppError> {
    Ok(Json(rule_view(&state, &name).await?))
}

/// A rule whose current version a reload changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublishedView {
    /// The rule's name.
    pub name: String,
    /// The version now current.
    pub version: i64,
    /// Whether the rule is new (it starts disabled).
    pub created: bool,
}

/// What a reload did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReloadView {
    /// Rules with a new current version.
    pub published: Vec<PublishedView>,
    /// Rules whose files match their current version.
    pub unchanged: Vec<String>,
    /// Rules with no manifest any more (left as they are).
    pub missing: Vec<String>,
}

impl From<ReloadReport> for ReloadView {
    fn from(report: ReloadReport) -> Self {
        ReloadView {
            published: report
                .published
                .into_iter()
                .map(
                    |Published {
                         name,
                         version,
                         created,
                     }| PublishedView {
                        name,
                        version,
                        created,
                    },
                )
                .collect(),
            unchanged: report.unchanged,
            missing: report.missing,
        }
    }
}

/// Publishes the rules directory: each changed manifest becomes a new version; new rules start
/// disabled. One broken manifest publishes nothing and is named in the error.
#[utoipa::path(
    post,
    path = "/api/v1/rules/reload",
    tag = "rules",
    security(("api_key" = ["admin"])),
    responses((status = 200, body = ReloadView), (status = 400, description = "A manifest is invalid", body = ErrorBody))
)]
pub async fn reload(State(state): State<AppState>) -> Result<Json<ReloadView>, AppError> {
    let report = crate::rules::reload(&state.store, &state.config.rules_dir).await?;
    Ok(Json(report.into()))
}

/// Turns a rule on.
#[utoipa::path(
    post,
    path = "/api/v1/rules/{name}/enable",
    tag = "rules",
    security(("api_key" = ["admin"])),
    params(("name" = String, Path, description = "Rule name")),
    responses((status = 200, body = RuleView), (status = 404, body = ErrorBody))
)]
pub async fn enable(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<RuleView>, AppError> {
    state
        .store
        .set_rule_enabled(&name, true, now_millis())
        .await?;
    // Events that arrived while no rule wanted them stay matched; new ones match from now on.
    state.wake.inbox.notify_one();
    Ok(Json(rule_view(&state, &name).await?))
}

/// Turns a rule off; queued executions of it still run.
#[utoipa::path(
    post,
    path = "/api/v1/rules/{name}/disable",
    tag = "rules",
    security(("api_key" = ["admin"])),
    params(("name" = String, Path, description = "Rule name")),
    responses((status = 200, body = RuleView), (status = 404, body = ErrorBody))
)]
pub async fn disable(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<RuleView>, AppError> {
    state
        .store
        .set_rule_enabled(&name, false, now_millis())
        .await?;
    Ok(Json(rule_view(&state, &name).await?))
}

/// The capabilities to approve.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsRequest {
    /// Exactly the approved set (approving fewer revokes the rest): `messaging`, `contacts`,
    /// `attendance`, `approvals`, `erp`, `kv`, `log`.
    #[schema(value_type = Vec<String>)]
    pub grants: Vec<Capability>,
}

/// Sets the capabilities an admin approves for a rule.
#[utoipa::path(
    post,
    path = "/api/v1/rules/{name}/grants",
    tag = "rules",
    security(("api_key" = ["admin"])),
    params(("name" = String, Path, description = "Rule name")),
    request_body = GrantsRequest,
    responses((status = 200, body = RuleView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn approve(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(request): ApiJson<GrantsRequest>,
) -> Result<Json<RuleView>, AppError> {
    state
        .store
        .approve_rule_grants(&name, &request.grants, now_millis())
        .await?;
    Ok(Json(rule_view(&state, &name).await?))
}

/// Runs a rule's current version on an event (the same JSON as `worklink rule test --event`)
/// and returns what it would do; nothing is stored or sent.
#[utoipa::path(
    post,
    path = "/api/v1/rules/{name}/test",
    tag = "rules",
    security(("api_key" = ["admin"])),
    params(("name" = String, Path, description = "Rule name")),
    request_body(content = Object, description = "An event: `{id, kind, source, occurred_at, payload}`"),
    responses(
        (status = 200, description = "The invocation result: outcome, staged effects, logs, usage", body = Object),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn test(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(event): ApiJson<Event>,
) -> Result<Json<InvocationResult>, AppError> {
    event
        .validate()
        .map_err(|err| AppError::BadRequest(format!("event: {err}")))?;
    Ok(Json(state.pipeline.dry_run(&name, event).await?))
}
