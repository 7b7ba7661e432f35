//! Approval instances: read one live, or stage starting a new one.

use crate::route::route;
use crate::types::{CapError, EffectId};

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::approvals as wit;
pub use crate::bindings::worklink::plugin::approvals::{
    ApprovalInstance, ApprovalRequest, ApprovalStatus, FormField,
};

/// The approval instance with this id.
pub fn get_instance(id: &str) -> Result<ApprovalInstance, CapError> {
    route!(wasm: wit::get_instance(id), native: |host| host.get_instance(id))
}

/// Stages starting a new approval.
pub fn submit(request: &ApprovalRequest) -> Result<EffectId, CapError> {
    route!(wasm: wit::submit(request), native: |host| host.submit(request))
}

impl ApprovalInstance {
    /// The value of the form field labelled `name`, if the form has one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }
}
