//! The two simulated tenants `worklink dev` runs in-process, and what the dev config needs to
//! know about them.

use std::net::SocketAddr;

use worklink_providers::sim::{
    self, RunningSim, SimConfig, dingtalk::DingTalkCredentials, dingtalk::DingTalkSim,
    wecom::WeComCredentials, wecom::WeComSim,
};

/// Members and departments each simulated tenant starts with: enough for a believable org chart
/// and paging, small enough to sync in a blink.
pub const DEFAULT_TENANT: SimConfig = SimConfig {
    seed: 7,
    users: 40,
    departments: 6,
};

/// Both simulators, serving.
pub struct Simulators {
    /// The simulated WeCom corp.
    pub wecom: WeComSim,
    /// Where it serves.
    pub wecom_server: RunningSim,
    /// The simulated DingTalk org.
    pub dingtalk: DingTalkSim,
    /// Where it serves.
    pub dingtalk_server: RunningSim,
}

impl Simulators {
    /// Generates both tenants from `tenant` and serves each on an ephemeral loopback port.
    pub async fn start(tenant: SimConfig) -> std::io::Result<Self> {
        let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
        let wecom = WeComSim::new(tenant);
        let dingtalk = DingTalkSim::new(tenant);
        let wecom_server = sim::serve(wecom.router(), loopback).await?;
        let dingtalk_server = sim::serve(dingtalk.router(), loopback).await?;
        Ok(Simulators {
            wecom,
            wecom_server,
            dingtalk,
            dingtalk_server,
        })
    }

    /// The WeCom app credentials.
    pub fn wecom_credentials(&self) -> WeComCredentials {
        self.wecom.credentials()
    }

    /// The DingTalk app credentials.
    pub fn dingtalk_credentials(&self) -> DingTalkCredentials {
        self.dingtalk.credentials()
    }

    /// Points each tenant's callbacks at the server's callback routes.
    pub fn deliver_callbacks_to(&self, server_url: &str) {
        self.wecom.controls().set_callback_url(Some(format!(
            "{server_url}/callbacks/wecom/{}",
            super::WECOM_CONNECTION
        )));
        self.dingtalk.controls().set_callback_url(Some(format!(
            "{server_url}/callbacks/dingtalk/{}",
            super::DINGTALK_CONNECTION
        )));
    }
}
