//! The WeCom (企业微信) simulator: `https://qyapi.weixin.qq.com/cgi-bin/...` on a local socket.
//!
//! One simulated corp with one self-built app (agent). Each file holds one topic of the API; the
//! shared machinery (tenant, tokens, faults, recorder, throttle) comes from the parent module.
//! Simplification: the app's single secret is accepted for every API, including those that on the
//! real service need the address-book or attendance secret.

mod approval;
mod attendance;
mod callbacks;
mod checkin_daydata;
mod checkin_rules;
mod contacts;
mod errors;
mod menu;
mod message;
mod oauth;
mod robot;
mod tags;
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

pub use errors::{WeComDialect, WeComError};

/// The simulated corp's app credentials and callback settings.
#[derive(Clone, PartialEq, Eq)]
pub struct WeComCredentials {
    /// Corp id (`ww` + 16 hex digits).
    pub corp_id: String,
    /// The self-built app's agent id.
    pub agent_id: i64,
    /// The app secret (`corpsecret` for gettoken).
    pub secret: String,
    /// Token used to sign callbacks.
    pub callback_token: String,
    /// 43-character EncodingAESKey used to encrypt callbacks.
    pub callback_aes_key: String,
    /// Receive id embedded in encrypted callbacks (the corp id for self-built apps).
    pub receive_id: String,
    /// Key of the group robot (`webhook/send?key=`).
    pub robot_key: String,
}

impl std::fmt::Debug for WeComCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeComCredentials")
            .field("corp_id", &self.corp_id)
            .field("agent_id", &self.agent_id)
            .field("secret", &"<redacted>")
            .field("callback_token", &"<redacted>")
            .field("callback_aes_key", &"<redacted>")
            .field("receive_id", &self.receive_id)
            .field("robot_key", &"<redacted>")
            .finish()
    }
}

impl WeComCredentials {
    /// Credentials derived from the seed: the same seed yields the same corp.
    fn generate(seed: u64) -> Self {
        let mut rng = tenant::rng(seed, "wecom-credentials");
        let corp_id = format!("ww{}", tenant::hex(&mut rng, 16));
        WeComCredentials {
            receive_id: corp_id.clone(),
            corp_id,
            agent_id: 1_000_002,
            secret: tenant::alphanumeric(&mut rng, 43),
            callback_token: tenant::alphanumeric(&mut rng, 32),
            callback_aes_key: tenant::alphanumeric(&mut rng, 43),
            robot_key: format!(
                "{}-{}-{}-{}-{}",
                tenant::hex(&mut rng, 8),
                tenant::hex(&mut rng, 4),
                tenant::hex(&mut rng, 4),
                tenant::hex(&mut rng, 4),
                tenant::hex(&mut rng, 12)
            ),
        }
    }
}

/// Query parameters of a request.
pub(crate) type Params = HashMap<String, String>;

/// What every WeCom handler can reach.
#[derive(Clone)]
pub(crate) struct WeCom {
    pub(crate) controls: Controls,
    pub(crate) credentials: Arc<WeComCredentials>,
    pub(crate) robots: Arc<RobotLimiter>,
    pub(crate) settings: Arc<menu::AppSettings>,
}

/// A simulated WeCom corp.
#[derive(Clone)]
pub struct WeComSim {
    state: WeCom,
}

impl std::fmt::Debug for WeComSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeComSim")
            .field("credentials", &self.state.credentials)
            .finish()
    }
}

impl WeComSim {
    /// A corp generated from `config`.
    pub fn new(config: SimConfig) -> Self {
        let credentials = WeComCredentials::generate(config.seed);
        let format = callbacks::WeComCallbacks {
            corp_id: credentials.corp_id.clone(),
            agent_id: credentials.agent_id,
        };
        let callbacks = CallbackSettings {
            format: Arc::new(format),
            token: &credentials.callback_token,
            aes_key: &credentials.callback_aes_key,
            receive_id: &credentials.receive_id,
        };
        WeComSim {
            state: WeCom {
                controls: Controls::new(&config, SendLimits::wecom(), callbacks),
                credentials: Arc::new(credentials),
                robots: Arc::new(RobotLimiter::wecom()),
                settings: Arc::new(menu::AppSettings::default()),
            },
        }
    }

    /// The app credentials a client needs.
    pub fn credentials(&self) -> WeComCredentials {
        (*self.state.credentials).clone()
    }

    /// Knobs and recorder.
    pub fn controls(&self) -> Controls {
        self.state.controls.clone()
    }

    /// The HTTP API, rooted like `https://qyapi.weixin.qq.com` (paths start with `/cgi-bin/`).
    pub fn router(&self) -> Router {
        let api = Router::new()
            .merge(token::routes())
            .merge(contacts::routes())
            .merge(tags::routes())
            .merge(message::routes())
            .merge(robot::routes())
            .merge(attendance::routes())
            .merge(checkin_daydata::routes())
            .merge(checkin_rules::routes())
            .merge(approval::routes())
            .merge(oauth::routes())
            .merge(menu::routes())
            .with_state(self.state.clone());
        guarded(api, self.state.controls.clone(), WeComDialect)
    }
}

#[cfg(test)]
mod tests;
