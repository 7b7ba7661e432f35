//! Callback crypto and request signing for WeCom and DingTalk.
//!
//! Both providers protect their event callbacks with the same scheme (Tencent's WXBizMsgCrypt, which
//! DingTalk copied as DingCallbackCrypto), so the framing lives once in [`CallbackCrypto`] and the
//! provider modules only add what differs on the wire: query parameter names, the body envelope and
//! the reply shape.
//!
//! - [`CallbackCrypto`]: signature check, AES-256-CBC framing, receive-id check (shared core).
//! - [`wecom`]: URL verification, the XML and JSON envelopes, the passive-reply XML.
//! - [`dingtalk`]: the `{"encrypt": …}` envelope and the encrypted JSON reply (`success` for `check_url`).
//! - [`sign`]: HMAC-SHA256 signatures for DingTalk robots and the legacy DingTalk login.

mod cipher;
pub mod dingtalk;
mod error;
mod padding;
pub mod sign;
mod signature;
pub mod wecom;

#[cfg(test)]
mod vectors;

pub use cipher::{CallbackCrypto, Envelope};
pub use error::CryptoError;
pub use signature::signature;
