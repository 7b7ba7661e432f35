//! `worklink.toml`: the server's configuration, checked completely at load.
//!
//! Loading is strict so that mistakes surface at start-up with a precise message instead of as a
//! failed delivery hours later: unknown keys are errors, every secret may be `env:NAME` and is
//! resolved immediately (a missing variable is an error naming the key and the variable), and
//! every error names the file, the dotted key path and, for TOML-level mistakes, line and column.
//!
//! - `raw.rs`: the file's shape as serde sees it.
//! - `connection.rs`, `robot.rs`, `limits.rs`, `relay.rs`: the checked sections.
//! - `secret.rs`: the redacting [`Secret`] and `env:NAME` resolution.
//! - `error.rs`: [`ConfigError`] and its [`ConfigReason`] classes.

mod check;
mod connection;
mod error;
mod limits;
mod raw;
mod relay;
mod robot;
mod secret;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use url::Url;

pub use connection::{Connection, Credentials};
pub use error::{ConfigError, ConfigReason};
pub use limits::Limits;
pub use raw::Provider;
pub use relay::RelaySettings;
pub use robot::{Robot, Webhook};
pub use secret::Secret;

use check::Checker;
use raw::RawConfig;

/// The database used when `[database] url` is not given: a SQLite file beside the working dir.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://worklink.db";
/// The time zone for cron rules and day boundaries when `timezone` is not given.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";
/// Where the HTTP server listens when `[server] listen` is not given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// HTTP listener and public address.
    pub server: ServerConfig,
    /// The database URL (a secret: a PostgreSQL URL may carry a password).
    pub database_url: Secret,
    /// Connections in file order: rules without a `connection` handling events that came from
    /// none (ERP, schedule) use the first.
    pub connections: Vec<Connection>,
    /// Robots in file order.
    pub robots: Vec<Robot>,
    /// Where ERP-bound effects are delivered, if an ERP is connected.
    pub erp: Option<ErpConfig>,
    /// Directory of rule manifests and scripts (relative paths resolve against the config file).
    pub rules_dir: PathBuf,
    /// Directory of installed plugins (relative paths resolve against the config file).
    pub plugins_dir: PathBuf,
    /// Default per-invocation limits and the HTTP body limit.
    pub limits: Limits,
    /// The outbox relay's retry schedule.
    pub relay: RelaySettings,
    /// IANA time-zone name for cron rules and day boundaries.
    pub timezone: String,
}

/// `[server]`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// The externally reachable base URL, used in OAuth redirects and printed callback URLs.
    pub public_url: Option<Url>,
}

/// `[erp]`.
#[derive(Debug, Clone)]
pub struct ErpConfig {
    /// The webhook that receives `{id, kind, document}` posts.
    pub url: Url,
    /// Key for the HMAC-SHA256 signature header on each post.
    pub hmac_secret: Secret,
}

impl Config {
    /// Reads and checks the file at `path`, resolving `env:NAME` from the process environment.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            file: path.to_path_buf(),
            key: String::new(),
            position: None,
            reason: ConfigReason::Read(err),
        })?;
        Self::parse(&text, path, &|name| std::env::var(name).ok())
    }

    /// Checks `text` as if read from `file`, looking `env:NAME` up through `env`.
    pub fn parse(
        text: &str,
        file: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let check = Checker { file, env };
        let raw: RawConfig = deserialize(text, file)?;
        let base_dir = file.parent().unwrap_or(Path::new(""));

        let mut connections = Vec::with_capacity(raw.connections.len());
        for (name, connection) in raw.connections {
            check_name(
                &check,
                "connections",
                &name,
                connections.iter().map(|c: &Connection| &c.name),
            )?;
            connections.push(Connection::from_raw(&check, &name, connection)?);
        }
        let mut robots = Vec::with_capacity(raw.robots.len());
        for (name, robot) in raw.robots {
            check_name(
                &check,
                "robots",
                &name,
                robots.iter().map(|r: &Robot| &r.name),
            )?;
            robots.push(Robot::from_raw(&check, &name, robot)?);
        }
        if let Some(zero) = raw.limits.first_zero() {
            return Err(check.error(
                format!("limits.{zero}"),
                ConfigReason::Invalid("must be greater than zero".into()),
            ));
        }
        if let Some((key, why)) = raw.relay.problem() {
            return Err(check.error(
                format!("relay.{key}"),
                ConfigReason::Invalid(why.into()),
            ));
        }

        Ok(Config {
            server: ServerConfig {
                listen: raw
                    .server
                    .listen
                    .as_deref()
                    .unwrap_or(DEFAULT_LISTEN)
                    .parse()
                    .map_err(|err| {
                        check.error(
                            "server.listen",
                            ConfigReason::Invalid(format!(
                                "not an address like 127.0.0.1:8080: {err}"
                            )),
                        )
                    })?,
                public_url: raw
                    .server
                    .public_url
                    .map(|url| check.http_url("server.public_url", &url))
                    .transpose()?,
            },
            database_url: database_url(&check, raw.database.url.as_deref())?,
            connections,
            robots,
            erp: raw
                .erp
                .map(|erp| {
                    Ok::<_, ConfigError>(ErpConfig {
                        url: check.http_url("erp.url", &erp.url)?,
                        hmac_secret: check.secret("erp.hmac_secret", &erp.hmac_secret)?,
                    })
                })
                .transpose()?,
            rules_dir: base_dir.join(raw.rules_dir.unwrap_or_else(|| "rules".into())),
            plugins_dir: base_dir.join(raw.plugins_dir.unwrap_or_else(|| "plugins".into())),
            limits: raw.limits,
            relay: raw.relay,
            timezone: timezone(&check, raw.timezone)?,
        })
    }

    /// The connection called `name`.
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// The robot called `name`.
    pub fn robot(&self, name: &str) -> Option<&Robot> {
        self.robots.iter().find(|r| r.name == name)
    }
}

