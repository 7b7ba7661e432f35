//! `[robots.<name>]`: group-chat webhook robots, which post to a chat without an app.
//!
//! WeCom robots are addressed by a webhook key; DingTalk robots by an access token and, when
//! "additional signing" is on, a `SEC...` secret used to sign each post.

use super::check::Checker;
use super::error::{ConfigError, ConfigReason};
use super::raw::{Provider, RawRobot};
use super::secret::Secret;

/// A checked robot.
#[derive(Debug, Clone)]
pub struct Robot {
    /// The name rules use to address the robot.
    pub name: String,
    /// Which provider hosts the chat.
    pub provider: Provider,
    /// Where posts go.
    pub webhook: Webhook,
    /// DingTalk's signing secret, when the robot has signing enabled.
    pub secret: Option<Secret>,
}

/// How the robot's webhook is given: either is a credential, since it alone allows posting.
#[derive(Debug, Clone)]
pub enum Webhook {
    /// The key (WeCom) or access token (DingTalk); the host builds the URL.
    Key(Secret),
    /// The complete webhook URL as the console shows it.
    Url(Secret),
}

impl Robot {
    /// Checks `raw` as the robot `name`.
    pub(super) fn from_raw(
        check: &Checker<'_>,
        name: &str,
        raw: RawRobot,
    ) -> Result<Self, ConfigError> {
        let key = |field: &str| format!("robots.{name}.{field}");
        let webhook = match (raw.key, raw.url) {
            (Some(webhook_key), None) => Webhook::Key(check.secret(&key("key"), &webhook_key)?),
            (None, Some(url)) => {
                let url = check.secret(&key("url"), &url)?;
                check.http_url(&key("url"), url.expose()).map_err(|_| {
                    // The URL embeds the key, so the parse error must not quote it.
                    check.error(
                        key("url"),
                        ConfigReason::BadUrl("not an http(s) URL".into()),
                    )
                })?;
                Webhook::Url(url)
            }
            (Some(_), Some(_)) => {
                return Err(check.error(
                    key("url"),
                    ConfigReason::Invalid("give either `key` or `url`, not both".into()),
                ));
            }
            (None, None) => return Err(check.error(key("key"), ConfigReason::MissingKey)),
        };
        if raw.provider == Provider::Wecom {
            check.absent(&key("secret"), &raw.secret, raw.provider)?;
        }
        Ok(Robot {
            name: name.to_owned(),
            provider: raw.provider,
            webhook,
            secret: raw
                .secret
                .map(|secret| check.secret(&key("secret"), &secret))
                .transpose()?,
        })
    }
}
