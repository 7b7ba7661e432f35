//! `contacts`: the organisation directory, read live from the provider (or the server's synced
//! copy of it).

use super::CapError;
use crate::types::{Binding, BindingKey, Department, User, UserQuery};

/// Live directory reads. Object-safe so the server can hand the runtime an
/// `Arc<dyn ContactsBackend>` backed by whichever provider the rule's connection uses.
#[async_trait::async_trait]
pub trait ContactsBackend: Send + Sync {
    /// The user with this id, or `NotFound`.
    async fn get_user(&self, id: &str) -> Result<User, CapError>;
    /// Users matching every present field of `query` (never an empty query).
    async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, CapError>;
    /// The department with this id, or `NotFound`.
    async fn get_department(&self, id: &str) -> Result<Department, CapError>;
    /// Members of a department, with sub-departments when `recursive`.
    async fn department_members(
        &self,
        department: &str,
        recursive: bool,
    ) -> Result<Vec<User>, CapError>;
    /// The ERP ↔ directory binding for one side, if any.
    async fn resolve_binding(&self, key: &BindingKey) -> Result<Option<Binding>, CapError>;
    /// The user ERP employee `employee_id` is bound to; `None` when unbound or when the bound
    /// user is gone from the directory. The default makes the two reads; a backend that can
    /// answer in one (a join, one lock) should.
    async fn bound_user(&self, employee_id: &str) -> Result<Option<User>, CapError> {
        let key = BindingKey::Employee(employee_id.to_owned());
        let Some(binding) = self.resolve_binding(&key).await? else {
            return Ok(None);
        };
        match self.get_user(&binding.user_id).await {
            Ok(user) => Ok(Some(user)),
            Err(CapError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Refuses a query with no criteria: it would list the whole directory through a search call.
pub fn validate_query(query: &UserQuery) -> Result<(), CapError> {
    if query.is_empty() {
        return Err(CapError::Invalid(
            "`query` sets no field (name, mobile, email, employee_no)".into(),
        ));
    }
    Ok(())
}

/// Refuses a blank employee id: no binding has one, so the read could only come back empty.
pub fn validate_employee_id(employee_id: &str) -> Result<(), CapError> {
    super::validate::non_empty("employee_id", employee_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_is_invalid() {
        assert!(validate_query(&UserQuery::default()).is_err());
        assert!(
            validate_query(&UserQuery {
                mobile: Some("1".into()),
                ..Default::default()
            })
            .is_ok()
        );
    }
}
