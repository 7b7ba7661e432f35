//! Approvals (审批): read a process instance and start one (`topapi/processinstance/get|create`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::Client;
use crate::api::ApiError;

/// One form field, as sent and as read back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValue {
    /// Field label.
    pub name: String,
    /// Field value (JSON-encoded for complex controls).
    #[serde(default)]
    pub value: String,
    /// Extra value of some controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_value: Option<String>,
    /// Control type (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
}

/// A process instance (`topapi/processinstance/get`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProcessInstance {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// `NEW`, `RUNNING`, `TERMINATED`, `COMPLETED`, `CANCELED`.
    pub status: String,
    /// `agree` or `refuse` once completed.
    #[serde(default)]
    pub result: String,
    /// Approval number.
    #[serde(default)]
    pub business_id: String,
    /// Who started it.
    #[serde(default)]
    pub originator_userid: String,
    /// Their department.
    #[serde(default)]
    pub originator_dept_id: String,
    /// `yyyy-MM-dd HH:mm:ss`.
    #[serde(default)]
    pub create_time: String,
    /// `yyyy-MM-dd HH:mm:ss`, once finished.
    #[serde(default)]
    pub finish_time: Option<String>,
    /// Approvers' userids.
    #[serde(default)]
    pub approver_userids: Vec<String>,
    /// CC'd userids.
    #[serde(default)]
    pub cc_userids: Vec<String>,
    /// The form.
    #[serde(default)]
    pub form_component_values: Vec<FormValue>,
    /// Who did what and when.
    #[serde(default)]
    pub operation_records: Vec<Value>,
    /// Pending and done tasks.
    #[serde(default)]
    pub tasks: Vec<Value>,
}

/// A process instance to start (`topapi/processinstance/create`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProcessInstance {
    /// The approval template's process code.
    pub process_code: String,
    /// Who starts it.
    pub originator_user_id: String,
    /// Their department; the originator's main department when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dept_id: Option<i64>,
    /// The form.
    pub form_component_values: Vec<FormValue>,
    /// Approvers, comma-separated, when the template lets the originator choose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvers: Option<String>,
    /// CC'd userids, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_list: Option<String>,
}

#[derive(Deserialize)]
struct InstanceAnswer {
    process_instance: ProcessInstance,
}

#[derive(Deserialize)]
struct Created {
    process_instance_id: String,
}

impl Client {
    /// `topapi/processinstance/get`.
    pub async fn process_instance(&self, id: &str) -> Result<ProcessInstance, ApiError> {
        let body = json!({ "process_instance_id": id });
        let req = self.oapi_post("/topapi/processinstance/get", &body);
        Ok(self.call::<InstanceAnswer>(req).await?.process_instance)
    }

    /// `topapi/processinstance/create` from this client's agent; returns the instance id.
    pub async fn start_process(&self, instance: &NewProcessInstance) -> Result<String, ApiError> {
        let mut body = serde_json::to_value(instance).unwrap_or(Value::Null);
        body["agent_id"] = json!(self.agent_id);
        let req = self.oapi_post("/topapi/processinstance/create", &body);
        Ok(self.call::<Created>(req).await?.process_instance_id)
    }
}
