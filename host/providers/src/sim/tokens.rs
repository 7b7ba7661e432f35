//! Access tokens as both services issue them.
//!
//! Facts kept here (reference §A1, §B1): a token lives 7200 s; asking again while it is valid
//! returns the *same* token (DingTalk also renews its lifetime, WeCom does not); after expiry a new
//! token is issued; the service may invalidate tokens early, which clients must survive by
//! refetching. A missing, unknown and expired token are three different errors (41001, 40014,
//! 42001 on WeCom), so expired tokens are remembered rather than forgotten.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::rngs::StdRng;

use super::tenant;

/// How long a token lives.
pub const TOKEN_LIFETIME_SECS: i64 = 7200;

/// Why a request's token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The request carried no token.
    #[error("access token missing")]
    Missing,
    /// The token was never issued, or was invalidated early.
    #[error("access token invalid")]
    Invalid,
    /// The token was issued but its 7200 s are over.
    #[error("access token expired")]
    Expired,
}

/// Whether asking again for a still-valid token extends its lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// WeCom: the same token with its remaining lifetime.
    Keep,
    /// DingTalk: the same token, renewed to a full 7200 s.
    Extend,
}

/// A token handed out by gettoken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The token.
    pub token: String,
    /// Seconds until it expires, as reported in `expires_in` / `expireIn`.
    pub expires_in: i64,
}

#[derive(Debug)]
struct Issued {
    app: String,
    expires_at_ms: i64,
    revoked: bool,
}

#[derive(Debug)]
struct Inner {
    by_token: HashMap<String, Issued>,
    current: HashMap<String, String>,
    rng: StdRng,
}

/// Every token issued by one simulator, for every app of it.
#[derive(Debug)]
pub struct TokenStore {
    inner: Mutex<Inner>,
}

impl TokenStore {
    /// An empty store whose token strings derive from the tenant seed.
    pub fn new(seed: u64) -> Self {
        TokenStore {
            inner: Mutex::new(Inner {
                by_token: HashMap::new(),
                current: HashMap::new(),
                rng: tenant::rng(seed, "tokens"),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Issues (or re-issues) the token of `app` at time `now_ms`.
    pub fn issue(&self, app: &str, now_ms: i64, renewal: Renewal) -> Grant {
        let mut inner = self.lock();
        let full = now_ms + TOKEN_LIFETIME_SECS * 1000;
        if let Some(token) = inner.current.get(app).cloned()
            && let Some(issued) = inner.by_token.get_mut(&token)
            && !issued.revoked
            && issued.expires_at_ms > now_ms
        {
            if renewal == Renewal::Extend {
                issued.expires_at_ms = full;
            }
            let expires_in = (issued.expires_at_ms - now_ms).div_euclid(1000);
            return Grant { token, expires_in };
        }
        let token = tenant::alphanumeric(&mut inner.rng, 64);
        inner.by_token.insert(
            token.clone(),
            Issued {
                app: app.to_owned(),
                expires_at_ms: full,
                revoked: false,
            },
        );
        inner.current.insert(app.to_owned(), token.clone());
        Grant {
            token,
            expires_in: TOKEN_LIFETIME_SECS,
        }
    }

    /// The app a token belongs to, if it is valid at `now_ms`.
    pub fn check(&self, token: Option<&str>, now_ms: i64) -> Result<String, TokenError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(TokenError::Missing)?;
        let inner = self.lock();
        let issued = inner.by_token.get(token).ok_or(TokenError::Invalid)?;
        if issued.revoked {
            Err(TokenError::Invalid)
        } else if issued.expires_at_ms <= now_ms {
            Err(TokenError::Expired)
        } else {
            Ok(issued.app.clone())
        }
    }

    /// Invalidates every token early ("出于运营需要"); the next gettoken issues a new one.
    pub fn invalidate_all(&self) {
        for issued in self.lock().by_token.values_mut() {
            issued.revoked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn same_token_while_valid_then_a_new_one() {
        let store = TokenStore::new(1);
        let first = store.issue("app", T0, Renewal::Keep);
        assert_eq!(first.expires_in, 7200);
        let again = store.issue("app", T0 + 100_000, Renewal::Keep);
        assert_eq!(again.token, first.token);
        assert_eq!(again.expires_in, 7100);
        assert_eq!(
            store.check(Some(&first.token), T0 + 7_199_000),
            Ok("app".into())
        );
        assert_eq!(
            store.check(Some(&first.token), T0 + 7_200_000),
            Err(TokenError::Expired)
        );
        let fresh = store.issue("app", T0 + 7_200_000, Renewal::Keep);
        assert_ne!(fresh.token, first.token);
        // The old token stays expired, not unknown.
        assert_eq!(
            store.check(Some(&first.token), T0 + 7_200_000),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn extend_renews_the_lifetime() {
        let store = TokenStore::new(1);
        let first = store.issue("app", T0, Renewal::Extend);
        let again = store.issue("app", T0 + 7_000_000, Renewal::Extend);
        assert_eq!(
            (again.token.as_str(), again.expires_in),
            (first.token.as_str(), 7200)
        );
        assert!(store.check(Some(&first.token), T0 + 8_000_000).is_ok());
    }

    #[test]
    fn missing_unknown_and_invalidated() {
        let store = TokenStore::new(1);
        assert_eq!(store.check(None, T0), Err(TokenError::Missing));
        assert_eq!(store.check(Some(""), T0), Err(TokenError::Missing));
        assert_eq!(store.check(Some("nope"), T0), Err(TokenError::Invalid));
        let grant = store.issue("app", T0, Renewal::Keep);
        store.invalidate_all();
        assert_eq!(
            store.check(Some(&grant.token), T0),
            Err(TokenError::Invalid)
        );
        assert_ne!(store.issue("app", T0, Renewal::Keep).token, grant.token);
    }

    #[test]
    fn apps_have_separate_tokens() {
        let store = TokenStore::new(1);
        let a = store.issue("a", T0, Renewal::Keep);
        let b = store.issue("b", T0, Renewal::Keep);
        assert_ne!(a.token, b.token);
        assert_eq!(store.check(Some(&b.token), T0), Ok("b".into()));
    }
}
