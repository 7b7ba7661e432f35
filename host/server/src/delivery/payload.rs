//! The outbox payload: the staged effect as the runtime serialised it, plus the connection of
//! the rule that staged it (which app sends its messages and approvals).

use serde::Deserialize;
use worklink_runtime::invocation::StagedEffect;

use super::error::DeliveryError;

/// An outbox row's payload, decoded.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EffectPayload {
    /// The effect and the id the handler got back for it.
    #[serde(flatten)]
    pub staged: StagedEffect,
    /// The connection of the rule that staged it; absent for effects that need none.
    #[serde(default)]
    pub connection: Option<String>,
}

impl EffectPayload {
    /// Decodes an outbox row's `payload` text.
    pub fn parse(text: &str) -> Result<Self, DeliveryError> {
        serde_json::from_str(text).map_err(|err| DeliveryError::Payload(err.to_string()))
    }

    /// The connection, for effects that go through an app.
    pub fn connection(&self) -> Result<&str, DeliveryError> {
        self.connection.as_deref().ok_or_else(|| {
            DeliveryError::Payload("the effect names no connection to send through".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_runtime::invocation::Effect;

    #[test]
    fn reads_the_pipelines_shape() {
        let text = r#"{"id": "exec-7/0", "effect": "message", "connection": "corp",
            "to": {"users": ["zhangsan"]}, "message": {"type": "text", "content": "hi"}}"#;
        let payload = EffectPayload::parse(text).unwrap();
        assert_eq!(payload.staged.id, "exec-7/0");
        assert_eq!(payload.connection().unwrap(), "corp");
        assert!(matches!(payload.staged.effect, Effect::Message { .. }));
    }

    #[test]
    fn a_missing_connection_or_a_foreign_shape_is_a_payload_error() {
        let kv =
            r#"{"id": "exec-1/0", "effect": "kv_set", "scope": "s", "key": "k", "value": "v"}"#;
        let payload = EffectPayload::parse(kv).unwrap();
        assert!(matches!(
            payload.connection(),
            Err(DeliveryError::Payload(_))
        ));
        let foreign = EffectPayload::parse(r#"{"id": "x", "effect": "teleport"}"#).unwrap_err();
        assert!(foreign.to_string().contains("teleport"), "{foreign}");
    }
}
