//! Approvals (OA 审批): list approval numbers, read a form, submit one, read a template.
//!
//! `oa/getapprovalinfo` only returns forms whose applicant the app can see, so a page may be
//! short while more follow; [`Client::approval_numbers`] follows the cursor to the end.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::Client;
use crate::api::ApiError;
use crate::api::window;

/// Forms per `oa/getapprovalinfo` page: the documented maximum.
const PAGE_SIZE: u32 = 100;
/// Longest range per `oa/getapprovalinfo` query (WeCom refuses more than a month).
const MAX_SPAN_SECS: i64 = 31 * 86_400;

/// A filter of `oa/getapprovalinfo`: keys `template_id`, `creator`, `department`, `sp_status`,
/// `record_type`. Different keys AND together, a repeated `department` ORs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalFilter {
    /// The filter key.
    pub key: String,
    /// The value to match.
    pub value: String,
}

/// Who applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Applyer {
    /// Applicant userid.
    #[serde(default)]
    pub userid: String,
    /// Applicant department id.
    #[serde(default)]
    pub partyid: String,
}

/// One approval step.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApprovalNode {
    /// 1 in progress, 2 agreed, 3 rejected, 4 transferred.
    pub sp_status: i64,
    /// 1 any one approver (或签), 2 all approvers (会签).
    #[serde(default)]
    pub approverattr: i64,
    /// Each approver's decision, speech and time.
    #[serde(default)]
    pub details: Vec<Value>,
}

/// An approval form (`oa/getapprovaldetail`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApprovalDetail {
    /// Approval number.
    pub sp_no: String,
    /// Template name.
    #[serde(default)]
    pub sp_name: String,
    /// 1 in progress, 2 approved, 3 rejected, 4 withdrawn, 6 withdrawn after approval,
    /// 7 deleted, 10 paid.
    pub sp_status: i64,
    /// Template id.
    #[serde(default)]
    pub template_id: String,
    /// Unix seconds.
    #[serde(default)]
    pub apply_time: i64,
    /// Who applied.
    #[serde(default)]
    pub applyer: Applyer,
    /// The approval steps.
    #[serde(default)]
    pub sp_record: Vec<ApprovalNode>,
    /// Userids to notify (`[{"userid"}]`).
    #[serde(default)]
    pub notifyer: Vec<Value>,
    /// The form contents (`{"contents":[{control,id,title,value}]}`); `value` depends on the
    /// control type.
    #[serde(default)]
    pub apply_data: Value,
    /// Comments.
    #[serde(default)]
    pub comments: Vec<Value>,
}

/// A template (`oa/gettemplatedetail`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApprovalTemplate {
    /// Names per language (`[{"text","lang"}]`).
    #[serde(default)]
    pub template_names: Vec<Value>,
    /// Controls of the form (`{"controls":[...]}`).
    #[serde(default)]
    pub template_content: Value,
}

/// An application to submit (`oa/applyevent`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyEvent {
    /// Applicant userid.
    pub creator_userid: String,
    /// Template id.
    pub template_id: String,
    /// 1 = use the approvers set in the template, 0 = use `approver`.
    pub use_template_approver: u8,
    /// Approval steps `[{"attr","userid":[...]}]` when not using the template's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approver: Vec<Value>,
    /// Userids to notify.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notifyer: Vec<String>,
    /// Form contents (`{"contents":[...]}`) matching the template's controls.
    pub apply_data: Value,
    /// Summary lines shown in the list (`[{"summary_info":[{"text","lang"}]}]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summary_list: Vec<Value>,
}

#[derive(Deserialize)]
struct InfoPage {
    #[serde(default)]
    sp_no_list: Vec<String>,
    #[serde(default)]
    new_next_cursor: Option<String>,
    #[serde(default)]
    next_cursor: Option<Value>,
}

#[derive(Deserialize)]
struct DetailAnswer {
    info: ApprovalDetail,
}

#[derive(Deserialize)]
struct Applied {
    sp_no: String,
}

impl InfoPage {
    /// The cursor of the next page, whichever of the two fields WeCom filled; `None` at the end.
    fn next(&self) -> Option<String> {
        let legacy = self.next_cursor.as_ref().and_then(|c| match c {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        self.new_next_cursor
            .clone()
            .or(legacy)
            .filter(|c| !c.is_empty() && c != "0")
    }
}

impl Client {
    /// `oa/getapprovalinfo`: every approval number of forms submitted between `start` and `end`
    /// (Unix seconds, inclusive), in windows of at most 31 days, each followed to its last page.
    pub async fn approval_numbers(
        &self,
        start: i64,
        end: i64,
        filters: &[ApprovalFilter],
    ) -> Result<Vec<String>, ApiError> {
        let spans = window::spans(start, end, MAX_SPAN_SECS)
            .map_err(|e| self.invalid("oa/getapprovalinfo", e.to_string()))?;
        let mut numbers = Vec::new();
        for (start, end) in spans {
            numbers.extend(self.approval_numbers_in(start, end, filters).await?);
        }
        Ok(numbers)
    }

    /// One window of [`approval_numbers`](Self::approval_numbers), paged by cursor.
    async fn approval_numbers_in(
        &self,
        start: i64,
        end: i64,
        filters: &[ApprovalFilter],
    ) -> Result<Vec<String>, ApiError> {
        let mut numbers = Vec::new();
        let mut cursor = String::new();
        loop {
            let body = json!({
                "starttime": start.to_string(),
                "endtime": end.to_string(),
                "new_cursor": cursor,
                "size": PAGE_SIZE,
                "filters": filters,
            });
            let page: InfoPage = self.call(self.post("oa/getapprovalinfo", &body)).await?;
            numbers.extend(page.sp_no_list.iter().cloned());
            match page.next() {
                Some(next) if next != cursor => cursor = next,
                _ => return Ok(numbers),
            }
        }
    }

    /// `oa/getapprovaldetail` of approval number `sp_no`.
    pub async fn approval_detail(&self, sp_no: &str) -> Result<ApprovalDetail, ApiError> {
        let req = self.post("oa/getapprovaldetail", &json!({ "sp_no": sp_no }));
        Ok(self.call::<DetailAnswer>(req).await?.info)
    }

    /// `oa/applyevent`: submits an application; returns its approval number.
    pub async fn submit_approval(&self, event: &ApplyEvent) -> Result<String, ApiError> {
        Ok(self
            .call::<Applied>(self.post("oa/applyevent", event))
            .await?
            .sp_no)
    }

    /// `oa/gettemplatedetail` of `template_id`.
    pub async fn approval_template(&self, template_id: &str) -> Result<ApprovalTemplate, ApiError> {
        self.call(self.post(
            "oa/gettemplatedetail",
            &json!({ "template_id": template_id }),
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: Value) -> InfoPage {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn cursor_comes_from_either_field() {
        assert_eq!(
            page(json!({"new_next_cursor":"abc"})).next().as_deref(),
            Some("abc")
        );
        assert_eq!(
            page(json!({"next_cursor":12})).next().as_deref(),
            Some("12")
        );
        assert_eq!(page(json!({"new_next_cursor":""})).next(), None);
        assert_eq!(page(json!({})).next(), None);
    }
}
