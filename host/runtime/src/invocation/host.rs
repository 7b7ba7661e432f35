//! The per-invocation host object both sandboxes call, one method per WIT function.
//!
//! Every method does the same three steps in the same order, so a rule keeps its meaning when it
//! moves between a Rhai script and a wasm plugin: grant check, validation, then a live read or a
//! staged write (an effect id comes back at once; nothing leaves the host).

use std::collections::BTreeMap;

use super::{Effect, InvocationResult, Limits, LogBuffer, LogSource, Outcome, StagedEffect, Usage};
use crate::capability::{
    Backends, CapError, Capability, Grants, approvals, attendance, contacts, erp, kv, messaging,
};
use crate::types::{
    ApprovalInstance, ApprovalRequest, Binding, BindingKey, CheckIn, DayReport, Department,
    ErpDocument, LogLevel, Message, Recipients, RobotPost, TimeRange, User, UserQuery,
};

/// What the caller decides about an invocation before it runs.
#[derive(Debug, Clone)]
pub struct InvocationRequest {
    /// Unique id of this invocation; prefixes every effect id.
    pub invocation_id: String,
    /// Storage scope for `kv` (the plugin or script name).
    pub scope: String,
    /// Requested ∧ granted capabilities.
    pub grants: Grants,
    /// Live-read backends.
    pub backends: Backends,
    /// Resource limits.
    pub limits: Limits,
}

/// The state of one running invocation: grants, backends, staged effects, the kv overlay and the
/// bounded log.
#[derive(Debug)]
pub struct InvocationHost {
    request: InvocationRequest,
    effects: Vec<StagedEffect>,
    /// This invocation's staged kv sets, so its own later reads see them.
    kv_overlay: BTreeMap<String, String>,
    logs: LogBuffer,
    host_calls: u32,
}

impl InvocationHost {
    /// A host for one invocation.
    pub fn new(request: InvocationRequest) -> Self {
        let logs = LogBuffer::new(request.limits.log_bytes);
        Self {
            request,
            effects: Vec::new(),
            kv_overlay: BTreeMap::new(),
            logs,
            host_calls: 0,
        }
    }

    /// The limits of this invocation.
    pub fn limits(&self) -> &Limits {
        &self.request.limits
    }

    /// The effective grants.
    pub fn grants(&self) -> &Grants {
        &self.request.grants
    }

    /// The shared log buffer (the wasm host captures guest stdout/stderr into a clone).
    pub fn logs(&self) -> &LogBuffer {
        &self.logs
    }

    /// Effects staged so far, in order.
    pub fn effects(&self) -> &[StagedEffect] {
        &self.effects
    }

    /// Capability calls made so far.
    pub fn host_calls(&self) -> u32 {
        self.host_calls
    }

    /// Ends the invocation: the result carries the effects only if `outcome` is ok.
    pub fn finish(self, outcome: Outcome, mut usage: Usage) -> InvocationResult {
        usage.host_calls = self.host_calls;
        if let Some(reason) = outcome.reason() {
            self.logs.push(LogLevel::Error, LogSource::Host, &reason);
        }
        InvocationResult::new(outcome, self.effects, self.logs.snapshot(), usage)
    }

    /// Counts the call and checks the grant.
    fn enter(&mut self, cap: Capability) -> Result<(), CapError> {
        self.host_calls = self.host_calls.saturating_add(1);
        self.request.grants.check(cap)
    }

    fn stage(&mut self, effect: Effect) -> Result<String, CapError> {
        let max = self.request.limits.max_effects as usize;
        if self.effects.len() >= max {
            return Err(CapError::Invalid(format!(
                "more than {max} effects staged in one invocation"
            )));
        }
        let id = format!("{}/{}", self.request.invocation_id, self.effects.len() + 1);
        self.effects.push(StagedEffect {
            id: id.clone(),
            effect,
        });
        Ok(id)
    }

