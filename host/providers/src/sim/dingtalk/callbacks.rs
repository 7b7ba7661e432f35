//! DingTalk's event-subscription pushes (§B4): JSON events encrypted into `{"encrypt": "..."}`,
//! signed in the query (`msg_signature`, `timestamp` in milliseconds, an 8-character `nonce`).
//! The receiver must answer within 1.5 s with the encrypted string `success`, correctly signed;
//! anything else counts as a failed push and is retried (3 attempts).

use std::time::Duration;

use serde_json::{Value, json};

use crate::crypto::{CallbackCrypto, Envelope, dingtalk};
use crate::sim::approvals::{Approval, ApprovalStatus};
use crate::sim::attendance::CheckType;
use crate::sim::callbacks::{CallbackFormat, Delivery, SimEvent, Worded, random_nonce};

/// DingTalk's callback wording for one corp.
pub(super) struct DingTalkCallbacks {
    pub(super) corp_id: String,
}

impl DingTalkCallbacks {
    fn approval(&self, approval: &Approval, now_ms: i64) -> Value {
        let mut event = json!({
            "EventType": "bpms_instance_change", "processInstanceId": approval.id, "corpId": self.corp_id,
            "createTime": approval.created_ms, "title": format!("{}提交的{}", approval.applicant, approval.name),
            "staffId": approval.applicant, "processCode": approval.template, "bizCategoryId": "",
            "url": format!("https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?procInstId={}", approval.id),
            "type": "start",
        });
        if approval.status != ApprovalStatus::InReview {
            event["type"] = json!("finish");
            event["finishTime"] = json!(approval.finished_ms.unwrap_or(now_ms));
            event["result"] = json!(if approval.status == ApprovalStatus::Approved {
                "agree"
            } else {
                "refuse"
            });
        }
        event
    }
}

impl CallbackFormat for DingTalkCallbacks {
    fn word(&self, event: &SimEvent, now_ms: i64) -> Option<Worded> {
        let stamp = now_ms.to_string();
        let users = |kind: &str, userid: &str| json!({"EventType": kind, "CorpId": self.corp_id, "TimeStamp": stamp, "UserId": [userid]});
        let depts = |kind: &str, id: u64| json!({"EventType": kind, "CorpId": self.corp_id, "TimeStamp": stamp, "DeptId": [id]});
        let payload = match event {
            SimEvent::UserCreated(user) => users("user_add_org", &user.userid),
            SimEvent::UserUpdated(user) => users("user_modify_org", &user.userid),
            SimEvent::UserDeleted(userid) => users("user_leave_org", userid),
            SimEvent::DepartmentCreated(d) => depts("org_dept_create", d.id),
            SimEvent::DepartmentUpdated(d) => depts("org_dept_modify", d.id),
            SimEvent::DepartmentDeleted(id) => depts("org_dept_remove", *id),
            SimEvent::Approval(approval) => self.approval(approval, now_ms),
            SimEvent::CheckIn(punch) => json!({
                "EventType": "attendance_check_record", "CorpId": self.corp_id, "TimeStamp": stamp,
                "DataList": [{
                    "userId": punch.userid, "checkTime": punch.check_ms, "corpId": self.corp_id,
                    "address": "模拟园区1号楼", "latitude": "30.547645", "longitude": "104.063236",
                    "locationMethod": "MAP", "locationResult": if punch.outside { "Outside" } else { "Normal" },
                    "deviceId": "sim-device", "deviceName": "模拟考勤机", "bizId": punch.id.to_string(),
                    "checkType": if punch.check_type == CheckType::OnDuty { "OnDuty" } else { "OffDuty" },
                }],
            }),
        };
        let name = payload["EventType"].as_str().unwrap_or_default().to_owned();
        Some(Worded {
            name,
            plaintext: payload.to_string(),
        })
    }

    fn stamp(&self, now_ms: i64) -> (String, String) {
        (now_ms.to_string(), random_nonce(8, false))
    }

    fn wrap(&self, envelope: &Envelope) -> Delivery {
        Delivery {
            query: format!(
                "msg_signature={}&timestamp={}&nonce={}",
                envelope.msg_signature, envelope.timestamp, envelope.nonce
            ),
            body: dingtalk::request_body(&envelope.encrypt),
            content_type: "application/json",
        }
    }

    fn accepted(&self, crypto: &CallbackCrypto, status: u16, body: &str) -> Result<(), String> {
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let reply: dingtalk::Reply = serde_json::from_str(body)
            .map_err(|err| format!("answer is not the encrypted JSON reply: {err}"))?;
        let text = crypto
            .decrypt(
                &reply.msg_signature,
                &reply.time_stamp,
                &reply.nonce,
                &reply.encrypt,
            )
            .map_err(|err| format!("answer does not verify: {err}"))?;
        if text == dingtalk::SUCCESS {
            Ok(())
        } else {
            Err(format!("answer decrypts to {text:?}, not \"success\""))
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(1500)
    }
}
