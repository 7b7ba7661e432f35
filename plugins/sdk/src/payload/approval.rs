//! `*.approval.instance.changed`: an approval instance was submitted, agreed, rejected, withdrawn…
//!
//! The host gives WeCom and DingTalk approvals one vocabulary (see the field docs). Fetch the form
//! with `approvals::get_instance(&instance_id)`.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::EventPayload;
use crate::approvals::ApprovalStatus;

/// Payload of `*.approval.instance.changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalChanged {
    /// WeCom `SpNo`, DingTalk `processInstanceId`.
    pub instance_id: String,
    /// The approval's title, when the provider reports it.
    #[serde(default)]
    pub title: Option<String>,
    /// WeCom `TemplateId`, DingTalk `processCode`.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Status after the change: `in_progress`, `approved`, `rejected`, `withdrawn`,
    /// `withdrawn_after_approval`, `deleted`, `paid` or `completed`; `None` when unrecognised.
    #[serde(default)]
    pub status: Option<String>,
    /// What just happened: `submitted`, `agreed`, `rejected`, `transferred`, `reminded`,
    /// `withdrawn`, `withdrawn_after_approval` or `commented`; `None` when unrecognised.
    #[serde(default)]
    pub change: Option<String>,
    /// The applicant's user id.
    #[serde(default)]
    pub applicant_user_id: Option<String>,
    /// Approvers named in the callback (WeCom only).
    #[serde(default)]
    pub approver_user_ids: Vec<String>,
    /// When it was submitted, in unix milliseconds.
    #[serde(default)]
    pub applied_at_ms: Option<i64>,
}

impl EventPayload for ApprovalChanged {
    const KIND: &'static str = "*.approval.instance.changed";
}

impl ApprovalChanged {
    /// The status as the WIT enum, or `None` for a status the enum has no word for (`deleted`,
    /// `paid`, `completed`, or none reported).
    pub fn status(&self) -> Option<ApprovalStatus> {
        match self.status.as_deref()? {
            "in_progress" => Some(ApprovalStatus::Pending),
            "approved" => Some(ApprovalStatus::Approved),
            "rejected" => Some(ApprovalStatus::Rejected),
            "withdrawn" | "withdrawn_after_approval" => Some(ApprovalStatus::Canceled),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn status_maps_to_the_wit_enum() {
        let event = Event::new(
            "wecom.approval.instance.changed",
            &json!({"instance_id": "sp1", "status": "approved", "change": "agreed"}),
        );
        let change: ApprovalChanged = event.payload().unwrap();
        assert_eq!(change.status(), Some(ApprovalStatus::Approved));
        let withdrawn = ApprovalChanged {
            status: Some("withdrawn_after_approval".into()),
            ..change.clone()
        };
        assert_eq!(withdrawn.status(), Some(ApprovalStatus::Canceled));
        let odd = ApprovalChanged {
            status: Some("paid".into()),
            ..change
        };
        assert_eq!(odd.status(), None);
    }

    #[test]
    fn dingtalk_kind_parses_with_the_same_type() {
        let event = Event::new(
            "dingtalk.approval.instance.changed",
            &json!({"instance_id": "p-1", "status": "in_progress", "change": "submitted"}),
        );
        assert_eq!(
            event.payload::<ApprovalChanged>().unwrap().status(),
            Some(ApprovalStatus::Pending)
        );
    }
}
