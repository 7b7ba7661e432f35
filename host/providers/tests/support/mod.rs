//! Shared set-up for the client tests: a simulator on a loopback port and a client pointed at it
//! with tiny retry delays, so that retry paths run in milliseconds.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use worklink_providers::api::{HttpConfig, RetryPolicy, Secret};
use worklink_providers::sim::{self, RunningSim, SimConfig};
use worklink_providers::token::TokenManager;

/// Network settings for tests: 2 s timeout, 4 attempts, millisecond backoff.
pub fn fast_http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
    }
}

/// A small tenant: every test gets the same directory.
pub fn config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 40,
        departments: 6,
    }
}

/// Serves `router` on an ephemeral loopback port.
pub async fn serve(router: axum::Router) -> RunningSim {
    sim::serve(router, "127.0.0.1:0".parse().expect("loopback address"))
        .await
        .expect("bind loopback")
}

/// A WeCom simulator, its server and a client for its app.
pub struct WeCom {
    pub sim: sim::wecom::WeComSim,
    pub server: RunningSim,
    pub client: worklink_providers::wecom::Client,
    pub secret: String,
}

impl WeCom {
    /// A fresh corp and a client with the given network settings.
    pub async fn start_with(http: HttpConfig) -> Self {
        Self::start_on(config(), http).await
    }

    /// A corp generated from `config` and a client with the given network settings.
    pub async fn start_on(config: SimConfig, http: HttpConfig) -> Self {
        let sim = sim::wecom::WeComSim::new(config);
        let server = serve(sim.router()).await;
        let creds = sim.credentials();
        let mut cfg = worklink_providers::wecom::WeComConfig::new(
            creds.corp_id.clone(),
            creds.agent_id,
            Secret::new(creds.secret.clone()),
        );
        cfg.base_url = server.base_url.clone();
        cfg.http = http;
        let client = worklink_providers::wecom::Client::new(cfg, Arc::new(TokenManager::default()));
        WeCom {
            sim,
            server,
            client,
            secret: creds.secret,
        }
    }

    /// A fresh corp and a client with [`fast_http`].
    pub async fn start() -> Self {
        Self::start_with(fast_http()).await
    }

    /// Calls the simulator received on `path`.
    pub fn count(&self, path: &str) -> usize {
        self.sim.controls().call_count(path)
    }

    /// Some userids of the simulated directory.
    pub fn userids(&self, n: usize) -> Vec<String> {
        let directory = self.sim.controls().directory();
        directory
            .users()
            .take(n)
            .map(|u| u.userid.clone())
            .collect()
    }
}

/// A DingTalk simulator, its server and a client for its app.
pub struct DingTalk {
    pub sim: sim::dingtalk::DingTalkSim,
    pub server: RunningSim,
    pub client: worklink_providers::dingtalk::Client,
    pub secret: String,
}

impl DingTalk {
    /// An organisation generated from `config` and a client with [`fast_http`].
    pub async fn start_with(config: SimConfig) -> Self {
        let sim = sim::dingtalk::DingTalkSim::new(config);
        let server = serve(sim.router()).await;
        let creds = sim.credentials();
        let mut cfg = worklink_providers::dingtalk::DingTalkConfig::new(
            creds.app_key.clone(),
            Secret::new(creds.app_secret.clone()),
            creds.agent_id,
        );
        cfg.oapi_url = server.base_url.clone();
        cfg.api_url = server.base_url.clone();
        cfg.http = fast_http();
        let client =
            worklink_providers::dingtalk::Client::new(cfg, Arc::new(TokenManager::default()));
        DingTalk {
            sim,
            server,
            client,
            secret: creds.app_secret,
        }
    }

    /// The default small organisation.
    pub async fn start() -> Self {
        Self::start_with(config()).await
    }

    /// Calls the simulator received on `path`.
    pub fn count(&self, path: &str) -> usize {
        self.sim.controls().call_count(path)
    }

    /// Some userids of the simulated directory.
    pub fn userids(&self, n: usize) -> Vec<String> {
        let directory = self.sim.controls().directory();
        directory
            .users()
            .take(n)
            .map(|u| u.userid.clone())
            .collect()
    }
}

/// Runs `n` copies of `task` as concurrent tokio tasks and collects their outputs.
pub async fn concurrently<T, Fut>(n: usize, task: impl Fn() -> Fut) -> Vec<T>
where
    T: Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        tasks.spawn(task());
    }
    let mut outputs = Vec::with_capacity(n);
    while let Some(output) = tasks.join_next().await {
        outputs.push(output.expect("task panicked"));
    }
    outputs
}
