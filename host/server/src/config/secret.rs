//! A redacting holder for credentials read from `worklink.toml`.
//!
//! App secrets, callback tokens, AES keys, webhook keys and database passwords pass through the
//! whole server; holding them in [`Secret`] means a stray `{:?}` in a log line or an error shows
//! `Secret(***)` instead of the credential.

use std::fmt;

/// The prefix that makes a config value a reference to an environment variable.
pub const ENV_PREFIX: &str = "env:";

/// A credential whose `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value already known to be secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the one place that must send or use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a secret written in the config could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretLookupError {
    /// The value is `env:NAME` and `NAME` is not set (or not valid Unicode).
    MissingVariable(String),
    /// The value is `env:` with no variable name.
    EmptyVariableName,
}

/// Turns a config value into a [`Secret`]: `env:NAME` reads `NAME` through `env`, anything
/// else is the secret itself.
pub fn resolve(
    raw: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Secret, SecretLookupError> {
    match raw.strip_prefix(ENV_PREFIX) {
        None => Ok(Secret::new(raw)),
        Some("") => Err(SecretLookupError::EmptyVariableName),
        Some(name) => env(name)
            .map(Secret::new)
            .ok_or_else(|| SecretLookupError::MissingVariable(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret}"), "***");
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn env_reference_reads_the_variable() {
        let env = |name: &str| (name == "APP_SECRET").then(|| "s3cr3t".to_owned());
        assert_eq!(resolve("env:APP_SECRET", &env).unwrap().expose(), "s3cr3t");
        assert_eq!(resolve("literal", &env).unwrap().expose(), "literal");
    }

    #[test]
    fn missing_or_empty_variable_is_an_error() {
        let env = |_: &str| None;
        assert_eq!(
            resolve("env:NOPE", &env),
            Err(SecretLookupError::MissingVariable("NOPE".into()))
        );
        assert_eq!(
            resolve("env:", &env),
            Err(SecretLookupError::EmptyVariableName)
        );
    }
}
