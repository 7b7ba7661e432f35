//! `contacts.user.*` / `contacts.department.*`: the provider's directory changed (a member or a
//! department was created, updated or deleted), as reported by its callbacks or a sync.

use serde::{Deserialize, Serialize};

use crate::EventPayload;

/// What happened to the directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactChange {
    /// It was created.
    Created,
    /// It was updated.
    Updated,
    /// It was deleted.
    Deleted,
}

/// Payload of the `contacts.*` family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChanged {
    /// What happened.
    pub change: ContactChange,
    /// Directory user ids concerned (DingTalk reports several at once).
    #[serde(default)]
    pub users: Vec<String>,
    /// Department ids concerned.
    #[serde(default)]
    pub departments: Vec<String>,
}

impl EventPayload for ContactChanged {
    const KIND: &'static str = "contacts.*";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn unknown_change_is_rejected_by_name() {
        let event = Event::new(
            "contacts.user.updated",
            &json!({"change": "moved", "users": ["u1"]}),
        );
        let err = event.payload::<ContactChanged>().unwrap_err().to_string();
        assert!(err.contains("unknown variant `moved`"), "{err}");
        let ok = Event::new(
            "contacts.user.deleted",
            &json!({"change": "deleted", "users": ["u1"]}),
        );
        assert_eq!(
            ok.payload::<ContactChanged>().unwrap().change,
            ContactChange::Deleted
        );
    }
}
