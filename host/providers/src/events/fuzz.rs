//! The fuzzing entry point: arbitrary bytes through the callback path, which must answer every
//! input with events or a typed error and never panic. `fuzz/` runs it under libFuzzer; the tests
//! below run it (and targeted mutations of real callbacks) on every `cargo test`.
//!
//! Random bytes almost never carry a valid signature, so a fuzzer fed only raw requests would stop
//! at the signature check. The first input byte therefore picks how deep the rest goes:
//! raw requests, requests signed over whatever ciphertext they contain (reaching the decryption
//! and framing checks), or plaintexts encrypted properly (reaching the event parsers).

use crate::crypto::{self, CallbackCrypto};

use super::ProviderEvent;
use super::ingest::{self, IngestError};

/// Connection settings of the fuzz harness (fixed test values, not anyone's credentials).
const TOKEN: &str = "fuzz-token";
const ENCODING_AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const CORP_ID: &str = "wwfuzzcorp";
const TIMESTAMP: &str = "1700000000";
const NONCE: &str = "fuzznonce";

fn harness() -> CallbackCrypto {
    // The constants above are a valid 43-character key, so construction succeeds.
    CallbackCrypto::new(TOKEN, ENCODING_AES_KEY, CORP_ID).unwrap_or_else(|e| unreachable!("fuzz key is valid: {e}"))
}

/// Runs one fuzz input through the callback path and returns what the path returned.
pub fn callback(data: &[u8]) -> Result<Vec<ProviderEvent>, IngestError> {
    let crypto = harness();
    let Some((&mode, rest)) = data.split_first() else {
        return ingest::wecom(&crypto, &wecom_query(String::new()), data);
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 6 {
        // A raw request with a signature taken from the input.
        0 => {
            let (signature, body) = rest.split_at(rest.len().min(40));
            ingest::wecom(&crypto, &wecom_query(String::from_utf8_lossy(signature).into_owned()), body)
        }
        // A WeCom request signed over its own ciphertext (XML or JSON envelope).
        1 => {
            let encrypt = crypto::wecom::parse_xml_envelope(rest)
                .or_else(|_| crypto::wecom::parse_json_envelope(rest))
                .map(|e| e.encrypt)
                .unwrap_or_default();
            ingest::wecom(&crypto, &wecom_query(crypto.sign(TIMESTAMP, NONCE, &encrypt)), rest)
        }
        // A DingTalk request signed over its own ciphertext.
        2 => {
            let encrypt = crypto::dingtalk::parse_body(rest).unwrap_or_default();
            ingest::dingtalk(&crypto, &dingtalk_query(crypto.sign(TIMESTAMP, NONCE, &encrypt)), rest)
        }
        // A ciphertext taken from the input, base64-encoded and signed: the framing checks.
        3 => {
            use base64::Engine as _;
            let encrypt = base64::engine::general_purpose::STANDARD.encode(rest);
            let body = crypto::wecom::request_xml(CORP_ID, "1", &encrypt);
            ingest::wecom(&crypto, &wecom_query(crypto.sign(TIMESTAMP, NONCE, &encrypt)), body.as_bytes())
        }
        // A WeCom plaintext, properly encrypted: the XML/JSON event parser.
        4 => {
            let env = crypto.encrypt(&text, TIMESTAMP, NONCE);
            let body = crypto::wecom::request_xml(CORP_ID, "1", &env.encrypt);
            ingest::wecom(&crypto, &wecom_query(env.msg_signature), body.as_bytes())
        }
        // A DingTalk plaintext, properly encrypted: the JSON event parser.
        _ => {
            let env = crypto.encrypt(&text, TIMESTAMP, NONCE);
            let body = crypto::dingtalk::request_body(&env.encrypt);
            ingest::dingtalk(&crypto, &dingtalk_query(env.msg_signature), body.as_bytes())
        }
    }
}

fn wecom_query(msg_signature: String) -> crypto::wecom::CallbackQuery {
    crypto::wecom::CallbackQuery { msg_signature, timestamp: TIMESTAMP.into(), nonce: NONCE.into(), echostr: None }
}

fn dingtalk_query(msg_signature: String) -> crypto::dingtalk::CallbackQuery {
    crypto::dingtalk::CallbackQuery { msg_signature, timestamp: TIMESTAMP.into(), nonce: NONCE.into() }
}

#[cfg(test)]
#[path = "fuzz_tests.rs"]
mod tests;
