//! Why a decrypted callback could not be turned into an event.

/// A decrypted callback that is not a usable event. Unknown event types are *not* errors (they
/// become generic events); these are callbacks that are broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The plaintext is not well-formed XML (WeCom).
    #[error("malformed XML at byte {position}: {reason}")]
    Xml {
        /// Byte offset in the decrypted plaintext.
        position: u64,
        /// The parser's description.
        reason: String,
    },
    /// The plaintext is not well-formed JSON (DingTalk, WeCom JSON callbacks).
    #[error("malformed JSON at line {line} column {column}: {reason}")]
    Json {
        /// 1-based line in the decrypted plaintext.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        reason: String,
    },
    /// The plaintext parsed but is not a field map (`<xml>…</xml>` or a JSON object).
    #[error("callback is not a field map: {reason}")]
    NotAMap {
        /// What was found instead.
        reason: &'static str,
    },
    /// A field the event type requires is absent or empty.
    #[error("{event} callback lacks required field {field}")]
    MissingField {
        /// The raw event type.
        event: String,
        /// The provider's field name.
        field: &'static str,
    },
    /// A field is present but has the wrong form (e.g. a non-numeric department id).
    #[error("field {field} has an invalid value {value:?}: expected {expected}")]
    InvalidField {
        /// The provider's field name.
        field: &'static str,
        /// The offending value, truncated to 64 characters.
        value: String,
        /// What the field should hold.
        expected: &'static str,
    },
}
