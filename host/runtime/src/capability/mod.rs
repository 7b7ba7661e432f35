//! Capabilities: what a handler may ask the host to do, one module per WIT interface.
//!
//! Each module holds the backend trait for its live reads (implemented by the server against the
//! real providers, and by [`memory`] for tests and `worklink run`), and the validation of its
//! staged writes. The grant check lives in [`grants`]. Nothing here knows about wasm or Rhai: both
//! sandboxes call through [`crate::invocation::InvocationHost`].

pub mod approvals;
pub mod attendance;
pub mod contacts;
pub mod erp;
mod error;
mod grants;
pub mod kv;
pub mod memory;
pub mod messaging;
mod validate;

use std::sync::Arc;

pub use error::CapError;
pub use grants::{Capability, Grants, UnknownCapability};

/// The live-read backends an invocation can reach. Cheap to clone: every backend is shared.
#[derive(Clone)]
pub struct Backends {
    /// The organisation directory.
    pub contacts: Arc<dyn contacts::ContactsBackend>,
    /// Check-ins and day reports.
    pub attendance: Arc<dyn attendance::AttendanceBackend>,
    /// Approval instances.
    pub approvals: Arc<dyn approvals::ApprovalsBackend>,
    /// Plugin-scoped storage.
    pub kv: Arc<dyn kv::KvBackend>,
}

impl Backends {
    /// Every backend served by one in-memory store (tests, `worklink run`).
    pub fn memory(store: Arc<memory::MemoryBackend>) -> Self {
        Self {
            contacts: store.clone(),
            attendance: store.clone(),
            approvals: store.clone(),
            kv: store,
        }
    }
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backends").finish_non_exhaustive()
    }
}