    /// `messaging.send`: stages an app message.
    pub fn send_message(&mut self, to: Recipients, message: Message) -> Result<String, CapError> {
        self.enter(Capability::Messaging)?;
        messaging::validate_send(&to, &message)?;
        self.stage(Effect::Message { to, message })
    }

    /// `messaging.post-robot`: stages a robot post.
    pub fn post_robot(&mut self, post: RobotPost) -> Result<String, CapError> {
        self.enter(Capability::Messaging)?;
        messaging::validate_robot(&post)?;
        self.stage(Effect::RobotPost(post))
    }

    /// `contacts.get-user`: a live read.
    pub async fn get_user(&mut self, id: &str) -> Result<User, CapError> {
        self.enter(Capability::Contacts)?;
        self.request.backends.contacts.get_user(id).await
    }

    /// `contacts.find-users`: a live read.
    pub async fn find_users(&mut self, query: UserQuery) -> Result<Vec<User>, CapError> {
        self.enter(Capability::Contacts)?;
        contacts::validate_query(&query)?;
        self.request.backends.contacts.find_users(&query).await
    }

    /// `contacts.get-department`: a live read.
    pub async fn get_department(&mut self, id: &str) -> Result<Department, CapError> {
        self.enter(Capability::Contacts)?;
        self.request.backends.contacts.get_department(id).await
    }

    /// `contacts.department-members`: a live read.
    pub async fn department_members(
        &mut self,
        department: &str,
        recursive: bool,
    ) -> Result<Vec<User>, CapError> {
        self.enter(Capability::Contacts)?;
        self.request
            .backends
            .contacts
            .department_members(department, recursive)
            .await
    }

    /// `contacts.resolve-binding`: a live read.
    pub async fn resolve_binding(&mut self, key: BindingKey) -> Result<Option<Binding>, CapError> {
        self.enter(Capability::Contacts)?;
        self.request.backends.contacts.resolve_binding(&key).await
    }

    /// `contacts.bound-user`: a live read.
    pub async fn bound_user(&mut self, employee_id: &str) -> Result<Option<User>, CapError> {
        self.enter(Capability::Contacts)?;
        contacts::validate_employee_id(employee_id)?;
        self.request.backends.contacts.bound_user(employee_id).await
    }

    /// `attendance.check-ins`: a live read.
    pub async fn check_ins(
        &mut self,
        users: Vec<String>,
        range: TimeRange,
    ) -> Result<Vec<CheckIn>, CapError> {
        self.enter(Capability::Attendance)?;
        attendance::validate_query(&users, range)?;
        self.request
            .backends
            .attendance
            .check_ins(&users, range)
            .await
    }

    /// `attendance.day-reports`: a live read.
    pub async fn day_reports(
        &mut self,
        users: Vec<String>,
        range: TimeRange,
    ) -> Result<Vec<DayReport>, CapError> {
        self.enter(Capability::Attendance)?;
        attendance::validate_query(&users, range)?;
        self.request
            .backends
            .attendance
            .day_reports(&users, range)
            .await
    }

    /// `approvals.get-instance`: a live read.
    pub async fn get_approval(&mut self, id: &str) -> Result<ApprovalInstance, CapError> {
        self.enter(Capability::Approvals)?;
        self.request.backends.approvals.get_instance(id).await
    }

    /// `approvals.submit`: stages a new approval.
    pub fn submit_approval(&mut self, request: ApprovalRequest) -> Result<String, CapError> {
        self.enter(Capability::Approvals)?;
        approvals::validate_submit(&request)?;
        self.stage(Effect::ApprovalSubmit(request))
    }

    /// `erp.post`: stages a document for the ERP.
    pub fn erp_post(&mut self, document: ErpDocument) -> Result<String, CapError> {
        self.enter(Capability::Erp)?;
        erp::validate_post(&document)?;
        self.stage(Effect::ErpPost(document))
    }

    /// `kv.get`: this invocation's own staged value if any, else a live read.
    pub async fn kv_get(&mut self, key: &str) -> Result<Option<String>, CapError> {
        self.enter(Capability::Kv)?;
        kv::validate_key(key)?;
        if let Some(value) = self.kv_overlay.get(key) {
            return Ok(Some(value.clone()));
        }
        self.request.backends.kv.get(&self.request.scope, key).await
    }

