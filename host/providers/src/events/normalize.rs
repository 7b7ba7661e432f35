//! What every event gets regardless of provider: the kind prefix, `corp_id` and `raw` in the
//! payload, the occurred-at fallback, and the dedup key.

use std::borrow::Cow;
use std::fmt::Write as _;

use twox_hash::XxHash3_128;

use super::payload::{Payload, Shape};
use super::raw::RawFields;
use super::{Provider, ProviderEvent};

/// Longest raw type or subject copied into a kind or key.
const MAX_SEGMENT: usize = 64;
/// Hex characters of the content digest kept in the dedup key (128 bits).
const DIGEST_HEX: usize = 32;

/// One decrypted callback, before mapping: what all its events share.
pub(crate) struct Callback {
    provider: Provider,
    /// The tenant the callback belongs to (corp id), empty when the callback does not say.
    corp_id: String,
    /// The provider's own event type (`change_contact`, `user_add_org`, `text`…).
    raw_type: String,
    /// Digest of the decrypted plaintext: see [`ProviderEvent::dedup_key`].
    digest: u128,
    /// When the request arrived, per the signed envelope timestamp, in milliseconds.
    delivered_at_ms: i64,
}

impl Callback {
    /// Describes a decrypted callback; `plaintext` is digested for the dedup keys.
    pub(crate) fn new(provider: Provider, plaintext: &str, corp_id: String, raw_type: String, delivered_at_ms: i64) -> Self {
        Self { provider, corp_id, raw_type, digest: digest(plaintext), delivered_at_ms }
    }
}

/// A provider mapping's result for one event.
pub(crate) struct Mapped {
    /// The kind without the provider prefix, e.g. `contact.user.created`.
    pub kind: Cow<'static, str>,
    /// The readable identity part of the dedup key (user id, instance id, …).
    pub subject: String,
    /// The time the callback itself states, in milliseconds.
    pub occurred_at_ms: Option<i64>,
    /// The shared shape, still typed: it is written once, with the rest of the payload.
    pub shape: Shape,
}

impl Mapped {
    /// A mapped event from a shared shape.
    pub(crate) fn new(
        kind: impl Into<Cow<'static, str>>,
        subject: impl Into<String>,
        occurred_at_ms: Option<i64>,
        shape: impl Into<Shape>,
    ) -> Self {
        Self { kind: kind.into(), subject: subject.into(), occurred_at_ms, shape: shape.into() }
    }

    /// The generic event for a type this crate does not map: `event.<raw type>`, raw fields only.
    pub(crate) fn generic(raw_type: &str, occurred_at_ms: Option<i64>) -> Self {
        Self {
            kind: format!("event.{}", kind_segment(raw_type)).into(),
            subject: String::new(),
            occurred_at_ms,
            shape: Shape::None,
        }
    }
}

/// A provider's type name as one lower-case kind segment.
pub(crate) fn kind_segment(raw_type: &str) -> String {
    segment(raw_type).to_ascii_lowercase().replace('.', "_")
}

/// Keeps kinds and keys to `[A-Za-z0-9_.-]` and bounded length, whatever the callback says.
fn segment(s: &str) -> String {
    let mut cleaned = String::with_capacity(MAX_SEGMENT);
    push_name(&mut cleaned, s);
    cleaned
}

