//! The capability bridge: the WIT interfaces as Rhai static modules over [`InvocationHost`].
//!
//! A script calls `messaging::send(to, message)`, `contacts::get_user(id)`, `kv::set(k, v)`, ...:
//! one module per WIT interface, one function per WIT function, records as Rhai maps with the
//! same (snake_case) field names the Rust mirrors in [`crate::types`] serialise to. Every call
//! goes to the per-invocation [`InvocationHost`] the wasm host also uses, so grants, validation
//! and staged effects mean exactly the same thing in both sandboxes.
//!
//! Rhai functions are synchronous while the backends' live reads are async. A handler therefore
//! runs on a blocking thread (`tokio::task::spawn_blocking`), and a read blocks that thread on the
//! runtime's [`Handle`] until the backend answers or the run's deadline passes. The alternative,
//! collecting intended reads and replaying the script, would make a script's control flow depend
//! on the host's scheduling; blocking a thread reserved for blocking work keeps scripts ordinary.
//!
//! A capability error is thrown as a catchable value shaped like a handler error,
//! `#{ code: "denied", message: "...", retryable: false }`: the same code a plugin's `?` turns
//! the WIT `cap-error` into, so uncaught it ends the handler exactly as it would a plugin.

mod approvals;
mod attendance;
mod contacts;
mod convert;
mod erp;
mod kv;
mod log;
mod messaging;

use std::cell::{RefCell, RefMut};
use std::rc::Rc;
use std::time::Instant;

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, Module, NativeCallContext, Position};
use serde::de::DeserializeOwned;
use tokio::runtime::Handle;

use super::ambient;
use crate::capability::{CapError, Capability};
use crate::invocation::{InvocationHost, LogSource};
use crate::types::LogLevel;

/// What a capability function returns to Rhai.
type Call<T> = Result<T, Box<EvalAltResult>>;

/// The capability side of one handler run: its host object, and how to wait for live reads.
pub(crate) struct Session {
    /// The per-invocation host; borrowed for the duration of one capability call.
    host: RefCell<InvocationHost>,
    /// The tokio runtime the backends' futures run on.
    runtime: Handle,
    /// When the run must end; live reads are cut off here.
    deadline: Instant,
}

impl Session {
    /// A session over `host`, blocking on `runtime` for reads until `deadline`.
    pub(crate) fn new(host: InvocationHost, runtime: Handle, deadline: Instant) -> Self {
        Self {
            host: RefCell::new(host),
            runtime,
            deadline,
        }
    }

    /// Gives the host back once the run is over, to finish the invocation.
    pub(crate) fn into_host(self) -> InvocationHost {
        self.host.into_inner()
    }

    /// The host, for one capability call.
    fn host(&self) -> RefMut<'_, InvocationHost> {
        self.host.borrow_mut()
    }

    /// Waits for a live read, at most until the run's deadline.
    ///
    /// Hitting the deadline here stops the script the same way the progress hook does (an
    /// uncatchable termination), so a slow backend reads as the run's timeout, not as an error
    /// the script could catch and ignore.
    fn block_on<T>(&self, read: impl Future<Output = Result<T, CapError>>) -> Call<T> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        match self.runtime.block_on(tokio::time::timeout(remaining, read)) {
            Ok(result) => result.map_err(convert::thrown),
            Err(_elapsed) => Err(EvalAltResult::ErrorTerminated(
                ambient::DEADLINE_TOKEN.into(),
                Position::NONE,
            )
            .into()),
        }
    }

    /// Reads argument `name` of `function` (which needs `capability`) as the record `T`.
    ///
    /// The host checks the grant before validating, so a denied capability reads as denied even
    /// when its arguments are also wrong; a misshapen argument is checked here, before the host
    /// sees it, so the same order is kept.
    fn arg<T: DeserializeOwned>(
        &self,
        capability: Capability,
        function: &str,
        name: &str,
        value: &Dynamic,
    ) -> Call<T> {
        convert::record(function, name, value).map_err(|invalid| {
            let denied = self.host.borrow().grants().check(capability).err();
            convert::thrown(denied.unwrap_or(invalid))
        })
    }

    /// Appends `print`/`debug` output to the execution log, like a plugin's captured stdout.
    fn print(&self, level: LogLevel, text: &str) {
        // Scripts print between capability calls, never during one, so the host is free; should
        // that ever change, losing a line beats a panic.
        if let Ok(host) = self.host.try_borrow() {
            host.logs().push(level, LogSource::Stdout, text);
        }
    }
}

/// The session of the handler running on this thread.
///
/// `when` conditions run on the same engine but without a session, so a capability call in a
/// condition fails here with a clear message instead of reaching a host.
fn session() -> Call<Rc<Session>> {
    ambient::session().ok_or_else(|| {
        "capabilities can only be called from a handler, not from a `when` condition".into()
    })
}

/// Runs a capability call's body, pinning any error it raises to the call's place in the script.
///
/// Errors made by native functions carry no position of their own; without this, a denied call
/// would be reported against the whole script rather than the line that made it.
fn located<T>(ctx: &NativeCallContext, body: impl FnOnce() -> Call<T>) -> Call<T> {
    body().map_err(|mut error| {
        if error.position().is_none() {
            error.set_position(ctx.call_position());
        }
        error
    })
}

/// Registration of a capability function. Marked volatile so the optimiser never evaluates a
/// call ahead of time because its arguments are constants: every call must reach the host.
fn capability_fn(name: &str) -> FuncRegistration {
    FuncRegistration::new(name)
        .in_internal_namespace()
        .with_volatility(true)
}

/// Registers every capability module, and routes `print`/`debug` into the running handler's log.
pub(crate) fn register(engine: &mut Engine) {
    let modules: [(&str, Module); 7] = [
        ("messaging", messaging::module()),
        ("contacts", contacts::module()),
        ("attendance", attendance::module()),
        ("approvals", approvals::module()),
        ("erp", erp::module()),
        ("kv", kv::module()),
        ("log", log::module()),
    ];
    for (name, module) in modules {
        engine.register_static_module(name, module.into());
    }
    engine.on_print(|text| {
        if let Some(session) = ambient::session() {
            session.print(LogLevel::Info, text);
        }
    });
    engine.on_debug(|text, _source, _pos| {
        if let Some(session) = ambient::session() {
            session.print(LogLevel::Debug, text);
        }
    });
}
