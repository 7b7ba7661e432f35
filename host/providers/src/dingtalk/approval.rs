//! Approvals (审批): read a process instance and start one, through the legacy
//! `topapi/processinstance/get|create` or the v1.0 `workflow/processInstances` that DingTalk
//! recommends for new integrations. Both generations read into the same [`ProcessInstance`]
//! (the v1.0 camelCase names are accepted as aliases).

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
    #[serde(default, alias = "extValue", skip_serializing_if = "Option::is_none")]
    pub ext_value: Option<String>,
    /// Control type (read only).
    #[serde(
        default,
        alias = "componentType",
        skip_serializing_if = "Option::is_none"
    )]
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
    #[serde(default, alias = "businessId")]
    pub business_id: String,
    /// Who started it.
    #[serde(default, alias = "originatorUserId")]
    pub originator_userid: String,
    /// Their department.
    #[serde(default, alias = "originatorDeptId")]
    pub originator_dept_id: String,
    /// `yyyy-MM-dd HH:mm:ss`.
    #[serde(default, alias = "createTime")]
    pub create_time: String,
    /// `yyyy-MM-dd HH:mm:ss`, once finished.
    #[serde(default, alias = "finishTime")]
    pub finish_time: Option<String>,
    /// Approvers' userids.
    #[serde(default, alias = "approverUserIds")]
    pub approver_userids: Vec<String>,
    /// CC'd userids.
    #[serde(default, alias = "ccUserIds")]
    pub cc_userids: Vec<String>,
    /// The form.
    #[serde(default, alias = "formComponentValues")]
    pub form_component_values: Vec<FormValue>,
    /// Who did what and when.
    #[serde(default, alias = "operationRecords")]
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedV1 {
    instance_id: String,
}

#[derive(Deserialize)]
struct ResultV1 {
    result: ProcessInstance,
}

impl NewProcessInstance {
    /// The v1.0 body: camelCase, approvers as one "any of" step, lists as arrays.
    fn to_v1(&self, agent_id: i64) -> Value {
        let list = |csv: &Option<String>| -> Vec<String> {
            csv.as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let form: Vec<Value> = self
            .form_component_values
            .iter()
            .map(|f| json!({ "name": f.name, "value": f.value }))
            .collect();
        let mut body = json!({
            "originatorUserId": self.originator_user_id,
            "processCode": self.process_code,
            "microappAgentId": agent_id,
            "formComponentValues": form,
            "ccList": list(&self.cc_list),
        });
        let approvers = list(&self.approvers);
        if !approvers.is_empty() {
            body["approvers"] = json!([{ "actionType": "OR", "userIds": approvers }]);
        }
        if let Some(dept_id) = self.dept_id {
            body["deptId"] = json!(dept_id);
        }
        body
    }
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

    /// v1.0 `GET /v1.0/workflow/processInstances`.
    pub async fn process_instance_v1(&self, id: &str) -> Result<ProcessInstance, ApiError> {
        let req = self
            .api_get("/v1.0/workflow/processInstances")
            .query("processInstanceId", id);
        Ok(self.call::<ResultV1>(req).await?.result)
    }

    /// v1.0 `POST /v1.0/workflow/processInstances` from this client's agent; returns the
    /// instance id.
    pub async fn start_process_v1(
        &self,
        instance: &NewProcessInstance,
    ) -> Result<String, ApiError> {
        let req = self.api_post(
            "/v1.0/workflow/processInstances",
            &instance.to_v1(self.agent_id),
        );
        Ok(self.call::<CreatedV1>(req).await?.instance_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_body_is_camel_case_with_one_approval_step() {
        let instance = NewProcessInstance {
            process_code: "PROC-1".into(),
            originator_user_id: "u1".into(),
            dept_id: None,
            form_component_values: vec![FormValue {
                name: "金额".into(),
                value: "5".into(),
                ..FormValue::default()
            }],
            approvers: Some("a,b".into()),
            cc_list: None,
        };
        assert_eq!(
            instance.to_v1(7),
            json!({"originatorUserId":"u1","processCode":"PROC-1","microappAgentId":7,
                   "formComponentValues":[{"name":"金额","value":"5"}],"ccList":[],
                   "approvers":[{"actionType":"OR","userIds":["a","b"]}]})
        );
    }

    #[test]
    fn both_generations_read_into_one_type() {
        let legacy: ProcessInstance = serde_json::from_value(
            json!({"status":"RUNNING","originator_userid":"u1","business_id":"B1"}),
        )
        .unwrap();
        let v1: ProcessInstance = serde_json::from_value(
            json!({"status":"RUNNING","originatorUserId":"u1","businessId":"B1"}),
        )
        .unwrap();
        assert_eq!(legacy, v1);
    }
}
