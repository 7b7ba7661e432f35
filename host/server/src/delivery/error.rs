//! Why a delivery attempt failed, and whether trying again can help.
//!
//! The relay retries only what the failure's class says is transient (busy, rate limited, 5xx,
//! timeouts, a database blip); everything else is a dead letter at once, with the provider's
//! errcode and, in the message, what an administrator should do. Provider errors keep the
//! classification the providers crate already made from its errcode tables.

use thiserror::Error;
use worklink_providers::api::{ApiError, ErrorClass, Failure};

use crate::clients::ClientsError;
use crate::storage::StorageError;

/// A failed delivery attempt.
#[derive(Debug, Error)]
pub enum DeliveryError {
    /// The outbox row is not an effect this version understands.
    #[error("malformed outbox payload: {0}; the effect was staged by an incompatible version")]
    Payload(String),
    /// The effect names a connection or robot that is not configured (or one of the wrong kind).
    #[error("{0}; hint: add it to worklink.toml or fix the rule, then requeue the dead letter")]
    Target(ClientsError),
    /// The provider refused or could not be reached.
    #[error(transparent)]
    Provider(#[from] ApiError),
    /// The ERP endpoint refused the document or could not be reached.
    #[error(transparent)]
    Erp(#[from] ErpError),
    /// An `erp_post` effect but no `[erp]` section in the configuration.
    #[error("no ERP is configured; hint: add an [erp] section with url and hmac_secret")]
    NoErp,
    /// The database failed while applying a `kv_set`.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A failed post to the ERP webhook.
#[derive(Debug, Error)]
#[error("ERP {endpoint}: {detail}{}", hint_suffix(.status))]
pub struct ErpError {
    /// Host and path posted to (no query, which might carry a credential).
    pub endpoint: String,
    /// The HTTP status, when the ERP answered.
    pub status: Option<u16>,
    /// What went wrong, readable.
    pub detail: String,
}

fn hint_suffix(status: &Option<u16>) -> &'static str {
    match status {
        Some(401 | 403) => {
            "; hint: check that the ERP verifies X-Worklink-Signature with the same hmac_secret"
        }
        Some(404) => "; hint: check [erp] url",
        Some(status) if *status < 500 => "; hint: the ERP rejected the document; see its answer",
        _ => "",
    }
}

impl ErpError {
    /// Whether the ERP may accept the same post later: no answer, 408, 429 or a 5xx.
    fn is_transient(&self) -> bool {
        match self.status {
            None => true,
            Some(status) => status == 408 || status == 429 || status >= 500,
        }
    }
}

impl From<ClientsError> for DeliveryError {
    fn from(err: ClientsError) -> Self {
        match err {
            ClientsError::Api(api) => DeliveryError::Provider(api),
            other => DeliveryError::Target(other),
        }
    }
}

impl DeliveryError {
    /// Whether a later attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DeliveryError::Provider(api) => match (&api.failure, api.class()) {
                // The token store is the database: an outage there passes.
                (Failure::Store(_), _) => true,
                // Still rejected after the one refresh the client makes: a later attempt
                // fetches a new token.
                (_, ErrorClass::TokenInvalid | ErrorClass::Transient) => true,
                (_, ErrorClass::Permanent) => false,
            },
            DeliveryError::Erp(erp) => erp.is_transient(),
            DeliveryError::Storage(_) => true,
            DeliveryError::Payload(_) | DeliveryError::Target(_) | DeliveryError::NoErp => false,
        }
    }

    /// The code recorded with a dead letter: the provider's errcode, or the ERP's HTTP status.
    pub fn errcode(&self) -> Option<String> {
        match self {
            DeliveryError::Provider(api) => match &api.failure {
                Failure::Rejected { errcode, .. } => Some(errcode.to_string()),
                Failure::Status(status) => Some(format!("http {status}")),
                _ => None,
            },
            DeliveryError::Erp(ErpError {
                status: Some(status),
                ..
            }) => Some(format!("http {status}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_providers::api::{ErrCode, Provider};

    fn rejected(provider: Provider, code: i64) -> DeliveryError {
        DeliveryError::Provider(ApiError::rejected(
            provider,
            "/cgi-bin/message/send",
            ErrCode::Number(code),
            "msg".into(),
            false,
        ))
    }

    #[test]
    fn provider_codes_keep_their_class_and_hint() {
        let busy = rejected(Provider::WeCom, 45009);
        assert!(busy.is_transient());
        let nobody = rejected(Provider::WeCom, 81013);
        assert!(!nobody.is_transient());
        assert_eq!(nobody.errcode().as_deref(), Some("81013"));
        assert!(
            nobody.to_string().contains("no valid recipient"),
            "{nobody}"
        );
        let ip = rejected(Provider::DingTalk, 60020);
        assert!(!ip.is_transient());
        assert!(ip.to_string().contains("allow-list"), "{ip}");
    }

    #[test]
    fn erp_statuses_split_into_retry_and_dead() {
        let erp = |status| {
            DeliveryError::Erp(ErpError {
                endpoint: "erp.example/hook".into(),
                status,
                detail: "answered".into(),
            })
        };
        for transient in [None, Some(408), Some(429), Some(502)] {
            assert!(erp(transient).is_transient(), "{transient:?}");
        }
        let denied = erp(Some(401));
        assert!(!denied.is_transient());
        assert_eq!(denied.errcode().as_deref(), Some("http 401"));
        assert!(denied.to_string().contains("X-Worklink-Signature"));
    }

    #[test]
    fn configuration_mistakes_are_dead_at_once() {
        let unknown = DeliveryError::from(ClientsError::UnknownRobot("ops".into()));
        assert!(!unknown.is_transient());
        assert!(
            unknown
                .to_string()
                .contains("hint: add it to worklink.toml")
        );
        assert!(!DeliveryError::NoErp.is_transient());
    }
}