    /// `kv.set`: stages a write and makes it visible to this invocation's later reads.
    pub fn kv_set(&mut self, key: &str, value: &str) -> Result<String, CapError> {
        self.enter(Capability::Kv)?;
        kv::validate_set(key, value)?;
        let effect = Effect::KvSet {
            scope: self.request.scope.clone(),
            key: key.into(),
            value: value.into(),
        };
        let id = self.stage(effect)?;
        self.kv_overlay.insert(key.into(), value.into());
        Ok(id)
    }

    /// `log.write`: appends a line to the execution log (bounded; see [`LogBuffer`]).
    pub fn log(&mut self, level: LogLevel, message: &str) -> Result<(), CapError> {
        self.enter(Capability::Log)?;
        self.logs.push(level, LogSource::Handler, message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::capability::memory::{MemoryBackend, MemorySeed};

    fn host(granted: &[Capability]) -> InvocationHost {
        InvocationHost::new(InvocationRequest {
            invocation_id: "inv".into(),
            scope: "demo".into(),
            grants: Grants::new(Capability::ALL, granted.iter().copied()),
            backends: Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo()))),
            limits: Limits::builder().max_effects(2).build(),
        })
    }

    fn hello() -> Message {
        Message::Text {
            content: "hello".into(),
        }
    }

    fn to(user: &str) -> Recipients {
        Recipients {
            users: vec![user.into()],
            ..Default::default()
        }
    }

    #[test]
    fn stages_writes_with_sequential_ids() {
        let mut h = host(&[Capability::Messaging, Capability::Kv]);
        assert_eq!(h.send_message(to("lisi"), hello()).unwrap(), "inv/1");
        assert_eq!(h.kv_set("k", "v").unwrap(), "inv/2");
        assert_eq!(h.effects().len(), 2);
        let err = h.send_message(to("lisi"), hello()).unwrap_err();
        assert!(err.to_string().contains("more than 2 effects"), "{err}");
    }

    #[test]
    fn ungranted_calls_are_denied_and_stage_nothing() {
        let mut h = host(&[]);
        assert!(matches!(
            h.send_message(to("lisi"), hello()),
            Err(CapError::Denied(_))
        ));
        assert!(matches!(
            h.log(LogLevel::Info, "x"),
            Err(CapError::Denied(_))
        ));
        assert!(h.effects().is_empty());
        assert_eq!(h.host_calls(), 2);
    }

    #[test]
    fn invalid_writes_are_refused_before_staging() {
        let mut h = host(&[Capability::Erp]);
        let doc = ErpDocument {
            kind: "voucher".into(),
            idempotency_key: String::new(),
            body: serde_json::json!({}),
        };
        assert!(matches!(h.erp_post(doc), Err(CapError::Invalid(_))));
        assert!(h.effects().is_empty());
    }

    #[tokio::test]
    async fn reads_are_live_and_see_own_kv_sets() {
        let mut h = host(&[Capability::Contacts, Capability::Kv]);
        assert_eq!(h.get_user("zhangsan").await.unwrap().name, "张三");
        assert_eq!(h.kv_get("k").await.unwrap(), None);
        h.kv_set("k", "v").unwrap();
        assert_eq!(h.kv_get("k").await.unwrap().as_deref(), Some("v"));
    }

    #[test]
    fn finish_drops_effects_of_a_failed_run_and_logs_why() {
        let mut h = host(&[Capability::Messaging]);
        h.send_message(to("lisi"), hello()).unwrap();
        let result = h.finish(Outcome::Timeout { limit_ms: 10 }, Usage::default());
        assert!(result.effects.is_empty());
        assert_eq!(result.usage.host_calls, 1);
        assert!(
            result
                .logs
                .iter()
                .any(|l| l.source == LogSource::Host && l.message.contains("timeout"))
        );
    }
}
