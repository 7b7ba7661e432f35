//! A rule manifest, `rules/<name>.toml`: what a rule reacts to, what runs, with which config,
//! capabilities, limits and retry policy.
//!
//! ```toml
//! name = "task-notify"
//! description = "Card to the assignee of an ERP task"
//! on = "erp.task.assigned"               # exact kind, `erp.task.*`, `*.contact.user.created`, `*`
//! when = 'event.payload.priority == "high"'   # optional Rhai expression over `event`
//! connection = "acme"                    # optional; default: the event's own connection, else the first
//! plugin = "task-notify"                 # or: script = "task-notify.rhai" (beside the manifest)
//! grants = ["contacts", "messaging", "log"]
//!
//! [config]                               # JSON for the handler, checked against its schema
//! title_prefix = "[ERP] "
//!
//! [limits]                               # optional; may only tighten the server's limits
//! cpu_time_ms = 200
//!
//! [retry]                                # optional; attempts = 3, backoff_ms = 1000 by default
//! attempts = 5
//! ```
//!
//! Cron rules say `on = "schedule"`, `schedule = "0 9 * * 1-5"` and optionally `timezone`.
//! Parsing is strict: unknown keys, a missing handler or both handlers, a malformed pattern, cron
//! expression or capability name are errors naming the file and key.

use std::path::{Component, Path};

use serde::Deserialize;
use worklink_runtime::capability::Capability;

use super::error::manifest_error;
use super::{EventPattern, RetryPolicy, RuleLimits};
use crate::config::{ConfigError, ConfigReason};
use crate::schedule::CronSchedule;

/// What runs when a rule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerRef {
    /// An installed plugin, by the name its `describe()` reports.
    Plugin(String),
    /// A Rhai script, by its path within the rules directory.
    Script(String),
}

/// A cron trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSpec {
    /// The cron expression (five fields, or six with seconds).
    pub cron: String,
    /// IANA time zone the expression is read in; `None` means the server's.
    pub timezone: Option<String>,
}

/// A checked rule manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The rule's name; equals the manifest's file stem.
    pub name: String,
    /// What the rule is for, for admins.
    pub description: String,
    /// Which event kinds it reacts to.
    pub on: EventPattern,
    /// An optional Rhai condition over `event`.
    pub when: Option<String>,
    /// The connection messages go to and directory reads come from; `None` means the one the
    /// event came from (callbacks), else the first configured one (ERP and scheduled events).
    pub connection: Option<String>,
    /// The plugin or script that runs.
    pub handler: HandlerRef,
    /// The handler's config (a JSON object).
    pub config: serde_json::Value,
    /// Capabilities the rule requests; usable only once an admin approves them.
    pub grants: Vec<Capability>,
    /// Limits tighter than the server's, if any.
    pub limits: RuleLimits,
    /// How failures are retried.
    pub retry: RetryPolicy,
    /// The cron trigger of an `on = "schedule"` rule.
    pub schedule: Option<ScheduleSpec>,
}

/// The manifest as serde reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    name: String,
    #[serde(default)]
    description: String,
    on: String,
    when: Option<String>,
    connection: Option<String>,
    plugin: Option<String>,
    script: Option<String>,
    #[serde(default)]
    config: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    grants: Vec<Capability>,
    #[serde(default)]
    limits: RuleLimits,
    #[serde(default)]
    retry: RetryPolicy,
    schedule: Option<String>,
    timezone: Option<String>,
}

