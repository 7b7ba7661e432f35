//! "Test credentials": proves a connection works end to end before anything depends on it.
//!
//! One cheap authenticated read is enough: it needs a token (so `gettoken` runs with the
//! configured secret unless a token for exactly that secret is cached) and an answer from the
//! API (so the app's permissions and the server's IP allow-list are exercised too). A failure
//! comes back as the provider's [`ApiError`](worklink_providers::api::ApiError), errcode and
//! admin hint included.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Clients, ClientsError};

/// What a successful credential check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The connection checked.
    pub connection: String,
    /// `wecom` or `dingtalk`.
    pub provider: &'static str,
    /// The corp id the connection is configured with.
    pub corp_id: String,
    /// Departments the app can see: WeCom counts all of them, DingTalk the root's children.
    pub visible_departments: usize,
    /// How long the check took, token fetch included.
    #[serde(serialize_with = "millis")]
    pub elapsed: Duration,
}

fn millis<S: serde::Serializer>(elapsed: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u128(elapsed.as_millis())
}

impl Clients {
    /// Checks connection `name`'s credentials with one authenticated read.
    pub async fn check(&self, name: &str) -> Result<CheckReport, ClientsError> {
        let connection = self.connection(name)?;
        let started = Instant::now();
        let visible_departments = self.app(name)?.visible_departments().await?;
        Ok(CheckReport {
            connection: name.to_owned(),
            provider: connection.provider().as_str(),
            corp_id: connection.corp_id.clone(),
            visible_departments,
            elapsed: started.elapsed(),
        })
    }
}
