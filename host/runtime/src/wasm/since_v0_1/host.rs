//! The 0.1 host traits, each a thin adapter over [`InvocationHost`]: convert the arguments, call,
//! convert the result. Async reads add their time to `in_host`, which the CPU budget excludes.
//!
//! [`InvocationHost`]: crate::invocation::InvocationHost

use std::time::Instant;

use super::worklink::plugin::{
    approvals, attendance, contacts, erp, kv, log, messaging, types as wit,
};
use crate::wasm::state::StoreState;

type CapResult<T> = Result<T, wit::CapError>;

/// Runs an async read, charging its duration to host time rather than guest CPU time.
macro_rules! timed {
    ($state:ident, $call:expr) => {{
        let started = Instant::now();
        let result = $call.await;
        $state.in_host += started.elapsed();
        result
    }};
}

impl wit::Host for StoreState {}

impl messaging::Host for StoreState {
    fn send(
        &mut self,
        to: messaging::Recipients,
        message: messaging::Message,
    ) -> CapResult<String> {
        Ok(self.host.send_message(to.into(), message.into())?)
    }

    fn post_robot(&mut self, post: messaging::RobotPost) -> CapResult<String> {
        Ok(self.host.post_robot(post.into())?)
    }
}

impl contacts::Host for StoreState {
    async fn get_user(&mut self, id: String) -> CapResult<contacts::User> {
        Ok(timed!(self, self.host.get_user(&id))?.into())
    }

    async fn find_users(&mut self, query: contacts::UserQuery) -> CapResult<Vec<contacts::User>> {
        let users = timed!(self, self.host.find_users(query.into()))?;
        Ok(users.into_iter().map(Into::into).collect())
    }

    async fn get_department(&mut self, id: String) -> CapResult<contacts::Department> {
        Ok(timed!(self, self.host.get_department(&id))?.into())
    }

    async fn department_members(
        &mut self,
        department: String,
        recursive: bool,
    ) -> CapResult<Vec<contacts::User>> {
        let users = timed!(self, self.host.department_members(&department, recursive))?;
        Ok(users.into_iter().map(Into::into).collect())
    }

    async fn resolve_binding(
        &mut self,
        key: contacts::BindingKey,
    ) -> CapResult<Option<contacts::Binding>> {
        Ok(timed!(self, self.host.resolve_binding(key.into()))?.map(Into::into))
    }

    async fn bound_user(&mut self, employee_id: String) -> CapResult<Option<contacts::User>> {
        Ok(timed!(self, self.host.bound_user(&employee_id))?.map(Into::into))
    }
}

impl attendance::Host for StoreState {
    async fn check_ins(
        &mut self,
        users: Vec<String>,
        range: wit::TimeRange,
    ) -> CapResult<Vec<attendance::CheckIn>> {
        let found = timed!(self, self.host.check_ins(users, range.into()))?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    async fn day_reports(
        &mut self,
        users: Vec<String>,
        range: wit::TimeRange,
    ) -> CapResult<Vec<attendance::DayReport>> {
        let found = timed!(self, self.host.day_reports(users, range.into()))?;
        Ok(found.into_iter().map(Into::into).collect())
    }
}

impl approvals::Host for StoreState {
    async fn get_instance(&mut self, id: String) -> CapResult<approvals::ApprovalInstance> {
        Ok(timed!(self, self.host.get_approval(&id))?.into())
    }

    fn submit(&mut self, request: approvals::ApprovalRequest) -> CapResult<String> {
        Ok(self.host.submit_approval(request.into())?)
    }
}

impl erp::Host for StoreState {
    fn post(&mut self, document: erp::Document) -> CapResult<String> {
        // The grant check comes first, as for every call: an ungranted plugin learns "denied",
        // not whether its body parsed.
        self.host
            .grants()
            .check(crate::capability::Capability::Erp)?;
        Ok(self.host.erp_post(document.try_into()?)?)
    }
}

impl kv::Host for StoreState {
    async fn get(&mut self, key: String) -> CapResult<Option<String>> {
        Ok(timed!(self, self.host.kv_get(&key))?)
    }

    fn set(&mut self, key: String, value: String) -> CapResult<String> {
        Ok(self.host.kv_set(&key, &value)?)
    }
}

impl log::Host for StoreState {
    fn write(&mut self, level: log::Level, message: String) {
        // `log.write` returns nothing: an ungranted line is dropped, exactly as a line past the
        // log budget is.
        let _ = self.host.log(level.into(), &message);
    }
}
