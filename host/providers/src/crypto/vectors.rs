//! The published WeCom / DingTalk / wechatpy vectors from the shared vector file, each one a test.
//! The file is read at test time so a vector cannot silently drift from its source; the count check
//! makes a vanished vector fail.

use base64::Engine as _;
use serde_json::Value;

use super::{CallbackCrypto, sign, wecom};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/callback-crypto.json");

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("reading {VECTORS}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("vector file is JSON");
    doc["vectors"].as_array().expect("vectors array").clone()
}

fn vector(name: &str) -> Value {
    vectors().into_iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("vector {name} missing"))
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("{}: field {field} is not a string", v["name"]))
}

fn crypto(v: &Value) -> CallbackCrypto {
    CallbackCrypto::new(s(v, "token"), s(v, "encoding_aes_key"), s(v, "receive_id")).expect("vector key is valid")
}

/// Decrypts without unpadding to read the pad byte the vector documents.
fn pad_byte(v: &Value, ciphertext: &str) -> u8 {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    let key = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    )
    .decode(format!("{}=", s(v, "encoding_aes_key")))
    .unwrap();
    let mut buf = base64::engine::general_purpose::STANDARD.decode(ciphertext).unwrap();
    let plain = cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &key[..16])
        .unwrap()
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .unwrap();
    *plain.last().unwrap()
}

#[test]
fn the_file_holds_all_eleven_vectors() {
    assert_eq!(vectors().len(), 11);
}

fn check_verify_url(name: &str) {
    let v = vector(name);
    assert_eq!(v["kind"], "verify_url");
    let query = wecom::CallbackQuery {
        msg_signature: s(&v, "msg_signature").into(),
        timestamp: s(&v, "timestamp").into(),
        nonce: s(&v, "nonce").into(),
        echostr: Some(s(&v, "echostr").into()),
    };
    assert_eq!(wecom::verify_url(&crypto(&v), &query).unwrap(), s(&v, "expected_plaintext"));
    assert_eq!(u64::from(pad_byte(&v, s(&v, "echostr"))), v["pad"].as_u64().unwrap());
}

fn check_decrypt(name: &str) {
    let v = vector(name);
    assert_eq!(v["kind"], "decrypt");
    let c = crypto(&v);
    let plain = c.decrypt(s(&v, "msg_signature"), s(&v, "timestamp"), s(&v, "nonce"), s(&v, "encrypt")).unwrap();
    assert_eq!(plain, s(&v, "expected_plaintext"));
    assert_eq!(u64::from(pad_byte(&v, s(&v, "encrypt"))), v["pad"].as_u64().unwrap());
}

fn check_encrypt(name: &str) {
    let v = vector(name);
    assert_eq!(v["kind"], "encrypt");
    let random: [u8; 16] = s(&v, "random").as_bytes().try_into().expect("16-byte random");
    let env = crypto(&v).encrypt_with_random(s(&v, "plaintext"), s(&v, "timestamp"), s(&v, "nonce"), random);
    assert_eq!(env.encrypt, s(&v, "expected_encrypt"));
    if let Some(sig) = v["expected_msg_signature"].as_str() {
        assert_eq!(env.msg_signature, sig);
    }
    // And the ciphertext decrypts back to the plaintext under the same connection.
    assert_eq!(crypto(&v).decrypt_unsigned(&env.encrypt).unwrap(), s(&v, "plaintext"));
}

#[test]
fn wecom_official_verify_url() {
    check_verify_url("wecom-official-verify-url");
}

#[test]
fn wecom_official_decrypt_xml() {
    check_decrypt("wecom-official-decrypt-xml");
}

#[test]
fn wecom_official_decrypt_json() {
    check_decrypt("wecom-official-decrypt-json");
}

#[test]
fn wecom_classic_verify_url() {
    check_verify_url("wecom-classic-verify-url");
}

#[test]
fn wecom_classic_decrypt() {
    check_decrypt("wecom-classic-decrypt");
}

#[test]
fn wechatpy_verify_url() {
    check_verify_url("wechatpy-verify-url");
    // wechatpy's negative case: the nonce off by one must fail the signature.
    let v = vector("wechatpy-verify-url");
    let query = wecom::CallbackQuery {
        msg_signature: s(&v, "msg_signature").into(),
        timestamp: s(&v, "timestamp").into(),
        nonce: "437374424".into(),
        echostr: Some(s(&v, "echostr").into()),
    };
    assert_eq!(wecom::verify_url(&crypto(&v), &query), Err(super::CryptoError::BadSignature));
}

#[test]
fn wechatpy_decrypt() {
    check_decrypt("wechatpy-decrypt");
}

#[test]
fn wechatpy_encrypt_fixed_random() {
    check_encrypt("wechatpy-encrypt-fixed-random");
}

#[test]
fn tencent_java_fixed_random() {
    check_encrypt("tencent-java-fixed-random");
}

#[test]
fn dingtalk_official_check_url() {
    check_decrypt("dingtalk-official-check-url");
}

#[test]
fn dingtalk_sns_login_signature() {
    let v = vector("dingtalk-sns-login-signature");
    assert_eq!(v["kind"], "hmac_sha256_base64");
    assert_eq!(sign::login_sign(s(&v, "key"), s(&v, "data")), s(&v, "expected"));
    assert!(sign::verify_login_sign(s(&v, "key"), s(&v, "data"), s(&v, "expected")).is_ok());
}
