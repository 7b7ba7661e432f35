//! `approval.*`: an approval instance changed status (submitted, approved, rejected, canceled).

use serde::{Deserialize, Serialize};

use crate::EventPayload;
use crate::approvals::ApprovalStatus;

/// Payload of the `approval.*` family. Fetch the form with `approvals::get_instance(&instance_id)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalChanged {
    /// Approval instance id.
    pub instance_id: String,
    /// Template id, when the provider reports it.
    #[serde(default)]
    pub template: Option<String>,
    /// New status: `pending`, `approved`, `rejected` or `canceled`.
    pub status: String,
    /// Applicant's user id, when the provider reports it.
    #[serde(default)]
    pub applicant: Option<String>,
}

impl EventPayload for ApprovalChanged {
    const KIND: &'static str = "approval.*";
}

impl ApprovalChanged {
    /// The status as the WIT enum, or `None` for a status this SDK does not know.
    pub fn status(&self) -> Option<ApprovalStatus> {
        match self.status.as_str() {
            "pending" => Some(ApprovalStatus::Pending),
            "approved" => Some(ApprovalStatus::Approved),
            "rejected" => Some(ApprovalStatus::Rejected),
            "canceled" => Some(ApprovalStatus::Canceled),
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
            "approval.finished",
            &json!({"instance_id": "sp1", "status": "approved"}),
        );
        let change: ApprovalChanged = event.payload().unwrap();
        assert_eq!(change.status(), Some(ApprovalStatus::Approved));
        let odd = ApprovalChanged {
            status: "archived".into(),
            ..change
        };
        assert_eq!(odd.status(), None);
    }
}
