//! `approvals`: approval instances read live, new approvals staged.

use super::CapError;
use super::validate::non_empty;
use crate::types::{ApprovalInstance, ApprovalRequest};

/// Live approval reads.
#[async_trait::async_trait]
pub trait ApprovalsBackend: Send + Sync {
    /// The instance with this id, or `NotFound`.
    async fn get_instance(&self, id: &str) -> Result<ApprovalInstance, CapError>;
}

/// Checks a new approval before it is staged.
pub fn validate_submit(request: &ApprovalRequest) -> Result<(), CapError> {
    non_empty("template", &request.template)?;
    non_empty("applicant", &request.applicant)?;
    for field in &request.fields {
        non_empty("fields.name", &field.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_template_and_an_applicant() {
        let mut request = ApprovalRequest {
            template: "tpl".into(),
            applicant: "u1".into(),
            fields: vec![],
            approvers: vec![],
            cc: vec![],
        };
        assert!(validate_submit(&request).is_ok());
        request.applicant.clear();
        assert!(
            validate_submit(&request)
                .unwrap_err()
                .to_string()
                .contains("applicant")
        );
    }
}
