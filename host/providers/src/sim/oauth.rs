//! One-time login codes (OAuth `code`, DingTalk `authCode` / `tmp_auth_code`).
//!
//! In reality the member's browser obtains a code after logging in; the simulator has no browser,
//! so the controls mint a code for a member ([`Controls::oauth_code_for`](super::Controls::oauth_code_for))
//! and the exchange endpoints redeem it: single use, valid 5 minutes. A code minted with consent
//! (WeCom `snsapi_privateinfo`) also yields a `user_ticket` on exchange, which unlocks the
//! member's sensitive fields for 30 minutes.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::rngs::StdRng;

use super::tenant;

/// How long a code is valid.
pub const CODE_LIFETIME_MS: i64 = 5 * 60_000;

/// How long a `user_ticket` is valid (1800 s, §A7).
pub const TICKET_LIFETIME_MS: i64 = 30 * 60_000;

/// What a code stands for until it is redeemed.
#[derive(Debug)]
struct Grant {
    userid: String,
    expires_ms: i64,
    consented: bool,
}

/// Outstanding codes and tickets (each → its grant) and the generator of new ones.
#[derive(Debug)]
struct CodeTable {
    codes: HashMap<String, Grant>,
    tickets: HashMap<String, (String, i64)>,
    rng: StdRng,
}

/// Why a `user_ticket` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketError {
    /// No such ticket was ever issued.
    Unknown,
    /// The ticket outlived [`TICKET_LIFETIME_MS`].
    Expired,
}

/// A redeemed code: the member, and a `user_ticket` when they consented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The member who logged in.
    pub userid: String,
    /// Ticket for the sensitive fields (consented logins only).
    pub user_ticket: Option<String>,
}

/// Outstanding codes.
#[derive(Debug)]
pub struct OAuthCodes {
    state: Mutex<CodeTable>,
}

impl OAuthCodes {
    /// No codes yet; code strings derive from the seed.
    pub fn new(seed: u64) -> Self {
        OAuthCodes {
            state: Mutex::new(CodeTable {
                codes: HashMap::new(),
                tickets: HashMap::new(),
                rng: tenant::rng(seed, "oauth"),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CodeTable> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh code for `userid`; `consented` codes also yield a `user_ticket`.
    pub fn mint_with(&self, userid: &str, consented: bool, now_ms: i64) -> String {
        let mut state = self.lock();
        let code = tenant::alphanumeric(&mut state.rng, 32);
        let grant = Grant {
            userid: userid.to_owned(),
            expires_ms: now_ms + CODE_LIFETIME_MS,
            consented,
        };
        state.codes.insert(code.clone(), grant);
        code
    }

    /// A fresh code for `userid` without consent to sensitive fields.
    pub fn mint(&self, userid: &str, now_ms: i64) -> String {
        self.mint_with(userid, false, now_ms)
    }

    /// The member behind `code`, consuming it; `None` if unknown, used or expired.
    pub fn redeem(&self, code: &str, now_ms: i64) -> Option<String> {
        self.redeem_with_ticket(code, now_ms).map(|r| r.userid)
    }

    /// Like [`redeem`](Self::redeem), issuing a `user_ticket` when the member consented.
    pub fn redeem_with_ticket(&self, code: &str, now_ms: i64) -> Option<Redeemed> {
        let mut state = self.lock();
        let grant = state.codes.remove(code)?;
        if now_ms >= grant.expires_ms {
            return None;
        }
        let user_ticket = grant.consented.then(|| {
            let ticket = tenant::alphanumeric(&mut state.rng, 64);
            let entry = (grant.userid.clone(), now_ms + TICKET_LIFETIME_MS);
            state.tickets.insert(ticket.clone(), entry);
            ticket
        });
        Some(Redeemed {
            userid: grant.userid,
            user_ticket,
        })
    }

    /// The member a `user_ticket` was issued for; tickets may be used until they expire.
    pub fn ticket_holder(&self, ticket: &str, now_ms: i64) -> Result<String, TicketError> {
        let state = self.lock();
        let (userid, expires) = state.tickets.get(ticket).ok_or(TicketError::Unknown)?;
        if now_ms >= *expires {
            return Err(TicketError::Expired);
        }
        Ok(userid.clone())
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

    #[test]
    fn only_consented_codes_issue_tickets_that_expire() {
        let codes = OAuthCodes::new(1);
        let plain = codes.mint("lisi", 0);
        assert_eq!(
            codes.redeem_with_ticket(&plain, 0).unwrap().user_ticket,
            None
        );
        let consented = codes.mint_with("lisi", true, 0);
        let ticket = codes
            .redeem_with_ticket(&consented, 0)
            .unwrap()
            .user_ticket
            .unwrap();
        assert_eq!(codes.ticket_holder(&ticket, 1_000), Ok("lisi".into()));
        assert_eq!(
            codes.ticket_holder(&ticket, 2_000),
            Ok("lisi".into()),
            "reusable"
        );
        let late = codes.ticket_holder(&ticket, TICKET_LIFETIME_MS);
        assert_eq!(late, Err(TicketError::Expired));
        assert_eq!(codes.ticket_holder("made-up", 0), Err(TicketError::Unknown));
    }
}
