//! Publishing the rules directory: every manifest (and its script) becomes the current version of
//! its rule.
//!
//! Everything is read and checked before anything is published, so one broken file leaves every
//! rule as it was and the error names that file. Unchanged rules publish nothing; new rules start
//! disabled with nothing approved, so a rule dropped into the directory runs only once an admin
//! has enabled it and approved its grants.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use worklink_runtime::script::{ScriptEngine, ScriptLimits};

use super::error::manifest_error;
use super::source::{RuleSource, ScriptSource};
use super::{HandlerRef, Manifest, RuleError};
use crate::config::ConfigReason;
use crate::storage::{Store, now_millis};

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// Rules whose current version changed (including new rules), by name.
    pub published: Vec<Published>,
    /// Rules whose files match their current version.
    pub unchanged: Vec<String>,
    /// Rules in the database with no manifest in the directory any more. They are left as they
    /// are (disable them to stop them).
    pub missing: Vec<String>,
}

/// One rule whose current version changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The rule's name.
    pub name: String,
    /// The version now current.
    pub version: i64,
    /// Whether the rule did not exist before (it starts disabled).
    pub created: bool,
}

/// Reads every `*.toml` manifest in `rules_dir` and publishes the changed ones.
pub async fn reload(store: &Store, rules_dir: &Path) -> Result<ReloadReport, RuleError> {
    let sources = read_dir(rules_dir)?;
    let current: BTreeMap<String, Option<String>> = store
        .list_rules()
        .await?
        .into_iter()
        .map(|rule| (rule.name, rule.current_version.map(|v| v.content)))
        .collect();

    let mut report = ReloadReport::default();
    let now = now_millis();
    for (name, source) in &sources {
        let content = source.to_content();
        match current.get(name) {
            Some(Some(existing)) if *existing == content => report.unchanged.push(name.clone()),
            known => {
                let version = store.publish_rule(name, &content, now).await?;
                report.published.push(Published {
                    name: name.clone(),
                    version: version.version,
                    created: known.is_none(),
                });
            }
        }
    }
    report.missing = current
        .into_keys()
        .filter(|name| !sources.contains_key(name))
        .collect();
    Ok(report)
}

/// Every manifest in `dir`, checked, with its script, by rule name.
fn read_dir(dir: &Path) -> Result<BTreeMap<String, RuleSource>, RuleError> {
    let list_error = |source| RuleError::ListDir {
        dir: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(list_error)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(list_error)?;
    files.retain(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file());
    files.sort();

    let engine = ScriptEngine::new(ScriptLimits::default());
    let mut sources = BTreeMap::new();
    for path in files {
        let source = read_rule(dir, &path, &engine)?;
        sources.insert(
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            source,
        );
    }
    Ok(sources)
}

/// Reads and checks one manifest and its script, compiling `when` and the script so their
/// mistakes are reported now, with the file and key, rather than on the first event.
fn read_rule(dir: &Path, path: &Path, engine: &ScriptEngine) -> Result<RuleSource, RuleError> {
    let read = |path: &Path, key: &str| {
        std::fs::read_to_string(path).map_err(|e| manifest_error(path, key, ConfigReason::Read(e)))
    };
    let text = read(path, "")?;
    let manifest = Manifest::parse(&text, path)?;
    if let Some(when) = &manifest.when {
        engine
            .compile_condition_named(&format!("{} when", manifest.name), when)
            .map_err(|e| manifest_error(path, "when", ConfigReason::Invalid(e.to_string())))?;
    }
    let script = match &manifest.handler {
        HandlerRef::Plugin(_) => None,
        HandlerRef::Script(file) => {
            let text = read(&dir.join(file), "script")?;
            engine.compile(file, &text).map_err(|e| {
                manifest_error(path, "script", ConfigReason::Invalid(e.to_string()))
            })?;
            Some(ScriptSource {
                file: file.clone(),
                text,
            })
        }
    };
    Ok(RuleSource {
        file: path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        manifest: text,
        script,
    })
}
