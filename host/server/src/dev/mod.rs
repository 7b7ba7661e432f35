//! `worklink dev`: a complete local instance against simulated tenants — the WeCom and DingTalk
//! simulators in-process with seeded org charts, a dev ERP receiver, a generated
//! `worklink.toml`, the shipped plugins and rules installed, enabled and granted, the directory
//! synced and a few ERP employees bound, and the real server (see [`crate::app`]) in front.
//!
//! Scripts drive it through [`DevInstance::banner`], printed as the first stdout line.

mod config;
pub mod erp;
pub mod install;
pub mod sims;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use worklink_providers::api::Secret;

use crate::app::{Server, ServerOptions};
use crate::config::{Config, Provider};
use crate::rules::Rule;
use crate::storage::api_keys::ApiRole;
use crate::storage::directory::Binding;
use crate::storage::{Store, now_millis};
use crate::sync;

pub use install::SHIPPED_PLUGINS;

/// The WeCom connection's name in the dev config.
pub const WECOM_CONNECTION: &str = "wecom-demo";
/// The DingTalk connection's name in the dev config.
pub const DINGTALK_CONNECTION: &str = "dingtalk-demo";
/// How many directory users of each connection get an ERP employee id (`E001`, `E002`, …), so
/// ERP events naming employees resolve out of the box.
const BOUND_EMPLOYEES: i64 = 5;

/// What `worklink dev` is told.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Where the server listens (port 0 picks one).
    pub listen: SocketAddr,
    /// Where the database, config, rules and plugins live; reused across starts.
    pub data_dir: PathBuf,
    /// The plugin build output holding the shipped plugins.
    pub plugins_from: PathBuf,
    /// The checkout's rules directory.
    pub rules_from: PathBuf,
    /// The database to use instead of `worklink.db` in the data directory (a PostgreSQL URL for
    /// measuring the pipeline on PostgreSQL, for instance).
    pub database_url: Option<String>,
}

