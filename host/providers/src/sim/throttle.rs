//! Per-member send limits that drop messages silently.
//!
//! Both services cap how many app messages one member receives and, beyond the cap, answer
//! success but do not deliver (WeCom: 30/min and 1000/h per app and member, §A1; DingTalk: 500 per
//! day per member, and identical content at most once a day, §B1). A client cannot see this in
//! the response, so the simulator records such recipients as throttled instead of delivered.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// One provider's per-member limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLimits {
    /// (window in ms, messages allowed per member in that window), all of which must hold.
    pub windows: Vec<(i64, u32)>,
    /// Whether identical content reaches the same member at most once per calendar day.
    pub dedup_daily: bool,
}

impl SendLimits {
    /// WeCom: 30 per minute and 1000 per hour to the same member.
    pub fn wecom() -> Self {
        SendLimits {
            windows: vec![(60_000, 30), (3_600_000, 1000)],
            dedup_daily: false,
        }
    }

    /// DingTalk internal apps: 500 per day per member, identical content once per day.
    pub fn dingtalk() -> Self {
        SendLimits {
            windows: vec![(86_400_000, 500)],
            dedup_daily: true,
        }
    }
}

/// Remembers recent deliveries per (app, member).
#[derive(Debug)]
pub struct Throttle {
    limits: SendLimits,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sent: HashMap<(String, String), Vec<i64>>,
    contents: HashSet<(String, String, i64, u64)>,
}

const DAY_MS: i64 = 86_400_000;

impl Throttle {
    /// A throttle enforcing `limits`.
    pub fn new(limits: SendLimits) -> Self {
        Throttle {
            limits,
            state: Mutex::new(State::default()),
        }
    }

    /// Whether a message with content fingerprint `content` from `app` may reach `member` at
    /// `now_ms`; an admitted message counts against the limits.
    pub fn admit(&self, app: &str, member: &str, content: u64, now_ms: i64) -> bool {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let member = member.to_lowercase();
        let day = now_ms.div_euclid(DAY_MS);
        let content_key = (app.to_owned(), member.clone(), day, content);
        if self.limits.dedup_daily && state.contents.contains(&content_key) {
            return false;
        }
        let longest = self.limits.windows.iter().map(|w| w.0).max().unwrap_or(0);
        let times = state.sent.entry((app.to_owned(), member)).or_default();
        times.retain(|t| now_ms - t < longest);
        let over = self.limits.windows.iter().any(|&(window, allowed)| {
            times.iter().filter(|t| now_ms - **t < window).count() >= allowed as usize
        });
        if over {
            return false;
        }
        times.push(now_ms);
        if self.limits.dedup_daily {
            state.contents.insert(content_key);
        }
        true
    }
}

/// A stable fingerprint of a message's content (FNV-1a over its JSON text).
pub fn fingerprint(content: &serde_json::Value) -> u64 {
    content
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wecom_drops_the_31st_message_in_a_minute() {
        let throttle = Throttle::new(SendLimits::wecom());
        let admitted = (0..31)
            .filter(|i| {
                throttle.admit(
                    "1000002",
                    "ZhangSan",
                    *i,
                    1_000 + i64::try_from(*i).unwrap(),
                )
            })
            .count();
        assert_eq!(admitted, 30);
        // Other members and other apps are unaffected.
        assert!(throttle.admit("1000002", "lisi", 0, 2_000));
        assert!(throttle.admit("1000003", "zhangsan", 0, 2_000));
        // Case-insensitive member identity, and a new minute opens the window again.
        assert!(!throttle.admit("1000002", "zhangsan", 99, 2_000));
        assert!(throttle.admit("1000002", "zhangsan", 99, 61_000));
    }

    #[test]
    fn wecom_hourly_cap() {
        let throttle = Throttle::new(SendLimits::wecom());
        let mut admitted = 0;
        for i in 0..1100i64 {
            // 25 a minute: under the minute cap, over the hour cap after 1000.
            if throttle.admit("a", "u", 0, i * 2_400) {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 1000);
    }

    #[test]
    fn dingtalk_identical_content_once_a_day() {
        let throttle = Throttle::new(SendLimits::dingtalk());
        assert!(throttle.admit("a", "u", 7, 0));
        assert!(!throttle.admit("a", "u", 7, 1_000));
        assert!(throttle.admit("a", "u", 8, 1_000));
        assert!(throttle.admit("a", "u", 7, DAY_MS));
    }

    #[test]
    fn fingerprint_tracks_content() {
        let a = serde_json::json!({"text": {"content": "hi"}});
        let b = serde_json::json!({"text": {"content": "ho"}});
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
