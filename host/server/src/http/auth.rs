//! API keys on `/api/v1`: every route there needs `Authorization: Bearer <key>`, and the role a
//! route needs is the one its OpenAPI operation declares (`security(("api_key" = ["admin"]))`).
//!
//! Reading the role from the document means the published contract and the enforcement cannot
//! drift apart, and a route that declares nothing is treated as admin-only (fail closed).
//! Roles nest: an admin key may do everything an integrator key may.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use utoipa::openapi::OpenApi;

use super::error::AppError;
use crate::storage::Store;
use crate::storage::api_keys::{ApiKeyInfo, ApiRole};

/// The name of the security scheme in the OpenAPI document; its scopes are role names.
pub const SCHEME: &str = "api_key";

/// The key that made a request, for handlers that record who did something.
#[derive(Debug, Clone)]
pub struct Caller(pub ApiKeyInfo);

/// The role each `(method, path template)` requires, read from the OpenAPI document.
#[derive(Debug, Clone, Default)]
pub struct RouteRoles(Arc<HashMap<(Method, String), ApiRole>>);

impl RouteRoles {
    /// Collects the declared role of every operation in `api`.
    pub fn from_openapi(api: &OpenApi) -> Self {
        let mut roles = HashMap::new();
        for (path, item) in &api.paths.paths {
            let operations = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::DELETE, &item.delete),
                (Method::PATCH, &item.patch),
            ];
            for (method, operation) in operations {
                if let Some(role) = operation.as_ref().and_then(declared_role) {
                    roles.insert((method, path.clone()), role);
                }
            }
        }
        RouteRoles(Arc::new(roles))
    }

    /// The role `method path` needs; admin when the operation declares none.
    pub fn required(&self, method: &Method, path: &str) -> ApiRole {
        self.0
            .get(&(method.clone(), path.to_owned()))
            .copied()
            .unwrap_or(ApiRole::Admin)
    }
}

/// The weakest role an operation's `api_key` requirement names (scopes are role names).
fn declared_role(operation: &utoipa::openapi::path::Operation) -> Option<ApiRole> {
    let requirements = operation.security.as_ref()?;
    // The requirement's map is private in utoipa; its JSON form is `{"api_key": ["admin"]}`.
    let scopes: Vec<String> = requirements
        .iter()
        .filter_map(|req| serde_json::to_value(req).ok())
        .filter_map(|value| value.get(SCHEME).cloned())
        .filter_map(|scopes| serde_json::from_value::<Vec<String>>(scopes).ok())
        .flatten()
        .collect();
    if scopes.iter().any(|s| s == ApiRole::Integrator.as_str()) {
        Some(ApiRole::Integrator)
    } else if scopes.iter().any(|s| s == ApiRole::Admin.as_str()) {
        Some(ApiRole::Admin)
    } else {
        None
    }
}

/// Whether a key of role `has` may use a route that needs `needed`.
pub fn permits(has: ApiRole, needed: ApiRole) -> bool {
    has == ApiRole::Admin || has == needed
}

/// The state the middleware needs: the store to look keys up, the roles to check them against.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Where keys are verified.
    pub store: Store,
    /// What each route needs.
    pub roles: RouteRoles,
}

/// Middleware for every `/api/v1` route: 401 without a valid key, 403 when its role is too weak;
/// otherwise the request continues with a [`Caller`] extension.
pub async fn require_key(
    State(gate): State<Gate>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let presented = bearer_key(&request)?;
    let key = gate
        .store
        .verify_api_key(presented)
        .await?
        .ok_or(AppError::Unauthenticated("unknown or revoked API key"))?;
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let needed = gate.roles.required(request.method(), &path);
    if !permits(key.role, needed) {
        return Err(AppError::Forbidden {
            needed: needed.as_str(),
            has: key.role.as_str(),
            key: key.name,
        });
    }
    request.extensions_mut().insert(Caller(key));
    Ok(next.run(request).await)
}

/// The key from `Authorization: Bearer <key>`.
fn bearer_key(request: &Request) -> Result<&str, AppError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AppError::Unauthenticated(
            "missing `Authorization: Bearer <API key>` header",
        ))?;
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthenticated("Authorization header is not ASCII"))?;
    match value.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
            Ok(key.trim())
        }
        _ => Err(AppError::Unauthenticated(
            "Authorization header is not `Bearer <API key>`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything_integrator_only_its_own() {
        assert!(permits(ApiRole::Admin, ApiRole::Admin));
        assert!(permits(ApiRole::Admin, ApiRole::Integrator));
        assert!(permits(ApiRole::Integrator, ApiRole::Integrator));
        assert!(!permits(ApiRole::Integrator, ApiRole::Admin));
    }

    #[test]
    fn undeclared_routes_need_admin() {
        let roles = RouteRoles::default();
        assert_eq!(
            roles.required(&Method::GET, "/api/v1/anything"),
            ApiRole::Admin
        );
    }

    #[test]
    fn bearer_parsing_is_strict_about_the_scheme() {
        let with = |value: &str| {
            Request::builder()
                .header(header::AUTHORIZATION, value)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(bearer_key(&with("Bearer wlk_abc")).unwrap(), "wlk_abc");
        assert_eq!(bearer_key(&with("bearer  wlk_abc ")).unwrap(), "wlk_abc");
        assert!(bearer_key(&with("Basic dXNlcg==")).is_err());
        assert!(bearer_key(&with("Bearer ")).is_err());
        let none = Request::builder().body(axum::body::Body::empty()).unwrap();
        assert!(matches!(
            bearer_key(&none),
            Err(AppError::Unauthenticated(_))
        ));
    }
}
