//! `erp.mention`: someone was @mentioned in an ERP document's discussion.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use super::Person;
use crate::EventPayload;

/// The ERP document a mention or change happened on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// ERP model or document type, e.g. `sale.order`.
    pub model: String,
    /// Document id within the model.
    pub id: String,
    /// Display title, e.g. `SO0042`.
    #[serde(default)]
    pub title: Option<String>,
    /// Link to the document.
    #[serde(default)]
    pub url: Option<String>,
}

/// Payload of `erp.mention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mentioned {
    /// Where the mention was written.
    pub document: DocumentRef,
    /// Who wrote it.
    pub author: Person,
    /// Everyone mentioned.
    pub mentioned: Vec<Person>,
    /// The message text, possibly shortened by the ERP.
    #[serde(default)]
    pub excerpt: String,
}

impl EventPayload for Mentioned {
    const KIND: &'static str = "erp.mention";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn mention_parses_with_optional_fields_absent() {
        let event = Event::new(
            "erp.mention",
            &json!({"document": {"model": "sale.order", "id": "42"},
                    "author": {"employee_id": "E1"}, "mentioned": [{"user_id": "u2"}]}),
        );
        let m: Mentioned = event.payload().unwrap();
        assert_eq!(m.document.model, "sale.order");
        assert_eq!(m.mentioned[0].user_id.as_deref(), Some("u2"));
        assert_eq!(m.excerpt, "");
    }
}
