//! The custom group robot webhook (`robot/send?access_token=`), signed with the robot's `SEC…`
//! secret when it has one. The robot token is the credential, so a [`Robot`] stands alone.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::api::{ApiError, ApiRequest, Caller, HttpConfig, Provider, Secret, TokenPlacement};
use crate::crypto::sign;

/// A robot message; `at_*` mention members (the text must also contain `@mobile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotMessage {
    /// Plain text.
    Text {
        /// The text.
        content: String,
        /// Mobiles to mention.
        at_mobiles: Vec<String>,
        /// Userids to mention.
        at_user_ids: Vec<String>,
        /// Mention everyone.
        at_all: bool,
    },
    /// Markdown with a title.
    Markdown {
        /// Title (shown in notifications).
        title: String,
        /// Markdown source.
        text: String,
    },
    /// A link card.
    Link {
        /// Title.
        title: String,
        /// Summary.
        text: String,
        /// Link opened on tap.
        message_url: String,
        /// Picture URL.
        pic_url: Option<String>,
    },
    /// An action card with one "read more" button.
    ActionCard {
        /// Title.
        title: String,
        /// Markdown body.
        text: String,
        /// Button label.
        single_title: String,
        /// Button link.
        single_url: String,
    },
}

impl RobotMessage {
    fn body(&self) -> Value {
        match self {
            RobotMessage::Text {
                content,
                at_mobiles,
                at_user_ids,
                at_all,
            } => json!({
                "msgtype": "text",
                "text": { "content": content },
                "at": { "atMobiles": at_mobiles, "atUserIds": at_user_ids, "isAtAll": at_all },
            }),
            RobotMessage::Markdown { title, text } => {
                json!({ "msgtype": "markdown", "markdown": { "title": title, "text": text } })
            }
            RobotMessage::Link {
                title,
                text,
                message_url,
                pic_url,
            } => json!({
                "msgtype": "link",
                "link": { "title": title, "text": text, "messageUrl": message_url, "picUrl": pic_url.clone().unwrap_or_default() },
            }),
            RobotMessage::ActionCard {
                title,
                text,
                single_title,
                single_url,
            } => json!({
                "msgtype": "actionCard",
                "actionCard": { "title": title, "text": text, "singleTitle": single_title, "singleURL": single_url },
            }),
        }
    }
}

/// One custom group robot.
#[derive(Debug, Clone)]
pub struct Robot {
    caller: Caller,
    base: String,
    token: Secret,
    secret: Option<Secret>,
}

impl Robot {
    /// A robot posting to `{oapi_url}/robot/send?access_token={token}`, signing with `secret`
    /// when the robot's security setting is "加签".
    pub fn new(oapi_url: &str, token: Secret, secret: Option<Secret>, http: HttpConfig) -> Self {
        Robot {
            caller: Caller::unauthenticated(Provider::DingTalk, &http),
            base: oapi_url.trim_end_matches('/').to_owned(),
            token,
            secret,
        }
    }

    /// Posts `message` to the robot's group.
    pub async fn send(&self, message: &RobotMessage) -> Result<(), ApiError> {
        let mut req = ApiRequest::post(&self.base, "/robot/send", &message.body())
            .secret_query("access_token", &self.token)
            .token(TokenPlacement::None);
        if let Some(secret) = &self.secret {
            let timestamp = now_ms();
            // The query builder percent-encodes, so the raw base64 signature goes in.
            let signature = sign::robot_sign(secret.expose(), timestamp);
            req = req.query("timestamp", timestamp).query("sign", signature);
        }
        self.caller.send(&req).await
    }
}

/// Milliseconds since the Unix epoch (a clock before 1970 counts as 0).
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_carries_mentions() {
        let msg = RobotMessage::Text {
            content: "hi @138".into(),
            at_mobiles: vec!["138".into()],
            at_user_ids: vec![],
            at_all: false,
        };
        assert_eq!(
            msg.body(),
            json!({"msgtype":"text","text":{"content":"hi @138"},"at":{"atMobiles":["138"],"atUserIds":[],"isAtAll":false}})
        );
    }
}