impl Manifest {
    /// Parses and checks manifest `text`, reporting errors against `file` (whose stem must be the
    /// rule's name).
    pub fn parse(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let raw: RawManifest = crate::config::deserialize(text, file)?;
        let invalid =
            |key: &str, reason: String| manifest_error(file, key, ConfigReason::Invalid(reason));

        check_name(&raw.name).map_err(|reason| invalid("name", reason))?;
        let stem = file.file_stem().map(|s| s.to_string_lossy());
        if stem.as_deref() != Some(raw.name.as_str()) {
            return Err(invalid(
                "name",
                format!(
                    "rule `{}` must live in `{}.toml` (the file name is the rule's name)",
                    raw.name, raw.name
                ),
            ));
        }
        let on = EventPattern::parse(&raw.on).map_err(|reason| invalid("on", reason))?;
        if let Some(when) = &raw.when
            && when.trim().is_empty()
        {
            return Err(invalid(
                "when",
                "is empty; leave it out to run on every match".into(),
            ));
        }
        if let Some(connection) = &raw.connection {
            check_name(connection).map_err(|reason| invalid("connection", reason))?;
        }
        let handler = match (raw.plugin, raw.script) {
            (Some(plugin), None) => {
                check_name(&plugin).map_err(|reason| invalid("plugin", reason))?;
                HandlerRef::Plugin(plugin)
            }
            (None, Some(script)) => {
                check_script_path(&script).map_err(|reason| invalid("script", reason))?;
                HandlerRef::Script(script)
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "script",
                    "a rule runs either a plugin or a script; remove one of `plugin` and `script`"
                        .into(),
                ));
            }
            (None, None) => {
                return Err(manifest_error(
                    file,
                    "plugin",
                    ConfigReason::Invalid(
                        "missing handler: set `plugin = \"<name>\"` or `script = \"<file>.rhai\"`"
                            .into(),
                    ),
                ));
            }
        };
        if let Some(key) = raw.limits.first_zero() {
            return Err(invalid(key, "must be greater than zero".into()));
        }
        if let Some((key, reason)) = raw.retry.problem() {
            return Err(invalid(key, reason.into()));
        }
        let schedule = match (&on, raw.schedule) {
            (EventPattern::Schedule, Some(cron)) => {
                let zone = raw
                    .timezone
                    .as_deref()
                    .unwrap_or(crate::config::DEFAULT_TIMEZONE);
                CronSchedule::parse(&cron, zone).map_err(|e| {
                    let key = if e.is_timezone() {
                        "timezone"
                    } else {
                        "schedule"
                    };
                    invalid(key, e.to_string())
                })?;
                Some(ScheduleSpec {
                    cron,
                    timezone: raw.timezone,
                })
            }
            (EventPattern::Schedule, None) => {
                return Err(manifest_error(
                    file,
                    "schedule",
                    ConfigReason::Invalid(
                        "`on = \"schedule\"` needs a cron expression, e.g. `schedule = \"0 9 * * 1-5\"`"
                            .into(),
                    ),
                ));
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "schedule",
                    "only `on = \"schedule\"` rules take a cron expression".into(),
                ));
            }
            (_, None) if raw.timezone.is_some() => {
                return Err(invalid(
                    "timezone",
                    "only `on = \"schedule\"` rules take a time zone".into(),
                ));
            }
            (_, None) => None,
        };

        let mut grants = raw.grants;
        grants.sort();
        grants.dedup();
        Ok(Manifest {
            name: raw.name,
            description: raw.description,
            on,
            when: raw.when,
            connection: raw.connection,
            handler,
            config: serde_json::Value::Object(raw.config),
            grants,
            limits: raw.limits,
            retry: raw.retry,
            schedule,
        })
    }
}

/// Rule, plugin and connection names appear in URLs and CLI arguments: lowercase ASCII letters,
/// digits, `-` and `_`, starting with a letter or digit.
fn check_name(name: &str) -> Result<(), String> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid name: use lowercase letters, digits, `-` and `_`"
        ))
    }
}

