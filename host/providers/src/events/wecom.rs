//! WeCom's callback fields mapped onto the shared shapes: every WeCom-specific name lives here.
//!
//! Plaintexts are XML (`<xml><ToUserName/>…</xml>`) or, for the JSON callback variant, a JSON
//! object with the same field names. Self-built apps send `MsgType`/`Event`/`CreateTime`;
//! third-party suites send `InfoType`/`TimeStamp` and name the corp in `AuthCorpId`.

use super::fields::Fields;
use super::normalize::{self, Callback, Mapped};
use super::payload::Shape;
use super::raw::RawFields;
use super::shapes::{
    AgentEntered, ApprovalChange, DepartmentChange, LocationReport, MenuAction, TagChange, TextMessage, UserChange,
};
use super::{EventError, Provider, ProviderEvent, json, xml};

/// Parses one decrypted WeCom callback into its event (always exactly one).
///
/// `delivered_at_ms` is the signed envelope timestamp, used only if the callback states no time.
pub fn parse(plaintext: &str, delivered_at_ms: i64) -> Result<Vec<ProviderEvent>, EventError> {
    let document = plaintext.trim_start_matches('\u{feff}').trim_start();
    if document.starts_with('{') {
        let map = json::parse(document)?;
        let (callback, mapped) = read(Fields::new(&map, "callback"), plaintext, delivered_at_ms)?;
        Ok(normalize::finish(callback, [mapped], RawFields::json(map)))
    } else {
        let tree = xml::parse(document)?;
        let (callback, mapped) = read(Fields::xml(tree.root(), "callback"), plaintext, delivered_at_ms)?;
        Ok(normalize::finish(callback, [mapped], RawFields::xml(document)))
    }
}

/// What every WeCom callback's fields say, whichever format carried them.
fn read(probe: Fields<'_>, plaintext: &str, delivered_at_ms: i64) -> Result<(Callback, Mapped), EventError> {
    let raw_type = raw_type(probe)?;
    let f = probe.for_event(&raw_type);
    let corp_id = f.text("ToUserName").or_else(|| f.text("AuthCorpId")).unwrap_or_default();
    let mapped = map(f, &raw_type)?;
    Ok((Callback::new(Provider::WeCom, plaintext, corp_id, raw_type, delivered_at_ms), mapped))
}

/// `Event` for events, `MsgType` for messages, `InfoType` for suite notifications.
fn raw_type(f: Fields<'_>) -> Result<String, EventError> {
    match f.text_ref("MsgType").as_deref() {
        Some("event") => f.require_text("Event"),
        Some(msg_type) => Ok(msg_type.to_owned()),
        None => f.text("InfoType").ok_or(EventError::MissingField { event: "callback".into(), field: "MsgType" }),
    }
}

fn map(f: Fields<'_>, raw_type: &str) -> Result<Mapped, EventError> {
    let at = occurred_at_ms(f)?;
    let user = f.text_ref("FromUserName").unwrap_or_default();
    let message = f.text_ref("MsgType").is_some_and(|t| t != "event");
    Ok(match raw_type {
        "text" if message => {
            let msg_id = f.text("MsgId");
            let subject = msg_id.clone().unwrap_or_else(|| user.clone().into_owned());
            let shape = TextMessage { user_id: user.into_owned(), agent_id: f.int("AgentID")?, msg_id, content: f.require_text("Content")? };
            Mapped::new("message.text.received", subject, at, shape)
        }
        _ if message => {
            let subject = f.text("MsgId").unwrap_or_else(|| user.into_owned());
            let kind = format!("message.{}.received", normalize::kind_segment(raw_type));
            Mapped::new(kind, subject, at, Shape::None)
        }
        "change_contact" => contact(f, at)?,
        "sys_approval_change" => approval(f, at)?,
        "click" | "view" => {
            let shape = MenuAction { user_id: user.clone().into_owned(), agent_id: f.int("AgentID")?, key: f.require_text("EventKey")? };
            Mapped::new(format!("menu.{raw_type}"), user, at, shape)
        }
        "enter_agent" => {
            Mapped::new("agent.entered", user.clone(), at, AgentEntered { user_id: user.into_owned(), agent_id: f.int("AgentID")? })
        }
        "LOCATION" => {
            let shape = LocationReport {
                user_id: user.clone().into_owned(),
                agent_id: f.int("AgentID")?,
                latitude: f.require_float("Latitude")?,
                longitude: f.require_float("Longitude")?,
                precision: f.float("Precision")?,
            };
            Mapped::new("location.reported", user, at, shape)
        }
        other => {
            let mut generic = Mapped::generic(other, at);
            generic.subject = user.into_owned();
            generic
        }
    })
}

