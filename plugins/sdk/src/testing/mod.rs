//! Unit-test a plugin with plain `cargo test`, without the Worklink host.
//!
//! In a native build every capability function of this crate calls the [`TestHost`] installed on
//! the current thread. The harness behaves like the host where it matters to a plugin's logic:
//! a capability is usable only if the plugin requested it in `describe()` **and** the test granted
//! it (otherwise `denied`); writes are checked against the limits documented in the WIT and staged
//! in order with effect ids; staged effects are kept only when the handler returns `Ok`; a panic is
//! caught and reported like the host's trap, with its message in the log.
//!
//! ```
//! use worklink_sdk::contacts::{self, BindingKey};
//! use worklink_sdk::testing::{TestHost, user};
//! use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
//! use worklink_sdk::{Config, Rule};
//!
//! struct WhoIs;
//!
//! impl Rule for WhoIs {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("who-is", "0.1.0").capabilities([Capability::Contacts])
//!     }
//!
//!     fn handle(_event: Event, _config: Config) -> Result<Outcome, HandlerError> {
//!         let binding = contacts::resolve_binding(&BindingKey::Employee("E100".into()))?;
//!         let user = contacts::get_user(&binding.expect("bound").user_id)?;
//!         Ok(Outcome::json(&user.name))
//!     }
//! }
//!
//! let host = TestHost::new().user(user("zhangsan", "Zhang San")).binding("E100", "zhangsan");
//! let event = Event::new("demo.ping", &serde_json::json!({}));
//! assert_eq!(host.clone().grant([Capability::Contacts]).run::<WhoIs>(&event, "{}").output(), "Zhang San");
//! assert_eq!(host.run::<WhoIs>(&event, "{}").error().code, "denied");
//! ```

mod directory;
mod effect;
mod run;
mod state;
mod validate;

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use effect::{Effect, LogLine};
pub use run::{Run, RunOutcome};

use crate::approvals::ApprovalInstance;
use crate::attendance::{CheckIn, DayReport};
use crate::contacts::{Binding, Department, User};
use crate::log::Level;
use crate::matcher::{Employee, Proposal};
use crate::types::{CapError, Capability, Event, HandlerError};
use crate::{Config, Matcher, Rule};
use state::HostState;

thread_local! {
    /// The host of the run in progress on this thread (cargo runs tests on parallel threads).
    static CURRENT: RefCell<Option<HostState>> = const { RefCell::new(None) };
}

/// What a capability call returns when no test host is running.
pub(crate) trait Unhosted {
    /// The value standing in for the host's answer.
    fn unhosted() -> Self;
}

impl<T> Unhosted for Result<T, CapError> {
    fn unhosted() -> Self {
        Err(CapError::Unavailable(
            "no Worklink host: in native builds call capabilities inside TestHost::run".into(),
        ))
    }
}

impl Unhosted for () {
    fn unhosted() -> Self {}
}

/// Runs a capability call against the current thread's test host.
pub(crate) fn dispatch<R: Unhosted>(call: impl FnOnce(&mut HostState) -> R) -> R {
    CURRENT.with(|current| match current.borrow_mut().as_mut() {
        Some(state) => call(state),
        None => R::unhosted(),
    })
}

/// A directory user with only an id and a name; set other fields on the returned value.
pub fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        mobile: None,
        email: None,
        title: None,
        employee_no: None,
        departments: Vec::new(),
        active: true,
    }
}

/// An in-memory Worklink host for one plugin's tests. Configure it, then [`run`](Self::run) events;
/// each run starts from the configured state, so one host can run many events.
#[derive(Debug, Clone, Default)]
pub struct TestHost {
    state: HostState,
}

impl TestHost {
    /// A host granting nothing, with an empty directory and store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Grants capabilities to the rule (the plugin must also request them).
    pub fn grant(mut self, capabilities: impl IntoIterator<Item = Capability>) -> Self {
        self.state.granted.extend(capabilities);
        self
    }

    /// Grants every capability; the plugin's own request then decides.
    pub fn grant_all(self) -> Self {
        self.grant(Capability::ALL)
    }

    /// Makes every call to `capability`'s backend fail with `error` (after the grant check), to
    /// test how a plugin copes with a provider error or an outage.
    pub fn fail(mut self, capability: Capability, error: CapError) -> Self {
        self.state.failures.push((capability, error));
        self
    }

    /// Adds a directory user.
    pub fn user(mut self, user: User) -> Self {
        self.state.directory.add_user(user);
        self
    }

    /// Adds a department.
    pub fn department(mut self, department: Department) -> Self {
        self.state.directory.add_department(department);
        self
    }

    /// Binds an ERP employee to a directory user (replacing earlier bindings of either).
    pub fn binding(mut self, employee_id: &str, user_id: &str) -> Self {
        self.state.directory.add_binding(Binding {
            employee_id: employee_id.into(),
            user_id: user_id.into(),
        });
        self
    }

    /// Stores a value in the plugin's kv before the run.
    pub fn kv(mut self, key: &str, value: &str) -> Self {
        self.state.kv.insert(key.into(), value.into());
        self
    }

