//! [`RuleError`]: why rules could not be loaded, published or read back.
//!
//! A mistake in a manifest is reported like a mistake in `worklink.toml` (file, key, line and
//! column, reason), through the same [`ConfigError`], so an admin reads one style of message.

use std::path::PathBuf;

use crate::config::{ConfigError, ConfigReason};
use crate::storage::StorageError;

/// A failure loading, publishing or reading back rules.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// A manifest or its script is unreadable or invalid; names the file, key and reason.
    /// (Not marked as the error's source: the message already carries the whole reason, and
    /// error reporters that print the source chain would print it twice.)
    #[error("{0}")]
    Manifest(ConfigError),
    /// The rules directory could not be listed.
    #[error("cannot list the rules directory {dir}: {source}")]
    ListDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A stored rule version whose content this server cannot read.
    #[error("rule `{rule}` version {version}: stored content is not a rule source: {reason}")]
    Content {
        /// The rule's name.
        rule: String,
        /// The version number.
        version: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or publishing rules in the database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ConfigError> for RuleError {
    fn from(error: ConfigError) -> Self {
        RuleError::Manifest(error)
    }
}

/// A manifest error at `key` of `file`.
pub(crate) fn manifest_error(
    file: impl Into<PathBuf>,
    key: impl Into<String>,
    reason: ConfigReason,
) -> ConfigError {
    ConfigError {
        file: file.into(),
        key: key.into(),
        position: None,
        reason,
    }
}
