//! Who gets the card: the task's assignee as a directory user, found through the ERP ↔ directory
//! binding when the ERP only knows its own employee id.

use worklink_sdk::contacts::{self, BindingKey, User};
use worklink_sdk::payload::Person;
use worklink_sdk::prelude::*;
use worklink_sdk::types::HandlerError;

/// How the assignee lookup ended, short of a capability error.
#[derive(Debug)]
pub enum Assignee {
    /// A directory user who can receive the card.
    Active(User),
    /// The employee has no directory binding (or the bound user has left the directory).
    Unbound(String),
    /// The user exists but is disabled or has left.
    Inactive(User),
}

/// Resolves `person` to a directory user: read directly when the ERP sent the user id, through
/// the employee's binding (one `bound_user` read) otherwise.
pub fn resolve(person: &Person) -> Result<Assignee, HandlerError> {
    let user = match person.binding_key() {
        Some(BindingKey::User(id)) => contacts::get_user(&id)?,
        Some(BindingKey::Employee(employee)) => match contacts::bound_user(&employee)? {
            Some(user) => user,
            None => return Ok(Assignee::Unbound(employee)),
        },
        None => {
            return Err(HandlerError::permanent(
                "bad-payload",
                "erp.task.assigned: assignee has neither employee_id nor user_id",
            ));
        }
    };
    Ok(if user.active {
        Assignee::Active(user)
    } else {
        Assignee::Inactive(user)
    })
}