/// `CreateTime` (self-built apps) or `TimeStamp` (suites), both Unix seconds.
fn occurred_at_ms(f: Fields<'_>) -> Result<Option<i64>, EventError> {
    let seconds = match f.int("CreateTime")? {
        Some(s) => Some(s),
        None => f.int("TimeStamp")?,
    };
    Ok(seconds.map(|s| s.saturating_mul(1000)))
}

fn contact(f: Fields<'_>, at: Option<i64>) -> Result<Mapped, EventError> {
    let change = f.text_ref("ChangeType").unwrap_or_default();
    let verb = match change.split_once('_') {
        Some(("create", _)) => "created",
        Some(("update", _)) => "updated",
        Some(("delete", _)) => "deleted",
        _ => "",
    };
    Ok(match &*change {
        "create_user" | "update_user" | "delete_user" => {
            let user_id = f.require_text("UserID")?;
            let shape = UserChange {
                user_id: user_id.clone(),
                new_user_id: f.text("NewUserID"),
                name: f.text("Name"),
                department_ids: f.int_list("Department")?,
                main_department_id: f.int("MainDepartment")?,
                position: f.text("Position"),
                mobile: f.text("Mobile"),
                email: f.text("Email"),
            };
            Mapped::new(format!("contact.user.{verb}"), user_id, at, shape)
        }
        "create_party" | "update_party" | "delete_party" => {
            let department_id = f.require_int("Id")?;
            let shape = DepartmentChange {
                department_id,
                name: f.text("Name"),
                parent_id: f.int("ParentId")?,
                order: f.int("Order")?,
            };
            Mapped::new(format!("contact.department.{verb}"), department_id.to_string(), at, shape)
        }
        "update_tag" => {
            let tag_id = f.require_int("TagId")?;
            let shape = TagChange {
                tag_id,
                added_user_ids: f.text_list("AddUserItems")?,
                removed_user_ids: f.text_list("DelUserItems")?,
                added_department_ids: f.int_list("AddPartyItems")?.unwrap_or_default(),
                removed_department_ids: f.int_list("DelPartyItems")?.unwrap_or_default(),
            };
            Mapped::new("contact.tag.updated", tag_id.to_string(), at, shape)
        }
        _ => Mapped::generic("change_contact", at),
    })
}

/// `SpStatus` of an approval instance, in the shared vocabulary.
fn approval_status(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "in_progress",
        2 => "approved",
        3 => "rejected",
        4 => "withdrawn",
        6 => "withdrawn_after_approval",
        7 => "deleted",
        10 => "paid",
        _ => return None,
    })
}

/// `StatuChangeEvent` (the official spelling lacks an "s"), in the shared vocabulary.
fn approval_change(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "submitted",
        2 => "agreed",
        3 => "rejected",
        4 => "transferred",
        5 => "reminded",
        6 => "withdrawn",
        8 => "withdrawn_after_approval",
        10 => "commented",
        _ => return None,
    })
}

fn approval(f: Fields<'_>, at: Option<i64>) -> Result<Mapped, EventError> {
    let info = f.child("ApprovalInfo").ok_or(EventError::MissingField { event: "sys_approval_change".into(), field: "ApprovalInfo" })?;
    let instance_id = info.require_text("SpNo")?;
    let mut approvers: Vec<String> = Vec::new();
    for record in info.children("SpRecord") {
        for detail in record.children("Details") {
            if let Some(id) = detail.child("Approver").and_then(|a| a.text_ref("UserId"))
                && !approvers.iter().any(|known| *known == id)
            {
                approvers.push(id.into_owned());
            }
        }
    }
    let shape = ApprovalChange {
        instance_id: instance_id.clone(),
        title: info.text("SpName"),
        template_id: info.text("TemplateId"),
        status: info.int("SpStatus")?.and_then(approval_status).map(str::to_owned),
        change: info.int("StatuChangeEvent")?.and_then(approval_change).map(str::to_owned),
        applicant_user_id: info.child("Applyer").and_then(|a| a.text("UserId")),
        approver_user_ids: approvers,
        applied_at_ms: info.int("ApplyTime")?.map(|s| s.saturating_mul(1000)),
        finished_at_ms: None,
        url: None,
    };
    Ok(Mapped::new("approval.instance.changed", instance_id, at, shape))
}

#[cfg(test)]
#[path = "wecom_tests.rs"]
mod tests;
