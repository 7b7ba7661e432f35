//! A tiny HTTP client for the simulators' own tests: JSON in, JSON out, over a real socket.

use serde_json::Value;

use super::{RunningSim, serve};

/// A served simulator plus a client for it.
pub struct Served {
    /// The running server.
    pub running: RunningSim,
    client: reqwest::Client,
}

impl Served {
    /// Serves `router` on an ephemeral loopback port.
    pub async fn start(router: axum::Router) -> Self {
        let running = serve(router, "127.0.0.1:0".parse().expect("loopback address"))
            .await
            .expect("bind");
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("client");
        Served { running, client }
    }

    /// `GET path_and_query`, parsed as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.running.base_url);
        self.client
            .get(url)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// `POST path_and_query` with a JSON body, parsed as JSON.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        self.post_with(path, body, &[]).await.1
    }

    /// `POST` with extra headers; returns the HTTP status and the JSON answer.
    pub async fn post_with(
        &self,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.running.base_url);
        let mut request = self.client.post(url).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    /// `GET` with extra headers; returns the HTTP status and the JSON answer.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{}{path}", self.running.base_url);
        let mut request = self.client.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    /// The raw response of a GET (for fault tests that expect no JSON).
    pub async fn get_raw(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .get(format!("{}{path}", self.running.base_url))
            .send()
            .await
    }
}

/// What a callback receiver got: the query string and body of each request.
pub type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// Starts a callback receiver that records every request and answers with `answer(n, query,
/// body)` (n counts from 1) as (status, body).
pub async fn receiver(
    answer: impl Fn(usize, &str, &str) -> (u16, String) + Send + Sync + 'static,
) -> (RunningSim, Received) {
    use axum::extract::RawQuery;
    let received: Received = Default::default();
    let log = received.clone();
    let answer = std::sync::Arc::new(answer);
    let router = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |RawQuery(query): RawQuery, body: String| {
            let log = log.clone();
            let answer = answer.clone();
            async move {
                let query = query.unwrap_or_default();
                let n = {
                    let mut log = log.lock().expect("receiver log");
                    log.push((query.clone(), body.clone()));
                    log.len()
                };
                let (status, text) = answer(n, &query, &body);
                (
                    axum::http::StatusCode::from_u16(status).expect("status"),
                    text,
                )
            }
        }),
    );
    let running = serve(router, "127.0.0.1:0".parse().expect("loopback address"))
        .await
        .expect("bind");
    (running, received)
}

/// Parses a `a=1&b=2` query string.
pub fn query_map(query: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Polls `done` for up to 10 s (callbacks are delivered in the background).
pub async fn wait_for(done: impl Fn() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    done()
}
