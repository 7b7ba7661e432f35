//! Everything Worklink knows about WeCom (企业微信) and DingTalk (钉钉), with no knowledge of wasm,
//! rules or the database.
//!
//! A tour of the layout:
//! - [`crypto`]: callback crypto (WXBizMsgCrypt, DingTalk callback crypto) and request signing.
//! - [`events`]: decrypted callbacks parsed into normalised events with stable dedup keys.
//! - [`api`]: the HTTP transport, typed `ApiError` with retry classification, backoff and the
//!   token-refresh-once call loop shared by both clients.
//! - [`token`]: the access-token manager shared by both providers (cache, single-flight).
//! - [`wecom`], [`dingtalk`]: typed API clients.
//! - [`sim`]: faithful simulators of both services (a product feature and the test bed).

pub mod api;
pub mod crypto;
pub mod dingtalk;
pub mod events;
pub mod sim;
pub mod token;
pub mod wecom;
