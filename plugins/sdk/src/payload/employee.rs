//! `erp.employee.created` / `.updated` / `.deleted`: the ERP's employee master data changed.

use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::EventPayload;
use crate::matcher::Employee;

/// Payload of the `erp.employee.*` family; the change is in the event kind's last segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeChanged {
    /// ERP employee id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Mobile number.
    #[serde(default)]
    pub mobile: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Employee number.
    #[serde(default)]
    pub employee_no: Option<String>,
    /// ERP department name or id.
    #[serde(default)]
    pub department: Option<String>,
    /// False once the employee has left.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

impl EventPayload for EmployeeChanged {
    const KIND: &'static str = "erp.employee.*";
}

impl EmployeeChanged {
    /// The employee as a matcher sees it.
    pub fn to_employee(&self) -> Employee {
        Employee {
            id: self.id.clone(),
            name: self.name.clone(),
            mobile: self.mobile.clone(),
            email: self.email.clone(),
            employee_no: self.employee_no.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Event;
    use serde_json::json;

    #[test]
    fn any_employee_kind_parses_and_defaults_to_active() {
        let event = Event::new(
            "erp.employee.updated",
            &json!({"id": "E7", "mobile": "13800000007"}),
        );
        let e: EmployeeChanged = event.payload().unwrap();
        assert!(e.active);
        assert_eq!(e.to_employee().mobile.as_deref(), Some("13800000007"));
        let wrong = Event::new("erp.task.assigned", &json!({"id": "E7"}));
        assert!(wrong.payload::<EmployeeChanged>().is_err());
    }
}
