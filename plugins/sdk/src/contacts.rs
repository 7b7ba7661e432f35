//! The organisation directory: users, departments, and the ERP employee ↔ directory user binding.
//! All calls are live reads.

use crate::prelude::*;
use crate::route::route;
use crate::types::CapError;

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::contacts as wit;
pub use crate::bindings::worklink::plugin::contacts::{
    Binding, BindingKey, Department, User, UserQuery,
};

/// The user with this id.
pub fn get_user(id: &str) -> Result<User, CapError> {
    route!(wasm: wit::get_user(id), native: |host| host.get_user(id))
}

/// Users matching every present field of `query`.
pub fn find_users(query: &UserQuery) -> Result<Vec<User>, CapError> {
    route!(wasm: wit::find_users(query), native: |host| host.find_users(query))
}

/// The department with this id.
pub fn get_department(id: &str) -> Result<Department, CapError> {
    route!(wasm: wit::get_department(id), native: |host| host.get_department(id))
}

/// Members of a department, including sub-departments when `recursive`.
pub fn department_members(department: &str, recursive: bool) -> Result<Vec<User>, CapError> {
    route!(
        wasm: wit::department_members(department, recursive),
        native: |host| host.department_members(department, recursive),
    )
}

/// The binding for an ERP employee or a directory user, if one exists.
pub fn resolve_binding(key: &BindingKey) -> Result<Option<Binding>, CapError> {
    route!(wasm: wit::resolve_binding(key), native: |host| host.resolve_binding(key))
}

/// The directory user ERP employee `employee_id` is bound to: [`resolve_binding`] and
/// [`get_user`] in one call. `None` when the employee has no binding or the bound user has left
/// the directory.
pub fn bound_user(employee_id: &str) -> Result<Option<User>, CapError> {
    route!(wasm: wit::bound_user(employee_id), native: |host| host.bound_user(employee_id))
}

impl UserQuery {
    /// A query matching on mobile number only.
    pub fn by_mobile(mobile: impl Into<String>) -> Self {
        UserQuery {
            mobile: Some(mobile.into()),
            ..Self::default()
        }
    }

    /// A query matching on e-mail only.
    pub fn by_email(email: impl Into<String>) -> Self {
        UserQuery {
            email: Some(email.into()),
            ..Self::default()
        }
    }
}
