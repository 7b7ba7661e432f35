//! Staged writes: what a handler asked the host to do, held until the invocation succeeds.

use serde::{Deserialize, Serialize};

use crate::types::{ApprovalRequest, ErpDocument, Message, Recipients, RobotPost};

/// One write a handler staged. Nothing here has left the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// An app message.
    Message {
        /// Who receives it.
        to: Recipients,
        /// The body.
        message: Message,
    },
    /// A group-robot post.
    RobotPost(RobotPost),
    /// A document for the ERP.
    ErpPost(ErpDocument),
    /// A new approval.
    ApprovalSubmit(ApprovalRequest),
    /// A plugin-scoped storage write.
    KvSet {
        /// The plugin's storage scope.
        scope: String,
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
}

/// An effect with the id the handler got back for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StagedEffect {
    /// `<invocation id>/<sequence>`: unique, stable across retries of delivery, and the
    /// outbox's idempotency key.
    pub id: String,
    /// What to do.
    #[serde(flatten)]
    pub effect: Effect,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_flat_with_an_effect_tag() {
        let staged = StagedEffect {
            id: "inv/1".into(),
            effect: Effect::KvSet {
                scope: "p".into(),
                key: "k".into(),
                value: "v".into(),
            },
        };
        let json = serde_json::to_value(&staged).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "inv/1", "effect": "kv_set", "scope": "p", "key": "k", "value": "v"})
        );
        assert_eq!(
            serde_json::from_value::<StagedEffect>(json).unwrap(),
            staged
        );
    }
}
