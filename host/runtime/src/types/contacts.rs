//! Directory records (WIT `contacts`).

use serde::{Deserialize, Serialize};

/// A directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Provider user id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Mobile number, when visible to the app.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Work e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Employee number.
    #[serde(default)]
    pub employee_no: Option<String>,
    /// Department ids the user belongs to.
    #[serde(default)]
    pub departments: Vec<String>,
    /// False for disabled or departed users.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// A department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    /// Department id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Parent department id; absent for the root.
    #[serde(default)]
    pub parent: Option<String>,
}

/// Criteria for finding users; every present field must match exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    /// Display name.
    pub name: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Employee number.
    pub employee_no: Option<String>,
}

impl UserQuery {
    /// True when no criterion is set (such a query would list the whole directory).
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.mobile.is_none()
            && self.email.is_none()
            && self.employee_no.is_none()
    }

    /// Whether `user` matches every present criterion.
    pub fn matches(&self, user: &User) -> bool {
        fn same(want: &Option<String>, have: Option<&String>) -> bool {
            want.as_ref().is_none_or(|w| have == Some(w))
        }
        same(&self.name, Some(&user.name))
            && same(&self.mobile, user.mobile.as_ref())
            && same(&self.email, user.email.as_ref())
            && same(&self.employee_no, user.employee_no.as_ref())
    }
}

/// One side of an ERP employee ↔ directory user binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", content = "id", rename_all = "snake_case")]
pub enum BindingKey {
    /// Look up by ERP employee id.
    Employee(String),
    /// Look up by directory user id.
    User(String),
}

/// A binding between an ERP employee and a directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    /// ERP employee id.
    pub employee_id: String,
    /// Directory user id.
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        serde_json::from_value(
            serde_json::json!({"id": "u1", "name": "Li Lei", "mobile": "13800000000"}),
        )
        .unwrap()
    }

    #[test]
    fn query_matches_on_every_present_field() {
        let q = UserQuery {
            name: Some("Li Lei".into()),
            mobile: Some("13800000000".into()),
            ..Default::default()
        };
        assert!(q.matches(&user()));
        let q = UserQuery {
            name: Some("Li Lei".into()),
            email: Some("x@y".into()),
            ..Default::default()
        };
        assert!(!q.matches(&user()));
    }

    #[test]
    fn users_are_active_unless_said_otherwise() {
        assert!(user().active);
    }
}
