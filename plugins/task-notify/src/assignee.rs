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
    /// The employee has no directory binding.
    Unbound(String),
    /// The user exists but is disabled or has left.
    Inactive(User),
}

/// Resolves `person` to a directory user.
pub fn resolve(person: &Person) -> Result<Assignee, HandlerError> {
    let user_id = match person.binding_key() {
        Some(BindingKey::User(id)) => id,
        Some(BindingKey::Employee(employee)) => {
            match contacts::resolve_binding(&BindingKey::Employee(employee.clone()))? {
                Some(binding) => binding.user_id,
                None => return Ok(Assignee::Unbound(employee)),
            }
        }
        None => {
            return Err(HandlerError::permanent(
                "bad-payload",
                "erp.task.assigned: assignee has neither employee_id nor user_id",
            ));
        }
    };
    let user = contacts::get_user(&user_id)?;
    Ok(if user.active {
        Assignee::Active(user)
    } else {
        Assignee::Inactive(user)
    })
}
