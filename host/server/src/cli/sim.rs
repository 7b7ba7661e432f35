//! `worklink sim wecom|dingtalk`: one simulated tenant served standalone.
//!
//! Other processes (end-to-end tests, third-party SDKs, a developer with curl) need the base URL
//! and the generated credentials, so the first stdout line is one JSON object with both; logs go
//! to stderr; the process serves until it is killed.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;
use worklink_providers::sim::{self, SimConfig, dingtalk::DingTalkSim, wecom::WeComSim};

/// Which service to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// WeCom (企业微信): `/cgi-bin/...`.
    Wecom,
    /// DingTalk (钉钉): oapi `/gettoken`, `/topapi/...` and v1.0 `/v1.0/...`.
    Dingtalk,
}

/// Arguments of `worklink sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Which service to simulate.
    #[arg(value_enum)]
    pub provider: Provider,
    /// Address to listen on; port 0 picks a free port (printed on the first line).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Members to generate.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Departments to generate, the root included.
    #[arg(long, default_value_t = 8)]
    pub departments: usize,
    /// Generator seed: the same seed gives the same tenant and credentials.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to deliver signed, encrypted callbacks (contact changes, approvals, check-ins).
    #[arg(long)]
    pub callback_url: Option<String>,
}

impl SimArgs {
    /// Serves the simulator until the process is interrupted.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        let config = SimConfig {
            seed: self.seed,
            users: self.users,
            departments: self.departments,
        };
        let (router, mut banner, controls) = match self.provider {
            Provider::Wecom => {
                let sim = WeComSim::new(config);
                let c = sim.credentials();
                let banner = json!({
                    "provider": "wecom", "corp_id": c.corp_id, "agent_id": c.agent_id,
                    "secret": c.secret, "callback_token": c.callback_token,
                    "callback_aes_key": c.callback_aes_key, "receive_id": c.receive_id,
                    "robot_key": c.robot_key,
                });
                (sim.router(), banner, sim.controls())
            }
            Provider::Dingtalk => {
                let sim = DingTalkSim::new(config);
                let c = sim.credentials();
                let banner = json!({
                    "provider": "dingtalk", "app_key": c.app_key, "app_secret": c.app_secret,
                    "agent_id": c.agent_id, "corp_id": c.corp_id, "callback_token": c.callback_token,
                    "callback_aes_key": c.callback_aes_key, "receive_id": c.receive_id,
                    "robot_token": c.robot_token, "robot_secret": c.robot_secret,
                });
                (sim.router(), banner, sim.controls())
            }
        };
        controls.set_callback_url(self.callback_url.clone());
        let running = sim::serve(router, self.listen)
            .await
            .with_context(|| format!("cannot listen on {}", self.listen))?;
        banner["base_url"] = json!(running.base_url);
        // The banner carries simulated credentials only: they exist nowhere but in this process.
        println!("{banner}");
        eprintln!(
            "worklink sim: {:?} tenant (seed {}, {} users, {} departments) at {}; inspect it under {}/_sim/",
            self.provider,
            self.seed,
            self.users,
            self.departments,
            running.base_url,
            running.base_url
        );
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        running.shutdown().await;
        Ok(ExitCode::SUCCESS)
    }
}
