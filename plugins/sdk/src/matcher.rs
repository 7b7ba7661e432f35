//! The `Matcher` trait an employee-matching strategy implements, its records, and the glue the
//! export macro calls.

use crate::Config;
use crate::contacts::User;
use crate::prelude::*;
use crate::types::{HandlerError, PluginInfo};

/// An ERP employee to match against the directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Employee {
    /// ERP employee id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Mobile number.
    pub mobile: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Employee number.
    pub employee_no: Option<String>,
}

/// A proposed binding between an ERP employee and a directory user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// ERP employee id.
    pub employee_id: String,
    /// Directory user id.
    pub user_id: String,
    /// Confidence, 0–100.
    pub confidence: u8,
    /// Why they match, for the admin reviewing the proposal.
    pub reason: String,
}

/// A strategy proposing ERP employee ↔ directory user bindings: the `matcher` world.
///
/// Export an implementation with [`export_matcher!`](crate::export_matcher).
pub trait Matcher {
    /// Name, version, needed capabilities and config schema.
    fn describe() -> PluginInfo;

    /// Proposes bindings between `employees` and `users`.
    fn match_employees(
        employees: Vec<Employee>,
        users: Vec<User>,
        config: Config,
    ) -> Result<Vec<Proposal>, HandlerError>;
}

/// `describe` as exported by [`export_matcher!`](crate::export_matcher).
pub fn describe_matcher<M: Matcher>() -> PluginInfo {
    M::describe()
}

/// `match-employees` as exported by [`export_matcher!`](crate::export_matcher).
pub fn match_employees<M: Matcher>(
    employees: Vec<Employee>,
    users: Vec<User>,
    config: String,
) -> Result<Vec<Proposal>, HandlerError> {
    M::match_employees(employees, users, Config::new(config))
}
