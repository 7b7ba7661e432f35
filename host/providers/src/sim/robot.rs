//! The group-robot webhook limit shared by both services: 20 messages a minute per robot (§A4,
//! §B3). DingTalk additionally throttles an offending robot for 10 minutes; WeCom only refuses
//! the excess. Accepted and refused posts are recorded by the provider handlers.

use std::collections::HashMap;
use std::sync::Mutex;

/// Messages one robot may post per minute.
pub const ROBOT_PER_MINUTE: usize = 20;

/// Sliding-window limiter per robot credential.
#[derive(Debug)]
pub struct RobotLimiter {
    penalty_ms: i64,
    state: Mutex<HashMap<String, Posts>>,
}

#[derive(Debug, Default)]
struct Posts {
    times: Vec<i64>,
    blocked_until: i64,
}

impl RobotLimiter {
    /// A limiter that, once a robot exceeds the limit, refuses it for `penalty_ms` (0: only the
    /// excess is refused).
    pub fn new(penalty_ms: i64) -> Self {
        RobotLimiter {
            penalty_ms,
            state: Mutex::new(HashMap::new()),
        }
    }

    /// WeCom: the excess is refused, nothing more.
    pub fn wecom() -> Self {
        RobotLimiter::new(0)
    }

    /// DingTalk: the excess is refused and the robot is throttled for 10 minutes.
    pub fn dingtalk() -> Self {
        RobotLimiter::new(10 * 60_000)
    }

    /// Whether `robot` may post at `now_ms`; an admitted post counts.
    pub fn admit(&self, robot: &str, now_ms: i64) -> bool {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let posts = state.entry(robot.to_owned()).or_default();
        if now_ms < posts.blocked_until {
            return false;
        }
        posts.times.retain(|t| now_ms - t < 60_000);
        if posts.times.len() >= ROBOT_PER_MINUTE {
            posts.blocked_until = now_ms + self.penalty_ms;
            return false;
        }
        posts.times.push(now_ms);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_a_minute_then_refused() {
        let limiter = RobotLimiter::wecom();
        assert_eq!((0..25).filter(|i| limiter.admit("k", i * 100)).count(), 20);
        assert!(limiter.admit("other", 0));
        assert!(limiter.admit("k", 60_000));
    }

    #[test]
    fn dingtalk_penalty_lasts_ten_minutes() {
        let limiter = RobotLimiter::dingtalk();
        for i in 0..21 {
            limiter.admit("t", i);
        }
        assert!(
            !limiter.admit("t", 120_000),
            "still throttled after the minute"
        );
        assert!(limiter.admit("t", 21 + 600_000));
    }
}
