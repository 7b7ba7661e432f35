//! What happened inside a simulator, for tests and for `worklink sim` users to inspect.
//!
//! The real services give no way to see what a member received; a simulator must, or tests could
//! only check that our client *believes* it sent something. Every call, every app message (with
//! which recipients got it and which were silently throttled), every robot post and every callback
//! delivery attempt is recorded here.

use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde_json::Value;

/// One HTTP call as the simulator received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedCall {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string (tokens included: the simulator's tokens are not secrets).
    pub query: String,
    /// Request body as text (lossy UTF-8).
    pub body: String,
}

/// One accepted app message (WeCom message/send, DingTalk asyncsend_v2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage {
    /// The message id / task id the service answered with.
    pub id: String,
    /// The sending app (agent id).
    pub agent_id: String,
    /// `msgtype` of the message.
    pub msgtype: String,
    /// The whole request body, as sent.
    pub body: Value,
    /// Members the message was delivered to (userids as stored in the directory).
    pub delivered: Vec<String>,
    /// Members it was silently dropped for by a per-member limit, as the real services do.
    pub throttled: Vec<String>,
    /// Recipient member ids that do not exist (lower-cased).
    pub invalid_users: Vec<String>,
    /// Recipient department ids that do not exist.
    pub invalid_departments: Vec<String>,
}

/// One group-robot webhook post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobotPost {
    /// The robot's credential as given (WeCom `key`, DingTalk `access_token`).
    pub robot: String,
    /// The posted JSON.
    pub body: Value,
    /// The errcode the simulator answered (0 = accepted).
    pub errcode: i64,
}

/// One message posted into a group chat (DingTalk `chat/send`, `/v1.0/robot/groupMessages/send`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMessage {
    /// The id the service answered with (`messageId` / `processQueryKey`).
    pub id: String,
    /// The group: `chatid` or `openConversationId`.
    pub conversation: String,
    /// Who posted: the app's key for `chat/send`, the `robotCode` for robot messages.
    pub sender: String,
    /// The whole request body, as sent.
    pub body: Value,
}

/// One attempt to deliver a callback to the configured URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackAttempt {
    /// Target URL (with the signature query).
    pub url: String,
    /// Event name (`change_contact/create_user`, `bpms_instance_change`, …).
    pub event: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// HTTP status received, if any.
    pub status: Option<u16>,
    /// Transport error or reason the answer was not accepted, if any.
    pub error: Option<String>,
    /// Whether this attempt counts as delivered (no further retries).
    pub delivered: bool,
    /// The plaintext event that was encrypted, for inspection.
    pub plaintext: String,
}

/// The recorder; lists only grow.
#[derive(Debug, Default)]
pub struct Recorder {
    calls: Mutex<Vec<RecordedCall>>,
    messages: Mutex<Vec<SentMessage>>,
    robot_posts: Mutex<Vec<RobotPost>>,
    group_messages: Mutex<Vec<GroupMessage>>,
    callbacks: Mutex<Vec<CallbackAttempt>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Recorder {
    pub(crate) fn record_call(&self, call: RecordedCall) {
        lock(&self.calls).push(call);
    }

    pub(crate) fn record_message(&self, message: SentMessage) {
        lock(&self.messages).push(message);
    }

    pub(crate) fn record_robot_post(&self, post: RobotPost) {
        lock(&self.robot_posts).push(post);
    }

    pub(crate) fn record_group_message(&self, message: GroupMessage) {
        lock(&self.group_messages).push(message);
    }

    pub(crate) fn record_callback(&self, attempt: CallbackAttempt) {
        lock(&self.callbacks).push(attempt);
    }

    /// Every call so far, oldest first.
    pub fn calls(&self) -> Vec<RecordedCall> {
        lock(&self.calls).clone()
    }

    /// How many calls were made to exactly this path.
    pub fn call_count(&self, path: &str) -> usize {
        lock(&self.calls).iter().filter(|c| c.path == path).count()
    }

    /// Every accepted app message, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        lock(&self.messages).clone()
    }

    /// Every robot post, accepted or not, oldest first.
    pub fn robot_posts(&self) -> Vec<RobotPost> {
        lock(&self.robot_posts).clone()
    }

    /// Every accepted group-chat message, oldest first.
    pub fn group_messages(&self) -> Vec<GroupMessage> {
        lock(&self.group_messages).clone()
    }

    /// Every callback delivery attempt, oldest first.
    pub fn callbacks_sent(&self) -> Vec<CallbackAttempt> {
        lock(&self.callbacks).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_calls_by_exact_path() {
        let recorder = Recorder::default();
        for path in [
            "/cgi-bin/gettoken",
            "/cgi-bin/user/get",
            "/cgi-bin/gettoken",
        ] {
            recorder.record_call(RecordedCall {
                method: "GET".into(),
                path: path.into(),
                query: String::new(),
                body: String::new(),
            });
        }
        assert_eq!(recorder.call_count("/cgi-bin/gettoken"), 2);
        assert_eq!(recorder.call_count("/cgi-bin/user"), 0);
        assert_eq!(recorder.calls()[1].path, "/cgi-bin/user/get");
    }
}
