//! match-by-mobile: proposes ERP employee ↔ directory user bindings by mobile number, then by
//! e-mail — the strategy most ERP integrations use when employee numbers are not maintained in
//! the directory.
//!
//! Only unambiguous matches are proposed: a key shared by several active users, or a user claimed
//! by several employees, yields no proposal (and a `warn` line), so an admin never approves a
//! wrong binding by accident. Config: `{"use_email": true, "min_confidence": 0}`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod normalize;

use alloc::collections::{BTreeMap, BTreeSet};
use worklink_sdk::prelude::*;

use serde::Deserialize;
use serde_json::json;
use worklink_sdk::contacts::User;
use worklink_sdk::matcher::{Employee, Proposal};
use worklink_sdk::types::{Capability, HandlerError, PluginInfo};
use worklink_sdk::{Config, Matcher, log};

/// Confidence of a mobile-number match.
const MOBILE_CONFIDENCE: u8 = 95;
/// Confidence of an e-mail match.
const EMAIL_CONFIDENCE: u8 = 80;

/// The rule config.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// Fall back to e-mail when the mobile number does not decide.
    use_email: bool,
    /// Drop proposals below this confidence.
    min_confidence: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            use_email: true,
            min_confidence: 0,
        }
    }
}

/// The plugin.
pub struct MatchByMobile;

/// Active users by a normalised key; a key shared by several users maps to all of them.
fn index(users: &[User], key: impl Fn(&User) -> Option<String>) -> BTreeMap<String, Vec<&User>> {
    let mut index: BTreeMap<String, Vec<&User>> = BTreeMap::new();
    for user in users.iter().filter(|u| u.active) {
        if let Some(k) = key(user) {
            index.entry(k).or_default().push(user);
        }
    }
    index
}

/// The single user under `key`, logging when the key is ambiguous.
fn unique<'a>(
    index: &BTreeMap<String, Vec<&'a User>>,
    key: Option<String>,
    employee: &Employee,
    what: &str,
) -> Option<&'a User> {
    match index.get(&key?).map(Vec::as_slice) {
        Some([user]) => Some(user),
        Some(users) => {
            log::warn(&format!(
                "employee {}: {what} shared by {} users",
                employee.id,
                users.len()
            ));
            None
        }
        None => None,
    }
}

impl Matcher for MatchByMobile {
    fn describe() -> PluginInfo {
        PluginInfo::new("match-by-mobile", env!("CARGO_PKG_VERSION"))
            .description("Matches ERP employees to directory users by mobile number, then e-mail")
            .capabilities([Capability::Log])
            .config_schema(&json!({
                "type": "object",
                "properties": {
                    "use_email": {"type": "boolean", "default": true},
                    "min_confidence": {"type": "integer", "minimum": 0, "maximum": 100, "default": 0}
                },
                "additionalProperties": false
            }))
    }

    fn match_employees(
        employees: Vec<Employee>,
        users: Vec<User>,
        config: Config,
    ) -> Result<Vec<Proposal>, HandlerError> {
        let settings: Settings = config.parse()?;
        let by_mobile = index(&users, |u| u.mobile.as_deref().and_then(normalize::mobile));
        let by_email = index(&users, |u| u.email.as_deref().and_then(normalize::email));

        let mut proposals = Vec::new();
        for employee in &employees {
            let mobile = employee.mobile.as_deref().and_then(normalize::mobile);
            let proposal = match unique(&by_mobile, mobile, employee, "mobile number") {
                Some(user) => Some((user, MOBILE_CONFIDENCE, "same mobile number")),
                None if settings.use_email => {
                    let email = employee.email.as_deref().and_then(normalize::email);
                    unique(&by_email, email, employee, "e-mail")
                        .map(|user| (user, EMAIL_CONFIDENCE, "same e-mail address"))
                }
                None => None,
            };
            if let Some((user, confidence, reason)) = proposal {
                proposals.push(Proposal {
                    employee_id: employee.id.clone(),
                    user_id: user.id.clone(),
                    confidence,
                    reason: reason.into(),
                });
            }
        }

        let mut claims: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &proposals {
            *claims.entry(p.user_id.as_str()).or_default() += 1;
        }
        let contested: BTreeSet<String> = claims
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(u, _)| u.to_string())
            .collect();
        for user in &contested {
            log::warn(&format!(
                "user {user} matches several employees; none proposed"
            ));
        }
        proposals
            .retain(|p| !contested.contains(&p.user_id) && p.confidence >= settings.min_confidence);
        log::info(&format!(
            "{} of {} employees matched",
            proposals.len(),
            employees.len()
        ));
        Ok(proposals)
    }
}

