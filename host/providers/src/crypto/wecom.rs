//! WeCom's wire shapes around [`CallbackCrypto`]: the URL check (GET with `echostr`), the XML event
//! envelope, its JSON variant (`WXBizJsonMsgCrypt`) and the passive-reply envelopes.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Deserialize;

use super::{CallbackCrypto, CryptoError, Envelope};

/// The query string of every WeCom callback request (`?msg_signature=&timestamp=&nonce=[&echostr=]`),
/// deserializable straight from the HTTP layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallbackQuery {
    /// SHA1 signature over token, timestamp, nonce and the payload.
    pub msg_signature: String,
    /// Unix seconds, as sent.
    pub timestamp: String,
    /// Random string chosen by WeCom.
    pub nonce: String,
    /// The encrypted challenge of a URL check (GET only), already URL-decoded.
    #[serde(default)]
    pub echostr: Option<String>,
}

/// The outer, unencrypted parts of an event POST body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEnvelope {
    /// The corp id (or suite id) the callback is addressed to, when the body names it.
    pub to_user_name: Option<String>,
    /// The agent id, when the body names it.
    pub agent_id: Option<String>,
    /// The base64 ciphertext the signature covers.
    pub encrypt: String,
}

/// Answers a URL check: verifies and decrypts `echostr`; the returned plaintext is the raw reply
/// body (no quotes, no newline).
///
/// A `+` turned into a space by form-style query decoding is restored first: base64 never contains
/// spaces, and WeCom signs the text with its `+`.
pub fn verify_url(crypto: &CallbackCrypto, query: &CallbackQuery) -> Result<String, CryptoError> {
    let echostr = query.echostr.as_deref().ok_or_else(|| CryptoError::envelope("URL check without echostr"))?;
    let echostr = echostr.replace(' ', "+");
    crypto.decrypt(&query.msg_signature, &query.timestamp, &query.nonce, &echostr)
}

/// Reads the XML POST body `<xml><ToUserName/><Encrypt/><AgentID/></xml>`.
pub fn parse_xml_envelope(body: &[u8]) -> Result<InboundEnvelope, CryptoError> {
    let fields = scan_xml_envelope(body)?;
    Ok(InboundEnvelope {
        to_user_name: fields.to_user_name.map(Cow::into_owned),
        agent_id: fields.agent_id.map(Cow::into_owned),
        encrypt: fields.encrypt.into_owned(),
    })
}

/// The envelope's fields, borrowed from the body while each is one text or CDATA node (always,
/// in practice): the request path reads the kilobyte-sized ciphertext in place instead of copying
/// it.
struct EnvelopeFields<'a> {
    to_user_name: Option<Cow<'a, str>>,
    agent_id: Option<Cow<'a, str>>,
    encrypt: Cow<'a, str>,
}

/// One pass over the envelope, keeping the three fields it may carry.
fn scan_xml_envelope(body: &[u8]) -> Result<EnvelopeFields<'_>, CryptoError> {
    // A reader over a byte slice hands out borrowed events: no copy of the (large) ciphertext.
    let mut reader = Reader::from_reader(body);
    let mut depth = 0usize;
    // The field the reader is inside, when it is a direct child of the root.
    let mut field: Option<Field> = None;
    let (mut to_user_name, mut agent_id, mut encrypt) = (None, None, None);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| CryptoError::envelope(format!("XML error at byte {}: {e}", reader.error_position())))?;
        let value = match event {
            Event::Start(start) => {
                if depth >= 2 {
                    // The envelope is flat; anything deeper is not a WeCom envelope.
                    return Err(CryptoError::envelope("XML envelope nested deeper than <xml><Field>"));
                }
                depth += 1;
                if depth == 2 {
                    field = match start.local_name().as_ref() {
                        b"Encrypt" => Some(Field::Encrypt),
                        b"ToUserName" => Some(Field::ToUserName),
                        b"AgentID" => Some(Field::AgentId),
                        _ => None,
                    };
                }
                continue;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                field = None;
                continue;
            }
            Event::Text(text) if depth == 2 => text.decode().map_err(|e| CryptoError::envelope(format!("XML text: {e}")))?,
            Event::CData(data) if depth == 2 => match data.into_inner() {
                Cow::Borrowed(bytes) => {
                    Cow::Borrowed(std::str::from_utf8(bytes).map_err(|_| CryptoError::envelope("XML CDATA is not UTF-8"))?)
                }
                Cow::Owned(bytes) => {
                    Cow::Owned(String::from_utf8(bytes).map_err(|_| CryptoError::envelope("XML CDATA is not UTF-8"))?)
                }
            },
            Event::Eof => break,
            _ => continue,
        };
        let slot = match field {
            Some(Field::Encrypt) => &mut encrypt,
            Some(Field::ToUserName) => &mut to_user_name,
            Some(Field::AgentId) => &mut agent_id,
            None => continue,
        };
        match slot {
            None => *slot = Some(value),
            Some(existing) => existing.to_mut().push_str(&value),
        }
    }
    if depth != 0 {
        return Err(CryptoError::envelope("XML envelope ends inside an element"));
    }
    let encrypt = encrypt.filter(|e| !e.is_empty()).ok_or_else(|| CryptoError::envelope("XML body has no <Encrypt>"))?;
    Ok(EnvelopeFields { to_user_name, agent_id, encrypt })
}