    /// Adds a check-in record.
    pub fn check_in(mut self, record: CheckIn) -> Self {
        self.state.check_ins.push(record);
        self
    }

    /// Adds a day report.
    pub fn day_report(mut self, report: DayReport) -> Self {
        self.state.day_reports.push(report);
        self
    }

    /// Adds an approval instance.
    pub fn approval(mut self, instance: ApprovalInstance) -> Self {
        self.state.approvals.insert(instance.id.clone(), instance);
        self
    }

    /// Configures a group robot; once any is configured, posts to other names are `not-found`.
    pub fn robot(mut self, name: &str) -> Self {
        self.state.robots.push(name.into());
        self
    }

    /// Runs a rule plugin's `handle` on `event` with `config` (JSON text).
    pub fn run<R: Rule>(&self, event: &Event, config: &str) -> Run<crate::types::Outcome> {
        let requested = R::describe().capabilities;
        let event = event.clone();
        let config = Config::new(config);
        self.invoke(requested, move || R::handle(event, config))
    }

    /// Runs a matcher plugin's `match_employees`.
    pub fn run_matcher<M: Matcher>(
        &self,
        employees: Vec<Employee>,
        users: Vec<User>,
        config: &str,
    ) -> Run<Vec<Proposal>> {
        let requested = M::describe().capabilities;
        let config = Config::new(config);
        self.invoke(requested, move || {
            M::match_employees(employees, users, config)
        })
    }

    /// Installs a fresh copy of the state on this thread, calls the plugin, and collects what it
    /// did. Effects survive only an `Ok` result, as with the host.
    fn invoke<T>(
        &self,
        requested: Vec<Capability>,
        call: impl FnOnce() -> Result<T, HandlerError>,
    ) -> Run<T> {
        let state = HostState {
            requested,
            ..self.state.clone()
        };
        CURRENT.with(|current| *current.borrow_mut() = Some(state));
        let result = catch_unwind(AssertUnwindSafe(call));
        let mut state = CURRENT
            .with(|current| current.borrow_mut().take())
            .expect("the test host stays installed for the whole run");
        let outcome = match result {
            Ok(Ok(value)) => RunOutcome::Ok(value),
            Ok(Err(error)) => RunOutcome::Error(error),
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                state.log(Level::Error, &format!("panic: {message}"));
                RunOutcome::Panic(message)
            }
        };
        let staged = std::mem::take(&mut state.effects);
        let (effects, discarded) = if matches!(outcome, RunOutcome::Ok(_)) {
            (staged, Vec::new())
        } else {
            (Vec::new(), staged)
        };
        Run::new(outcome, effects, discarded, state.logs)
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv;
    use crate::types::{Outcome, PluginInfo};

    /// Counts in kv, then fails when the config asks it to.
    struct Counter;

    impl Rule for Counter {
        fn describe() -> PluginInfo {
            PluginInfo::new("counter", "0.0.0").capabilities([Capability::Kv])
        }

        fn handle(_event: Event, config: Config) -> Result<Outcome, HandlerError> {
            let n: u32 = kv::get("n")?.map_or(0, |v| v.parse().unwrap_or(0)) + 1;
            kv::set("n", &n.to_string())?;
            if config.as_str().contains("fail") {
                return Err(HandlerError::retryable("asked-to-fail", "as configured"));
            }
            Ok(Outcome::json(&n))
        }
    }

    fn ping() -> Event {
        Event::new("demo.ping", &serde_json::json!({}))
    }

    #[test]
    fn capabilities_outside_a_run_are_unavailable() {
        assert!(matches!(kv::get("n"), Err(CapError::Unavailable(_))));
        crate::log::info("dropped without a host");
    }

    #[test]
    fn runs_start_from_the_configured_state() {
        let host = TestHost::new().grant([Capability::Kv]).kv("n", "5");
        assert_eq!(host.run::<Counter>(&ping(), "{}").output(), 6);
        assert_eq!(
            host.run::<Counter>(&ping(), "{}").output(),
            6,
            "the first run's set is not kept"
        );
    }

    #[test]
    fn a_handler_error_discards_staged_effects() {
        let run = TestHost::new()
            .grant([Capability::Kv])
            .run::<Counter>(&ping(), "fail");
        assert_eq!(run.error().code, "asked-to-fail");
        assert!(run.effects.is_empty());
        assert!(matches!(&run.discarded[..], [Effect::KvSet { value, .. }] if value == "1"));
    }

    #[test]
    fn simulated_failures_come_after_the_grant_check() {
        let outage = CapError::Unavailable("kv down".into());
        let run = TestHost::new()
            .fail(Capability::Kv, outage.clone())
            .run::<Counter>(&ping(), "{}");
        assert_eq!(run.error().code, "denied", "not granted beats the outage");
        let run = TestHost::new()
            .grant([Capability::Kv])
            .fail(Capability::Kv, outage)
            .run::<Counter>(&ping(), "{}");
        assert_eq!(run.error().code, "unavailable");
        assert!(run.error().retryable);
    }
}