/// Runs serde over the TOML, turning its errors into [`ConfigError`]s with a key path and a
/// line/column. Rule manifests are read through it too, so both kinds of file report mistakes
/// alike.
pub(crate) fn deserialize<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &Path,
) -> Result<T, ConfigError> {
    let error = |key: String, span: Option<std::ops::Range<usize>>, reason| ConfigError {
        file: file.to_path_buf(),
        key,
        position: span.map(|span| line_col(text, span.start)),
        reason,
    };
    let deserializer = toml::Deserializer::parse(text).map_err(|err| {
        error(
            String::new(),
            err.span(),
            ConfigReason::Syntax(err.message().to_owned()),
        )
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.message().to_owned();
        // serde's own wording is fixed, so its prefix tells the class of mistake.
        // serde's own wording is fixed, so its prefix tells the class of mistake. The path of an
        // unknown key already ends in that key; the path of a missing one ends at its table.
        let (key, reason) = if message.starts_with("unknown field") {
            (path, ConfigReason::UnknownKey(message))
        } else if let Some(rest) = message.strip_prefix("missing field `") {
            let field = rest.split('`').next().unwrap_or_default();
            let key = match path.as_str() {
                "" | "." => field.to_owned(),
                table => format!("{table}.{field}"),
            };
            (key, ConfigReason::MissingKey)
        } else if ["invalid type", "invalid value", "unknown variant"]
            .iter()
            .any(|prefix| message.starts_with(prefix))
        {
            (path, ConfigReason::WrongType(message))
        } else {
            (path, ConfigReason::Invalid(message))
        };
        error(key, inner.span(), reason)
    })
}

/// 1-based line and column of byte `offset` in `text` (column counted in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Names appear in URLs (`/callbacks/wecom/{connection}`) and CLI arguments, so they are kept to
/// a URL-safe alphabet, and two names that differ only in case are refused as confusable.
fn check_name<'a>(
    check: &Checker<'_>,
    table: &str,
    name: &str,
    earlier: impl Iterator<Item = &'a String>,
) -> Result<(), ConfigError> {
    let key = format!("{table}.{name}");
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(check.error(
            key,
            ConfigReason::Invalid("names may use only ASCII letters, digits, `-` and `_`".into()),
        ));
    }
    for other in earlier {
        if other.eq_ignore_ascii_case(name) {
            return Err(check.error(
                key,
                ConfigReason::DuplicateName {
                    name: name.to_owned(),
                    other: other.clone(),
                },
            ));
        }
    }
    Ok(())
}

/// The database URL: secret-capable, and only SQLite or PostgreSQL.
fn database_url(check: &Checker<'_>, raw: Option<&str>) -> Result<Secret, ConfigError> {
    let url = check.secret("database.url", raw.unwrap_or(DEFAULT_DATABASE_URL))?;
    let scheme = url.expose().split_once(':').map(|(scheme, _)| scheme);
    match scheme {
        Some("sqlite" | "postgres" | "postgresql") => Ok(url),
        // The URL may hold a password, so the message quotes only the scheme.
        Some(scheme) => Err(check.error(
            "database.url",
            ConfigReason::BadUrl(format!(
                "scheme `{scheme}` is not sqlite, postgres or postgresql"
            )),
        )),
        None => Err(check.error(
            "database.url",
            ConfigReason::BadUrl("expected sqlite://PATH or postgres://...".into()),
        )),
    }
}

/// An IANA zone name. The server carries no zone database of its own, so this checks the shape
/// (`Area/City`, or `UTC`); the scheduler resolves the name.
fn timezone(check: &Checker<'_>, raw: Option<String>) -> Result<String, ConfigError> {
    let zone = raw.unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
    let well_formed = !zone.is_empty()
        && zone.split('/').all(|part| {
            !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        });
    if well_formed {
        Ok(zone)
    } else {
        Err(check.error(
            "timezone",
            ConfigReason::Invalid(format!(
                "`{zone}` is not an IANA time-zone name like Asia/Shanghai"
            )),
        ))
    }
}

#[cfg(test)]
mod tests;