/// The envelope fields [`scan_xml_envelope`] keeps.
#[derive(Clone, Copy)]
enum Field {
    Encrypt,
    ToUserName,
    AgentId,
}

/// The JSON POST body of newer callbacks; both the lower-case and the older capitalised field
/// names occur.
#[derive(Deserialize)]
struct JsonBody {
    #[serde(alias = "Encrypt")]
    encrypt: Option<String>,
    #[serde(alias = "ToUserName", default)]
    tousername: Option<String>,
    #[serde(alias = "AgentID", default)]
    agentid: Option<serde_json::Value>,
}

/// Reads the JSON POST body `{"tousername":…,"encrypt":…,"agentid":…}`.
pub fn parse_json_envelope(body: &[u8]) -> Result<InboundEnvelope, CryptoError> {
    let parsed: JsonBody =
        serde_json::from_slice(body).map_err(|e| CryptoError::envelope(format!("JSON body: {e}")))?;
    let encrypt = parsed.encrypt.filter(|e| !e.is_empty()).ok_or_else(|| CryptoError::envelope("JSON body has no encrypt"))?;
    let agent_id = parsed.agentid.map(|v| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    Ok(InboundEnvelope { to_user_name: parsed.tousername, agent_id, encrypt })
}

/// Verifies and decrypts an XML event POST; returns the plaintext message (XML).
pub fn decrypt_xml(crypto: &CallbackCrypto, query: &CallbackQuery, body: &[u8]) -> Result<String, CryptoError> {
    let envelope = scan_xml_envelope(body)?;
    crypto.decrypt(&query.msg_signature, &query.timestamp, &query.nonce, &envelope.encrypt)
}

/// Verifies and decrypts an event POST (XML, or JSON when `json_body`) and lends the plaintext to
/// `read`: the request path, which parses the plaintext without keeping it.
pub(crate) fn decrypt_with<R>(
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
    json_body: bool,
    read: impl FnOnce(&str) -> R,
) -> Result<R, CryptoError> {
    let json_envelope;
    let encrypt: Cow<'_, str> = if json_body {
        json_envelope = parse_json_envelope(body)?;
        Cow::Borrowed(&json_envelope.encrypt)
    } else {
        scan_xml_envelope(body)?.encrypt
    };
    crypto.decrypt_with(&query.msg_signature, &query.timestamp, &query.nonce, &encrypt, read)
}

/// Verifies and decrypts a JSON event POST; returns the plaintext message (JSON).
pub fn decrypt_json(crypto: &CallbackCrypto, query: &CallbackQuery, body: &[u8]) -> Result<String, CryptoError> {
    let envelope = parse_json_envelope(body)?;
    crypto.decrypt(&query.msg_signature, &query.timestamp, &query.nonce, &envelope.encrypt)
}

/// The passive-reply XML, byte for byte the official template (its newlines included).
pub fn reply_xml(envelope: &Envelope) -> String {
    format!(
        "<xml>\n<Encrypt><![CDATA[{}]]></Encrypt>\n<MsgSignature><![CDATA[{}]]></MsgSignature>\n<TimeStamp>{}</TimeStamp>\n<Nonce><![CDATA[{}]]></Nonce>\n</xml>",
        envelope.encrypt,
        envelope.msg_signature,
        cdata_safe(&envelope.timestamp),
        cdata_safe(&envelope.nonce)
    )
}

/// The caller chooses timestamp and nonce; keep them from breaking out of the template.
fn cdata_safe(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '<' | '>' | '&' | ']')).collect()
}

/// The passive-reply JSON of `WXBizJsonMsgCrypt`: `{"encrypt","msgsignature","timestamp","nonce"}`.
pub fn reply_json(envelope: &Envelope) -> String {
    serde_json::json!({
        "encrypt": envelope.encrypt,
        "msgsignature": envelope.msg_signature,
        "timestamp": envelope.timestamp,
        "nonce": envelope.nonce,
    })
    .to_string()
}

