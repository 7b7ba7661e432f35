//! How ERP events name a person: by ERP employee id, by directory user id, or both.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contacts::BindingKey;

/// A person named by an ERP event. ERPs know their own employee id; some also know the directory
/// user id (after a sync), which then saves a binding lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    /// ERP employee id.
    #[serde(default)]
    pub employee_id: Option<String>,
    /// Directory (WeCom/DingTalk) user id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Display name, for messages and logs.
    #[serde(default)]
    pub name: Option<String>,
}

impl Person {
    /// The key to resolve this person's binding with: the user id when known, else the employee id.
    pub fn binding_key(&self) -> Option<BindingKey> {
        match (&self.user_id, &self.employee_id) {
            (Some(user), _) => Some(BindingKey::User(user.clone())),
            (None, Some(employee)) => Some(BindingKey::Employee(employee.clone())),
            (None, None) => None,
        }
    }

    /// Name, else an id, for human-readable text.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.employee_id.as_deref())
            .or(self.user_id.as_deref())
            .unwrap_or("someone")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_wins_over_employee_id() {
        let p = Person {
            employee_id: Some("E1".into()),
            user_id: Some("u1".into()),
            name: None,
        };
        assert!(matches!(p.binding_key(), Some(BindingKey::User(u)) if u == "u1"));
        let p = Person {
            employee_id: Some("E1".into()),
            ..Person::default()
        };
        assert!(matches!(p.binding_key(), Some(BindingKey::Employee(e)) if e == "E1"));
        assert!(Person::default().binding_key().is_none());
    }

    #[test]
    fn label_prefers_the_name() {
        let p = Person {
            employee_id: Some("E1".into()),
            user_id: None,
            name: Some("Li".into()),
        };
        assert_eq!(p.label(), "Li");
        assert_eq!(Person { name: None, ..p }.label(), "E1");
        assert_eq!(Person::default().label(), "someone");
    }
}
