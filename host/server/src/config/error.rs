//! The one error type of config loading: which file, which key, what was wrong.
//!
//! An admin fixing `worklink.toml` needs the key path (`connections.acme.callback_aes_key`), and
//! for TOML-level mistakes the line and column; every [`ConfigError`] carries both where known.

use std::fmt;
use std::path::PathBuf;

/// A config file that could not be read, parsed or accepted.
#[derive(Debug)]
pub struct ConfigError {
    /// The file being loaded (or the name given to text parsed from memory).
    pub file: PathBuf,
    /// The dotted key path of the offending value; empty for whole-file problems.
    pub key: String,
    /// 1-based line and column, when the TOML parser reported a position.
    pub position: Option<(usize, usize)>,
    /// What was wrong.
    pub reason: ConfigReason,
}

/// The classes of config mistakes, so callers and tests can match on them.
#[derive(Debug, thiserror::Error)]
pub enum ConfigReason {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Read(#[source] std::io::Error),
    /// Not valid TOML (including a table or key written twice).
    #[error("invalid TOML: {0}")]
    Syntax(String),
    /// A key this version of Worklink does not know (often a typo).
    #[error("{0}")]
    UnknownKey(String),
    /// A value of the wrong type, e.g. a string where a number belongs.
    #[error("{0}")]
    WrongType(String),
    /// A required key is absent.
    #[error("missing required key")]
    MissingKey,
    /// A key that does not apply to this connection's or robot's provider.
    #[error("not used by provider {provider}")]
    NotForProvider {
        /// The provider the entry declares.
        provider: &'static str,
    },
    /// `env:NAME` names a variable that is not set.
    #[error("environment variable {variable} is not set")]
    MissingEnvVar {
        /// The variable's name.
        variable: String,
    },
    /// `env:` without a variable name.
    #[error("`env:` must be followed by a variable name")]
    EmptyEnvVarName,
    /// A callback AES key that is not 43 base64 characters decoding to 32 bytes.
    #[error("invalid AES key: {0}")]
    InvalidAesKey(String),
    /// A value that must be a URL and is not, or has the wrong scheme.
    #[error("bad URL: {0}")]
    BadUrl(String),
    /// Two entries whose names differ only in letter case.
    #[error("duplicate name: `{name}` clashes with `{other}`")]
    DuplicateName {
        /// This entry's name.
        name: String,
        /// The entry it clashes with.
        other: String,
    },
    /// Any other value outside its allowed range or shape.
    #[error("{0}")]
    Invalid(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": `{}`", self.key)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}
