//! [`AppClient`]: one connection's client, whichever provider it belongs to.
//!
//! Handlers and effects speak the runtime's provider-neutral types (`Message`, `Recipients`,
//! `ApprovalRequest`); this is the one place that picks the provider's call for them, with the
//! shape conversions in [`super::shapes`].

use std::time::Duration;

use worklink_providers::api::{self, ApiError};
use worklink_providers::{dingtalk, wecom};
use worklink_runtime::types::{ApprovalRequest, Message, Recipients};

use super::shapes;
use crate::config::Provider;

/// DingTalk's root department: `listsub` from it, level by level, reaches every department.
pub const DINGTALK_ROOT: i64 = 1;

/// How long WeCom drops a repeat of an app message sent with the duplicate check. The outbox
/// retries within minutes, so WeCom's default window (30 minutes) covers a resend after a crash.
pub const DUPLICATE_CHECK_WINDOW: Duration = Duration::from_secs(1800);

/// The client of one connection.
#[derive(Debug, Clone)]
pub enum AppClient {
    /// A WeCom app.
    WeCom(wecom::Client),
    /// A DingTalk app.
    DingTalk(dingtalk::Client),
}

impl AppClient {
    /// Which provider the connection belongs to.
    pub fn provider(&self) -> Provider {
        match self {
            AppClient::WeCom(_) => Provider::Wecom,
            AppClient::DingTalk(_) => Provider::Dingtalk,
        }
    }

    /// Sends an app message; returns the provider's id for it (WeCom `msgid`, DingTalk
    /// `task_id`).
    ///
    /// A resend of the same message is not delivered twice: WeCom is asked to drop repeats
    /// (`enable_duplicate_check`), and DingTalk itself delivers identical content to a member
    /// at most once a day.
    pub async fn send_message(
        &self,
        to: &Recipients,
        message: &Message,
    ) -> Result<String, ApiError> {
        let to = api::Recipients {
            users: to.users.clone(),
            departments: to.departments.clone(),
            tags: to.tags.clone(),
            all: to.all,
        };
        match self {
            AppClient::WeCom(client) => {
                let message = shapes::wecom_message(message);
                let sent = client
                    .send_message_deduplicated(&to, &message, DUPLICATE_CHECK_WINDOW)
                    .await?;
                Ok(sent.msgid)
            }
            AppClient::DingTalk(client) => {
                let message = shapes::dingtalk_message(message);
                let sent = client.send_message(&to, &message).await?;
                Ok(sent.task_id.to_string())
            }
        }
    }

    /// Departments the app can see, read the cheapest way each provider offers: WeCom lists
    /// every department id at once, DingTalk the root's children.
    pub async fn visible_departments(&self) -> Result<usize, ApiError> {
        Ok(match self {
            AppClient::WeCom(client) => client.list_department_ids(None).await?.len(),
            AppClient::DingTalk(client) => client.list_departments(DINGTALK_ROOT).await?.len(),
        })
    }

    /// Starts an approval; returns its id (WeCom `sp_no`, DingTalk `process_instance_id`).
    pub async fn submit_approval(&self, request: &ApprovalRequest) -> Result<String, ApiError> {
        match self {
            AppClient::WeCom(client) => {
                client
                    .submit_approval(&shapes::wecom_approval(request))
                    .await
            }
            AppClient::DingTalk(client) => {
                client
                    .start_process(&shapes::dingtalk_approval(request))
                    .await
            }
        }
    }
}