/// Appends `s` cleaned like [`segment`], nothing for an empty `s`. The dedup key is written in
/// place this way rather than formatted from a separate string per part.
fn push_segment(out: &mut String, s: &str) {
    let clean = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    // Ids and type names nearly always need no cleaning: copied whole rather than char by char.
    if s.len() <= MAX_SEGMENT && s.bytes().all(clean) {
        out.push_str(s);
        return;
    }
    out.extend(s.chars().take(MAX_SEGMENT).map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' }));
}

/// Like [`push_segment`] for a part that must not be empty: a missing name reads `unknown`.
fn push_name(out: &mut String, s: &str) {
    if s.is_empty() { out.push_str("unknown") } else { push_segment(out, s) }
}

/// XXH3-128 over the decrypted plaintext. A provider's retry re-encrypts the same plaintext (new
/// random prefix, timestamp and nonce outside it), so the plaintext itself is the stable identity;
/// hashing its bytes avoids re-serialising the parsed fields on the request path.
///
/// A non-cryptographic hash is enough here, at about 30 ns where SHA-256 took 0.8 µs on a 1 KiB
/// callback:
/// the plaintext reaches this point only after its signature checked out and it decrypted under
/// the connection's key, so it was written by the provider, not by someone choosing inputs to
/// collide. What the digest must do is tell apart the provider's own distinct callbacks that share
/// corp, type, subject (and second), and 128 bits make an accidental collision among those
/// negligible.
fn digest(plaintext: &str) -> u128 {
    XxHash3_128::oneshot(plaintext.as_bytes())
}

/// Turns a callback's mapping results into its events, each carrying the callback's `corp_id` and
/// `raw` fields: the last event takes them, the ones before it (of a DingTalk batch) get copies.
pub(crate) fn finish(mut callback: Callback, mapped: impl IntoIterator<Item = Mapped>, raw: RawFields) -> Vec<ProviderEvent> {
    let mut mapped = mapped.into_iter();
    let mut events = Vec::with_capacity(mapped.size_hint().0);
    let mut next = mapped.next();
    while let Some(one) = next {
        next = mapped.next();
        if next.is_some() {
            let corp_id = callback.corp_id.clone();
            events.push(event(&callback, one, corp_id, raw.clone()));
        } else {
            let corp_id = std::mem::take(&mut callback.corp_id);
            events.push(event(&callback, one, corp_id, raw));
            break;
        }
    }
    events
}

/// One event: prefixes the kind, adds `corp_id` and the `raw` fields, falls back to the delivery
/// time, and builds the dedup key (from `corp_id`: the callback's own may have been handed over).
///
/// An event whose callback states no time of its own (DingTalk `check_url`) has nothing that tells
/// one occurrence from the next, so its key includes the delivery time: every URL check is seen.
fn event(callback: &Callback, mapped: Mapped, corp_id: String, raw: RawFields) -> ProviderEvent {
    let provider = callback.provider.as_str();
    // `<provider>:<corp>:<raw type>:<subject>[@<delivered>]:<digest>`, each part cleaned.
    let mut dedup_key = String::with_capacity(provider.len() + 3 * MAX_SEGMENT + DIGEST_HEX + 24);
    dedup_key.push_str(provider);
    dedup_key.push(':');
    push_segment(&mut dedup_key, &corp_id);
    dedup_key.push(':');
    push_name(&mut dedup_key, &callback.raw_type);
    dedup_key.push(':');
    push_segment(&mut dedup_key, &mapped.subject);
    let occurred_at_ms = match mapped.occurred_at_ms {
        Some(t) => t,
        None => {
            // Writing into a String cannot fail.
            let _ = write!(dedup_key, "@{}", callback.delivered_at_ms);
            callback.delivered_at_ms
        }
    };
    // Writing into a String cannot fail.
    let _ = write!(dedup_key, ":{:0width$x}", callback.digest, width = DIGEST_HEX);
    ProviderEvent {
        provider: callback.provider,
        kind: [provider, ".", &mapped.kind].concat(),
        dedup_key,
        occurred_at_ms,
        payload: Payload { shape: mapped.shape, corp_id, raw },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_depends_on_every_byte_of_the_plaintext() {
        assert_eq!(digest("<xml>a</xml>"), digest("<xml>a</xml>"));
        assert_ne!(digest("<xml>a</xml>"), digest("<xml>b</xml>"));
        let cb = Callback::new(Provider::WeCom, "", String::new(), "text".into(), 0);
        let key = finish(cb, [Mapped::generic("text", Some(0))], RawFields::json(serde_json::Map::new())).remove(0).dedup_key;
        let (_, hex) = key.rsplit_once(':').unwrap_or_default();
        assert_eq!(hex.len(), DIGEST_HEX, "{key}");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    }

    #[test]
    fn generic_kinds_are_sanitised() {
        assert_eq!(Mapped::generic("LOCATION_select", None).kind, "event.location_select");
        assert_eq!(Mapped::generic("a b/c:d", None).kind, "event.a_b_c_d");
        assert_eq!(Mapped::generic("", None).kind, "event.unknown");
    }

    #[test]
    fn events_without_their_own_time_use_and_key_on_delivery_time() {
        let at = |delivered_at_ms| {
            let cb = Callback::new(Provider::DingTalk, r#"{"EventType":"check_url"}"#, String::new(), "check_url".into(), delivered_at_ms);
            let raw = json!({"EventType": "check_url"}).as_object().cloned().unwrap_or_default();
            finish(cb, [Mapped::new("check_url", "", None, Shape::None)], RawFields::json(raw)).remove(0)
        };
        let (first, second) = (at(1000), at(2000));
        assert_eq!(first.occurred_at_ms, 1000);
        assert_eq!(first.kind, "dingtalk.check_url");
        assert_ne!(first.dedup_key, second.dedup_key);
        assert_eq!(first.payload.to_value().unwrap()["raw"]["EventType"], "check_url");
    }
}
