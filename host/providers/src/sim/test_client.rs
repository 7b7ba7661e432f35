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
        let running = serve(router, "127.0.0.1:0".parse().expect("loopback address")).await.expect("bind");
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("client");
        Served { running, client }
    }

    /// `GET path_and_query`, parsed as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.running.base_url);
        self.client.get(url).send().await.expect("send").json().await.expect("json")
    }

    /// `POST path_and_query` with a JSON body, parsed as JSON.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        self.post_with(path, body, &[]).await.1
    }

    /// `POST` with extra headers; returns the HTTP status and the JSON answer.
    pub async fn post_with(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
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
        self.client.get(format!("{}{path}", self.running.base_url)).send().await
    }
}
