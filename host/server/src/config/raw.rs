//! The shape of `worklink.toml` exactly as written, before secrets are resolved and
//! provider-specific rules are checked.
//!
//! Every table denies unknown keys so a typo fails loudly instead of silently falling back to a
//! default. Connections and robots are flat tables with a `provider` key; the checks that depend
//! on the provider live in `connection.rs` and `robot.rs`, where they can name the exact key.

use indexmap::IndexMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::limits::Limits;
use super::relay::RelaySettings;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    /// `[server]`.
    #[serde(default)]
    pub server: RawServer,
    /// `[database]`.
    #[serde(default)]
    pub database: RawDatabase,
    /// `[connections.<name>]`, in file order (the first is the default for ERP events).
    #[serde(default)]
    pub connections: IndexMap<String, RawConnection>,
    /// `[robots.<name>]`, in file order.
    #[serde(default)]
    pub robots: IndexMap<String, RawRobot>,
    /// `[erp]`, absent when no ERP is connected.
    pub erp: Option<RawErp>,
    /// `rules_dir`.
    pub rules_dir: Option<PathBuf>,
    /// `plugins_dir`.
    pub plugins_dir: Option<PathBuf>,
    /// `[limits]`; missing keys take their defaults.
    #[serde(default)]
    pub limits: Limits,
    /// `[relay]`; missing keys take their defaults.
    #[serde(default)]
    pub relay: RelaySettings,
    /// `timezone`.
    pub timezone: Option<String>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    /// `listen`: host:port to bind.
    pub listen: Option<String>,
    /// `public_url`: how the outside world reaches the server.
    pub public_url: Option<String>,
}

/// `[database]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    /// `url`: sqlite://PATH or postgres://...
    pub url: Option<String>,
}

/// Which service a connection or robot talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WeCom (企业微信).
    Wecom,
    /// DingTalk (钉钉).
    Dingtalk,
}

impl Provider {
    /// The name used in the config file and in callback URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Wecom => "wecom",
            Provider::Dingtalk => "dingtalk",
        }
    }
}

impl From<Provider> for worklink_providers::api::Provider {
    fn from(provider: Provider) -> Self {
        match provider {
            Provider::Wecom => worklink_providers::api::Provider::WeCom,
            Provider::Dingtalk => worklink_providers::api::Provider::DingTalk,
        }
    }
}

/// `[connections.<name>]`: the union of both providers' keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    /// `provider`: which service the app belongs to.
    pub provider: Provider,
    /// `corp_id`.
    pub corp_id: Option<String>,
    /// `agent_id`.
    pub agent_id: Option<i64>,
    /// `secret` (WeCom only).
    pub secret: Option<String>,
    /// `app_key` (DingTalk only).
    pub app_key: Option<String>,
    /// `app_secret` (DingTalk only).
    pub app_secret: Option<String>,
    /// `callback_token`.
    pub callback_token: Option<String>,
    /// `callback_aes_key`.
    pub callback_aes_key: Option<String>,
    /// `api_base`: overrides the provider's API origin.
    pub api_base: Option<String>,
}

/// `[robots.<name>]`: a group-chat webhook robot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRobot {
    /// `provider`: which service hosts the chat.
    pub provider: Provider,
    /// `key`: the webhook key or access token.
    pub key: Option<String>,
    /// `url`: the whole webhook URL.
    pub url: Option<String>,
    /// `secret`: DingTalk signing secret.
    pub secret: Option<String>,
}

/// `[erp]`: where effects for the ERP are delivered.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawErp {
    /// `url`: the ERP webhook.
    pub url: String,
    /// `hmac_secret`: signs each post.
    pub hmac_secret: String,
}
