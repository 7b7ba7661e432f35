//! Decrypted callbacks, normalised into [`ProviderEvent`]s with stable dedup keys.
//!
//! WeCom sends XML and DingTalk JSON, with different names for the same facts. Each provider has
//! one mapping module ([`wecom`], [`dingtalk`]) that turns its fields into the shared payload shapes
//! of [`shapes`]; `normalize` adds what every event has (corp id, raw fields, dedup key, time).
//! [`ingest`] is the whole request path (envelope → crypto → event) and [`fuzz`] drives it with
//! arbitrary bytes.
//!
//! Kinds follow `<provider>.<area>.<object>.<verb>` (`wecom.contact.user.created`,
//! `dingtalk.approval.task.changed`); a callback type this crate does not know becomes
//! `<provider>.event.<raw type>` carrying the raw fields, never an error.

pub mod dingtalk;
mod error;
mod fields;
pub mod fuzz;
pub mod ingest;
mod json;
mod normalize;
mod payload;
mod raw;
pub mod shapes;
#[cfg(test)]
mod text_edits;
pub mod wecom;
mod xml;
mod xml_scan;

pub use error::EventError;
pub use payload::{Payload, Shape};
pub use raw::RawFields;

use serde::{Deserialize, Serialize};

/// Which service a callback came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WeCom (企业微信).
    WeCom,
    /// DingTalk (钉钉).
    DingTalk,
}

impl Provider {
    /// The lower-case name used as the first segment of kinds and dedup keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::WeCom => "wecom",
            Provider::DingTalk => "dingtalk",
        }
    }
}

/// One normalised callback event, ready for the inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderEvent {
    /// The service that sent it; also the first segment of `kind`.
    pub provider: Provider,
    /// What happened, `<provider>.<area>.<object>.<verb>`; rules match on it.
    pub kind: String,
    /// Identical for every delivery of the same callback (the providers retry), different for
    /// different callbacks: the inbox drops an event whose key it has seen. Shape:
    /// `<provider>:<corp>:<raw type>:<subject>:<digest>`. The readable part is for operators; the
    /// digest (a 128-bit hash of the decrypted plaintext, which a retry repeats byte for byte while the
    /// envelope's timestamp, nonce and random prefix change) tells apart two different callbacks
    /// about the same subject in the same second.
    pub dedup_key: String,
    /// When the provider says it happened, in Unix milliseconds; the delivery timestamp when the
    /// callback carries none.
    pub occurred_at_ms: i64,
    /// The shared shape for the kind (see [`shapes`]) plus `corp_id` and `raw` (every decrypted
    /// field, for what the shape does not cover); serialises to the JSON object the inbox stores.
    pub payload: Payload,
}