worklink_sdk::export_matcher!(MatchByMobile, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::{TestHost, user};

    fn employee(id: &str, mobile: Option<&str>, email: Option<&str>) -> Employee {
        Employee {
            id: id.into(),
            name: id.into(),
            mobile: mobile.map(Into::into),
            email: email.map(Into::into),
            employee_no: None,
        }
    }

    fn directory_user(id: &str, mobile: Option<&str>, email: Option<&str>) -> User {
        let mut u = user(id, id);
        u.mobile = mobile.map(Into::into);
        u.email = email.map(Into::into);
        u
    }

    fn pairs(proposals: &[Proposal]) -> Vec<(&str, &str, u8)> {
        proposals
            .iter()
            .map(|p| (p.employee_id.as_str(), p.user_id.as_str(), p.confidence))
            .collect()
    }

    #[test]
    fn mobile_first_then_email() {
        let employees = vec![
            employee("E1", Some("+86 138-0013-8000"), None),
            employee("E2", None, Some("Li.Si@example.com")),
            employee("E3", Some("13900000000"), None),
        ];
        let users = vec![
            directory_user("zhangsan", Some("13800138000"), None),
            directory_user("lisi", None, Some("li.si@example.com")),
        ];
        let run = TestHost::new()
            .grant([Capability::Log])
            .run_matcher::<MatchByMobile>(employees, users, "{}");
        assert_eq!(
            pairs(run.ok()),
            [("E1", "zhangsan", 95), ("E2", "lisi", 80)]
        );
        assert!(run.logged(Level::Info, "2 of 3 employees matched"));
    }

    #[test]
    fn shared_mobiles_and_contested_users_are_not_proposed() {
        let employees = vec![
            employee("E1", Some("13800138000"), None),
            employee("E2", None, Some("x@example.com")),
            employee("E3", None, Some("X@example.com")),
        ];
        let users = vec![
            directory_user("a", Some("13800138000"), None),
            directory_user("b", Some("13800138000"), None),
            directory_user("c", None, Some("x@example.com")),
        ];
        let run = TestHost::new()
            .grant([Capability::Log])
            .run_matcher::<MatchByMobile>(employees, users, "{}");
        assert!(run.ok().is_empty(), "{:?}", run.ok());
        assert!(run.logged(Level::Warn, "employee E1: mobile number shared by 2 users"));
        assert!(run.logged(Level::Warn, "user c matches several employees"));
    }

    #[test]
    fn inactive_users_and_disabled_email_fallback() {
        let mut departed = directory_user("gone", Some("13800138000"), Some("e@example.com"));
        departed.active = false;
        let employees = vec![employee("E1", Some("13800138000"), Some("e@example.com"))];
        let host = TestHost::new().grant([Capability::Log]);
        let run = host.run_matcher::<MatchByMobile>(employees.clone(), vec![departed], "{}");
        assert!(run.ok().is_empty());
        let users = vec![directory_user("u", None, Some("e@example.com"))];
        let run = host.run_matcher::<MatchByMobile>(employees, users, r#"{"use_email": false}"#);
        assert!(run.ok().is_empty());
    }

    #[test]
    fn min_confidence_drops_weaker_matches() {
        let employees = vec![employee("E1", None, Some("e@example.com"))];
        let users = vec![directory_user("u", None, Some("e@example.com"))];
        let run = TestHost::new().run_matcher::<MatchByMobile>(
            employees,
            users,
            r#"{"min_confidence": 90}"#,
        );
        assert!(run.ok().is_empty());
    }
}
