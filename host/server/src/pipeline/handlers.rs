//! [`Handlers`]: the process's one wasm host and one Rhai engine, and the installed plugins.
//!
//! Plugins live as `<plugins_dir>/<name>.wasm`, named as their `describe()` says. Compiling a
//! component is the expensive step, so a loaded plugin is kept and reused until its file changes:
//! a changed size or modification time makes it be read and hashed again, and only different
//! content is compiled again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;
use sha2::{Digest, Sha256};
use worklink_runtime::script::{ScriptEngine, ScriptLimits};
use worklink_runtime::wasm::{HostError, LoadError, Plugin, PluginSummary, WasmConfig, WasmHost};

/// Why a plugin could not be installed or loaded.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The bytes or the file are not a usable plugin.
    #[error("{file}: {source}")]
    Load {
        /// The file, or `upload` for installed bytes.
        file: PathBuf,
        /// What is wrong with the component.
        #[source]
        source: LoadError,
    },
    /// No `<name>.wasm` in the plugins directory.
    #[error("plugin `{name}` is not installed (no {})", file.display())]
    NotInstalled {
        /// The plugin's name.
        name: String,
        /// The file that was looked for.
        file: PathBuf,
    },
    /// The file's plugin calls itself something else.
    #[error("{file} describes itself as `{described}`, not `{name}`")]
    NameMismatch {
        /// The file.
        file: PathBuf,
        /// The name it was installed under.
        name: String,
        /// The name its `describe()` returns.
        described: String,
    },
    /// A plugin name that cannot be a file name in the plugins directory.
    #[error("plugin name `{0}` is not valid: use lowercase letters, digits, `-` and `_`")]
    InvalidName(String),
    /// Reading or writing the plugins directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// One file in the plugins directory, as [`Handlers::list`] reports it.
#[derive(Debug, Serialize)]
pub struct PluginEntry {
    /// The file stem, which is the name rules use.
    pub name: String,
    /// What the plugin says about itself, when it loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<PluginSummary>,
    /// Why it does not load, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A loaded plugin and the file state it was loaded from.
struct Loaded {
    modified: Option<SystemTime>,
    len: u64,
    plugin: Arc<Plugin>,
}

/// The sandboxes and the plugin registry. Create one per process and share it.
pub struct Handlers {
    wasm: WasmHost,
    scripts: ScriptEngine,
    plugins_dir: PathBuf,
    loaded: Mutex<HashMap<String, Loaded>>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handlers")
            .field("plugins_dir", &self.plugins_dir)
            .finish_non_exhaustive()
    }
}