/// Why `worklink dev` could not start; each variant names the step.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// Preparing the data directory failed.
    #[error(transparent)]
    Install(#[from] install::InstallError),
    /// A socket could not be bound.
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    /// The generated config was refused (a bug: it is generated).
    #[error("generated config: {0}")]
    Config(#[from] crate::config::ConfigError),
    /// The database could not be opened or written.
    #[error("database: {0}")]
    Storage(#[from] crate::storage::StorageError),
    /// The server did not start.
    #[error(transparent)]
    Start(#[from] crate::app::StartError),
    /// A shipped plugin was refused.
    #[error("plugin {path}: {reason}")]
    Plugin {
        /// The component file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A shipped rule's stored version could not be read back.
    #[error("rule {name}: {reason}")]
    Rule {
        /// The rule.
        name: String,
        /// Why.
        reason: String,
    },
    /// Syncing a simulated directory failed.
    #[error("directory sync of {connection}: {reason}")]
    Sync {
        /// The connection.
        connection: String,
        /// Why.
        reason: String,
    },
}

/// A running dev instance. Everything stops when it is shut down (or the process ends).
pub struct DevInstance {
    /// The server.
    pub server: Server,
    /// The simulated tenants.
    pub sims: sims::Simulators,
    /// The dev ERP receiver.
    pub erp: erp::RunningErp,
    banner: Value,
}

impl DevInstance {
    /// Prepares `options.data_dir`, starts the simulators, the dev ERP and the server, and
    /// readies the demo (plugins, rules, directory, bindings).
    pub async fn start(options: DevOptions) -> Result<DevInstance, DevError> {
        let data_dir = &options.data_dir;
        std::fs::create_dir_all(data_dir).map_err(|source| install::InstallError::Io {
            path: data_dir.clone(),
            source,
        })?;
        let cipher = install::secret_key(data_dir)?;
        let plugins = install::shipped_plugins(&options.plugins_from)?;
        install::copy_rules(&options.rules_from, &data_dir.join("rules"))?;

        let sims = sims::Simulators::start(sims::DEFAULT_TENANT).await?;
        let listener = TcpListener::bind(options.listen).await?;
        let addr = listener.local_addr()?;
        let erp_secret = hex::encode(rand::random::<[u8; 24]>());
        let erp = erp::start(Secret::new(erp_secret.clone())).await?;
        let config_path = data_dir.join("worklink.toml");
        let database_url = options
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/worklink.db", data_dir.display()));
        let text = config::render(addr, data_dir, &database_url, &sims, &erp.url, &erp_secret);
        std::fs::write(&config_path, &text).map_err(|source| install::InstallError::Io {
            path: config_path.clone(),
            source,
        })?;
        let config = Config::parse(&text, &config_path, &|_| None)?;
        let connections = config.connections.clone();
        let store = Store::open(config.database_url.expose(), cipher).await?;

        let server =
            Server::start(config, store.clone(), listener, ServerOptions::default()).await?;
        for (path, bytes) in plugins {
            server
                .state()
                .handlers
                .install(&bytes)
                .await
                .map_err(|e| DevError::Plugin {
                    path,
                    reason: e.to_string(),
                })?;
        }
        let enabled = enable_all_rules(&store).await?;
        for connection in &connections {
            sync::sync_connection(&store, &server.state().clients, &connection.name)
                .await
                .map_err(|e| DevError::Sync {
                    connection: connection.name.clone(),
                    reason: e.to_string(),
                })?;
            bind_first_users(&store, &connection.name).await?;
        }
        let url = format!("http://{addr}");
        sims.deliver_callbacks_to(&url);
        let (_, api_key) = store
            .create_api_key("worklink dev", ApiRole::Admin, now_millis())
            .await?;

        let banner = json!({
            "url": url,
            "api_key": api_key.expose(),
            "config": config_path,
            "rules": enabled,
            "connections": connections.iter().map(|c| json!({
                "name": c.name,
                "provider": match c.provider() { Provider::Wecom => "wecom", Provider::Dingtalk => "dingtalk" },
                "callback_url": format!("{url}/callbacks/{}/{}", match c.provider() { Provider::Wecom => "wecom", Provider::Dingtalk => "dingtalk" }, c.name),
                "callback_token": c.callback_token.expose(),
                "callback_aes_key": c.callback_aes_key.expose(),
                "receive_id": c.receive_id(),
            })).collect::<Vec<_>>(),
            "simulators": {
                "wecom": {
                    "base_url": sims.wecom_server.base_url,
                    "corp_id": sims.wecom_credentials().corp_id,
                    "secret": sims.wecom_credentials().secret,
                },
                "dingtalk": {
                    "base_url": sims.dingtalk_server.base_url,
                    "app_key": sims.dingtalk_credentials().app_key,
                    "app_secret": sims.dingtalk_credentials().app_secret,
                },
            },
            "erp": {"documents_url": erp.url},
        });
        Ok(DevInstance {
            server,
            sims,
            erp,
            banner,
        })
    }

    /// One JSON object for scripts: the server `url`, an admin `api_key`, each connection's
    /// callback parameters, the simulators and the dev ERP. Every secret in it is simulated or
    /// generated for this instance.
    pub fn banner(&self) -> &Value {
        &self.banner
    }

    /// Human-readable lines saying what to try, with working curl commands.
    pub fn try_this(&self, data_dir: &Path) -> String {
        let url = self.banner["url"].as_str().unwrap_or_default();
        let key = self.banner["api_key"].as_str().unwrap_or_default();
        let wecom = &self.sims.wecom_server.base_url;
        let dingtalk = &self.sims.dingtalk_server.base_url;
        let creds = self.sims.wecom_credentials();
        let erp = &self.erp.url;
        let config = data_dir.join("worklink.toml");
        format!(
            r#"Worklink dev is up at {url} with simulated WeCom ({wecom}) and DingTalk ({dingtalk}).
Rules enabled: {rules}. Ctrl-C stops everything.

Try:
  # an ERP assigns a task to employee E002: task-notify sends them a card in WeCom
  curl -s -X POST {url}/api/v1/events -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \
    -d '{{"id": "task-T-42", "kind": "erp.task.assigned", "payload": {{"task_id": "T-42", "title": "Review the Q3 budget", "url": "https://erp.example.com/tasks/T-42", "assignee": {{"employee_id": "E002"}}}}}}'
  curl -s {wecom}/_sim/messages
  # a new member joins WeCom: the simulator sends an encrypted callback, welcome greets them
  tok=$(curl -s "{wecom}/cgi-bin/gettoken?corpid={corp}&corpsecret={secret}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s -X POST "{wecom}/cgi-bin/user/create?access_token=$tok" -d '{{"userid": "newhire", "name": "新同事", "department": [1]}}'
  curl -s {wecom}/_sim/messages
  # what ran, with logs and effects; documents the ERP received
  curl -s {url}/api/v1/executions -H 'Authorization: Bearer {key}'
  curl -s {erp}
  # the rules, from the CLI
  WORKLINK_SECRET_KEY=$(cat {key_file}) worklink rule list --config {config}
"#,
            rules = self.banner["rules"],
            corp = creds.corp_id,
            secret = creds.secret,
            key_file = data_dir.join("secret.key").display(),
            config = config.display(),
        )
    }
}

/// Approves what every published rule requests and enables it; returns the rule names.
async fn enable_all_rules(store: &Store) -> Result<Vec<String>, DevError> {
    let mut enabled = Vec::new();
    for record in store.list_rules().await? {
        let Some(version) = &record.current_version else {
            continue;
        };
        let rule = Rule::from_version(version).map_err(|e| DevError::Rule {
            name: record.name.clone(),
            reason: e.to_string(),
        })?;
        let now = now_millis();
        store
            .approve_rule_grants(&record.name, &rule.manifest.grants, now)
            .await?;
        store.set_rule_enabled(&record.name, true, now).await?;
        enabled.push(record.name);
    }
    Ok(enabled)
}

/// Binds ERP employees `E001`… to the first directory users of `connection` (by user id), unless
/// they are bound already.
async fn bind_first_users(store: &Store, connection: &str) -> Result<(), DevError> {
    let users = store.list_users(connection, None, BOUND_EMPLOYEES).await?;
    for (n, user) in users.iter().enumerate() {
        let binding = Binding {
            erp_employee_id: format!("E{:03}", n + 1),
            user_id: user.user_id.clone(),
            matched_by: "dev".to_owned(),
        };
        if store
            .binding_for_employee(connection, &binding.erp_employee_id)
            .await?
            .is_none()
        {
            store
                .bind_employee(connection, &binding, now_millis())
                .await?;
        }
    }
    Ok(())
}
