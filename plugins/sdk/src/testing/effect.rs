//! What the harness records: the staged writes and the log lines of one run.

use crate::approvals::ApprovalRequest;
use crate::erp::Document;
use crate::log::Level;
use crate::messaging::{Message, Recipients, RobotPost};
use crate::types::EffectId;

/// One staged write, in the order the plugin made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// `messaging::send`.
    Message {
        /// The effect id returned to the plugin.
        id: EffectId,
        /// Who receives it.
        to: Recipients,
        /// The message.
        message: Message,
    },
    /// `messaging::post_robot`.
    RobotPost {
        /// The effect id returned to the plugin.
        id: EffectId,
        /// The post.
        post: RobotPost,
    },
    /// `approvals::submit`.
    ApprovalSubmit {
        /// The effect id returned to the plugin.
        id: EffectId,
        /// The approval to start.
        request: ApprovalRequest,
    },
    /// `erp::post`.
    ErpPost {
        /// The effect id returned to the plugin.
        id: EffectId,
        /// The document.
        document: Document,
    },
    /// `kv::set`.
    KvSet {
        /// The effect id returned to the plugin.
        id: EffectId,
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
}

impl Effect {
    /// The effect id the plugin received.
    pub fn id(&self) -> &str {
        match self {
            Effect::Message { id, .. }
            | Effect::RobotPost { id, .. }
            | Effect::ApprovalSubmit { id, .. }
            | Effect::ErpPost { id, .. }
            | Effect::KvSet { id, .. } => id,
        }
    }
}

/// One line of the execution log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Severity.
    pub level: Level,
    /// The text.
    pub message: String,
}