/// Builds the XML POST body WeCom would send for an already encrypted message (what the simulator
/// delivers and the tests feed back in).
pub fn request_xml(to_user_name: &str, agent_id: &str, encrypt: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[{}]]></AgentID></xml>",
        cdata_safe(to_user_name),
        cdata_safe(agent_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> CallbackCrypto {
        CallbackCrypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7").unwrap()
    }

    #[test]
    fn url_check_restores_plus_signs_lost_to_query_decoding() {
        let query = CallbackQuery {
            msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3".into(),
            timestamp: "1409659589".into(),
            nonce: "263014780".into(),
            echostr: Some(
                "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp 4RPcs8TgAE7OaBO FZXvnaqQ==".into(),
            ),
        };
        assert_eq!(verify_url(&crypto(), &query).unwrap(), "1616140317555161061");
        let missing = CallbackQuery { echostr: None, ..query };
        assert!(matches!(verify_url(&crypto(), &missing), Err(CryptoError::MalformedEnvelope { .. })));
    }

    #[test]
    fn xml_round_trip_through_request_and_reply_shapes() {
        let c = crypto();
        let env = c.encrypt("<xml><Content>hi</Content></xml>", "1409659813", "1372623149");
        let body = request_xml("wx5823bf96d3bd56c7", "218", &env.encrypt);
        let parsed = parse_xml_envelope(body.as_bytes()).unwrap();
        assert_eq!(parsed.to_user_name.as_deref(), Some("wx5823bf96d3bd56c7"));
        assert_eq!(parsed.agent_id.as_deref(), Some("218"));
        let query = CallbackQuery {
            msg_signature: env.msg_signature.clone(),
            timestamp: env.timestamp.clone(),
            nonce: env.nonce.clone(),
            echostr: None,
        };
        assert_eq!(decrypt_xml(&c, &query, body.as_bytes()).unwrap(), "<xml><Content>hi</Content></xml>");

        // The reply envelope parses back with the same reader and verifies.
        let reply = reply_xml(&env);
        assert!(reply.starts_with("<xml>\n<Encrypt><![CDATA["));
        assert!(reply.contains("<TimeStamp>1409659813</TimeStamp>\n<Nonce><![CDATA[1372623149]]></Nonce>\n</xml>"));
        assert_eq!(parse_xml_envelope(reply.as_bytes()).unwrap().encrypt, env.encrypt);
    }

    #[test]
    fn plain_text_encrypt_element_is_accepted() {
        let parsed = parse_xml_envelope(b"<xml><Encrypt>abc+/=</Encrypt></xml>").unwrap();
        assert_eq!(parsed.encrypt, "abc+/=");
        assert_eq!(parsed.to_user_name, None);
    }

    #[test]
    fn broken_xml_envelopes_are_typed_errors() {
        for body in [&b""[..], b"<xml></xml>", b"<xml><Encrypt></Encrypt></xml>", b"<xml><Encrypt>a</Nonce></xml>", b"<xml><a><b>x</b></a></xml>", b"\xff\xfe", b"<xml><Encrypt>abc</Encrypt>"] {
            assert!(matches!(parse_xml_envelope(body), Err(CryptoError::MalformedEnvelope { .. })), "{body:?}");
        }
    }

    #[test]
    fn json_envelope_accepts_both_spellings() {
        let lower = parse_json_envelope(br#"{"tousername":"ww1","encrypt":"e1","agentid":218}"#).unwrap();
        assert_eq!((lower.to_user_name.as_deref(), lower.agent_id.as_deref(), lower.encrypt.as_str()), (Some("ww1"), Some("218"), "e1"));
        let upper = parse_json_envelope(br#"{"ToUserName":"ww1","Encrypt":"e2","AgentID":"7"}"#).unwrap();
        assert_eq!((upper.agent_id.as_deref(), upper.encrypt.as_str()), (Some("7"), "e2"));
        assert!(matches!(parse_json_envelope(b"{}"), Err(CryptoError::MalformedEnvelope { .. })));
        assert!(matches!(parse_json_envelope(b"[1]"), Err(CryptoError::MalformedEnvelope { .. })));
    }

    #[test]
    fn json_reply_has_the_official_field_names() {
        let env = crypto().encrypt("x", "1", "n");
        let reply: serde_json::Value = serde_json::from_str(&reply_json(&env)).unwrap();
        assert_eq!(reply["encrypt"], env.encrypt);
        assert_eq!(reply["msgsignature"], env.msg_signature);
        assert_eq!(reply["timestamp"], "1");
        assert_eq!(reply["nonce"], "n");
    }
}
