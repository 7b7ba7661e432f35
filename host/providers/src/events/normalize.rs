//! What every event gets regardless of provider: the kind prefix, `corp_id` and `raw` in the
//! payload, the occurred-at fallback, and the dedup key.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Provider, ProviderEvent};

/// Longest raw type or subject copied into a kind or key.
const MAX_SEGMENT: usize = 64;
/// Hex characters of the content digest kept in the dedup key (128 bits).
const DIGEST_HEX: usize = 32;

/// One decrypted callback, before mapping.
pub(crate) struct Callback<'a> {
    pub provider: Provider,
    /// The tenant the callback belongs to (corp id), empty when the callback does not say.
    pub corp_id: String,
    /// The provider's own event type (`change_contact`, `user_add_org`, `text`…).
    pub raw_type: &'a str,
    /// Every decrypted field.
    pub raw: &'a Map<String, Value>,
    /// When the request arrived, per the signed envelope timestamp, in milliseconds.
    pub delivered_at_ms: i64,
}

/// A provider mapping's result for one event.
pub(crate) struct Mapped {
    /// The kind without the provider prefix, e.g. `contact.user.created`.
    pub kind: String,
    /// The readable identity part of the dedup key (user id, instance id, …).
    pub subject: String,
    /// The time the callback itself states, in milliseconds.
    pub occurred_at_ms: Option<i64>,
    /// The shared shape, serialised.
    pub payload: Value,
}

impl Mapped {
    /// A mapped event from a shared shape.
    pub(crate) fn new(kind: &str, subject: impl Into<String>, occurred_at_ms: Option<i64>, shape: impl Serialize) -> Self {
        // The shapes are plain structs of strings and numbers; serialising them cannot fail, and an
        // empty object is the harmless answer if one ever did.
        let payload = serde_json::to_value(shape).unwrap_or_else(|_| Value::Object(Map::new()));
        Self { kind: kind.to_owned(), subject: subject.into(), occurred_at_ms, payload }
    }

    /// The generic event for a type this crate does not map: `event.<raw type>`, raw fields only.
    pub(crate) fn generic(raw_type: &str, occurred_at_ms: Option<i64>) -> Self {
        Self {
            kind: format!("event.{}", kind_segment(raw_type)),
            subject: String::new(),
            occurred_at_ms,
            payload: Value::Object(Map::new()),
        }
    }
}

/// A provider's type name as one lower-case kind segment.
pub(crate) fn kind_segment(raw_type: &str) -> String {
    segment(raw_type).to_ascii_lowercase().replace('.', "_")
}

/// Keeps kinds and keys to `[A-Za-z0-9_.-]` and bounded length, whatever the callback says.
fn segment(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .take(MAX_SEGMENT)
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
        .collect();
    if cleaned.is_empty() { "unknown".to_owned() } else { cleaned }
}

/// SHA-256 over the fields serialised with sorted keys, so the digest depends only on content.
pub(crate) fn digest(raw: &Map<String, Value>) -> String {
    let mut hasher = Sha256::new();
    canonical_object(raw, &mut hasher);
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(DIGEST_HEX);
    hex
}

fn canonical_object(map: &Map<String, Value>, out: &mut Sha256) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.update(b"{");
    for (key, value) in entries {
        json_scalar(key, out);
        out.update(b":");
        canonical(value, out);
        out.update(b",");
    }
    out.update(b"}");
}

fn canonical(value: &Value, out: &mut Sha256) {
    match value {
        Value::Object(map) => canonical_object(map, out),
        Value::Array(items) => {
            out.update(b"[");
            for item in items {
                canonical(item, out);
                out.update(b",");
            }
            out.update(b"]");
        }
        scalar => json_scalar(scalar, out),
    }
}

/// Writes a JSON scalar (quoted and escaped for strings) straight into the hasher.
fn json_scalar(value: &(impl Serialize + ?Sized), out: &mut Sha256) {
    // Writing into a hasher cannot fail and scalars always serialise.
    let _ = serde_json::to_writer(out, value);
}

/// Turns a mapping result into the event: prefixes the kind, adds `corp_id` and `raw`, falls back
/// to the delivery time, and builds the dedup key.
///
/// An event whose callback states no time of its own (DingTalk `check_url`) has nothing that tells
/// one occurrence from the next, so its key includes the delivery time: every URL check is seen.
pub(crate) fn finish(callback: &Callback<'_>, digest: &str, mapped: Mapped) -> ProviderEvent {
    let provider = callback.provider.as_str();
    let mut subject = segment_or_empty(&mapped.subject);
    let occurred_at_ms = match mapped.occurred_at_ms {
        Some(t) => t,
        None => {
            subject = format!("{subject}@{}", callback.delivered_at_ms);
            callback.delivered_at_ms
        }
    };
    let corp = segment_or_empty(&callback.corp_id);
    let dedup_key = format!("{provider}:{corp}:{}:{subject}:{digest}", segment(callback.raw_type));
    let mut payload = match mapped.payload {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    payload.insert("corp_id".into(), Value::String(callback.corp_id.clone()));
    payload.insert("raw".into(), Value::Object(callback.raw.clone()));
    ProviderEvent {
        provider: callback.provider,
        kind: format!("{provider}.{}", mapped.kind),
        dedup_key,
        occurred_at_ms,
        payload: Value::Object(payload),
    }
}

fn segment_or_empty(s: &str) -> String {
    if s.is_empty() { String::new() } else { segment(s) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_ignores_key_order_but_not_content() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "s"}});
        let b = json!({"a": {"x": "s", "y": [1, 2]}, "b": 1});
        let c = json!({"a": {"x": "s", "y": [2, 1]}, "b": 1});
        assert_eq!(digest(a.as_object().unwrap()), digest(b.as_object().unwrap()));
        assert_ne!(digest(a.as_object().unwrap()), digest(c.as_object().unwrap()));
        assert_eq!(digest(a.as_object().unwrap()).len(), DIGEST_HEX);
    }

    #[test]
    fn generic_kinds_are_sanitised() {
        assert_eq!(Mapped::generic("LOCATION_select", None).kind, "event.location_select");
        assert_eq!(Mapped::generic("a b/c:d", None).kind, "event.a_b_c_d");
        assert_eq!(Mapped::generic("", None).kind, "event.unknown");
    }

    #[test]
    fn events_without_their_own_time_use_and_key_on_delivery_time() {
        let raw = json!({"EventType": "check_url"});
        let raw = raw.as_object().unwrap();
        let at = |delivered_at_ms| {
            let cb = Callback { provider: Provider::DingTalk, corp_id: String::new(), raw_type: "check_url", raw, delivered_at_ms };
            finish(&cb, &digest(raw), Mapped::new("check_url", "", None, json!({})))
        };
        let (first, second) = (at(1000), at(2000));
        assert_eq!(first.occurred_at_ms, 1000);
        assert_eq!(first.kind, "dingtalk.check_url");
        assert_ne!(first.dedup_key, second.dedup_key);
        assert_eq!(first.payload["raw"]["EventType"], "check_url");
    }
}
