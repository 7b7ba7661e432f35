//! Helpers that turn raw values into checked ones and failures into [`ConfigError`]s that name
//! the file and key path — shared by every section so the messages read the same everywhere.

use std::path::Path;

use url::Url;

use super::error::{ConfigError, ConfigReason};
use super::raw::Provider;
use super::secret::{self, Secret, SecretLookupError};

/// The context of one load: which file, and how `env:NAME` is looked up.
pub(super) struct Checker<'a> {
    pub file: &'a Path,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Checker<'_> {
    /// An error at `key` in this file.
    pub fn error(&self, key: impl Into<String>, reason: ConfigReason) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            key: key.into(),
            position: None,
            reason,
        }
    }

    /// The value, or a missing-key error at `key`.
    pub fn required<T>(&self, key: &str, value: Option<T>) -> Result<T, ConfigError> {
        value.ok_or_else(|| self.error(key, ConfigReason::MissingKey))
    }

    /// Rejects a key written for the other provider.
    pub fn absent<T>(
        &self,
        key: &str,
        value: &Option<T>,
        provider: Provider,
    ) -> Result<(), ConfigError> {
        match value {
            Some(_) => Err(self.error(
                key,
                ConfigReason::NotForProvider {
                    provider: provider.as_str(),
                },
            )),
            None => Ok(()),
        }
    }

    /// A secret, with `env:NAME` resolved.
    pub fn secret(&self, key: &str, raw: &str) -> Result<Secret, ConfigError> {
        secret::resolve(raw, self.env).map_err(|err| {
            let reason = match err {
                SecretLookupError::MissingVariable(variable) => {
                    ConfigReason::MissingEnvVar { variable }
                }
                SecretLookupError::EmptyVariableName => ConfigReason::EmptyEnvVarName,
            };
            self.error(key, reason)
        })
    }

    /// An optional secret that is required here.
    pub fn required_secret(&self, key: &str, raw: Option<&str>) -> Result<Secret, ConfigError> {
        self.secret(key, self.required(key, raw)?)
    }

    /// An `http` or `https` URL.
    pub fn http_url(&self, key: &str, raw: &str) -> Result<Url, ConfigError> {
        let url = Url::parse(raw)
            .map_err(|err| self.error(key, ConfigReason::BadUrl(err.to_string())))?;
        match url.scheme() {
            "http" | "https" if url.has_host() => Ok(url),
            "http" | "https" => Err(self.error(key, ConfigReason::BadUrl("no host".into()))),
            other => Err(self.error(
                key,
                ConfigReason::BadUrl(format!("scheme `{other}` is not http or https")),
            )),
        }
    }
}
