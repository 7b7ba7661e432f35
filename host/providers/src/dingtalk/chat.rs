//! Messages to group chats: the legacy `chat/send` for groups the app created, and the v1.0
//! robot route (`/v1.0/robot/groupMessages/send`) that replaces it for new integrations.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::Client;
use super::message::Message;
use crate::api::ApiError;

/// A v1.0 robot group message: a template key and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RobotGroupMessage {
    /// The robot's code (its app key for an in-app robot).
    pub robot_code: String,
    /// The group's open conversation id.
    pub open_conversation_id: String,
    /// Template key, e.g. `sampleText`, `sampleMarkdown`, `sampleActionCard`.
    pub msg_key: String,
    /// The template parameters as a JSON string, e.g. `{"content":"hi"}`.
    pub msg_param: String,
}

#[derive(Deserialize)]
struct ChatSent {
    #[serde(rename = "messageId", default)]
    message_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupSent {
    process_query_key: String,
}

impl Client {
    /// `chat/send` to an app-created group; returns the message id.
    pub async fn send_chat_message(
        &self,
        chat_id: &str,
        message: &Message,
    ) -> Result<String, ApiError> {
        let body = json!({ "chatid": chat_id, "msg": message.to_json() });
        Ok(self
            .call::<ChatSent>(self.oapi_post("/chat/send", &body))
            .await?
            .message_id)
    }

    /// `/v1.0/robot/groupMessages/send`; returns the key to query read status with.
    pub async fn send_group_message(
        &self,
        message: &RobotGroupMessage,
    ) -> Result<String, ApiError> {
        let req = self.api_post("/v1.0/robot/groupMessages/send", message);
        Ok(self.call::<GroupSent>(req).await?.process_query_key)
    }
}
