//! `erp.task.assigned`: a project task was assigned to someone.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use super::Person;
use crate::EventPayload;

/// Payload of `erp.task.assigned`.
///
/// ```json
/// {"task_id": "T-42", "title": "Draft the Q3 budget", "url": "https://erp.example/task/42",
///  "assignee": {"employee_id": "E100"}, "assigner": {"name": "Wang Fang"},
///  "due": "2026-12-01", "project": "Budget 2027"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAssigned {
    /// ERP task id.
    pub task_id: String,
    /// Task title.
    pub title: String,
    /// Link to the task in the ERP.
    pub url: String,
    /// Who the task was assigned to.
    pub assignee: Person,
    /// Who assigned it.
    #[serde(default)]
    pub assigner: Option<Person>,
    /// Due date or time, as the ERP formats it (`YYYY-MM-DD` or RFC 3339).
    #[serde(default)]
    pub due: Option<String>,
    /// Project name.
    #[serde(default)]
    pub project: Option<String>,
}

impl EventPayload for TaskAssigned {
    const KIND: &'static str = "erp.task.assigned";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn documented_example_parses() {
        let event = Event::new(
            "erp.task.assigned",
            &json!({"task_id": "T-42", "title": "Draft the Q3 budget",
                    "url": "https://erp.example/task/42", "assignee": {"employee_id": "E100"},
                    "assigner": {"name": "Wang Fang"}, "due": "2026-12-01", "project": "Budget 2027"}),
        );
        let task: TaskAssigned = event.payload().unwrap();
        assert_eq!(task.assignee.employee_id.as_deref(), Some("E100"));
        assert_eq!(task.assigner.unwrap().label(), "Wang Fang");
        assert_eq!(task.due.as_deref(), Some("2026-12-01"));
    }

    #[test]
    fn missing_assignee_is_named() {
        let event = Event::new(
            "erp.task.assigned",
            &json!({"task_id": "T", "title": "t", "url": "u"}),
        );
        let err = event.payload::<TaskAssigned>().unwrap_err().to_string();
        assert!(
            err.contains("`erp.task.assigned`") && err.contains("missing field `assignee`"),
            "{err}"
        );
    }
}
