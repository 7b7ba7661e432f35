//! App messages (`message/send`, `message/recall`).
//!
//! A send to several recipients succeeds when at least one is valid; the invalid ones come back
//! in `invaliduser` / `invalidparty` / `invalidtag`, which [`SendResult`] surfaces as lists so a
//! caller can report who was not reached. All recipients invalid is errcode 81013.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::Client;
use crate::api::{ApiError, Recipients, split_list};

/// At most this many users per message.
const MAX_USERS: usize = 1000;
/// At most this many departments or tags per message.
const MAX_PARTIES_OR_TAGS: usize = 100;
/// News messages carry 1–8 articles.
const MAX_ARTICLES: usize = 8;

/// One news article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Title.
    pub title: String,
    /// Summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Link opened on tap.
    pub url: String,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picurl: Option<String>,
}

/// The content of an app message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppMessage {
    /// Plain text.
    Text {
        /// The text.
        content: String,
    },
    /// Markdown (rendered in the WeCom client only).
    Markdown {
        /// The markdown source.
        content: String,
    },
    /// A card with a title, description and a link.
    TextCard {
        /// Title.
        title: String,
        /// Description (limited HTML).
        description: String,
        /// Link opened on tap.
        url: String,
        /// Button text, default "详情".
        btntxt: Option<String>,
    },
    /// 1–8 linked articles.
    News {
        /// The articles.
        articles: Vec<Article>,
    },
}

impl AppMessage {
    /// The `msgtype` and its payload, as WeCom expects them.
    fn payload(&self) -> (&'static str, Value) {
        match self {
            AppMessage::Text { content } => ("text", json!({ "content": content })),
            AppMessage::Markdown { content } => ("markdown", json!({ "content": content })),
            AppMessage::TextCard {
                title,
                description,
                url,
                btntxt,
            } => {
                let mut card = json!({ "title": title, "description": description, "url": url });
                if let Some(btntxt) = btntxt {
                    card["btntxt"] = json!(btntxt);
                }
                ("textcard", card)
            }
            AppMessage::News { articles } => ("news", json!({ "articles": articles })),
        }
    }