/// A script path stays inside the rules directory: relative, no `..`, ending in `.rhai`.
fn check_script_path(path: &str) -> Result<(), String> {
    let inside = Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if path.is_empty() || !inside {
        return Err(format!(
            "`{path}` must be a path inside the rules directory (relative, without `..`)"
        ));
    }
    if !path.ends_with(".rhai") {
        return Err(format!("`{path}` is not a Rhai script (`.rhai`)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, ConfigError> {
        Manifest::parse(text, Path::new("rules/notify.toml"))
    }

    fn error(text: &str) -> (String, String) {
        let err = parse(text).unwrap_err();
        (err.key.clone(), err.to_string())
    }

    const MINIMAL: &str =
        "name = \"notify\"\non = \"erp.task.assigned\"\nplugin = \"task-notify\"\n";

    #[test]
    fn a_full_manifest_parses_with_its_defaults_filled_in() {
        let manifest = parse(
            r#"
name = "notify"
description = "Card to the assignee"
on = "erp.task.*"
when = 'event.payload.priority == "high"'
connection = "acme"
plugin = "task-notify"
grants = ["messaging", "contacts", "log", "messaging"]

[config]
title_prefix = "[ERP] "
nested = { flag = true }

[limits]
cpu_time_ms = 200

[retry]
attempts = 5
"#,
        )
        .unwrap();
        assert_eq!(manifest.on, EventPattern::Prefix("erp.task.".into()));
        assert_eq!(manifest.handler, HandlerRef::Plugin("task-notify".into()));
        assert_eq!(
            manifest.grants,
            [Capability::Messaging, Capability::Contacts, Capability::Log]
        );
        assert_eq!(
            manifest.config,
            serde_json::json!({"title_prefix": "[ERP] ", "nested": {"flag": true}})
        );
        assert_eq!(manifest.limits.cpu_time_ms, Some(200));
        assert_eq!(manifest.retry.attempts, 5);
        assert_eq!(manifest.retry.backoff_ms, 1_000);
        assert_eq!(manifest.connection.as_deref(), Some("acme"));
    }

    #[test]
    fn the_minimal_manifest_has_an_empty_config_and_no_grants() {
        let manifest = parse(MINIMAL).unwrap();
        assert_eq!(manifest.config, serde_json::json!({}));
        assert!(manifest.grants.is_empty());
        assert_eq!(manifest.retry, RetryPolicy::default());
        assert_eq!(manifest.schedule, None);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let (key, message) = error(&format!("{MINIMAL}grants = [\"network\"]\n"));
        assert_eq!(key, "grants[0]");
        assert!(message.starts_with("rules/notify.toml:"), "{message}");
        assert!(message.contains("network"), "{message}");

        let (key, message) = error(&MINIMAL.replace("erp.task.assigned", "erp.*.assigned"));
        assert_eq!(key, "on");
        assert!(message.contains("`*` may stand only"), "{message}");

        let (key, _) = error(&format!("{MINIMAL}[retry]\nattempts = 0\n"));
        assert_eq!(key, "retry.attempts");

        let (key, _) = error(&format!("{MINIMAL}[limits]\ncpu = 5\n"));
        assert_eq!(key, "limits.cpu");

        let (key, _) = error("name = \"notify\"\nplugin = \"p\"\n");
        assert_eq!(key, "on");
    }

    #[test]
    fn exactly_one_handler_is_required() {
        let (key, message) = error("name = \"notify\"\non = \"*\"\n");
        assert_eq!(key, "plugin");
        assert!(message.contains("missing handler"), "{message}");
        let (key, _) = error(&format!("{MINIMAL}script = \"notify.rhai\"\n"));
        assert_eq!(key, "script");
    }

    #[test]
    fn scripts_stay_inside_the_rules_directory() {
        for bad in ["../secret.rhai", "/etc/x.rhai", "notify.lua"] {
            let text = format!("name = \"notify\"\non = \"*\"\nscript = \"{bad}\"\n");
            assert_eq!(error(&text).0, "script", "{bad}");
        }
        let text = "name = \"notify\"\non = \"*\"\nscript = \"scripts/notify.rhai\"\n";
        assert_eq!(
            parse(text).unwrap().handler,
            HandlerRef::Script("scripts/notify.rhai".into())
        );
    }

    #[test]
    fn the_name_is_the_file_stem() {
        let (key, message) = error(&MINIMAL.replace("\"notify\"", "\"other\""));
        assert_eq!(key, "name");
        assert!(message.contains("other.toml"), "{message}");
    }

    #[test]
    fn cron_rules_need_a_valid_schedule_and_zone() {
        let cron = "name = \"notify\"\non = \"schedule\"\nplugin = \"p\"\n";
        let manifest = parse(&format!("{cron}schedule = \"0 9 * * 1-5\"\n")).unwrap();
        assert_eq!(
            manifest.schedule,
            Some(ScheduleSpec {
                cron: "0 9 * * 1-5".into(),
                timezone: None
            })
        );
        assert_eq!(error(cron).0, "schedule");
        assert_eq!(
            error(&format!("{cron}schedule = \"61 * * * *\"\n")).0,
            "schedule"
        );
        assert_eq!(
            error(&format!(
                "{cron}schedule = \"0 9 * * *\"\ntimezone = \"Mars/Olympus\"\n"
            ))
            .0,
            "timezone"
        );
        assert_eq!(
            error(&format!("{MINIMAL}schedule = \"0 9 * * *\"\n")).0,
            "schedule"
        );
    }
}
