//! The DingTalk (钉钉) simulator: the legacy oapi (`https://oapi.dingtalk.com/...`) and the v1.0
//! API (`https://api.dingtalk.com/v1.0/...`) served from one local socket.
//!
//! One simulated corp with one internal app. Each file holds one topic; the shared machinery
//! comes from the parent module. The oapi `access_token` and the v1.0 `accessToken` of an internal
//! app are the same token, so both token endpoints share one grant.

mod approval;
mod attendance;
mod callbacks;
mod chat;
mod contacts;
mod errors;
mod legacy;
mod message;
mod oauth;
mod robot;
mod token;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;

use super::SimConfig;
use super::callbacks::CallbackSettings;
use super::controls::Controls;
use super::guard::guarded;
use super::robot::RobotLimiter;
use super::tenant;
use super::throttle::SendLimits;

pub use errors::{DingTalkDialect, DingTalkError};

/// The simulated corp's app credentials and callback settings.
#[derive(Clone, PartialEq, Eq)]
pub struct DingTalkCredentials {
    /// AppKey (`ding` + 16 characters); also the v1.0 `clientId`.
    pub app_key: String,
    /// AppSecret; also the v1.0 `clientSecret`.
    pub app_secret: String,
    /// The app's agent id (work notifications).
    pub agent_id: i64,
    /// Corp id (`ding` + 32 hex digits).
    pub corp_id: String,
    /// Token used to sign event-subscription callbacks.
    pub callback_token: String,
    /// 43-character aes key used to encrypt callbacks.
    pub callback_aes_key: String,
    /// Owner key embedded in encrypted callbacks (the AppKey for internal apps).
    pub receive_id: String,
    /// The group robot's `access_token` (webhook URL parameter).
    pub robot_token: String,
    /// The group robot's signing secret (`SEC…`).
    pub robot_secret: String,
}

impl std::fmt::Debug for DingTalkCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DingTalkCredentials")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("agent_id", &self.agent_id)
            .field("corp_id", &self.corp_id)
            .field("callback_token", &"<redacted>")
            .field("callback_aes_key", &"<redacted>")
            .field("receive_id", &self.receive_id)
            .field("robot_token", &"<redacted>")
            .field("robot_secret", &"<redacted>")
            .finish()
    }
}

impl DingTalkCredentials {
    /// Credentials derived from the seed: the same seed yields the same corp.
    fn generate(seed: u64) -> Self {
        let mut rng = tenant::rng(seed, "dingtalk-credentials");
        let app_key = format!("ding{}", tenant::alphanumeric(&mut rng, 16).to_lowercase());
        DingTalkCredentials {
            receive_id: app_key.clone(),
            app_key,
            app_secret: tenant::alphanumeric(&mut rng, 64),
            agent_id: 2_000_000_000
                + i64::from(u32::from_str_radix(&tenant::hex(&mut rng, 6), 16).unwrap_or(0)),
            corp_id: format!("ding{}", tenant::hex(&mut rng, 32)),
            callback_token: tenant::alphanumeric(&mut rng, 32),
            callback_aes_key: tenant::alphanumeric(&mut rng, 43),
            robot_token: tenant::hex(&mut rng, 64),
            robot_secret: format!("SEC{}", tenant::hex(&mut rng, 64)),
        }
    }
}

/// Query parameters of a request.
pub(crate) type Params = HashMap<String, String>;

/// What every DingTalk handler can reach.
#[derive(Clone)]
pub(crate) struct DingTalk {
    pub(crate) controls: Controls,
    pub(crate) credentials: Arc<DingTalkCredentials>,
    pub(crate) robots: Arc<RobotLimiter>,
}

/// A simulated DingTalk corp.
#[derive(Clone)]
pub struct DingTalkSim {
    state: DingTalk,
}

impl std::fmt::Debug for DingTalkSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DingTalkSim")
            .field("credentials", &self.state.credentials)
            .finish()
    }
}

impl DingTalkSim {
    /// A corp generated from `config`.
    pub fn new(config: SimConfig) -> Self {
        let credentials = DingTalkCredentials::generate(config.seed);
        let format = callbacks::DingTalkCallbacks {
            corp_id: credentials.corp_id.clone(),
        };
        let callbacks = CallbackSettings {
            format: Arc::new(format),
            token: &credentials.callback_token,
            aes_key: &credentials.callback_aes_key,
            receive_id: &credentials.receive_id,
        };
        DingTalkSim {
            state: DingTalk {
                controls: Controls::new(&config, SendLimits::dingtalk(), callbacks),
                credentials: Arc::new(credentials),
                robots: Arc::new(RobotLimiter::dingtalk()),
            },
        }
    }

    /// The app credentials a client needs.
    pub fn credentials(&self) -> DingTalkCredentials {
        (*self.state.credentials).clone()
    }

    /// Knobs and recorder.
    pub fn controls(&self) -> Controls {
        self.state.controls.clone()
    }

    /// The HTTP API: oapi paths (`/gettoken`, `/topapi/...`) and v1.0 paths (`/v1.0/...`) on the
    /// same base URL.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .merge(token::routes())
            .merge(contacts::routes())
            .merge(legacy::routes())
            .merge(message::routes())
            .merge(robot::routes())
            .merge(chat::routes())
            .merge(attendance::routes())
            .merge(approval::routes())
            .merge(oauth::routes())
            .with_state(self.state.clone());
        guarded(api, self.state.controls.clone(), DingTalkDialect)
    }
}

#[cfg(test)]
mod tests;
