//! The shape of `worklink.toml` exactly as written, before secrets are resolved and
//! provider-specific rules are checked.
//!
//! Every table denies unknown keys so a typo fails loudly instead of silently falling back to a
//! default. Connections and robots are flat tables with a `provider` key; the checks that depend
//! on the provider live in `connection.rs` and `robot.rs`, where they can name the exact key.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::limits::Limits;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub database: RawDatabase,
    #[serde(default)]
    pub connections: BTreeMap<String, RawConnection>,
    #[serde(default)]
    pub robots: BTreeMap<String, RawRobot>,
    pub erp: Option<RawErp>,
    pub rules_dir: Option<PathBuf>,
    pub plugins_dir: Option<PathBuf>,
    #[serde(default)]
    pub limits: Limits,
    pub timezone: Option<String>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub listen: Option<String>,
    pub public_url: Option<String>,
}

/// `[database]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
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

/// `[connections.<name>]`: the union of both providers' keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    pub provider: Provider,
    pub corp_id: Option<String>,
    pub agent_id: Option<i64>,
    pub secret: Option<String>,
    pub app_key: Option<String>,
    pub app_secret: Option<String>,
    pub callback_token: Option<String>,
    pub callback_aes_key: Option<String>,
    pub api_base: Option<String>,
}

/// `[robots.<name>]`: a group-chat webhook robot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRobot {
    pub provider: Provider,
    pub key: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// `[erp]`: where effects for the ERP are delivered.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawErp {
    pub url: String,
    pub hmac_secret: String,
}
