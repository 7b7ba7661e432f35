//! Knobs that make a simulator misbehave the way the real services sometimes do.
//!
//! Clients must survive slow answers, gateway errors, dropped connections, IP allow-list refusals
//! (60020), frequency limits (45009) and arbitrary errcodes. Each knob here is consulted once per
//! request by the [`guard`](super::guard), in a fixed order, so a test can arrange "the next two
//! calls fail with 502, then the next gettoken answers -1".

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// A frequency limit: at most `calls` calls to one path per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed per window and path.
    pub calls: u32,
    /// Length of the window (simulated time).
    pub window: Duration,
}

/// What the guard must do with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Close the connection without answering.
    Drop,
    /// Answer with this HTTP status and a gateway error page.
    ServerError(u16),
    /// Refuse: caller IP not on the allow-list.
    IpBlocked,
    /// Refuse: frequency limit exceeded.
    RateLimited,
    /// Refuse with this errcode.
    Errcode(i64),
    /// Let the request through.
    Pass,
}

#[derive(Debug, Default)]
struct Knobs {
    latency: Duration,
    server_errors: u32,
    server_error_status: u16,
    drops: u32,
    errcodes: HashMap<String, VecDeque<i64>>,
    ip_blocked: bool,
    rate_limit: Option<RateLimit>,
    windows: HashMap<String, (i64, u32)>,
}

/// The fault knobs of one simulator.
#[derive(Debug, Default)]
pub struct Faults {
    knobs: Mutex<Knobs>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Knobs> {
        self.knobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Delay added before every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// The delay currently added before every answer.
    pub fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// Answer the next `count` calls with HTTP `status` (e.g. 502) instead of JSON.
    pub fn fail_next(&self, count: u32, status: u16) {
        let mut knobs = self.lock();
        knobs.server_errors = count;
        knobs.server_error_status = status;
    }

    /// Drop the connection of the next `count` calls without answering.
    pub fn drop_next(&self, count: u32) {
        self.lock().drops = count;
    }

    /// Answer the next call to `path` with `errcode` (queued: several calls queue several codes).
    pub fn errcode_next(&self, path: &str, errcode: i64) {
        self.lock()
            .errcodes
            .entry(path.to_owned())
            .or_default()
            .push_back(errcode);
    }

    /// Refuse every call with the IP allow-list error (60020) while set.
    pub fn set_ip_blocked(&self, blocked: bool) {
        self.lock().ip_blocked = blocked;
    }

    /// Refuse calls beyond a per-path frequency limit (45009); `None` lifts the limit.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        let mut knobs = self.lock();
        knobs.rate_limit = limit;
        knobs.windows.clear();
    }

    /// Decides the fate of one request to `path` at simulated time `now_ms`. Knobs that fire are
    /// consumed: drops first, then server errors, the IP list, the frequency limit, queued errcodes.
    pub fn judge(&self, path: &str, now_ms: i64) -> Verdict {
        let mut knobs = self.lock();
        if knobs.drops > 0 {
            knobs.drops -= 1;
            return Verdict::Drop;
        }
        if knobs.server_errors > 0 {
            knobs.server_errors -= 1;
            return Verdict::ServerError(knobs.server_error_status);
        }
        if knobs.ip_blocked {
            return Verdict::IpBlocked;
        }
        if let Some(limit) = knobs.rate_limit {
            let window_ms = i64::try_from(limit.window.as_millis())
                .unwrap_or(i64::MAX)
                .max(1);
            let slot = knobs.windows.entry(path.to_owned()).or_insert((now_ms, 0));
            if now_ms - slot.0 >= window_ms {
                *slot = (now_ms, 0);
            }
            slot.1 += 1;
            if slot.1 > limit.calls {
                return Verdict::RateLimited;
            }
        }
        if let Some(code) = knobs.errcodes.get_mut(path).and_then(VecDeque::pop_front) {
            return Verdict::Errcode(code);
        }
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_knobs_are_consumed_in_order() {
        let faults = Faults::default();
        faults.drop_next(1);
        faults.fail_next(2, 502);
        faults.errcode_next("/a", -1);
        assert_eq!(faults.judge("/a", 0), Verdict::Drop);
        assert_eq!(faults.judge("/a", 0), Verdict::ServerError(502));
        assert_eq!(faults.judge("/b", 0), Verdict::ServerError(502));
        assert_eq!(faults.judge("/b", 0), Verdict::Pass);
        assert_eq!(faults.judge("/a", 0), Verdict::Errcode(-1));
        assert_eq!(faults.judge("/a", 0), Verdict::Pass);
    }

    #[test]
    fn rate_limit_is_per_path_and_window() {
        let faults = Faults::default();
        faults.set_rate_limit(Some(RateLimit {
            calls: 2,
            window: Duration::from_secs(60),
        }));
        assert_eq!(faults.judge("/a", 0), Verdict::Pass);
        assert_eq!(faults.judge("/a", 1), Verdict::Pass);
        assert_eq!(faults.judge("/a", 2), Verdict::RateLimited);
        assert_eq!(faults.judge("/b", 2), Verdict::Pass);
        assert_eq!(faults.judge("/a", 60_000), Verdict::Pass);
    }

    #[test]
    fn ip_block_holds_until_lifted() {
        let faults = Faults::default();
        faults.set_ip_blocked(true);
        assert_eq!(faults.judge("/a", 0), Verdict::IpBlocked);
        assert_eq!(faults.judge("/a", 0), Verdict::IpBlocked);
        faults.set_ip_blocked(false);
        assert_eq!(faults.judge("/a", 0), Verdict::Pass);
    }
}
