//! The payload shapes shared by both providers: a rule reacting to "a user was created" reads the
//! same fields whether WeCom or DingTalk sent it. A field a provider does not send is `null`
//! (look it up in the directory), never invented. Every payload also carries `corp_id` and `raw`.
//!
//! Fields are declared in key order: the payload is written as a JSON object with sorted keys in
//! one pass (the `payload` module), which takes the fields in the order they are declared.

use serde::{Deserialize, Serialize};

/// A member was created, updated or deleted (`*.contact.user.*`). DingTalk sends only ids: one
/// event per user id it lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserChange {
    /// Departments the member belongs to after the change.
    pub department_ids: Option<Vec<i64>>,
    /// Email address.
    pub email: Option<String>,
    /// The main department.
    pub main_department_id: Option<i64>,
    /// Mobile number (withheld from apps created after mid-2022).
    pub mobile: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The new user id when the change renamed it (WeCom `NewUserID`).
    pub new_user_id: Option<String>,
    /// Job title.
    pub position: Option<String>,
    /// The member's user id (the old one when it was renamed).
    pub user_id: String,
}

/// A department was created, updated or deleted (`*.contact.department.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DepartmentChange {
    /// The department id.
    pub department_id: i64,
    /// Its name, when the callback carries it.
    pub name: Option<String>,
    /// Sort order, when the callback carries it.
    pub order: Option<i64>,
    /// Its parent, when the callback carries it.
    pub parent_id: Option<i64>,
}

/// Members or departments were added to or removed from a tag (`wecom.contact.tag.updated`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagChange {
    /// Departments added to the tag.
    pub added_department_ids: Vec<i64>,
    /// Members added to the tag.
    pub added_user_ids: Vec<String>,
    /// Departments removed from the tag.
    pub removed_department_ids: Vec<i64>,
    /// Members removed from the tag.
    pub removed_user_ids: Vec<String>,
    /// The tag id.
    pub tag_id: i64,
}

/// An approval instance changed (`*.approval.instance.changed`).
///
/// `status` uses one vocabulary for both providers: `in_progress`, `approved`, `rejected`,
/// `withdrawn`, `withdrawn_after_approval`, `deleted`, `paid`, `completed` (finished without a
/// stated result). `change` says what just happened: `submitted`, `agreed`, `rejected`,
/// `transferred`, `reminded`, `withdrawn`, `withdrawn_after_approval`, `commented`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApprovalChange {
    /// Who applied: WeCom `Applyer/UserId`, DingTalk `staffId`.
    pub applicant_user_id: Option<String>,
    /// When it was submitted, in milliseconds.
    pub applied_at_ms: Option<i64>,
    /// Approvers named in the callback (WeCom `SpRecord/Details/Approver`); DingTalk names none.
    pub approver_user_ids: Vec<String>,
    /// What just happened (vocabulary above); `null` when unrecognised.
    pub change: Option<String>,
    /// When it finished, in milliseconds (DingTalk `finishTime`).
    pub finished_at_ms: Option<i64>,
    /// WeCom `SpNo`, DingTalk `processInstanceId`.
    pub instance_id: String,
    /// The instance's status after the change (vocabulary above); `null` when unrecognised.
    pub status: Option<String>,
    /// WeCom `TemplateId`, DingTalk `processCode`.
    pub template_id: Option<String>,
    /// WeCom `SpName`, DingTalk `title`.
    pub title: Option<String>,
    /// A link to the instance, when the provider gives one.
    pub url: Option<String>,
}

/// One approver's task in an approval changed (`dingtalk.approval.task.changed`).
///
/// `change` is `started`, `finished` or `cancelled`; `result` is `agreed`, `rejected` or
/// `transferred`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApprovalTaskChange {
    /// The node of the process the task belongs to.
    pub activity_id: Option<String>,
    /// The approver whose task changed.
    pub approver_user_id: Option<String>,
    /// What happened to the task (vocabulary above).
    pub change: Option<String>,
    /// The approval instance the task belongs to.
    pub instance_id: String,
    /// The approver's comment.
    pub remark: Option<String>,
    /// The approver's decision, for finished tasks.
    pub result: Option<String>,
    /// The approval's template (process code).
    pub template_id: Option<String>,
    /// The approval's title.
    pub title: Option<String>,
}

/// A member clicked a menu item (`wecom.menu.click`, `wecom.menu.view`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MenuAction {
    /// The app whose menu it was.
    pub agent_id: Option<i64>,
    /// The menu key (`click`) or the URL opened (`view`).
    pub key: String,
    /// Who clicked.
    pub user_id: String,
}

/// A member opened an app (`wecom.agent.entered`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentEntered {
    /// The app.
    pub agent_id: Option<i64>,
    /// Who opened it.
    pub user_id: String,
}

/// A member's device reported its position on entering an app (`wecom.location.reported`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocationReport {
    /// The app entered.
    pub agent_id: Option<i64>,
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// Accuracy in metres, when reported.
    pub precision: Option<f64>,
    /// Whose position.
    pub user_id: String,
}

/// A member checked in for attendance (`dingtalk.attendance.checked_in`): one event per record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// The reported address.
    pub address: Option<String>,
    /// When, in milliseconds.
    pub checked_at_ms: Option<i64>,
    /// The check-in device.
    pub device_id: Option<String>,
    /// The check-in device's name.
    pub device_name: Option<String>,
    /// Degrees north.
    pub latitude: Option<f64>,
    /// How the position was determined (provider's value).
    pub location_method: Option<String>,
    /// Whether the position was acceptable (provider's value).
    pub location_result: Option<String>,
    /// Degrees east.
    pub longitude: Option<f64>,
    /// Who checked in.
    pub user_id: String,
}

/// A member sent the app a text message (`wecom.message.text.received`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextMessage {
    /// The app it was sent to.
    pub agent_id: Option<i64>,
    /// The text.
    pub content: String,
    /// The provider's message id.
    pub msg_id: Option<String>,
    /// The sender.
    pub user_id: String,
}
