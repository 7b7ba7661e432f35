//! The per-run state the shared engine's callbacks need, installed on the running thread.
//!
//! There is one hardened [`rhai::Engine`] for every script, and its hooks (`on_progress`,
//! `on_print`, `on_debug`) and the capability functions registered on it are plain `Fn`s fixed
//! when the engine is built. What they act on, though, belongs to one run: its deadline and
//! operation budget, its log buffer, its grants and staged effects. A script runs start to finish
//! on a single thread, so the run installs that state in thread-locals for exactly the duration
//! of the call (a guard removes it again, even on unwind) and the hooks look it up. The
//! alternative, an engine per run, would rebuild every package and module for each event.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use rhai::Dynamic;

use super::bridge::Session;

/// How many operations pass between two looks at the clock. Reading the clock costs about as
/// much as a Rhai operation, so checking every time would double the cost of a tight loop; a
/// few hundred operations take microseconds, so the deadline is still met closely.
const CLOCK_CHECK_INTERVAL: u64 = 256;

/// Termination token for a run stopped at its wall-clock deadline.
pub(crate) const DEADLINE_TOKEN: &str = "deadline";
/// Termination token for a run stopped at its own operation budget (tighter than the engine's).
pub(crate) const OPERATIONS_TOKEN: &str = "operations";

/// The budget of the run on this thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunBudget {
    /// When the run must stop; `None` for no deadline.
    pub deadline: Option<Instant>,
    /// Operations the run may use; the engine's own limit still applies on top.
    pub max_operations: u64,
}

impl RunBudget {
    /// No deadline and no budget beyond the engine's own limits.
    pub(crate) const UNBOUNDED: RunBudget = RunBudget {
        deadline: None,
        max_operations: u64::MAX,
    };
}

thread_local! {
    /// Budget of the run on this thread; a `Cell` so the progress hook, called on every
    /// operation, costs a load and a compare.
    static BUDGET: Cell<RunBudget> = const { Cell::new(RunBudget::UNBOUNDED) };
    /// Operations counted so far by the run on this thread.
    static OPERATIONS: Cell<u64> = const { Cell::new(0) };
    /// The capability session of the handler running on this thread, if any.
    static SESSION: RefCell<Option<Rc<Session>>> = const { RefCell::new(None) };
}

/// Keeps a run's state installed on this thread; dropping it restores what was there before.
pub(crate) struct Installed {
    /// The budget to put back.
    previous_budget: RunBudget,
    /// The operation count to put back.
    previous_operations: u64,
    /// The session to put back.
    previous_session: Option<Rc<Session>>,
}

/// Installs `budget` and `session` on the current thread until the guard is dropped.
pub(crate) fn install(budget: RunBudget, session: Option<Rc<Session>>) -> Installed {
    Installed {
        previous_budget: BUDGET.replace(budget),
        previous_operations: OPERATIONS.replace(0),
        previous_session: SESSION.replace(session),
    }
}

impl Installed {
    /// Operations the run has used so far.
    pub(crate) fn operations(&self) -> u64 {
        OPERATIONS.get()
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        BUDGET.set(self.previous_budget);
        OPERATIONS.set(self.previous_operations);
        SESSION.set(self.previous_session.take());
    }
}

/// The engine's `on_progress` hook: stops the script once the run's operation budget is spent
/// or its deadline has passed.
pub(crate) fn progress(operations: u64) -> Option<Dynamic> {
    OPERATIONS.set(operations);
    let budget = BUDGET.get();
    if operations > budget.max_operations {
        return Some(Dynamic::from(OPERATIONS_TOKEN));
    }
    if !operations.is_multiple_of(CLOCK_CHECK_INTERVAL) {
        return None;
    }
    match budget.deadline {
        Some(deadline) if Instant::now() >= deadline => Some(Dynamic::from(DEADLINE_TOKEN)),
        _ => None,
    }
}

/// The capability session of the handler running on this thread, if any.
pub(crate) fn session() -> Option<Rc<Session>> {
    SESSION.with_borrow(|s| s.clone())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn progress_stops_at_the_budget_and_the_deadline_only_while_installed() {
        let budget = RunBudget {
            deadline: None,
            max_operations: 10,
        };
        {
            let _run = install(budget, None);
            assert!(progress(10).is_none());
            assert_eq!(
                progress(11).and_then(|t| t.into_string().ok()).as_deref(),
                Some(OPERATIONS_TOKEN)
            );
        }
        assert!(
            progress(11).is_none(),
            "the budget must not outlive its run"
        );

        let past = Instant::now() - Duration::from_millis(1);
        let _run = install(
            RunBudget {
                deadline: Some(past),
                max_operations: u64::MAX,
            },
            None,
        );
        assert!(
            progress(CLOCK_CHECK_INTERVAL - 1).is_none(),
            "the clock is read only periodically"
        );
        let token = progress(CLOCK_CHECK_INTERVAL).and_then(|t| t.into_string().ok());
        assert_eq!(token.as_deref(), Some(DEADLINE_TOKEN));
    }
}
