//! The access-token manager shared by both providers.
//!
//! Tokens are cached with their expiry behind a [`TokenStore`] (in memory here; the server backs
//! it with the database so that replicas share one token instead of fighting over `gettoken`).
//! A token is refreshed ahead of its expiry, one refresh per key at a time (single flight), and
//! an invalidation only removes the token that actually failed (compare-and-expire), so a slow
//! caller cannot throw away a token another caller has just fetched.

mod cached;
mod manager;
mod store;

pub use cached::{CachedToken, FreshToken, TokenKey};
pub use manager::{TokenError, TokenManager, TokenSource};
pub use store::{MemoryTokenStore, TokenStore, TokenStoreError};
