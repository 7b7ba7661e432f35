//! `kv`: plugin-scoped storage. Reads are live (plus this invocation's own staged sets); sets are
//! staged like every other write, so a trapped handler leaves storage untouched.

use super::CapError;
use super::validate::{max_bytes, non_empty};

/// Longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// Largest value, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Live storage reads, namespaced by `scope` (the plugin or script name) so plugins never see
/// each other's keys.
#[async_trait::async_trait]
pub trait KvBackend: Send + Sync {
    /// The value under `key` in `scope`.
    async fn get(&self, scope: &str, key: &str) -> Result<Option<String>, CapError>;
}

/// Checks a key before a read or a staged set.
pub fn validate_key(key: &str) -> Result<(), CapError> {
    non_empty("key", key)?;
    max_bytes("key", key, MAX_KEY_BYTES)
}

/// Checks a set before it is staged.
pub fn validate_set(key: &str, value: &str) -> Result<(), CapError> {
    validate_key(key)?;
    max_bytes("value", value, MAX_VALUE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_bounded() {
        assert!(validate_set("k", "v").is_ok());
        assert!(validate_set("", "v").is_err());
        assert!(validate_set(&"k".repeat(MAX_KEY_BYTES + 1), "v").is_err());
        assert!(validate_set("k", &"v".repeat(MAX_VALUE_BYTES + 1)).is_err());
    }
}
