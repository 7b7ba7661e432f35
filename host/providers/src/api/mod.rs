//! Plumbing shared by the WeCom and DingTalk clients: one HTTP transport with timeouts, envelope
//! decoding, the typed [`ApiError`] with its retry classification, jittered backoff, the
//! token-refresh-once call loop, and the attendance window splitter.
//!
//! Everything that differs between the two providers is data in [`provider`]; the logic here is
//! written once.

mod call;
mod error;
mod gettoken;
mod provider;
mod recipients;
mod request;
mod retry;
mod secret;
mod transport;
pub mod window;

pub use call::Caller;
pub use error::{ApiError, ErrCode, ErrorClass, Failure};
pub use gettoken::GetToken;
pub use provider::Provider;
pub use recipients::{Recipients, split_list};
pub use request::{ApiRequest, Envelope, TokenPlacement, url_with_query};
pub use retry::{RetryPolicy, with_backoff};
pub use secret::Secret;
pub use transport::{HttpConfig, Transport};
