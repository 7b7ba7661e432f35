//! `*.contact.user.*` / `*.contact.department.*`: the provider's directory changed (a member or a
//! department was created, updated or deleted), as reported by its callbacks.
//!
//! The host gives WeCom and DingTalk changes one shape, so a plugin handling
//! `*.contact.user.created` reads the same fields whichever provider sent it. A field the provider
//! did not send is `None`: look the member up with `contacts::get_user` instead.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::EventPayload;

/// Payload of `*.contact.user.created|updated|deleted` (the verb is the kind's last segment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChanged {
    /// The member's user id (the old one when the change renamed it).
    pub user_id: String,
    /// The new user id, when the change renamed the member.
    #[serde(default)]
    pub new_user_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Departments the member belongs to after the change.
    #[serde(default)]
    pub department_ids: Option<Vec<i64>>,
    /// The main department.
    #[serde(default)]
    pub main_department_id: Option<i64>,
    /// Job title.
    #[serde(default)]
    pub position: Option<String>,
    /// Mobile number (withheld by WeCom from apps created after mid-2022).
    #[serde(default)]
    pub mobile: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
}

impl EventPayload for UserChanged {
    const KIND: &'static str = "*.contact.user.*";
}

impl UserChanged {
    /// The id the member has now: the new one after a rename.
    pub fn current_user_id(&self) -> &str {
        self.new_user_id.as_deref().unwrap_or(&self.user_id)
    }
}

/// Payload of `*.contact.department.created|updated|deleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentChanged {
    /// The department id.
    pub department_id: i64,
    /// Its name, when the callback carries it.
    #[serde(default)]
    pub name: Option<String>,
    /// Its parent, when the callback carries it.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

impl EventPayload for DepartmentChanged {
    const KIND: &'static str = "*.contact.department.*";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn one_shape_for_both_providers() {
        for kind in [
            "wecom.contact.user.created",
            "dingtalk.contact.user.created",
        ] {
            let event = Event::new(
                kind,
                &json!({"user_id": "lisi", "name": "李四", "corp_id": "c"}),
            );
            let user: UserChanged = event.payload().unwrap();
            assert_eq!(user.user_id, "lisi");
            assert_eq!(user.name.as_deref(), Some("李四"));
            assert_eq!(user.mobile, None);
        }
    }

    #[test]
    fn a_rename_reports_the_new_id_as_current() {
        let event = Event::new(
            "wecom.contact.user.updated",
            &json!({"user_id": "old", "new_user_id": "new"}),
        );
        assert_eq!(
            event.payload::<UserChanged>().unwrap().current_user_id(),
            "new"
        );
    }

    #[test]
    fn a_department_event_is_not_a_user_event() {
        let event = Event::new(
            "wecom.contact.department.created",
            &json!({"department_id": 7}),
        );
        assert!(event.payload::<UserChanged>().is_err());
        assert_eq!(
            event.payload::<DepartmentChanged>().unwrap().department_id,
            7
        );
    }
}
