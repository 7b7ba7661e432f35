//! The provider clients of the configured connections and robots, built once at start.
//!
//! Every connection gets one WeCom or DingTalk client pointed at its `api_base`; all of them share
//! one token manager whose cache is the database, so replicas share one access token per app
//! instead of each calling `gettoken` (on PostgreSQL a refresh is also serialised across
//! replicas, see [`refresh_lock`]); fresh tokens are also kept in memory ([`token_memo`]) so a
//! provider call costs no database read. What differs between the two providers when the server acts
//! on a connection (message shapes, approval forms) is kept in [`app`] and [`shapes`]; robots in
//! [`robots`]; the "test credentials" probe in [`check`].

pub mod app;
pub mod check;
pub mod refresh_lock;
pub mod robots;
pub mod shapes;
pub mod token_memo;

use std::collections::BTreeMap;
use std::sync::Arc;

use thiserror::Error;
use worklink_providers::api::{ApiError, HttpConfig};
use worklink_providers::token::{TokenManager, TokenStore};
use worklink_providers::{dingtalk, wecom};

use crate::config::{Config, Connection, Credentials, Provider};
use crate::storage::{Backend, Store};

pub use app::AppClient;
pub use check::CheckReport;
pub use refresh_lock::RefreshLockedStore;
pub use robots::RobotClient;
pub use token_memo::MemoizedTokenStore;

/// Why a client could not be found, built or used.
#[derive(Debug, Error)]
pub enum ClientsError {
    /// No `[connections.<name>]` with this name.
    #[error("no connection named `{0}` is configured")]
    UnknownConnection(String),
    /// The connection exists but belongs to the other provider.
    #[error("connection `{name}` is a {actual} connection, not {expected}", actual = .actual.as_str(), expected = .expected.as_str())]
    WrongProvider {
        /// The connection's name.
        name: String,
        /// The provider the caller asked for.
        expected: Provider,
        /// The provider the connection is configured for.
        actual: Provider,
    },
    /// No `[robots.<name>]` with this name.
    #[error("no robot named `{0}` is configured")]
    UnknownRobot(String),
    /// A robot's webhook URL does not carry what its provider needs.
    #[error("robot `{robot}`: {reason}")]
    RobotUrl {
        /// The robot's name.
        robot: String,
        /// What is wrong with the URL (never the URL itself: it embeds the credential).
        reason: String,
    },
    /// The provider refused or could not be reached; the error carries errcode and hint.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// One configured connection and its client.
#[derive(Debug)]
struct App {
    connection: Connection,
    client: AppClient,
}

/// The clients of every configured connection and robot. Share it behind the `Arc`
/// [`Clients::new`] returns.
#[derive(Debug)]
pub struct Clients {
    apps: BTreeMap<String, App>,
    robots: BTreeMap<String, RobotClient>,
}

impl Clients {
    /// Clients for every connection and robot of `config`, with default timeouts and retries,
    /// caching tokens in `store`.
    pub fn new(config: &Config, store: Store) -> Result<Arc<Self>, ClientsError> {
        Self::with_http(config, store, &HttpConfig::default())
    }

    /// Like [`Clients::new`] with explicit network settings (tests use millisecond backoff).
    pub fn with_http(
        config: &Config,
        store: Store,
        http: &HttpConfig,
    ) -> Result<Arc<Self>, ClientsError> {
        let database: Arc<dyn TokenStore> = match store.backend() {
            Backend::Postgres => Arc::new(RefreshLockedStore::new(store)),
            // A SQLite file belongs to one process, whose token manager already refreshes once.
            Backend::Sqlite => Arc::new(store),
        };
        let memo = MemoizedTokenStore::new(database);
        let tokens = Arc::new(TokenManager::new(Arc::new(memo)));
        let apps = config
            .connections
            .iter()
            .map(|connection| {
                let client = app_client(connection, http, tokens.clone());
                let app = App {
                    connection: connection.clone(),
                    client,
                };
                (connection.name.clone(), app)
            })
            .collect();
        let robots = config
            .robots
            .iter()
            .map(|robot| Ok((robot.name.clone(), RobotClient::new(robot, http)?)))
            .collect::<Result<_, ClientsError>>()?;
        Ok(Arc::new(Clients { apps, robots }))
    }

    /// The configured connection `name`.
    pub fn connection(&self, name: &str) -> Result<&Connection, ClientsError> {
        Ok(&self.app_entry(name)?.connection)
    }

    /// The client of connection `name`, whichever provider it is.
    pub fn app(&self, name: &str) -> Result<&AppClient, ClientsError> {
        Ok(&self.app_entry(name)?.client)
    }

    /// The WeCom client of connection `name`.
    pub fn wecom(&self, name: &str) -> Result<&wecom::Client, ClientsError> {
        match self.app(name)? {
            AppClient::WeCom(client) => Ok(client),
            AppClient::DingTalk(_) => Err(self.wrong_provider(name, Provider::Wecom)),
        }
    }

