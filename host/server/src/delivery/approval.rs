//! `approval_submit` effects: a new approval in the rule's connection.

use worklink_runtime::types::ApprovalRequest;

use super::Relay;
use super::error::DeliveryError;

/// Starts the approval; the result is its id (WeCom `sp_no`, DingTalk instance id).
pub(super) async fn deliver(
    relay: &Relay,
    connection: &str,
    request: &ApprovalRequest,
) -> Result<String, DeliveryError> {
    let app = relay.clients.app(connection)?;
    Ok(app.submit_approval(request).await?)
}
