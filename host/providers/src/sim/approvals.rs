//! Approval instances shared by WeCom OA approvals and DingTalk workflows.
//!
//! An application is submitted through the API (WeCom `oa/applyevent`, DingTalk
//! `processinstance/create`) and starts in review. Nobody acts on it in a simulator, so the
//! controls play the approver: [`Controls::approve`](super::Controls::approve) and
//! [`Controls::reject`](super::Controls::reject) record the decision, end the instance (any one
//! approver decides, WeCom's 或签) and push the provider's callback.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ApprovalStatus {
    /// Submitted, waiting for an approver (WeCom sp_status 1, DingTalk RUNNING).
    InReview,
    /// Approved (WeCom 2, DingTalk COMPLETED + agree).
    Approved,
    /// Rejected (WeCom 3, DingTalk COMPLETED + refuse).
    Rejected,
}

/// One form field as submitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// Control type (`Text`, `Money`, … on WeCom; component name on DingTalk).
    pub control: String,
    /// Control id (WeCom) or empty.
    pub id: String,
    /// Field title / name.
    pub title: String,
    /// Value exactly as submitted.
    pub value: Value,
}

/// An approver's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Who decided.
    pub approver: String,
    /// Approved (true) or rejected.
    pub agreed: bool,
    /// Comment.
    pub speech: String,
    /// When, Unix ms.
    pub at_ms: i64,
}

/// An approval instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approval {
    /// WeCom `sp_no` / DingTalk `process_instance_id`.
    pub id: String,
    /// WeCom `template_id` / DingTalk `process_code`.
    pub template: String,
    /// Display name of the template.
    pub name: String,
    /// Applicant userid.
    pub applicant: String,
    /// Applicant's department.
    pub department: u64,
    /// Userids who may decide.
    pub approvers: Vec<String>,
    /// Userids notified (cc).
    pub notify: Vec<String>,
    /// Submitted form.
    pub form: Vec<FormField>,
    /// Current status.
    pub status: ApprovalStatus,
    /// Decisions so far.
    pub decisions: Vec<Decision>,
    /// Submission time, Unix ms.
    pub created_ms: i64,
    /// Completion time, Unix ms.
    pub finished_ms: Option<i64>,
}

/// Why a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// No instance with this id.
    #[error("approval {0} not found")]
    NotFound(String),
    /// The instance was already decided.
    #[error("approval {0} is no longer in review")]
    Finished(String),
    /// The user is not one of the approvers.
    #[error("{approver} is not an approver of {id}")]
    NotApprover {
        /// Instance id.
        id: String,
        /// Who tried to decide.
        approver: String,
    },
}

/// All approval instances of a simulator, by id.
#[derive(Debug, Default)]
pub struct Approvals {
    instances: Mutex<BTreeMap<String, Approval>>,
}

impl Approvals {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Approval>> {
        self.instances.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores a newly submitted instance.
    pub fn submit(&self, approval: Approval) {
        self.lock().insert(approval.id.clone(), approval);
    }

    /// One instance.
    pub fn get(&self, id: &str) -> Option<Approval> {
        self.lock().get(id).cloned()
    }

    /// Instances created in `[from_ms, to_ms]`, oldest first.
    pub fn created_between(&self, from_ms: i64, to_ms: i64) -> Vec<Approval> {
        let mut list: Vec<Approval> = self
            .lock()
            .values()
            .filter(|a| a.created_ms >= from_ms && a.created_ms <= to_ms)
            .cloned()
            .collect();
        list.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        list
    }

    /// Records `approver`'s decision, which ends the instance; returns the snapshot after it.
    pub fn decide(
        &self,
        id: &str,
        approver: &str,
        agreed: bool,
        speech: &str,
        now_ms: i64,
    ) -> Result<Approval, ApprovalError> {
        let mut instances = self.lock();
        let approval = instances
            .get_mut(id)
            .ok_or_else(|| ApprovalError::NotFound(id.to_owned()))?;
        if approval.status != ApprovalStatus::InReview {
            return Err(ApprovalError::Finished(id.to_owned()));
        }
        if !approval
            .approvers
            .iter()
            .any(|a| a.eq_ignore_ascii_case(approver))
        {
            return Err(ApprovalError::NotApprover {
                id: id.to_owned(),
                approver: approver.to_owned(),
            });
        }
        approval.decisions.push(Decision {
            approver: approver.to_owned(),
            agreed,
            speech: speech.to_owned(),
            at_ms: now_ms,
        });
        approval.status = if agreed {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        approval.finished_ms = Some(now_ms);
        Ok(approval.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, created_ms: i64) -> Approval {
        Approval {
            id: id.into(),
            template: "tpl".into(),
            name: "报销".into(),
            applicant: "zhangsan".into(),
            department: 1,
            approvers: vec!["lisi".into()],
            notify: vec![],
            form: vec![],
            status: ApprovalStatus::InReview,
            decisions: vec![],
            created_ms,
            finished_ms: None,
        }
    }

    #[test]
    fn one_decision_ends_review() {
        let approvals = Approvals::default();
        approvals.submit(sample("1", 10));
        assert_eq!(
            approvals.decide("1", "wangwu", true, "", 20),
            Err(ApprovalError::NotApprover {
                id: "1".into(),
                approver: "wangwu".into()
            })
        );
        let done = approvals
            .decide("1", "LiSi", false, "金额不对", 20)
            .unwrap();
        assert_eq!(
            (done.status, done.finished_ms),
            (ApprovalStatus::Rejected, Some(20))
        );
        assert_eq!(
            approvals.decide("1", "lisi", true, "", 30),
            Err(ApprovalError::Finished("1".into()))
        );
        assert_eq!(
            approvals.decide("9", "lisi", true, "", 30),
            Err(ApprovalError::NotFound("9".into()))
        );
    }

    #[test]
    fn listing_by_creation_window() {
        let approvals = Approvals::default();
        approvals.submit(sample("b", 20));
        approvals.submit(sample("a", 10));
        approvals.submit(sample("c", 99));
        let ids: Vec<String> = approvals
            .created_between(0, 50)
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, vec!["a", "b"]);
    }
}
