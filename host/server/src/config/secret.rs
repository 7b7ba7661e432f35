//! Secrets in `worklink.toml`: the `env:NAME` indirection, resolved at load.
//!
//! Values are held in the providers' redacting [`Secret`] (its `Debug` shows a fixed marker and
//! it has no `Display`), so the same type flows from the config file to the API clients without
//! ever being printable by accident.

pub use worklink_providers::api::Secret;

/// The prefix that makes a config value a reference to an environment variable.
pub const ENV_PREFIX: &str = "env:";

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
