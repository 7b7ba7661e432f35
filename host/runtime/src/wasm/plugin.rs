//! A loaded plugin: compiled, type-checked against its contract version, described.

use serde::Serialize;

use super::bindings::Bindings;
use super::cache::CacheStatus;
use crate::schema::ConfigSchema;
use crate::types::PluginInfo;

/// A plugin ready to invoke. Holds the pre-instantiated component (one per plugin version), so
/// each invocation only creates a fresh store and instance.
pub struct Plugin {
    pub(crate) info: PluginInfo,
    pub(crate) contract: String,
    pub(crate) sha256: String,
    pub(crate) cache: CacheStatus,
    pub(crate) schema: ConfigSchema,
    pub(crate) bindings: Bindings,
}

/// What `worklink plugin inspect` prints about a plugin.
#[derive(Debug, Clone, Serialize)]
pub struct PluginSummary {
    /// What the plugin says about itself.
    #[serde(flatten)]
    pub info: PluginInfo,
    /// The contract version it was built against, e.g. `0.1.0`.
    pub wit_version: String,
    /// The WIT package it implements, e.g. `worklink:plugin@0.1.0`.
    pub wit_package: String,
    /// SHA-256 of the component bytes.
    pub sha256: String,
    /// Whether loading used the compilation cache.
    pub cache: CacheStatus,
}

impl Plugin {
    /// What the plugin said in `describe()`.
    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The contract version the plugin was built against.
    pub fn wit_version(&self) -> &str {
        &self.contract
    }

    /// SHA-256 of the component bytes (hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Whether this load was served from the on-disk cache.
    pub fn cache_status(&self) -> CacheStatus {
        self.cache
    }

    /// A serialisable summary.
    pub fn summary(&self) -> PluginSummary {
        PluginSummary {
            info: self.info.clone(),
            wit_version: self.contract.clone(),
            wit_package: format!("worklink:plugin@{}", self.contract),
            sha256: self.sha256.clone(),
            cache: self.cache,
        }
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.info.name)
            .field("version", &self.info.version)
            .field("wit_version", &self.contract)
            .finish_non_exhaustive()
    }
}
