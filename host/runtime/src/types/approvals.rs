//! Approval instances (WIT `approvals`).

use serde::{Deserialize, Serialize};

/// One form field of an approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    /// Field label as shown in the form.
    pub name: String,
    /// Field value as text.
    pub value: String,
}

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Waiting for approvers.
    Pending,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
    /// Withdrawn by the applicant.
    Canceled,
}

/// An approval instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalInstance {
    /// Instance id (WeCom `sp_no`, DingTalk `process_instance_id`).
    pub id: String,
    /// Template id.
    pub template: String,
    /// Title.
    pub title: String,
    /// Applicant's user id.
    pub applicant: String,
    /// Status.
    pub status: ApprovalStatus,
    /// Form fields in form order.
    #[serde(default)]
    pub fields: Vec<FormField>,
    /// Created, unix milliseconds.
    pub created_at: i64,
    /// Finished, unix milliseconds; absent while pending.
    #[serde(default)]
    pub finished_at: Option<i64>,
}

/// A new approval to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// Template id.
    pub template: String,
    /// Applicant's user id.
    pub applicant: String,
    /// Form fields.
    #[serde(default)]
    pub fields: Vec<FormField>,
    /// Approver user ids in order; the template's flow when empty.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// Users copied.
    #[serde(default)]
    pub cc: Vec<String>,
}