    fn check(&self) -> Result<(), String> {
        match self {
            AppMessage::News { articles }
                if articles.is_empty() || articles.len() > MAX_ARTICLES =>
            {
                Err(format!(
                    "news needs 1..={MAX_ARTICLES} articles, got {}",
                    articles.len()
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The answer to a send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendResult {
    /// Message id, for `message/recall`.
    pub msgid: String,
    /// Userids that were invalid or outside the visible range (lower-cased by WeCom).
    pub invalid_users: Vec<String>,
    /// Department ids that were invalid.
    pub invalid_parties: Vec<String>,
    /// Tag ids that were invalid.
    pub invalid_tags: Vec<String>,
    /// Users in range who lack an API licence.
    pub unlicensed_users: Vec<String>,
}

#[derive(Deserialize)]
struct SendAnswer {
    #[serde(default)]
    msgid: String,
    invaliduser: Option<String>,
    invalidparty: Option<String>,
    invalidtag: Option<String>,
    unlicenseduser: Option<String>,
}

/// `touser`/`toparty`/`totag` of a message, `|`-joined; `@all` wins over the lists.
fn recipient_fields(to: &Recipients) -> Value {
    if to.all {
        return json!({ "touser": "@all" });
    }
    let mut fields = json!({});
    for (key, list) in [
        ("touser", &to.users),
        ("toparty", &to.departments),
        ("totag", &to.tags),
    ] {
        if !list.is_empty() {
            fields[key] = json!(list.join("|"));
        }
    }
    fields
}

/// The longest duplicate-check interval WeCom accepts: 4 hours.
const MAX_DUPLICATE_INTERVAL: Duration = Duration::from_secs(4 * 3600);

/// WeCom takes the interval in whole seconds, from 1 s to 4 h.
fn check_duplicate_interval(interval: Option<Duration>) -> Result<(), String> {
    match interval {
        Some(interval) if interval.as_secs() == 0 || interval > MAX_DUPLICATE_INTERVAL => Err(
            format!("duplicate_check_interval must be 1 s to 4 h, got {interval:?}"),
        ),
        _ => Ok(()),
    }
}

impl Client {
    /// `message/send` of `message` to `to` from this client's app.
    pub async fn send_message(
        &self,
        to: &Recipients,
        message: &AppMessage,
    ) -> Result<SendResult, ApiError> {
        self.send_message_with(to, message, None).await
    }

    /// `message/send` with WeCom's duplicate check on: the same message to the same recipients
    /// within `interval` (at most 4 hours; WeCom's default is 30 minutes) is accepted but not
    /// delivered again, so a sender that may repeat a send after a crash reaches nobody twice.
    pub async fn send_message_deduplicated(
        &self,
        to: &Recipients,
        message: &AppMessage,
        interval: Duration,
    ) -> Result<SendResult, ApiError> {
        self.send_message_with(to, message, Some(interval)).await
    }

    async fn send_message_with(
        &self,
        to: &Recipients,
        message: &AppMessage,
        duplicate_check: Option<Duration>,
    ) -> Result<SendResult, ApiError> {
        to.check(MAX_USERS, MAX_PARTIES_OR_TAGS)
            .and_then(|()| message.check())
            .and_then(|()| check_duplicate_interval(duplicate_check))
            .map_err(|detail| self.invalid("message/send", detail))?;
        let (msgtype, payload) = message.payload();
        let mut body = recipient_fields(to);
        body["msgtype"] = json!(msgtype);
        body["agentid"] = json!(self.agent_id);
        body[msgtype] = payload;
        if let Some(interval) = duplicate_check {
            body["enable_duplicate_check"] = json!(1);
            body["duplicate_check_interval"] = json!(interval.as_secs());
        }
        let answer: SendAnswer = self.call(self.post("message/send", &body)).await?;
        Ok(SendResult {
            msgid: answer.msgid,
            invalid_users: split_list(answer.invaliduser.as_deref(), '|'),
            invalid_parties: split_list(answer.invalidparty.as_deref(), '|'),
            invalid_tags: split_list(answer.invalidtag.as_deref(), '|'),
            unlicensed_users: split_list(answer.unlicenseduser.as_deref(), '|'),
        })
    }

    /// `message/recall` of a message sent in the last 24 hours.
    pub async fn recall_message(&self, msgid: &str) -> Result<(), ApiError> {
        self.send(self.post("message/recall", &json!({ "msgid": msgid })))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_overrides_lists() {
        let to = Recipients {
            users: vec!["a".into()],
            all: true,
            ..Recipients::default()
        };
        assert_eq!(recipient_fields(&to), json!({ "touser": "@all" }));
    }

    #[test]
    fn lists_are_pipe_joined() {
        let to = Recipients {
            users: vec!["a".into(), "b".into()],
            tags: vec!["3".into()],
            ..Recipients::default()
        };
        assert_eq!(
            recipient_fields(&to),
            json!({ "touser": "a|b", "totag": "3" })
        );
    }

    #[test]
    fn duplicate_check_interval_is_one_second_to_four_hours() {
        assert!(check_duplicate_interval(None).is_ok());
        assert!(check_duplicate_interval(Some(Duration::from_secs(1800))).is_ok());
        assert!(check_duplicate_interval(Some(MAX_DUPLICATE_INTERVAL)).is_ok());
        for bad in [
            Duration::from_millis(500),
            MAX_DUPLICATE_INTERVAL + Duration::from_secs(1),
        ] {
            let err = check_duplicate_interval(Some(bad)).unwrap_err();
            assert!(err.contains("1 s to 4 h"), "{err}");
        }
    }

    #[test]
    fn news_needs_articles() {
        let news = AppMessage::News { articles: vec![] };
        assert!(news.check().unwrap_err().contains("1..=8"));
    }

    #[test]
    fn textcard_payload_shape() {
        let card = AppMessage::TextCard {
            title: "t".into(),
            description: "d".into(),
            url: "https://x".into(),
            btntxt: None,
        };
        assert_eq!(
            card.payload(),
            (
                "textcard",
                json!({"title":"t","description":"d","url":"https://x"})
            )
        );
    }
}