    /// The DingTalk client of connection `name`.
    pub fn dingtalk(&self, name: &str) -> Result<&dingtalk::Client, ClientsError> {
        match self.app(name)? {
            AppClient::DingTalk(client) => Ok(client),
            AppClient::WeCom(_) => Err(self.wrong_provider(name, Provider::Dingtalk)),
        }
    }

    /// The robot `name`.
    pub fn robot(&self, name: &str) -> Result<&RobotClient, ClientsError> {
        self.robots
            .get(name)
            .ok_or_else(|| ClientsError::UnknownRobot(name.to_owned()))
    }

    /// Names of the configured connections, in config file order.
    pub fn connection_names(&self) -> impl Iterator<Item = &str> {
        self.apps.keys().map(String::as_str)
    }

    fn app_entry(&self, name: &str) -> Result<&App, ClientsError> {
        self.apps
            .get(name)
            .ok_or_else(|| ClientsError::UnknownConnection(name.to_owned()))
    }

    fn wrong_provider(&self, name: &str, expected: Provider) -> ClientsError {
        let actual = self
            .apps
            .get(name)
            .map_or(expected, |app| app.connection.provider());
        ClientsError::WrongProvider {
            name: name.to_owned(),
            expected,
            actual,
        }
    }
}

/// The provider client for `connection`: the provider's real hosts unless `api_base` points
/// elsewhere (a simulator or a private deployment serves every host of the provider there).
fn app_client(connection: &Connection, http: &HttpConfig, tokens: Arc<TokenManager>) -> AppClient {
    let base = connection
        .api_base
        .as_ref()
        .map(|url| url.as_str().trim_end_matches('/').to_owned());
    match &connection.credentials {
        Credentials::Wecom { secret } => {
            let mut config =
                wecom::WeComConfig::new(&connection.corp_id, connection.agent_id, secret.clone());
            if let Some(base) = base {
                config.base_url = base;
            }
            config.http = http.clone();
            AppClient::WeCom(wecom::Client::new(config, tokens))
        }
        Credentials::Dingtalk {
            app_key,
            app_secret,
        } => {
            let mut config =
                dingtalk::DingTalkConfig::new(app_key, app_secret.clone(), connection.agent_id);
            if let Some(base) = base {
                config.oapi_url = base.clone();
                config.api_url = base;
            }
            config.http = http.clone();
            AppClient::DingTalk(dingtalk::Client::new(config, tokens))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::storage::SecretCipher;

    const CONFIG: &str = r#"
[connections.corp]
provider = "wecom"
corp_id = "wwcorp"
agent_id = 1000002
secret = "wecom-app-secret"
callback_token = "token"
callback_aes_key = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"

[connections.ding]
provider = "dingtalk"
corp_id = "dingcorp"
agent_id = 7
app_key = "dingkey"
app_secret = "dingtalk-app-secret"
callback_token = "token"
callback_aes_key = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
api_base = "http://127.0.0.1:9/"

[robots.ops]
provider = "wecom"
url = "http://127.0.0.1:9/cgi-bin/webhook/send?key=robot-key"
"#;

    async fn clients() -> Arc<Clients> {
        let config = Config::parse(CONFIG, Path::new("worklink.toml"), &|_| None).unwrap();
        let store = Store::open("sqlite::memory:", SecretCipher::from_bytes(&[1; 32]))
            .await
            .unwrap();
        Clients::new(&config, store).unwrap()
    }

    #[tokio::test]
    async fn each_connection_gets_its_providers_client() {
        let clients = clients().await;
        assert_eq!(clients.wecom("corp").unwrap().corp_id(), "wwcorp");
        assert_eq!(clients.dingtalk("ding").unwrap().app_key(), "dingkey");
        assert!(clients.robot("ops").is_ok());
        assert_eq!(
            clients.connection_names().collect::<Vec<_>>(),
            ["corp", "ding"]
        );
    }

    #[tokio::test]
    async fn asking_for_the_wrong_provider_or_an_unknown_name_is_a_typed_error() {
        let clients = clients().await;
        let wrong = clients.dingtalk("corp").unwrap_err();
        assert!(
            matches!(
                &wrong,
                ClientsError::WrongProvider {
                    actual: Provider::Wecom,
                    ..
                }
            ),
            "{wrong:?}"
        );
        assert_eq!(
            wrong.to_string(),
            "connection `corp` is a wecom connection, not dingtalk"
        );
        assert!(matches!(
            clients.wecom("nope"),
            Err(ClientsError::UnknownConnection(name)) if name == "nope"
        ));
        assert!(matches!(
            clients.robot("nope"),
            Err(ClientsError::UnknownRobot(_))
        ));
    }

    #[tokio::test]
    async fn debug_output_carries_no_secret() {
        let shown = format!("{:?}", clients().await);
        for secret in ["wecom-app-secret", "dingtalk-app-secret", "robot-key"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
    }
}
