//! A token as stored: its value, when it expires and when to start refreshing it.

use std::fmt;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::api::Secret;

/// Identifies one cached token: one per (provider, organisation, secret).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey(String);

impl TokenKey {
    /// A key for `provider`'s token of organisation `org` obtained with `secret`.
    ///
    /// Each WeCom app secret yields its own token, so the secret is part of the identity; only a
    /// short digest of it goes into the key, which is safe to log and to store in plain text.
    pub fn new(provider: &str, org: &str, secret: &Secret) -> Self {
        let digest = Sha256::digest(secret.expose().as_bytes());
        TokenKey(format!("{provider}:{org}:{}", hex::encode(&digest[..6])))
    }

    /// The key as text (for a database column).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A token just returned by the provider.
#[derive(Debug, Clone)]
pub struct FreshToken {
    /// The access token.
    pub value: Secret,
    /// Lifetime the provider announced (`expires_in`).
    pub expires_in: Duration,
}

/// A token in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    /// The access token.
    pub value: Secret,
    /// When the provider stops accepting it.
    pub expires_at: SystemTime,
    /// When to start fetching its successor.
    pub refresh_at: SystemTime,
}

impl CachedToken {
    /// Caches `fresh`, fetched at `now`, to be refreshed `ahead` before expiry; never more than
    /// half its lifetime ahead, so a short-lived token is still used for a while.
    pub fn from_fresh(fresh: FreshToken, now: SystemTime, ahead: Duration) -> Self {
        let ahead = ahead.min(fresh.expires_in / 2);
        CachedToken {
            value: fresh.value,
            expires_at: now + fresh.expires_in,
            refresh_at: now + (fresh.expires_in - ahead),
        }
    }

    /// True while the provider still accepts it.
    pub fn is_valid(&self, now: SystemTime) -> bool {
        now < self.expires_at
    }

    /// True while no refresh is due.
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        now < self.refresh_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_starts_ahead_of_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let fresh = FreshToken {
            value: Secret::new("t"),
            expires_in: Duration::from_secs(7200),
        };
        let token = CachedToken::from_fresh(fresh, now, Duration::from_secs(300));
        assert!(token.is_fresh(now + Duration::from_secs(6899)));
        assert!(!token.is_fresh(now + Duration::from_secs(6900)));
        assert!(token.is_valid(now + Duration::from_secs(7199)));
        assert!(!token.is_valid(now + Duration::from_secs(7200)));
    }

    #[test]
    fn short_lived_tokens_refresh_at_half_life() {
        let now = SystemTime::UNIX_EPOCH;
        let fresh = FreshToken {
            value: Secret::new("t"),
            expires_in: Duration::from_secs(60),
        };
        let token = CachedToken::from_fresh(fresh, now, Duration::from_secs(300));
        assert_eq!(token.refresh_at, now + Duration::from_secs(30));
    }

    #[test]
    fn key_separates_secrets_without_revealing_them() {
        let a = TokenKey::new("wecom", "corp1", &Secret::new("secret-a"));
        let b = TokenKey::new("wecom", "corp1", &Secret::new("secret-b"));
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("wecom:corp1:"));
        assert!(!a.as_str().contains("secret-a"));
    }
}
