//! The whole callback request path in one call: envelope → signature and decryption → events.
//! The HTTP layer, the fuzz target and the benchmark all go through these functions.

use crate::crypto::{self, CallbackCrypto, CryptoError};

use super::{EventError, ProviderEvent, dingtalk, wecom};

/// Why a callback request produced no events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The request failed verification or decryption: answer with an error, WeCom/DingTalk will
    /// retry or report it.
    #[error("callback rejected: {0}")]
    Crypto(#[from] CryptoError),
    /// The request was authentic but its content is broken; the plaintext is kept so it can be
    /// stored for inspection instead of retried forever.
    #[error("callback content unusable: {error}")]
    Event {
        /// What is wrong with the content.
        #[source]
        error: EventError,
        /// The decrypted callback.
        plaintext: String,
    },
}

/// Parses the signed `timestamp` query value; `unit_ms` converts it to milliseconds.
fn delivered_at_ms(timestamp: &str, unit_ms: i64) -> Result<i64, CryptoError> {
    timestamp
        .trim()
        .parse::<i64>()
        .map(|t| t.saturating_mul(unit_ms))
        .map_err(|_| CryptoError::envelope(format!("timestamp {:?} is not an integer", timestamp.chars().take(32).collect::<String>())))
}

/// Verifies, decrypts and parses a WeCom event POST (XML body, or the JSON variant when the body
/// is a JSON object).
pub fn wecom(
    crypto: &CallbackCrypto,
    query: &crypto::wecom::CallbackQuery,
    body: &[u8],
) -> Result<Vec<ProviderEvent>, IngestError> {
    let json_body = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    crypto::wecom::decrypt_with(crypto, query, body, json_body, |plaintext| {
        let at = delivered_at_ms(&query.timestamp, 1000)?;
        wecom::parse(plaintext, at).map_err(|error| event_error(error, plaintext))
    })?
}

/// Verifies, decrypts and parses a DingTalk push (`{"encrypt": …}` body).
pub fn dingtalk(
    crypto: &CallbackCrypto,
    query: &crypto::dingtalk::CallbackQuery,
    body: &[u8],
) -> Result<Vec<ProviderEvent>, IngestError> {
    crypto::dingtalk::decrypt_with(crypto, query, body, |plaintext| {
        let at = delivered_at_ms(&query.timestamp, 1)?;
        dingtalk::parse(plaintext, at).map_err(|error| event_error(error, plaintext))
    })?
}

/// The plaintext is lent by the crypto layer; only a failed parse keeps a copy of it.
fn event_error(error: EventError, plaintext: &str) -> IngestError {
    IngestError::Event { error, plaintext: plaintext.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> CallbackCrypto {
        CallbackCrypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7").unwrap()
    }

    #[test]
    fn official_wecom_xml_message_becomes_a_text_event() {
        // Vector B-2 of the reference, as WeCom would POST it.
        let c = crypto();
        let encrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";
        let body = crypto::wecom::request_xml("wx5823bf96d3bd56c7", "218", encrypt);
        let query = crypto::wecom::CallbackQuery {
            msg_signature: "477715d11cdb4164915debcba66cb864d751f3e6".into(),
            timestamp: "1409659813".into(),
            nonce: "1372623149".into(),
            echostr: None,
        };
        let events = wecom(&c, &query, body.as_bytes()).unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.kind, "wecom.message.text.received");
        assert_eq!(event.occurred_at_ms, 1_409_659_813_000);
        assert_eq!(event.payload.to_value().unwrap()["user_id"], "mycreate");
        assert_eq!(event.payload.to_value().unwrap()["content"], "hello");
        assert_eq!(event.payload.to_value().unwrap()["msg_id"], "4561255354251345929");
        assert_eq!(event.payload.to_value().unwrap()["agent_id"], 218);
        assert_eq!(event.payload.to_value().unwrap()["corp_id"], "wx5823bf96d3bd56c7");
        assert!(event.dedup_key.starts_with("wecom:wx5823bf96d3bd56c7:text:4561255354251345929:"));

        // The JSON variant of the same message (a fresh encryption: new random, new signature)
        // is the same event with the same dedup key.
        let plaintext = c.decrypt_unsigned(encrypt).unwrap();
        let env = c.encrypt(&plaintext, "1409659999", "other");
        let json_body = format!(r#" {{"tousername":"wx5823bf96d3bd56c7","encrypt":"{}","agentid":218}}"#, env.encrypt);
        let retry_query = crypto::wecom::CallbackQuery {
            msg_signature: env.msg_signature,
            timestamp: env.timestamp,
            nonce: env.nonce,
            echostr: None,
        };
        let retried = wecom(&c, &retry_query, json_body.as_bytes()).unwrap();
        assert_eq!(retried, events);
    }

    #[test]
    fn official_dingtalk_check_url_becomes_a_check_url_event() {
        let c = CallbackCrypto::new("mryue", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "ding6ccabc44d2c8d38b").unwrap();
        let body = crypto::dingtalk::request_body(
            "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3",
        );
        let query = crypto::dingtalk::CallbackQuery {
            msg_signature: "03044561471240d4a14bb09372dfcfd4fd0e40cb".into(),
            timestamp: "1608001896814".into(),
            nonce: "WL4PK6yA".into(),
        };
        let events = dingtalk(&c, &query, body.as_bytes()).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "dingtalk.check_url");
        assert_eq!(events[0].occurred_at_ms, 1_608_001_896_814);
    }

    #[test]
    fn authentic_but_broken_content_keeps_the_plaintext() {
        let c = crypto();
        let env = c.encrypt("<xml><MsgType>text</MsgType>", "1", "n");
        let body = crypto::wecom::request_xml("wx5823bf96d3bd56c7", "1", &env.encrypt);
        let query = crypto::wecom::CallbackQuery { msg_signature: env.msg_signature, timestamp: "1".into(), nonce: "n".into(), echostr: None };
        match wecom(&c, &query, body.as_bytes()) {
            Err(IngestError::Event { error: EventError::Xml { .. }, plaintext }) => assert_eq!(plaintext, "<xml><MsgType>text</MsgType>"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn non_numeric_timestamps_are_envelope_errors() {
        let c = crypto();
        let env = c.encrypt("<xml><MsgType>text</MsgType><Content>x</Content></xml>", "soon", "n");
        let body = crypto::wecom::request_xml("wx5823bf96d3bd56c7", "1", &env.encrypt);
        let query = crypto::wecom::CallbackQuery { msg_signature: env.msg_signature, timestamp: "soon".into(), nonce: "n".into(), echostr: None };
        assert!(matches!(wecom(&c, &query, body.as_bytes()), Err(IngestError::Crypto(CryptoError::MalformedEnvelope { .. }))));
    }
}
