//! DingTalk's callback fields mapped onto the shared shapes: every DingTalk-specific name lives here.
//!
//! DingTalk batches: one contact callback lists several user or department ids and one attendance
//! callback several check-ins, so a callback can become several events (one per subject, each with
//! its own dedup key).

use super::fields::Fields;
use super::normalize::{self, Callback, Mapped};
use super::payload::Shape;
use super::raw::RawFields;
use super::shapes::{ApprovalChange, ApprovalTaskChange, CheckIn, DepartmentChange, UserChange};
use super::{EventError, Provider, ProviderEvent, json};

/// Parses one decrypted DingTalk callback into its events (at least one).
///
/// `delivered_at_ms` is the signed envelope timestamp, used only if the callback states no time
/// (`check_url` states none).
pub fn parse(plaintext: &str, delivered_at_ms: i64) -> Result<Vec<ProviderEvent>, EventError> {
    let raw = json::parse(plaintext.trim_start_matches('\u{feff}'))?;
    let raw_type = Fields::new(&raw, "callback").require_text("EventType")?;
    let f = Fields::new(&raw, &raw_type);
    let corp_id = f.text("CorpId").or_else(|| f.text("corpId")).unwrap_or_default();
    let mut mapped = map(f, &raw_type)?;
    if mapped.is_empty() {
        // A batch event listing nothing has no subject to normalise; keep it as a generic event.
        mapped.push(Mapped::generic(&raw_type, f.int("TimeStamp")?));
    }
    let callback = Callback::new(Provider::DingTalk, plaintext, corp_id, raw_type, delivered_at_ms);
    Ok(normalize::finish(callback, mapped, RawFields::json(raw)))
}

fn map(f: Fields<'_>, raw_type: &str) -> Result<Vec<Mapped>, EventError> {
    let at = f.int("TimeStamp")?;
    let verb = match raw_type {
        "user_add_org" | "org_dept_create" => "created",
        "user_modify_org" | "org_dept_modify" => "updated",
        "user_leave_org" | "org_dept_remove" => "deleted",
        _ => "",
    };
    Ok(match raw_type {
        "check_url" => vec![Mapped::new("check_url", "", None, Shape::None)],
        "user_add_org" | "user_modify_org" | "user_leave_org" => f
            .text_list("UserId")?
            .into_iter()
            .map(|user_id| {
                let shape = UserChange { user_id: user_id.clone(), ..UserChange::default() };
                Mapped::new(format!("contact.user.{verb}"), user_id, at, shape)
            })
            .collect(),
        "org_dept_create" | "org_dept_modify" | "org_dept_remove" => f
            .int_list("DeptId")?
            .unwrap_or_default()
            .into_iter()
            .map(|department_id| {
                let shape = DepartmentChange { department_id, ..DepartmentChange::default() };
                Mapped::new(format!("contact.department.{verb}"), department_id.to_string(), at, shape)
            })
            .collect(),
        "bpms_instance_change" => vec![instance(f)?],
        "bpms_task_change" => vec![task(f)?],
        "attendance_check_record" => f.children("DataList").map(check_in).collect::<Result<_, _>>()?,
        other => vec![Mapped::generic(other, at)],
    })
}

/// `type` and `result` of `bpms_instance_change` as (status, change) in the shared vocabulary.
fn instance_state(kind: Option<&str>, result: Option<&str>) -> (Option<&'static str>, Option<&'static str>) {
    match (kind, result) {
        (Some("start"), _) => (Some("in_progress"), Some("submitted")),
        (Some("finish"), Some("agree")) => (Some("approved"), Some("agreed")),
        (Some("finish"), Some("refuse")) => (Some("rejected"), Some("rejected")),
        (Some("finish"), _) => (Some("completed"), None),
        (Some("terminate"), _) => (Some("withdrawn"), Some("withdrawn")),
        _ => (None, None),
    }
}

fn instance(f: Fields<'_>) -> Result<Mapped, EventError> {
    let instance_id = f.require_text("processInstanceId")?;
    let (status, change) = instance_state(f.text_ref("type").as_deref(), f.text_ref("result").as_deref());
    let applied_at_ms = f.int("createTime")?;
    let finished_at_ms = f.int("finishTime")?;
    let shape = ApprovalChange {
        instance_id: instance_id.clone(),
        title: f.text("title"),
        template_id: f.text("processCode"),
        status: status.map(str::to_owned),
        change: change.map(str::to_owned),
        applicant_user_id: f.text("staffId"),
        approver_user_ids: Vec::new(),
        applied_at_ms,
        finished_at_ms,
        url: f.text("url"),
    };
    Ok(Mapped::new("approval.instance.changed", instance_id, finished_at_ms.or(applied_at_ms), shape))
}

fn task(f: Fields<'_>) -> Result<Mapped, EventError> {
    let instance_id = f.require_text("processInstanceId")?;
    let change = match f.text_ref("type").as_deref() {
        Some("start") => Some("started"),
        Some("finish") => Some("finished"),
        Some("cancel") => Some("cancelled"),
        _ => None,
    };
    let result = match f.text_ref("result").as_deref() {
        Some("agree") => Some("agreed"),
        Some("refuse") => Some("rejected"),
        Some("redirect") => Some("transferred"),
        _ => None,
    };
    let approver = f.text("staffId");
    let at = f.int("finishTime")?.or(f.int("createTime")?);
    let subject = format!("{instance_id}.{}", approver.as_deref().unwrap_or_default());
    let shape = ApprovalTaskChange {
        instance_id,
        approver_user_id: approver,
        change: change.map(str::to_owned),
        result: result.map(str::to_owned),
        remark: f.text("remark"),
        title: f.text("title"),
        template_id: f.text("processCode"),
        activity_id: f.text("activityId"),
    };
    Ok(Mapped::new("approval.task.changed", subject, at, shape))
}

fn check_in(record: Fields<'_>) -> Result<Mapped, EventError> {
    let user_id = record.require_text("userId")?;
    let checked_at_ms = record.int("checkTime")?;
    // One callback may hold several check-ins of the same member: the record id or time tells them apart.
    let record_id = record.text("bizId").or_else(|| checked_at_ms.map(|t| t.to_string())).unwrap_or_default();
    let subject = format!("{user_id}.{record_id}");
    let shape = CheckIn {
        user_id: user_id.clone(),
        checked_at_ms,
        address: record.text("address"),
        latitude: record.float("latitude")?,
        longitude: record.float("longitude")?,
        location_method: record.text("locationMethod"),
        location_result: record.text("locationResult"),
        device_id: record.text("deviceId"),
        device_name: record.text("deviceName"),
    };
    Ok(Mapped::new("attendance.checked_in", subject, checked_at_ms, shape))
}

#[cfg(test)]
#[path = "dingtalk_tests.rs"]
mod tests;
