//! Work notifications (工作通知, `topapi/message/corpconversation/asyncsend_v2`) and their
//! delivery result. Sends are asynchronous: success means "accepted", and over-quota messages
//! are dropped silently, so [`Client::send_result`] is how to learn who was reached.

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::Client;
use crate::api::{ApiError, Recipients};

/// At most this many users or departments per call (internal apps).
const MAX_RECIPIENTS: usize = 5000;

/// The buttons of an action card: one "read more" link, or several buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionCard {
    /// A single button.
    Single {
        /// Button label.
        title: String,
        /// Button link.
        url: String,
    },
    /// Several buttons, as `(label, link)`.
    Buttons {
        /// The buttons.
        buttons: Vec<(String, String)>,
        /// True to lay them out vertically.
        vertical: bool,
    },
}

/// The content of a work notification or group message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Plain text.
    Text {
        /// The text.
        content: String,
    },
    /// Markdown with a title (shown in the conversation list).
    Markdown {
        /// Title.
        title: String,
        /// Markdown source.
        text: String,
    },
    /// A card with markdown and buttons.
    ActionCard {
        /// Title.
        title: String,
        /// Markdown body.
        markdown: String,
        /// The buttons.
        card: ActionCard,
    },
    /// An OA message (`{message_url, head, body}`), passed through as DingTalk defines it.
    Oa(Value),
}

impl Message {
    /// The `msg` object DingTalk expects.
    pub(super) fn to_json(&self) -> Value {
        match self {
            Message::Text { content } => {
                json!({ "msgtype": "text", "text": { "content": content } })
            }
            Message::Markdown { title, text } => {
                json!({ "msgtype": "markdown", "markdown": { "title": title, "text": text } })
            }
            Message::ActionCard {
                title,
                markdown,
                card,
            } => {
                let mut action = json!({ "title": title, "markdown": markdown });
                match card {
                    ActionCard::Single { title, url } => {
                        action["single_title"] = json!(title);
                        action["single_url"] = json!(url);
                    }
                    ActionCard::Buttons { buttons, vertical } => {
                        action["btn_orientation"] = json!(if *vertical { "0" } else { "1" });
                        action["btn_json_list"] = buttons
                            .iter()
                            .map(|(title, url)| json!({ "title": title, "action_url": url }))
                            .collect();
                    }
                }
                json!({ "msgtype": "action_card", "action_card": action })
            }
            Message::Oa(oa) => json!({ "msgtype": "oa", "oa": oa }),
        }
    }
}

/// The answer to a send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SendResult {
    /// Task id, for [`Client::send_result`].
    pub task_id: i64,
    /// Request id, for DingTalk support.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Who a work notification reached (`getsendresult`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SendProgress {
    /// Userids it was delivered to but who have not read it.
    #[serde(default)]
    pub unread_user_id_list: Vec<String>,
    /// Userids who read it.
    #[serde(default)]
    pub read_user_id_list: Vec<String>,
    /// Userids that were invalid.
    #[serde(default)]
    pub invalid_user_id_list: Vec<String>,
    /// Userids the app may not message.
    #[serde(default)]
    pub forbidden_user_id_list: Vec<String>,
    /// Userids that failed.
    #[serde(default)]
    pub failed_user_id_list: Vec<String>,
    /// Department ids that were invalid.
    #[serde(default)]
    pub invalid_dept_id_list: Vec<i64>,
}

#[derive(Deserialize)]
struct ProgressAnswer {
    send_result: SendProgress,
}

impl Client {
    /// `asyncsend_v2` of `message` to `to` from this client's agent. DingTalk has no tags.
    pub async fn send_message(
        &self,
        to: &Recipients,
        message: &Message,
    ) -> Result<SendResult, ApiError> {
        let path = "/topapi/message/corpconversation/asyncsend_v2";
        let check = if to.tags.is_empty() {
            to.check(MAX_RECIPIENTS, MAX_RECIPIENTS)
        } else {
            Err("DingTalk has no tags; address users or departments".to_owned())
        };
        check.map_err(|detail| self.invalid(path, detail))?;
        let mut body = json!({ "agent_id": self.agent_id, "msg": message.to_json() });
        if to.all {
            body["to_all_user"] = json!(true);
        } else {
            if !to.users.is_empty() {
                body["userid_list"] = json!(to.users.join(","));
            }
            if !to.departments.is_empty() {
                body["dept_id_list"] = json!(to.departments.join(","));
            }
        }
        self.call(self.oapi_post(path, &body)).await
    }

    /// `getsendresult`: who a work notification reached.
    pub async fn send_result(&self, task_id: i64) -> Result<SendProgress, ApiError> {
        let body = json!({ "agent_id": self.agent_id, "task_id": task_id });
        let req = self.oapi_post("/topapi/message/corpconversation/getsendresult", &body);
        Ok(self.call::<ProgressAnswer>(req).await?.send_result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_card_with_buttons() {
        let msg = Message::ActionCard {
            title: "t".into(),
            markdown: "m".into(),
            card: ActionCard::Buttons {
                buttons: vec![("ok".into(), "https://a".into())],
                vertical: true,
            },
        };
        assert_eq!(
            msg.to_json(),
            json!({"msgtype":"action_card","action_card":{"title":"t","markdown":"m","btn_orientation":"0",
                   "btn_json_list":[{"title":"ok","action_url":"https://a"}]}})
        );
    }

    #[test]
    fn markdown_shape() {
        let msg = Message::Markdown {
            title: "t".into(),
            text: "# x".into(),
        };
        assert_eq!(
            msg.to_json(),
            json!({"msgtype":"markdown","markdown":{"title":"t","text":"# x"}})
        );
    }
}
