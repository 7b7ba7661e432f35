//! The in-memory organisation directory behind the harness's `contacts` capability.

use std::collections::BTreeMap;

use crate::contacts::{Binding, BindingKey, Department, User, UserQuery};
use crate::types::CapError;

/// Users, departments and ERP bindings, keyed by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directory {
    users: BTreeMap<String, User>,
    departments: BTreeMap<String, Department>,
    bindings: Vec<Binding>,
}

impl Directory {
    pub(crate) fn add_user(&mut self, user: User) {
        self.users.insert(user.id.clone(), user);
    }

    pub(crate) fn add_department(&mut self, department: Department) {
        self.departments.insert(department.id.clone(), department);
    }

    pub(crate) fn add_binding(&mut self, binding: Binding) {
        self.bindings
            .retain(|b| b.employee_id != binding.employee_id && b.user_id != binding.user_id);
        self.bindings.push(binding);
    }

    pub(crate) fn user(&self, id: &str) -> Result<User, CapError> {
        self.users
            .get(id)
            .cloned()
            .ok_or_else(|| CapError::NotFound(format!("user `{id}`")))
    }

    pub(crate) fn department(&self, id: &str) -> Result<Department, CapError> {
        self.departments
            .get(id)
            .cloned()
            .ok_or_else(|| CapError::NotFound(format!("department `{id}`")))
    }

    /// Users matching every present field; a query with no field set is rejected, as the host
    /// does, rather than returning the whole directory.
    pub(crate) fn find(&self, query: &UserQuery) -> Result<Vec<User>, CapError> {
        let UserQuery {
            name,
            mobile,
            email,
            employee_no,
        } = query;
        if name.is_none() && mobile.is_none() && email.is_none() && employee_no.is_none() {
            return Err(CapError::Invalid(
                "user query: set at least one field".into(),
            ));
        }
        let matches = |wanted: &Option<String>, have: Option<&String>| {
            wanted.as_ref().is_none_or(|w| have == Some(w))
        };
        Ok(self
            .users
            .values()
            .filter(|u| matches(name, Some(&u.name)))
            .filter(|u| matches(mobile, u.mobile.as_ref()))
            .filter(|u| matches(email, u.email.as_ref()))
            .filter(|u| matches(employee_no, u.employee_no.as_ref()))
            .cloned()
            .collect())
    }

    /// Members of `department`, and of every department below it when `recursive`.
    pub(crate) fn members(&self, department: &str, recursive: bool) -> Result<Vec<User>, CapError> {
        self.department(department)?;
        let mut scope = vec![department.to_string()];
        if recursive {
            let mut i = 0;
            while i < scope.len() {
                let parent = scope[i].clone();
                scope.extend(
                    self.departments
                        .values()
                        .filter(|d| d.parent.as_deref() == Some(parent.as_str()))
                        .map(|d| d.id.clone()),
                );
                i += 1;
            }
        }
        Ok(self
            .users
            .values()
            .filter(|u| u.departments.iter().any(|d| scope.contains(d)))
            .cloned()
            .collect())
    }

    pub(crate) fn binding(&self, key: &BindingKey) -> Option<Binding> {
        self.bindings
            .iter()
            .find(|b| match key {
                BindingKey::Employee(id) => &b.employee_id == id,
                BindingKey::User(id) => &b.user_id == id,
            })
            .cloned()
    }

    /// The user `employee_id` is bound to, if both the binding and the user exist.
    pub(crate) fn bound_user(&self, employee_id: &str) -> Option<User> {
        let binding = self.binding(&BindingKey::Employee(employee_id.to_owned()))?;
        self.users.get(&binding.user_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::user;

    fn department(id: &str, parent: Option<&str>) -> Department {
        Department {
            id: id.into(),
            name: id.into(),
            parent: parent.map(Into::into),
        }
    }

    fn directory() -> Directory {
        let mut d = Directory::default();
        d.add_department(department("1", None));
        d.add_department(department("2", Some("1")));
        d.add_department(department("3", Some("2")));
        let mut a = user("a", "A");
        a.departments = vec!["1".into()];
        a.mobile = Some("138".into());
        let mut b = user("b", "B");
        b.departments = vec!["3".into()];
        b.mobile = Some("138".into());
        b.email = Some("b@x".into());
        d.add_user(a);
        d.add_user(b);
        d
    }

    #[test]
    fn recursive_members_walk_the_tree() {
        let d = directory();
        let ids = |users: Vec<User>| users.into_iter().map(|u| u.id).collect::<Vec<_>>();
        assert_eq!(ids(d.members("1", false).unwrap()), ["a"]);
        assert_eq!(ids(d.members("1", true).unwrap()), ["a", "b"]);
        assert_eq!(ids(d.members("2", true).unwrap()), ["b"]);
        assert!(matches!(d.members("9", true), Err(CapError::NotFound(_))));
    }

    #[test]
    fn find_requires_every_present_field() {
        let d = directory();
        assert_eq!(d.find(&UserQuery::by_mobile("138")).unwrap().len(), 2);
        let both = UserQuery {
            email: Some("b@x".into()),
            ..UserQuery::by_mobile("138")
        };
        assert_eq!(d.find(&both).unwrap()[0].id, "b");
        assert!(matches!(
            d.find(&UserQuery::default()),
            Err(CapError::Invalid(_))
        ));
    }

    #[test]
    fn bindings_resolve_from_either_side_and_rebinding_replaces() {
        let mut d = directory();
        d.add_binding(Binding {
            employee_id: "E1".into(),
            user_id: "a".into(),
        });
        d.add_binding(Binding {
            employee_id: "E1".into(),
            user_id: "b".into(),
        });
        assert_eq!(
            d.binding(&BindingKey::Employee("E1".into()))
                .unwrap()
                .user_id,
            "b"
        );
        assert!(d.binding(&BindingKey::User("a".into())).is_none());
    }

    #[test]
    fn bound_user_needs_both_the_binding_and_the_user() {
        let mut d = directory();
        d.add_binding(Binding {
            employee_id: "E1".into(),
            user_id: "a".into(),
        });
        d.add_binding(Binding {
            employee_id: "E2".into(),
            user_id: "gone".into(),
        });
        assert_eq!(d.bound_user("E1").map(|u| u.id).as_deref(), Some("a"));
        assert!(d.bound_user("E2").is_none());
        assert!(d.bound_user("E3").is_none());
    }
}
