//! The error every capability call can return to a handler (WIT `types.cap-error`).

use serde::{Deserialize, Serialize};

/// Why a capability call failed. Returned to the handler as a value, never a trap: the handler
/// decides whether to give up, retry or carry on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CapError {
    /// The capability was not requested by the handler or not granted to the rule.
    #[error("denied: {0}")]
    Denied(String),
    /// The arguments were rejected (what was wrong, and where).
    #[error("invalid: {0}")]
    Invalid(String),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The provider answered with an error code.
    #[error("provider error {code}: {message}")]
    Provider {
        /// The provider's error code.
        code: i64,
        /// The provider's message.
        message: String,
    },
    /// The backend could not be reached; retrying later may help.
    #[error("unavailable: {0}")]
    Unavailable(String),
}
