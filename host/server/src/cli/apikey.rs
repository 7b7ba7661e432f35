//! `worklink apikey create|revoke`: API keys for the admin API and the ERP events API. Only a
//! hash is stored; `create` prints the key once.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use worklink_server::config::Config;
use worklink_server::storage::api_keys::ApiRole;
use worklink_server::storage::now_millis;

use super::serve::open_store;

/// Arguments of `worklink apikey`.
#[derive(Debug, clap::Args)]
pub struct ApiKeyArgs {
    /// The config file (for the database).
    #[arg(long, default_value = "worklink.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: ApiKeyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ApiKeyCommand {
    /// Creates a key and prints it (as JSON: `id`, `name`, `role`, `key`); it is not shown again.
    Create {
        /// A label saying who uses the key.
        #[arg(long)]
        name: String,
        /// `admin` (everything) or `integrator` (send events, read).
        #[arg(long, value_parser = parse_role)]
        role: ApiRole,
    },
    /// Revokes key `id` at once.
    Revoke {
        /// The key's id, as `create` printed it.
        id: i64,
    },
}

fn parse_role(text: &str) -> Result<ApiRole, String> {
    match text {
        "admin" => Ok(ApiRole::Admin),
        "integrator" => Ok(ApiRole::Integrator),
        other => Err(format!(
            "`{other}` is not a role: use `admin` or `integrator`"
        )),
    }
}

impl ApiKeyArgs {
    /// Runs the command.
    pub async fn execute(self) -> anyhow::Result<ExitCode> {
        let config = Config::load(&self.config)?;
        let store = open_store(&config).await?;
        let mut out = std::io::stdout().lock();
        let code = match self.command {
            ApiKeyCommand::Create { name, role } => {
                let (info, key) = store.create_api_key(&name, role, now_millis()).await?;
                let printed = json!({
                    "id": info.id, "name": info.name, "role": info.role.as_str(), "key": key.expose(),
                });
                writeln!(out, "{printed}")?;
                ExitCode::SUCCESS
            }
            ApiKeyCommand::Revoke { id } => {
                if store.revoke_api_key(id, now_millis()).await? {
                    writeln!(out, "{}", json!({"revoked": id}))?;
                    ExitCode::SUCCESS
                } else {
                    eprintln!("error: no active API key with id {id}");
                    ExitCode::FAILURE
                }
            }
        };
        store.close().await;
        Ok(code)
    }
}
