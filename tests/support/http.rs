//! Blocking HTTP helpers: every call has a timeout and a failure names the method and URL.

use std::time::Duration;

use serde_json::Value;

/// A client with a 10 s timeout per request.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// `GET url` as JSON.
pub fn get(url: &str) -> Value {
    client()
        .get(url)
        .send()
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// `POST url` with a JSON body, answered with JSON.
pub fn post(url: &str, body: &Value) -> Value {
    client()
        .post(url)
        .json(body)
        .send()
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("POST {url}: {e}"))
}

/// Polls `check` until it returns `Some`, for at most `limit`; panics with `what` otherwise.
/// Waiting has a bound so a broken pipeline fails the test instead of hanging it; the bound is
/// generous because CI machines are slow, and nothing is asserted about how long it took.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return value;
        }
        if std::time::Instant::now() > deadline {
            panic!("gave up after {limit:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
