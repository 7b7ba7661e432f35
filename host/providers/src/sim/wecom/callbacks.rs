//! WeCom's callbacks (§A10, §A11, §A6): XML events encrypted into
//! `<xml><ToUserName/><Encrypt/><AgentID/></xml>`, signed in the query
//! (`msg_signature`, `timestamp` in seconds, `nonce`). Any HTTP 200 within 5 s acknowledges;
//! otherwise WeCom tries again, 3 attempts in all. WeCom pushes no check-in events.

use std::time::Duration;

use crate::crypto::{CallbackCrypto, Envelope, wecom};
use crate::sim::approvals::{Approval, ApprovalStatus};
use crate::sim::callbacks::{CallbackFormat, Delivery, SimEvent, Worded, cdata, random_nonce};
use crate::sim::directory::User;

/// WeCom's callback wording for one corp and app.
pub(super) struct WeComCallbacks {
    pub(super) corp_id: String,
    pub(super) agent_id: i64,
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl WeComCallbacks {
    fn header(&self, now_secs: i64, event: &str) -> String {
        format!(
            "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{now_secs}</CreateTime>\
             <MsgType>{}</MsgType><Event>{}</Event><AgentID>{}</AgentID>",
            cdata(&self.corp_id),
            cdata("sys"),
            cdata("event"),
            cdata(event),
            self.agent_id
        )
    }

    fn user_fields(user: &User) -> String {
        let leader: Vec<u8> = user
            .is_leader_in_dept
            .iter()
            .map(|l| u8::from(*l))
            .collect();
        format!(
            "<UserID>{}</UserID><Name>{}</Name><Department>{}</Department><MainDepartment>{}</MainDepartment>\
             <IsLeaderInDept>{}</IsLeaderInDept><DirectLeader>{}</DirectLeader><Position>{}</Position>\
             <Mobile>{}</Mobile><Gender>{}</Gender><Email>{}</Email><Status>{}</Status>",
            cdata(&user.userid),
            cdata(&user.name),
            cdata(&join(&user.departments)),
            user.main_department,
            cdata(&join(&leader)),
            cdata(&user.direct_leader.join(",")),
            cdata(&user.position),
            cdata(&user.mobile),
            cdata(&user.gender.to_string()),
            cdata(&user.email),
            if user.enabled { 1 } else { 2 }
        )
    }

    fn approval(&self, approval: &Approval, now_secs: i64) -> String {
        let (sp_status, change) = match approval.status {
            ApprovalStatus::InReview => (1, 1),
            ApprovalStatus::Approved => (2, 2),
            ApprovalStatus::Rejected => (3, 3),
        };
        let details: String = approval
            .approvers
            .iter()
            .map(|approver| {
                let decision = approval.decisions.iter().find(|d| d.approver.eq_ignore_ascii_case(approver));
                let (status, speech, at) = match decision {
                    Some(d) => (if d.agreed { 2 } else { 3 }, d.speech.as_str(), d.at_ms / 1000),
                    None => (1, "", 0),
                };
                format!(
                    "<Details><Approver><UserId>{}</UserId></Approver><Speech>{}</Speech><SpStatus>{status}</SpStatus><SpTime>{at}</SpTime></Details>",
                    cdata(approver),
                    cdata(speech)
                )
            })
            .collect();
        let notifyer: String = approval
            .notify
            .iter()
            .map(|u| format!("<Notifyer><UserId>{}</UserId></Notifyer>", cdata(u)))
            .collect();
        format!(
            "{}<ApprovalInfo><SpNo>{}</SpNo><SpName>{}</SpName><SpStatus>{sp_status}</SpStatus><TemplateId>{}</TemplateId>\
             <ApplyTime>{}</ApplyTime><Applyer><UserId>{}</UserId><Party>{}</Party></Applyer>\
             <SpRecord><SpStatus>{sp_status}</SpStatus><ApproverAttr>1</ApproverAttr>{details}</SpRecord>{notifyer}\
             <StatuChangeEvent>{change}</StatuChangeEvent></ApprovalInfo></xml>",
            self.header(now_secs, "sys_approval_change"),
            approval.id,
            cdata(&approval.name),
            cdata(&approval.template),
            approval.created_ms / 1000,
            cdata(&approval.applicant),
            cdata(&approval.department.to_string()),
        )
    }
}

impl CallbackFormat for WeComCallbacks {
    fn word(&self, event: &SimEvent, now_ms: i64) -> Option<Worded> {
        let now = now_ms / 1000;
        let contact = |change: &str, fields: String| Worded {
            name: format!("change_contact/{change}"),
            plaintext: format!(
                "{}<ChangeType>{}</ChangeType>{fields}</xml>",
                self.header(now, "change_contact"),
                cdata(change)
            ),
        };
        Some(match event {
            SimEvent::UserCreated(user) => contact("create_user", Self::user_fields(user)),
            SimEvent::UserUpdated(user) => contact("update_user", Self::user_fields(user)),
            SimEvent::UserDeleted(userid) => {
                contact("delete_user", format!("<UserID>{}</UserID>", cdata(userid)))
            }
            SimEvent::DepartmentCreated(d) => contact(
                "create_party",
                format!(
                    "<Id>{}</Id><Name>{}</Name><ParentId>{}</ParentId><Order>{}</Order>",
                    d.id,
                    cdata(&d.name),
                    cdata(&d.parent_id.to_string()),
                    d.order
                ),
            ),
            SimEvent::DepartmentUpdated(d) => contact(
                "update_party",
                format!(
                    "<Id>{}</Id><Name>{}</Name><ParentId>{}</ParentId>",
                    d.id,
                    cdata(&d.name),
                    cdata(&d.parent_id.to_string())
                ),
            ),
            SimEvent::DepartmentDeleted(id) => contact("delete_party", format!("<Id>{id}</Id>")),
            SimEvent::Approval(approval) => Worded {
                name: "sys_approval_change".into(),
                plaintext: self.approval(approval, now),
            },
            SimEvent::CheckIn(_) => return None,
        })
    }

    fn stamp(&self, now_ms: i64) -> (String, String) {
        ((now_ms / 1000).to_string(), random_nonce(10, true))
    }

    fn wrap(&self, envelope: &Envelope) -> Delivery {
        Delivery {
            query: format!(
                "msg_signature={}&timestamp={}&nonce={}",
                envelope.msg_signature, envelope.timestamp, envelope.nonce
            ),
            body: wecom::request_xml(&self.corp_id, &self.agent_id.to_string(), &envelope.encrypt),
            content_type: "text/xml",
        }
    }

    fn accepted(&self, _crypto: &CallbackCrypto, status: u16, _body: &str) -> Result<(), String> {
        if status == 200 {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(5)
    }
}
