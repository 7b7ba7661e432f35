//! The group robot webhook (`webhook/send?key=`): no app token, the key is the credential, so a
//! [`Robot`] stands alone and needs no app secret.

use serde::Serialize;
use serde_json::{Value, json};

use super::message::Article;
use crate::api::{ApiError, ApiRequest, Caller, HttpConfig, Provider, Secret, TokenPlacement};

/// A robot message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotMessage {
    /// Text, optionally mentioning members by userid or mobile (`@all` for everyone).
    Text {
        /// The text (≤ 2048 bytes).
        content: String,
        /// Userids to mention.
        mentioned_list: Vec<String>,
        /// Mobiles to mention.
        mentioned_mobile_list: Vec<String>,
    },
    /// Markdown.
    Markdown {
        /// The markdown source.
        content: String,
    },
    /// 1–8 articles.
    News {
        /// The articles.
        articles: Vec<Article>,
    },
}

#[derive(Serialize)]
struct TextBody<'a> {
    content: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mentioned_list: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mentioned_mobile_list: &'a [String],
}

impl RobotMessage {
    fn body(&self) -> Value {
        match self {
            RobotMessage::Text {
                content,
                mentioned_list,
                mentioned_mobile_list,
            } => json!({
                "msgtype": "text",
                "text": TextBody { content, mentioned_list, mentioned_mobile_list },
            }),
            RobotMessage::Markdown { content } => {
                json!({ "msgtype": "markdown", "markdown": { "content": content } })
            }
            RobotMessage::News { articles } => {
                json!({ "msgtype": "news", "news": { "articles": articles } })
            }
        }
    }
}

/// One group robot.
#[derive(Debug, Clone)]
pub struct Robot {
    caller: Caller,
    base: String,
    key: Secret,
}

impl Robot {
    /// A robot posting to `{base_url}/cgi-bin/webhook/send?key={key}`.
    pub fn new(base_url: &str, key: Secret, http: HttpConfig) -> Self {
        Robot {
            caller: Caller::unauthenticated(Provider::WeCom, &http),
            base: base_url.trim_end_matches('/').to_owned(),
            key,
        }
    }

    /// Posts `message` to the robot's group.
    pub async fn send(&self, message: &RobotMessage) -> Result<(), ApiError> {
        if let RobotMessage::News { articles } = message
            && (articles.is_empty() || articles.len() > 8)
        {
            let detail = format!("news needs 1..=8 articles, got {}", articles.len());
            return Err(ApiError::invalid(
                Provider::WeCom,
                "/cgi-bin/webhook/send",
                detail,
            ));
        }
        let req = ApiRequest::post(&self.base, "/cgi-bin/webhook/send", &message.body())
            .secret_query("key", &self.key)
            .token(TokenPlacement::None);
        self.caller.send(&req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_omits_empty_mentions() {
        let msg = RobotMessage::Text {
            content: "hi".into(),
            mentioned_list: vec!["@all".into()],
            mentioned_mobile_list: vec![],
        };
        assert_eq!(
            msg.body(),
            json!({"msgtype":"text","text":{"content":"hi","mentioned_list":["@all"]}})
        );
    }
}
