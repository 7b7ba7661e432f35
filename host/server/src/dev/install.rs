//! Filling a dev data directory: the secret key, the shipped rules, the shipped plugins.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::storage::SecretCipher;

/// Plugins `worklink dev` installs from the plugin build output: the shipped business plugins.
/// The hostile test plugins in the same directory are left out on purpose, and matchers are not
/// rules.
pub const SHIPPED_PLUGINS: [&str; 3] = ["hello", "task_notify", "welcome"];

/// Why the data directory could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The stored secret key is not a base64 32-byte key.
    #[error("{path}: not a secret key ({reason}); delete it to start over with a new database")]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The data directory's secret key (`secret.key`), created on first use. It is kept beside the
/// database because a restarted dev instance must decrypt the tokens it stored before.
pub fn secret_key(data_dir: &Path) -> Result<SecretCipher, InstallError> {
    let path = data_dir.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretCipher::from_base64(text.trim()).map_err(|e| InstallError::BadKey {
            path,
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            write_private(&path, STANDARD.encode(key).as_bytes())?;
            Ok(SecretCipher::from_bytes(&key))
        }
        Err(e) => Err(io(&path)(e)),
    }
}

/// Writes `bytes` to `path` readable by the owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))
}

/// Copies the rule manifests and scripts of `from` into `to` (replacing older copies), so the
/// dev instance runs the rules of the checkout. Returns the files copied.
pub fn copy_rules(from: &Path, to: &Path) -> Result<Vec<PathBuf>, InstallError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    let mut copied = Vec::new();
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let path = entry.map_err(io(from))?.path();
        let is_rule_file = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "rhai")
        );
        if let (true, Some(name)) = (is_rule_file, path.file_name()) {
            let target = to.join(name);
            std::fs::copy(&path, &target).map_err(io(&path))?;
            copied.push(target);
        }
    }
    copied.sort();
    Ok(copied)
}

/// The shipped plugins' component files in the plugin build output `from`, with their bytes.
/// A missing one is an error naming the command that builds it.
pub fn shipped_plugins(from: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, InstallError> {
    SHIPPED_PLUGINS
        .iter()
        .map(|name| {
            let path = from.join(format!("{name}.wasm"));
            let bytes = std::fs::read(&path).map_err(|source| InstallError::Io {
                path: path.clone(),
                source: std::io::Error::new(
                    source.kind(),
                    format!("{source} (build the plugins first: `make plugins`)"),
                ),
            })?;
            Ok((path, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_key_is_made_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = secret_key(dir.path()).unwrap();
        let sealed = first.encrypt(b"token", "ctx").unwrap();
        let again = secret_key(dir.path()).unwrap();
        assert_eq!(again.decrypt(&sealed, "ctx").unwrap(), b"token");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_key_file_is_refused_by_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.key"), "not base64!").unwrap();
        let err = secret_key(dir.path()).unwrap_err().to_string();
        assert!(err.contains("secret.key"), "{err}");
    }

    #[test]
    fn only_rule_files_are_copied() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        for name in ["a.toml", "a.rhai", "notes.md"] {
            std::fs::write(from.path().join(name), "x").unwrap();
        }
        let copied = copy_rules(from.path(), to.path()).unwrap();
        let names: Vec<_> = copied
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["a.rhai", "a.toml"]);
    }

    #[test]
    fn a_missing_plugin_names_the_build_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = shipped_plugins(dir.path()).unwrap_err().to_string();
        assert!(err.contains("make plugins"), "{err}");
    }
}
