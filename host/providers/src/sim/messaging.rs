//! App-message delivery shared by WeCom message/send and DingTalk asyncsend_v2.
//!
//! Both take members, departments (whole subtrees) and tags/"all", report unknown ids, and then
//! deliver to each member unless a per-member limit silently drops it. Only the list syntax
//! (`|` vs `,`) and the answer differ, and those stay in the providers.
//!
//! [`DuplicateCheck`] is WeCom's opt-in `enable_duplicate_check`: a sender that may repeat a send
//! (after a crash, say) asks WeCom to drop an identical message to the same recipients.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::Value;

use super::controls::Controls;
use super::directory::Directory;
use super::recorder::SentMessage;
use super::throttle::fingerprint;

/// Who a message is addressed to, as raw ids from the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Member ids.
    pub users: Vec<String>,
    /// Department ids (strings: non-numeric ones are reported invalid).
    pub departments: Vec<String>,
    /// Tag ids (strings: non-numeric ones are reported invalid).
    pub tags: Vec<String>,
    /// Everyone in the app's visible range.
    pub all: bool,
}

impl Recipients {
    /// Splits `a|b|c` / `a,b,c` lists, ignoring empty items.
    pub fn split(list: Option<&str>, separator: char) -> Vec<String> {
        list.unwrap_or_default()
            .split(separator)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether no recipient at all was given.
    pub fn is_empty(&self) -> bool {
        !self.all && self.users.is_empty() && self.departments.is_empty() && self.tags.is_empty()
    }
}

/// Recipients resolved against the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Every member reached, once each, as stored in the directory.
    pub members: Vec<String>,
    /// Unknown member ids, lower-cased like the services answer them.
    pub invalid_users: Vec<String>,
    /// Unknown department ids.
    pub invalid_departments: Vec<String>,
    /// Unknown tag ids.
    pub invalid_tags: Vec<String>,
}

/// Resolves recipients: departments reach their subtree, tags their members and departments.
pub fn resolve(dir: &Directory, to: &Recipients) -> Resolved {
    let mut resolved = Resolved::default();
    let mut members = BTreeSet::new();
    if to.all {
        members.extend(dir.users().map(|u| u.userid.clone()));
    } else {
        for user in &to.users {
            match dir.user(user) {
                Ok(found) => {
                    members.insert(found.userid.clone());
                }
                Err(_) => resolved.invalid_users.push(user.to_lowercase()),
            }
        }
        for department in &to.departments {
            match department
                .parse()
                .ok()
                .and_then(|id| dir.members_deep(id).ok())
            {
                Some(reached) => members.extend(reached),
                None => resolved.invalid_departments.push(department.clone()),
            }
        }
        for tag in &to.tags {
            match tag.parse().ok().and_then(|id| dir.tag_reach(id).ok()) {
                Some(reached) => members.extend(reached),
                None => resolved.invalid_tags.push(tag.clone()),
            }
        }
    }
    resolved.members = members.into_iter().collect();
    resolved
}

/// Delivers to each member the throttle admits, records the message and returns the record.
pub fn deliver(
    controls: &Controls,
    id: String,
    agent_id: &str,
    msgtype: &str,
    body: Value,
    content: &Value,
    resolved: Resolved,
) -> SentMessage {
    let print = fingerprint(content);
    let now = controls.now_ms();
    let (delivered, throttled) = resolved
        .members
        .into_iter()
        .partition(|m| controls.throttle().admit(agent_id, m, print, now));
    let message = SentMessage {
        id,
        agent_id: agent_id.to_owned(),
        msgtype: msgtype.to_owned(),
        body,
        delivered,
        throttled,
        invalid_users: resolved.invalid_users,
        invalid_departments: resolved.invalid_departments,
    };
    controls.recorder().record_message(message.clone());
    message
}

/// The interval `duplicate_check_interval` defaults to, in seconds (§A message send).
pub const DUPLICATE_CHECK_DEFAULT_SECS: i64 = 1800;
/// The longest interval WeCom accepts: 4 hours.
pub const DUPLICATE_CHECK_MAX_SECS: i64 = 4 * 3600;

/// Remembers recent sends so that a repeat within the sender's interval is accepted but not
/// delivered again. A send counts as a repeat when its message type, content and recipient
/// fields are the same as an earlier one's.
#[derive(Debug, Default)]
pub struct DuplicateCheck {
    /// Fingerprint → (sent at, in simulator ms; the message id it was delivered under).
    sent: Mutex<HashMap<u64, (i64, String)>>,
}

impl DuplicateCheck {
    /// Looks `print` up: the id of an identical message sent less than `interval_secs` before
    /// `now_ms` when `check` is on and there is one; otherwise `None`, and a delivered send is
    /// remembered under `msgid` (whether or not it asked for the check, as later sends may).
    pub fn earlier(
        &self,
        print: u64,
        check: bool,
        interval_secs: i64,
        now_ms: i64,
        msgid: &str,
    ) -> Option<String> {
        // Every operation is a single lookup or insert, so a poisoned map is still consistent.
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.retain(|_, (at, _)| now_ms - *at < DUPLICATE_CHECK_MAX_SECS * 1000);
        if check
            && let Some((at, id)) = sent.get(&print)
            && now_ms - at < interval_secs * 1000
        {
            return Some(id.clone());
        }
        sent.insert(print, (now_ms, msgid.to_owned()));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{SimConfig, tenant};

    #[test]
    fn repeats_inside_the_interval_are_reported_with_the_first_id() {
        let check = DuplicateCheck::default();
        assert_eq!(check.earlier(7, true, 60, 0, "m1"), None);
        assert_eq!(
            check.earlier(7, true, 60, 59_999, "m2").as_deref(),
            Some("m1")
        );
        // Another message, and the same one once its interval has passed, go through.
        assert_eq!(check.earlier(8, true, 60, 59_999, "m3"), None);
        assert_eq!(check.earlier(7, true, 60, 60_000, "m4"), None);
        // Without the check a repeat is delivered, and becomes the one later repeats match.
        assert_eq!(check.earlier(7, false, 60, 60_001, "m5"), None);
        assert_eq!(
            check.earlier(7, true, 60, 60_002, "m6").as_deref(),
            Some("m5")
        );
    }

    #[test]
    fn departments_reach_subtrees_and_unknowns_are_reported() {
        let dir = tenant::generate(&SimConfig {
            seed: 4,
            users: 40,
            departments: 6,
        });
        let first = dir.users().next().unwrap().userid.clone();
        let to = Recipients {
            users: vec![first.to_uppercase(), "Ghost".into()],
            departments: vec!["1".into(), "999".into(), "x".into()],
            tags: vec!["77".into()],
            all: false,
        };
        let resolved = resolve(&dir, &to);
        assert_eq!(
            resolved.members.len(),
            40,
            "the root department reaches everyone once"
        );
        assert_eq!(resolved.invalid_users, vec!["ghost"]);
        assert_eq!(resolved.invalid_departments, vec!["999", "x"]);
        assert_eq!(resolved.invalid_tags, vec!["77"]);
    }

    #[test]
    fn split_ignores_blanks() {
        assert_eq!(Recipients::split(Some("a||b| "), '|'), vec!["a", "b"]);
        assert!(Recipients::split(None, ',').is_empty());
    }
}
