//! `approvals` read live from the connection's provider, in the runtime's neutral shape.
//!
//! WeCom numbers its statuses and nests each form control's value by control type; DingTalk
//! names its statuses, gives the verdict separately, and reports times as China-time text.

use worklink_providers::{dingtalk, wecom};
use worklink_runtime::capability::CapError;
use worklink_runtime::capability::approvals::ApprovalsBackend;
use worklink_runtime::types::{ApprovalInstance, ApprovalStatus, FormField};

use super::{ProviderReads, china_time, provider_error};
use crate::clients::AppClient;

#[async_trait::async_trait]
impl ApprovalsBackend for ProviderReads {
    async fn get_instance(&self, id: &str) -> Result<ApprovalInstance, CapError> {
        match self.app()? {
            AppClient::WeCom(client) => Ok(wecom_instance(
                &client.approval_detail(id).await.map_err(provider_error)?,
            )),
            AppClient::DingTalk(client) => Ok(dingtalk_instance(
                id,
                &client.process_instance(id).await.map_err(provider_error)?,
            )),
        }
    }
}

/// A WeCom approval (`sp_status`: 1 in progress, 2 approved, 3 rejected, 4 withdrawn,
/// 6 withdrawn after approval, 7 deleted, 10 paid).
fn wecom_instance(detail: &wecom::ApprovalDetail) -> ApprovalInstance {
    let status = match detail.sp_status {
        1 => ApprovalStatus::Pending,
        2 | 10 => ApprovalStatus::Approved,
        3 => ApprovalStatus::Rejected,
        _ => ApprovalStatus::Canceled,
    };
    // The last approver action is when the approval finished.
    let finished_at = (status != ApprovalStatus::Pending)
        .then(|| {
            detail
                .sp_record
                .iter()
                .flat_map(|node| &node.details)
                .filter_map(|step| step["sptime"].as_i64())
                .filter(|at| *at > 0)
                .max()
                .map(|at| at * 1000)
        })
        .flatten();
    let fields = detail.apply_data["contents"]
        .as_array()
        .map(|controls| controls.iter().map(wecom_field).collect())
        .unwrap_or_default();
    ApprovalInstance {
        id: detail.sp_no.clone(),
        template: detail.template_id.clone(),
        title: detail.sp_name.clone(),
        applicant: detail.applyer.userid.clone(),
        status,
        fields,
        created_at: detail.apply_time * 1000,
        finished_at,
    }
}

/// One WeCom form control: its Chinese title (else the first), and its value as text: the
/// text, number or amount when the control has one, otherwise the value's JSON.
fn wecom_field(control: &serde_json::Value) -> FormField {
    let titles = control["title"].as_array();
    let name = titles
        .and_then(|titles| {
            titles
                .iter()
                .find(|t| t["lang"] == "zh_CN")
                .or_else(|| titles.first())
        })
        .and_then(|title| title["text"].as_str())
        .or_else(|| control["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let value = &control["value"];
    let value = ["text", "new_number", "new_money"]
        .iter()
        .find_map(|key| value[*key].as_str().map(str::to_owned))
        .unwrap_or_else(|| value.to_string());
    FormField { name, value }
}

/// A DingTalk process instance (`status` NEW, RUNNING, COMPLETED, TERMINATED or CANCELED; a
/// completed one's `result` is agree or refuse). The instance does not carry its process code,
/// so `template` is empty.
fn dingtalk_instance(id: &str, instance: &dingtalk::ProcessInstance) -> ApprovalInstance {
    let status = match (instance.status.as_str(), instance.result.as_str()) {
        ("NEW" | "RUNNING", _) => ApprovalStatus::Pending,
        ("COMPLETED", "agree") => ApprovalStatus::Approved,
        ("COMPLETED", _) => ApprovalStatus::Rejected,
        _ => ApprovalStatus::Canceled,
    };
    ApprovalInstance {
        id: id.to_owned(),
        template: String::new(),
        title: instance.title.clone(),
        applicant: instance.originator_userid.clone(),
        status,
        fields: instance
            .form_component_values
            .iter()
            .map(|field| FormField {
                name: field.name.clone(),
                value: field.value.clone(),
            })
            .collect(),
        created_at: china_time::parse_datetime(&instance.create_time).unwrap_or(0),
        finished_at: instance
            .finish_time
            .as_deref()
            .and_then(china_time::parse_datetime),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wecom_approval_reads_its_status_fields_and_finish_time() {
        let detail: wecom::ApprovalDetail = serde_json::from_value(json!({
            "sp_no": "202001010001", "sp_name": "Expense", "sp_status": 2,
            "template_id": "tpl-1", "apply_time": 1_577_836_800,
            "applyer": {"userid": "zhangsan", "partyid": "1"},
            "sp_record": [{"sp_status": 2, "approverattr": 1,
                "details": [{"approver": {"userid": "lisi"}, "sp_status": 2, "sptime": 1_577_840_400}]}],
            "apply_data": {"contents": [
                {"control": "Text", "id": "Text-1", "title": [{"text": "Reason", "lang": "en"},
                    {"text": "事由", "lang": "zh_CN"}], "value": {"text": "Taxi"}},
                {"control": "Money", "id": "Money-1", "title": [{"text": "金额", "lang": "zh_CN"}],
                    "value": {"new_money": "42.50"}}
            ]}
        }))
        .unwrap();
        let instance = wecom_instance(&detail);
        assert_eq!(instance.status, ApprovalStatus::Approved);
        assert_eq!(instance.applicant, "zhangsan");
        assert_eq!(instance.created_at, 1_577_836_800_000);
        assert_eq!(instance.finished_at, Some(1_577_840_400_000));
        let fields: Vec<(&str, &str)> = instance
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(fields, [("事由", "Taxi"), ("金额", "42.50")]);
    }

    #[test]
    fn a_dingtalk_instance_reads_its_verdict_and_china_times() {
        let instance: dingtalk::ProcessInstance = serde_json::from_value(json!({
            "title": "Leave", "status": "COMPLETED", "result": "refuse",
            "originator_userid": "lisi", "create_time": "2022-10-20 00:00:00",
            "finish_time": "2022-10-20 01:00:00",
            "form_component_values": [{"name": "Days", "value": "2"}]
        }))
        .unwrap();
        let neutral = dingtalk_instance("proc-1", &instance);
        assert_eq!(neutral.status, ApprovalStatus::Rejected);
        assert_eq!(neutral.created_at, 1_666_195_200_000);
        assert_eq!(neutral.finished_at, Some(1_666_198_800_000));
        assert_eq!(neutral.fields[0].value, "2");
        let running: dingtalk::ProcessInstance =
            serde_json::from_value(json!({"status": "RUNNING"})).unwrap();
        let pending = dingtalk_instance("proc-2", &running);
        assert_eq!(
            (pending.status, pending.finished_at),
            (ApprovalStatus::Pending, None)
        );
    }
}
