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
use super::approvals::{Approval, ApprovalError, Approvals};
use super::attendance::{Punch, Punches};
use super::callbacks::{CallbackEmitter, CallbackSettings, SimEvent};
use super::clock::SimClock;
use super::directory::Directory;
use super::directory::DirectoryError;
use super::faults::{Faults, RateLimit};
use super::oauth::OAuthCodes;
use super::recorder::{
    CallbackAttempt, GroupMessage, RecordedCall, Recorder, RobotPost, SentMessage,
};
use super::tenant;
use super::throttle::{SendLimits, Throttle};
use super::tokens::TokenStore;

struct Shared {
    seed: u64,
    clock: SimClock,
    tokens: TokenStore,
    directory: Mutex<Directory>,
    faults: Faults,
    recorder: Arc<Recorder>,
    throttle: Throttle,
    approvals: Approvals,
    punches: Punches,
    oauth: OAuthCodes,
    callbacks: Option<Arc<CallbackEmitter>>,
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
    /// State for a fresh tenant generated from `config`, with a provider's send limits and
    /// callback emitter.
    pub(crate) fn new(
        config: &SimConfig,
        limits: SendLimits,
        callbacks: CallbackSettings<'_>,
    ) -> Self {
        Controls {
            shared: Arc::new(Shared {
                seed: config.seed,
                clock: SimClock::default(),
                tokens: TokenStore::new(config.seed),
                directory: Mutex::new(tenant::generate(config)),
                faults: Faults::default(),
                recorder: Arc::new(Recorder::default()),
                throttle: Throttle::new(limits),
                approvals: Approvals::default(),
                punches: Punches::default(),
                oauth: OAuthCodes::new(config.seed),
                callbacks: CallbackEmitter::for_app(callbacks),
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

    /// The tenant seed (attendance history derives from it).
    pub(crate) fn seed(&self) -> u64 {
        self.shared.seed
    }

    pub(crate) fn approvals(&self) -> &Approvals {
        &self.shared.approvals
    }

    pub(crate) fn punches(&self) -> &Punches {
        &self.shared.punches
    }

    pub(crate) fn oauth(&self) -> &OAuthCodes {
        &self.shared.oauth
    }

    /// Pushes `event` to the callback URL in the background (nothing if none is set); the handle
    /// lets callers wait for delivery.
    pub(crate) fn emit(&self, event: SimEvent) -> Option<tokio::task::JoinHandle<()>> {
        let emitter = self.shared.callbacks.as_ref()?;
        emitter.emit(&event, self.now_ms(), Arc::clone(&self.shared.recorder))
    }

    /// Pushes the create/update callback of a member changed through the API.
    pub(crate) fn user_changed(&self, userid: &str, created: bool) {
        let user = self.directory_mut().user(userid).ok().cloned();
        if let Some(user) = user {
            self.emit(if created {
                SimEvent::UserCreated(user)
            } else {
                SimEvent::UserUpdated(user)
            });
        }
    }

    /// Pushes the create/update callback of a department changed through the API.
    pub(crate) fn department_changed(&self, id: u64, created: bool) {
        let department = self.directory_mut().department(id).ok().cloned();
        if let Some(d) = department {
            self.emit(if created {
                SimEvent::DepartmentCreated(d)
            } else {
                SimEvent::DepartmentUpdated(d)
            });
        }
    }

    /// A number unique within this simulator (message ids, approval numbers, job ids).
    pub(crate) fn next_sequence(&self) -> u64 {
        self.shared.sequence.fetch_add(1, Ordering::SeqCst)
    }

    /// The directory, locked for reading or changing.
    pub(crate) fn directory_mut(&self) -> MutexGuard<'_, Directory> {
        self.shared
            .directory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    /// Every accepted group-chat message.
    pub fn group_messages(&self) -> Vec<GroupMessage> {
        self.shared.recorder.group_messages()
    }

    /// Sets (or clears) the URL signed, encrypted callbacks are posted to.
    pub fn set_callback_url(&self, url: Option<String>) {
        if let Some(emitter) = &self.shared.callbacks {
            emitter.set_url(url);
        }
    }

    /// Overrides the per-attempt callback timeout (WeCom 5 s, DingTalk 1.5 s).
    pub fn set_callback_timeout(&self, timeout: Option<Duration>) {
        if let Some(emitter) = &self.shared.callbacks {
            emitter.set_timeout(timeout);
        }
    }

    /// A one-time login code for `userid` (valid 5 minutes), as the login page would hand the
    /// member's browser.
    pub fn oauth_code_for(&self, userid: &str) -> Result<String, DirectoryError> {
        let userid = self.directory_mut().user(userid)?.userid.clone();
        Ok(self.shared.oauth.mint(&userid, self.now_ms()))
    }

    /// Like [`oauth_code_for`](Self::oauth_code_for), for a member who consented to share their
    /// sensitive fields (WeCom `snsapi_privateinfo`): exchanging it also yields a `user_ticket`.
    pub fn oauth_consent_code_for(&self, userid: &str) -> Result<String, DirectoryError> {
        let userid = self.directory_mut().user(userid)?.userid.clone();
        Ok(self.shared.oauth.mint_with(&userid, true, self.now_ms()))
    }

    /// One approval instance.
    pub fn approval(&self, id: &str) -> Option<Approval> {
        self.shared.approvals.get(id)
    }

    /// Approves an instance as `approver` and pushes the callback; the returned handle completes
    /// when the callback was delivered or gave up (`None` if no URL is set).
    pub fn approve(
        &self,
        id: &str,
        approver: &str,
        speech: &str,
    ) -> Result<(Approval, Option<tokio::task::JoinHandle<()>>), ApprovalError> {
        self.decide(id, approver, true, speech)
    }

    /// Rejects an instance as `approver` and pushes the callback (see [`Controls::approve`]).
    pub fn reject(
        &self,
        id: &str,
        approver: &str,
        speech: &str,
    ) -> Result<(Approval, Option<tokio::task::JoinHandle<()>>), ApprovalError> {
        self.decide(id, approver, false, speech)
    }

    fn decide(
        &self,
        id: &str,
        approver: &str,
        agreed: bool,
        speech: &str,
    ) -> Result<(Approval, Option<tokio::task::JoinHandle<()>>), ApprovalError> {
        let approval = self
            .shared
            .approvals
            .decide(id, approver, agreed, speech, self.now_ms())?;
        let pushed = self.emit(SimEvent::Approval(approval.clone()));
        Ok((approval, pushed))
    }

    /// Records a check-in of `userid` now and pushes the callback (DingTalk pushes check-ins;
    /// WeCom has no such callback, so there it is only recorded).
    pub fn check_in(
        &self,
        userid: &str,
    ) -> Result<(Punch, Option<tokio::task::JoinHandle<()>>), DirectoryError> {
        let userid = self.directory_mut().user(userid)?.userid.clone();
        let punch = self.shared.punches.check_in(&userid, self.now_ms());
        let pushed = self.emit(SimEvent::CheckIn(punch.clone()));
        Ok((punch, pushed))
    }

    /// Every callback delivery attempt.
    pub fn callbacks_sent(&self) -> Vec<CallbackAttempt> {
        self.shared.recorder.callbacks_sent()
    }
}
