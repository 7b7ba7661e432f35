//! A redacting wrapper for app secrets and access tokens, so that they can never leak through
//! `Debug`, logs or error messages by accident.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

/// A secret string (app secret, robot secret, access token). `Debug` prints a fixed marker; the
/// value is reachable only through [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The raw value, for the one place that must put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("corpsecret-xyz-123");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("corpsecret-xyz-123"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(secret.expose(), "corpsecret-xyz-123");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let secret: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(secret.expose(), "abc");
    }
}