impl Handlers {
    /// Starts the wasm host and the script engine over `plugins_dir` (created on first install).
    pub fn new(
        plugins_dir: impl Into<PathBuf>,
        wasm: WasmConfig,
        scripts: ScriptLimits,
    ) -> Result<Self, HostError> {
        Ok(Self {
            wasm: WasmHost::new(wasm)?,
            scripts: ScriptEngine::new(scripts),
            plugins_dir: plugins_dir.into(),
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// The wasm host.
    pub fn wasm(&self) -> &WasmHost {
        &self.wasm
    }

    /// The Rhai engine (handler scripts and `when` conditions).
    pub fn scripts(&self) -> &ScriptEngine {
        &self.scripts
    }

    /// The plugins directory.
    pub fn plugins_dir(&self) -> &Path {
        &self.plugins_dir
    }

    /// Checks a component and installs it as `<name>.wasm` under the name its `describe()`
    /// reports, replacing an earlier version. The file is written beside and renamed into place,
    /// so a concurrent load never sees half a file.
    pub async fn install(&self, bytes: &[u8]) -> Result<PluginSummary, PluginError> {
        let plugin = self
            .wasm
            .load(bytes)
            .await
            .map_err(|source| PluginError::Load {
                file: PathBuf::from("upload"),
                source,
            })?;
        let name = plugin.info().name.clone();
        if !valid_name(&name) {
            return Err(PluginError::InvalidName(name));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| PluginError::Io { path, source }
        };
        std::fs::create_dir_all(&self.plugins_dir).map_err(io(&self.plugins_dir))?;
        let file = self.file_of(&name);
        let partial = self.plugins_dir.join(format!(".{name}.wasm.partial"));
        std::fs::write(&partial, bytes).map_err(io(&partial))?;
        std::fs::rename(&partial, &file).map_err(io(&file))?;
        let metadata = std::fs::metadata(&file).map_err(io(&file))?;
        let summary = plugin.summary();
        self.remember(&name, &metadata, Arc::new(plugin));
        Ok(summary)
    }

    /// Every `.wasm` file in the plugins directory, loaded (from the cache when unchanged).
    pub async fn list(&self) -> Result<Vec<PluginEntry>, PluginError> {
        let mut names: Vec<String> = match std::fs::read_dir(&self.plugins_dir) {
            Ok(entries) => entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
                .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(PluginError::Io {
                    path: self.plugins_dir.clone(),
                    source,
                });
            }
        };
        names.sort();
        let mut entries = Vec::with_capacity(names.len());
        for name in names {
            let loaded = self.get(&name).await;
            entries.push(PluginEntry {
                name,
                summary: loaded.as_ref().ok().map(|plugin| plugin.summary()),
                error: loaded.err().map(|e| e.to_string()),
            });
        }
        Ok(entries)
    }

    /// Plugin `name`, loaded from `<plugins_dir>/<name>.wasm` (compiled once per content).
    pub async fn get(&self, name: &str) -> Result<Arc<Plugin>, PluginError> {
        if !valid_name(name) {
            return Err(PluginError::InvalidName(name.to_owned()));
        }
        let file = self.file_of(name);
        let metadata = std::fs::metadata(&file).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                PluginError::NotInstalled {
                    name: name.to_owned(),
                    file: file.clone(),
                }
            } else {
                PluginError::Io {
                    path: file.clone(),
                    source,
                }
            }
        })?;
        if let Some(plugin) = self.cached(name, &metadata, None) {
            return Ok(plugin);
        }
        let bytes = std::fs::read(&file).map_err(|source| PluginError::Io {
            path: file.clone(),
            source,
        })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if let Some(plugin) = self.cached(name, &metadata, Some(&sha256)) {
            return Ok(plugin);
        }
        let plugin = self
            .wasm
            .load(&bytes)
            .await
            .map_err(|source| PluginError::Load {
                file: file.clone(),
                source,
            })?;
        if plugin.info().name != name {
            return Err(PluginError::NameMismatch {
                file,
                name: name.to_owned(),
                described: plugin.info().name.clone(),
            });
        }
        let plugin = Arc::new(plugin);
        self.remember(name, &metadata, plugin.clone());
        Ok(plugin)
    }

    /// The cached plugin `name` if its file is unchanged, or (given the file's hash) if its
    /// content is; a content match is re-stamped with the file's new state.
    fn cached(
        &self,
        name: &str,
        metadata: &std::fs::Metadata,
        sha256: Option<&str>,
    ) -> Option<Arc<Plugin>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let entry = loaded.get_mut(name)?;
        let same_file = entry.modified == metadata.modified().ok() && entry.len == metadata.len();
        let same_content = sha256.is_some_and(|sha| entry.plugin.sha256() == sha);
        if same_content {
            entry.modified = metadata.modified().ok();
            entry.len = metadata.len();
        }
        (same_file || same_content).then(|| entry.plugin.clone())
    }

    fn remember(&self, name: &str, metadata: &std::fs::Metadata, plugin: Arc<Plugin>) {
        self.loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                name.to_owned(),
                Loaded {
                    modified: metadata.modified().ok(),
                    len: metadata.len(),
                    plugin,
                },
            );
    }

    fn file_of(&self, name: &str) -> PathBuf {
        self.plugins_dir.join(format!("{name}.wasm"))
    }
}

/// Plugin names become file names: lowercase ASCII letters, digits, `-` and `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '_'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names_are_safe_file_names() {
        assert!(valid_name("task-notify"));
        assert!(valid_name("match_by_mobile2"));
        for bad in ["", "-x", "../x", "X", "a.b", "a/b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_missing_plugin_is_reported_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let handlers = Handlers::new(
            dir.path(),
            WasmConfig {
                max_concurrent: 1,
                pooling: false,
                ..WasmConfig::default()
            },
            ScriptLimits::default(),
        )
        .unwrap();
        let err = handlers.get("absent").await.unwrap_err();
        assert!(matches!(err, PluginError::NotInstalled { .. }), "{err}");
        assert!(err.to_string().contains("absent.wasm"), "{err}");
        assert!(handlers.list().await.unwrap().is_empty());
        assert!(matches!(
            handlers.get("../etc").await,
            Err(PluginError::InvalidName(_))
        ));
    }
}
