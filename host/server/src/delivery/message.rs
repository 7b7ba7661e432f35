//! `message` effects: an app message through the rule's connection.
//!
//! A crash between the provider's answer and the outbox update makes the relay send again; the
//! connection's client asks WeCom to drop the repeat (duplicate check) and DingTalk drops
//! identical content to the same member by itself, so the member sees it once.

use worklink_runtime::types::{Message, Recipients};

use super::Relay;
use super::error::DeliveryError;

/// Sends the message; the result is the provider's message / task id.
pub(super) async fn deliver(
    relay: &Relay,
    connection: &str,
    to: &Recipients,
    message: &Message,
) -> Result<String, DeliveryError> {
    let app = relay.clients.app(connection)?;
    Ok(app.send_message(to, message).await?)
}
