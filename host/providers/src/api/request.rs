//! A provider request described as data, so the transport can send it, the call loop can resend it
//! with a fresh token, and the secrets in it stay redacted until the moment they hit the wire.

use std::fmt;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::secret::Secret;

/// How the response body reports success or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{"errcode":0,"errmsg":"ok",...}` (WeCom, DingTalk oapi). A missing `errcode` counts as 0,
    /// and DingTalk's `"success":false` counts as a failure.
    Errcode,
    /// DingTalk v1.0: a 2xx status is success; otherwise the body is `{"code","message"}`.
    Rest,
}

/// Where the access token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPlacement {
    /// The request needs no access token (gettoken itself, robot webhooks, signed login).
    None,
    /// `?access_token=` (WeCom, DingTalk oapi).
    Query,
    /// `x-acs-dingtalk-access-token:` header (DingTalk v1.0).
    Header,
}

/// One request to a provider. Its `Debug` output leaves the body out: some bodies carry a
/// credential (an OAuth client secret, a user ticket).
#[derive(Clone)]
pub struct ApiRequest {
    /// HTTP method.
    pub method: Method,
    /// Base URL, e.g. `https://qyapi.weixin.qq.com` (no trailing slash needed).
    pub base: String,
    /// Endpoint path, e.g. `/cgi-bin/user/get`; this is what errors report.
    pub path: String,
    /// Query parameters that are safe to show.
    pub query: Vec<(String, String)>,
    /// Query parameters that are secrets (corpsecret, webhook key); never reported.
    pub secret_query: Vec<(String, Secret)>,
    /// Extra headers that are secrets (a v1.0 user token); never reported.
    pub secret_headers: Vec<(String, Secret)>,
    /// JSON body, for POST.
    pub body: Option<Value>,
    /// How to read the response.
    pub envelope: Envelope,
    /// Where the app access token goes.
    pub token: TokenPlacement,
    /// True for the token fetch itself: changes how invalid-credential codes are classified.
    pub token_fetch: bool,
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("base", &self.base)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("secret_query", &self.secret_query)
            .field("secret_headers", &self.secret_headers)
            .field("body", &self.body.as_ref().map(|_| "<json>"))
            .field("envelope", &self.envelope)
            .field("token", &self.token)
            .field("token_fetch", &self.token_fetch)
            .finish()
    }
}

impl ApiRequest {
    /// A GET with the access token in the query and the errcode envelope.
    pub fn get(base: &str, path: &str) -> Self {
        ApiRequest {
            method: Method::GET,
            base: base.to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            secret_query: Vec::new(),
            secret_headers: Vec::new(),
            body: None,
            envelope: Envelope::Errcode,
            token: TokenPlacement::Query,
            token_fetch: false,
        }
    }

    /// A POST of `body` as JSON with the access token in the query and the errcode envelope.
    pub fn post(base: &str, path: &str, body: &impl Serialize) -> Self {
        // The request bodies are plain derived structs with string keys, for which serialisation
        // cannot fail; `Null` would be rejected by the provider rather than sent silently wrong.
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        ApiRequest {
            method: Method::POST,
            body: Some(body),
            ..Self::get(base, path)
        }
    }

    /// Adds a visible query parameter.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a secret query parameter.
    pub fn secret_query(mut self, name: &str, value: &Secret) -> Self {
        self.secret_query.push((name.to_owned(), value.clone()));
        self
    }

    /// Adds a secret header.
    pub fn secret_header(mut self, name: &str, value: &Secret) -> Self {
        self.secret_headers.push((name.to_owned(), value.clone()));
        self
    }

    /// Sets where the app access token goes.
    pub fn token(mut self, placement: TokenPlacement) -> Self {
        self.token = placement;
        self
    }

    /// Uses the DingTalk v1.0 envelope.
    pub fn rest(mut self) -> Self {
        self.envelope = Envelope::Rest;
        self
    }

    /// Marks this as the token fetch itself.
    pub fn token_fetch(mut self) -> Self {
        self.token_fetch = true;
        self.token = TokenPlacement::None;
        self
    }
}

/// `base` with `params` appended to its query string, each value percent-encoded; for the login
/// pages both providers redirect browsers to.
pub fn url_with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = base.to_owned();
    for (i, (name, value)) in params.iter().enumerate() {
        let separator = if i == 0 && !base.contains('?') {
            '?'
        } else {
            '&'
        };
        let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        url.push(separator);
        url.push_str(name);
        url.push('=');
        url.push_str(&value);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_body_and_secrets() {
        let req = ApiRequest::post(
            "https://h",
            "/p",
            &serde_json::json!({"client_secret": "s3cr3t"}),
        )
        .secret_query("corpsecret", &Secret::new("q-secret"));
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("q-secret"),
            "{shown}"
        );
        assert!(shown.contains("/p"));
    }

    #[test]
    fn url_with_query_encodes_values() {
        let url = url_with_query("https://h/p", &[("a", "x y"), ("b", "https://r/?q=1")]);
        assert_eq!(url, "https://h/p?a=x+y&b=https%3A%2F%2Fr%2F%3Fq%3D1");
        assert_eq!(
            url_with_query("https://h/p?z=1", &[("a", "b")]),
            "https://h/p?z=1&a=b"
        );
    }
}
