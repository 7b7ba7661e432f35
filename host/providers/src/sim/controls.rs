//! The knobs and observations of one simulator, shared by its HTTP handlers and its owner.
//!
//! Tests (and `worklink sim` users, over the control endpoints) reach everything through a
//! [`Controls`] handle: time, token invalidation, fault knobs, the "new app" privacy mode, the
//! directory, and the recorder. Both simulators use the same type, so a test written against one
//! service reads the same against the other.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::SimConfig;
use super::clock::SimClock;
use super::directory::Directory;
use super::faults::{Faults, RateLimit};
use super::recorder::{CallbackAttempt, RecordedCall, Recorder, RobotPost, SentMessage};
use super::tenant;
use super::throttle::{SendLimits, Throttle};
use super::tokens::TokenStore;

struct Shared {
    clock: SimClock,
    tokens: TokenStore,
    directory: Mutex<Directory>,
    faults: Faults,
    recorder: Recorder,
    throttle: Throttle,
    new_app_mode: AtomicBool,
    sequence: AtomicU64,
}

/// Handle to one simulator's state and knobs; clones share everything.
#[derive(Clone)]
pub struct Controls {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls").finish_non_exhaustive()
    }
}

impl Controls {
    /// State for a fresh tenant generated from `config`, with a provider's send limits.
    pub(crate) fn new(config: &SimConfig, limits: SendLimits) -> Self {
        Controls {
            shared: Arc::new(Shared {
                clock: SimClock::default(),
                tokens: TokenStore::new(config.seed),
                directory: Mutex::new(tenant::generate(config)),
                faults: Faults::default(),
                recorder: Recorder::default(),
                throttle: Throttle::new(limits),
                new_app_mode: AtomicBool::new(false),
                sequence: AtomicU64::new(1),
            }),
        }
    }

    pub(crate) fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    pub(crate) fn tokens(&self) -> &TokenStore {
        &self.shared.tokens
    }

    pub(crate) fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    pub(crate) fn recorder(&self) -> &Recorder {
        &self.shared.recorder
    }

    pub(crate) fn throttle(&self) -> &Throttle {
        &self.shared.throttle
    }

    /// A number unique within this simulator (message ids, approval numbers, job ids).
    pub(crate) fn next_sequence(&self) -> u64 {
        self.shared.sequence.fetch_add(1, Ordering::SeqCst)
    }

    /// The directory, locked for reading or changing.
    pub(crate) fn directory_mut(&self) -> MutexGuard<'_, Directory> {
        self.shared.directory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Simulated now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    /// Moves simulated time forward: tokens expire, throttle windows and robot timestamps move.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Invalidates every issued token early, as the services may "出于运营需要".
    pub fn invalidate_tokens(&self) {
        self.shared.tokens.invalidate_all();
    }

    /// While set, every call is refused as coming from an IP outside the allow-list (WeCom 60020).
    pub fn set_ip_blocked(&self, blocked: bool) {
        self.shared.faults.set_ip_blocked(blocked);
    }

    /// Refuses calls beyond `limit` per path (WeCom 45009); `None` lifts it.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.shared.faults.set_rate_limit(limit);
    }

    /// While set, user reads omit mobile, e-mail, avatar, gender and address, as for WeCom apps
    /// created after 2022-06-20 (and DingTalk apps lacking the sensitive-field permission).
    pub fn set_new_app_mode(&self, on: bool) {
        self.shared.new_app_mode.store(on, Ordering::SeqCst);
    }

    /// Whether "new app" privacy mode is on.
    pub fn new_app_mode(&self) -> bool {
        self.shared.new_app_mode.load(Ordering::SeqCst)
    }

    /// Adds a delay before every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.faults.set_latency(latency);
    }

    /// Answers the next `count` calls with HTTP `status` (e.g. 502) and an HTML error page.
    pub fn fail_next(&self, count: u32, status: u16) {
        self.shared.faults.fail_next(count, status);
    }

    /// Drops the connection of the next `count` calls without answering.
    pub fn drop_next(&self, count: u32) {
        self.shared.faults.drop_next(count);
    }

    /// Answers the next call to `path` (e.g. `/cgi-bin/gettoken`) with `errcode`.
    pub fn errcode_next(&self, path: &str, errcode: i64) {
        self.shared.faults.errcode_next(path, errcode);
    }

    /// A snapshot of the directory as it is now.
    pub fn directory(&self) -> Directory {
        self.directory_mut().clone()
    }

    /// Every call received so far.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.recorder.calls()
    }

    /// How many calls were made to exactly `path`.
    pub fn call_count(&self, path: &str) -> usize {
        self.shared.recorder.call_count(path)
    }

    /// Every accepted app message, with delivered and throttled recipients.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.shared.recorder.messages()
    }

    /// Every robot webhook post.
    pub fn robot_posts(&self) -> Vec<RobotPost> {
        self.shared.recorder.robot_posts()
    }

    /// Every callback delivery attempt.
    pub fn callbacks_sent(&self) -> Vec<CallbackAttempt> {
        self.shared.recorder.callbacks_sent()
    }
}
