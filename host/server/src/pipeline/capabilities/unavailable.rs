//! The answer to reads that need something this server does not have: a connection at all, or
//! a provider client for it (a server started without provider clients, such as a dry run from
//! the command line).

use worklink_runtime::capability::CapError;
use worklink_runtime::capability::approvals::ApprovalsBackend;
use worklink_runtime::capability::attendance::AttendanceBackend;
use worklink_runtime::capability::contacts::ContactsBackend;
use worklink_runtime::types::{
    ApprovalInstance, Binding, BindingKey, CheckIn, DayReport, Department, TimeRange, User,
    UserQuery,
};

/// Refuses every read with `unavailable` and the reason.
pub(super) struct Unavailable {
    /// The rule's connection, if it has one.
    pub connection: Option<String>,
}

impl Unavailable {
    fn error(&self, what: &str) -> CapError {
        CapError::Unavailable(match &self.connection {
            Some(connection) => format!(
                "{what} are read from the provider, and this server has no provider client for \
                 connection `{connection}`"
            ),
            None => format!("{what} need a connection, and none is configured"),
        })
    }
}

#[async_trait::async_trait]
impl AttendanceBackend for Unavailable {
    async fn check_ins(&self, _: &[String], _: TimeRange) -> Result<Vec<CheckIn>, CapError> {
        Err(self.error("check-ins"))
    }

    async fn day_reports(&self, _: &[String], _: TimeRange) -> Result<Vec<DayReport>, CapError> {
        Err(self.error("day reports"))
    }
}

#[async_trait::async_trait]
impl ApprovalsBackend for Unavailable {
    async fn get_instance(&self, _: &str) -> Result<ApprovalInstance, CapError> {
        Err(self.error("approval instances"))
    }
}

#[async_trait::async_trait]
impl ContactsBackend for Unavailable {
    async fn get_user(&self, _: &str) -> Result<User, CapError> {
        Err(self.error("directory users"))
    }

    async fn find_users(&self, _: &UserQuery) -> Result<Vec<User>, CapError> {
        Err(self.error("directory users"))
    }

    async fn get_department(&self, _: &str) -> Result<Department, CapError> {
        Err(self.error("departments"))
    }

    async fn department_members(&self, _: &str, _: bool) -> Result<Vec<User>, CapError> {
        Err(self.error("department members"))
    }

    async fn resolve_binding(&self, _: &BindingKey) -> Result<Option<Binding>, CapError> {
        Err(self.error("bindings"))
    }
}
