//! One-time login codes (OAuth `code`, DingTalk `authCode` / `tmp_auth_code`).
//!
//! In reality the member's browser obtains a code after logging in; the simulator has no browser,
//! so the controls mint a code for a member ([`Controls::oauth_code_for`](super::Controls::oauth_code_for))
//! and the exchange endpoints redeem it: single use, valid 5 minutes.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::rngs::StdRng;

use super::tenant;

/// How long a code is valid.
pub const CODE_LIFETIME_MS: i64 = 5 * 60_000;

/// Outstanding codes: code → (userid, expiry in Unix ms), and the generator of new codes.
type CodeTable = (HashMap<String, (String, i64)>, StdRng);

/// Outstanding codes.
#[derive(Debug)]
pub struct OAuthCodes {
    state: Mutex<CodeTable>,
}

impl OAuthCodes {
    /// No codes yet; code strings derive from the seed.
    pub fn new(seed: u64) -> Self {
        OAuthCodes {
            state: Mutex::new((HashMap::new(), tenant::rng(seed, "oauth"))),
        }
    }

    /// A fresh code for `userid`.
    pub fn mint(&self, userid: &str, now_ms: i64) -> String {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let code = tenant::alphanumeric(&mut state.1, 32);
        state
            .0
            .insert(code.clone(), (userid.to_owned(), now_ms + CODE_LIFETIME_MS));
        code
    }

    /// The member behind `code`, consuming it; `None` if unknown, used or expired.
    pub fn redeem(&self, code: &str, now_ms: i64) -> Option<String> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (userid, expires) = state.0.remove(code)?;
        (now_ms < expires).then_some(userid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_single_use_and_expire() {
        let codes = OAuthCodes::new(1);
        let code = codes.mint("zhangsan", 0);
        assert_eq!(codes.redeem(&code, 1_000), Some("zhangsan".into()));
        assert_eq!(codes.redeem(&code, 1_000), None);
        let late = codes.mint("zhangsan", 0);
        assert_eq!(codes.redeem(&late, CODE_LIFETIME_MS), None);
        assert_eq!(codes.redeem("made-up", 0), None);
    }
}
