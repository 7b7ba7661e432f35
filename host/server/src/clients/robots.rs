//! Group robots from `[robots.<name>]`: a webhook credential per robot, no app token.
//!
//! A robot is configured either by its key / access token (the host builds the provider's real
//! webhook URL) or by the whole webhook URL as the console shows it, which is split here into
//! the host (kept, so a simulator or proxy works) and the credential in its query.

use url::Url;
use worklink_providers::api::{ApiError, HttpConfig, Secret};
use worklink_providers::{dingtalk, wecom};
use worklink_runtime::types::RobotPost;

use super::{ClientsError, shapes};
use crate::config::{Provider, Robot, Webhook};

/// Where each provider's robot webhook lives, and which query parameter carries the credential.
struct WebhookShape {
    /// The real host.
    host: &'static str,
    /// The path the provider's robot client appends to the host.
    path: &'static str,
    /// The query parameter holding the credential.
    credential: &'static str,
}

const WECOM: WebhookShape = WebhookShape {
    host: "https://qyapi.weixin.qq.com",
    path: "/cgi-bin/webhook/send",
    credential: "key",
};

const DINGTALK: WebhookShape = WebhookShape {
    host: "https://oapi.dingtalk.com",
    path: "/robot/send",
    credential: "access_token",
};

/// One configured robot.
#[derive(Debug, Clone)]
pub enum RobotClient {
    /// A WeCom group robot.
    WeCom(wecom::Robot),
    /// A DingTalk custom robot (signed when its secret is configured).
    DingTalk(dingtalk::Robot),
}

impl RobotClient {
    /// The client of `robot`.
    pub fn new(robot: &Robot, http: &HttpConfig) -> Result<Self, ClientsError> {
        let shape = match robot.provider {
            Provider::Wecom => &WECOM,
            Provider::Dingtalk => &DINGTALK,
        };
        let (host, credential) = match &robot.webhook {
            Webhook::Key(key) => (shape.host.to_owned(), key.clone()),
            Webhook::Url(url) => {
                split_webhook(url, shape).map_err(|reason| ClientsError::RobotUrl {
                    robot: robot.name.clone(),
                    reason,
                })?
            }
        };
        Ok(match robot.provider {
            Provider::Wecom => {
                RobotClient::WeCom(wecom::Robot::new(&host, credential, http.clone()))
            }
            Provider::Dingtalk => RobotClient::DingTalk(dingtalk::Robot::new(
                &host,
                credential,
                robot.secret.clone(),
                http.clone(),
            )),
        })
    }

    /// Posts `post` into the robot's group.
    pub async fn post(&self, post: &RobotPost) -> Result<(), ApiError> {
        match self {
            RobotClient::WeCom(robot) => robot.send(&shapes::wecom_robot(post)).await,
            RobotClient::DingTalk(robot) => robot.send(&shapes::dingtalk_robot(post)).await,
        }
    }
}

/// Splits a webhook URL into the host prefix and the credential. Reasons never quote the URL,
/// which embeds the credential.
fn split_webhook(url: &Secret, shape: &WebhookShape) -> Result<(String, Secret), String> {
    let parsed =
        Url::parse(url.expose()).map_err(|_| "the webhook URL does not parse".to_owned())?;
    let prefix = parsed
        .path()
        .strip_suffix(shape.path)
        .ok_or_else(|| format!("the webhook URL's path must end in {}", shape.path))?;
    let credential = parsed
        .query_pairs()
        .find(|(name, _)| name == shape.credential)
        .map(|(_, value)| Secret::new(value.into_owned()))
        .filter(|value| !value.expose().is_empty())
        .ok_or_else(|| format!("the webhook URL has no `{}` parameter", shape.credential))?;
    let host = parsed[..url::Position::BeforePath].to_owned();
    Ok((format!("{host}{prefix}"), credential))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_url_splits_into_host_and_credential() {
        let url = Secret::new("http://127.0.0.1:8081/cgi-bin/webhook/send?key=abc-123");
        let (host, key) = split_webhook(&url, &WECOM).unwrap();
        assert_eq!(host, "http://127.0.0.1:8081");
        assert_eq!(key.expose(), "abc-123");
        let url = Secret::new("https://proxy.example/ding/robot/send?access_token=t0k");
        let (host, token) = split_webhook(&url, &DINGTALK).unwrap();
        assert_eq!(host, "https://proxy.example/ding");
        assert_eq!(token.expose(), "t0k");
    }

    #[test]
    fn a_wrong_url_is_explained_without_quoting_it() {
        let wrong_path = Secret::new("https://qyapi.weixin.qq.com/robot/send?key=secret-key");
        let reason = split_webhook(&wrong_path, &WECOM).unwrap_err();
        assert!(reason.contains("/cgi-bin/webhook/send"), "{reason}");
        assert!(!reason.contains("secret-key"));
        let no_key = Secret::new("https://oapi.dingtalk.com/robot/send?token=secret-token");
        let reason = split_webhook(&no_key, &DINGTALK).unwrap_err();
        assert!(
            reason.contains("access_token") && !reason.contains("secret-token"),
            "{reason}"
        );
    }
}
