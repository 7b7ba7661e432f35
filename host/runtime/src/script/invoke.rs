//! Running a handler script: `fn handle(event, config)` in, an [`InvocationResult`] out.
//!
//! Each run gets a fresh [`InvocationHost`] (grants, staged effects, bounded log) and its own
//! budget: a deadline from the wall-clock limit and an operation budget from the CPU-time limit.
//! The script runs on a blocking thread so its live capability reads can wait on the async
//! backends (see `bridge`), and so a slow script never stalls the async workers.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::{Dynamic, Scope};
use tokio::runtime::Handle;

use super::ambient::{self, RunBudget};
use super::bridge::Session;
use super::engine::HANDLER_FN;
use super::error::ScriptError;
use super::{CompiledScript, ScriptEngine, outcome, value};
use crate::invocation::{
    InvocationHost, InvocationRequest, InvocationResult, LogSource, Outcome, Usage,
};
use crate::types::{Event, LogLevel};

impl ScriptEngine {
    /// Runs `script`'s `handle(event, config)` under `request`'s grants, backends and limits.
    ///
    /// Never fails as a call: every way the script can end (returned, threw, hit a limit) is an
    /// [`Outcome`], and staged effects are kept only when it returned normally. Must be called
    /// within a tokio runtime, whose blocking pool runs the script.
    pub async fn invoke(
        &self,
        script: &Arc<CompiledScript>,
        event: &Event,
        config: &serde_json::Value,
        request: InvocationRequest,
    ) -> InvocationResult {
        let started = Instant::now();
        let run = Run::new(
            self,
            script.clone(),
            event.clone(),
            config.clone(),
            started,
            &request,
        );
        let runtime = Handle::current();
        match tokio::task::spawn_blocking(move || run.execute(request, runtime)).await {
            Ok(result) => result,
            // Only a panic in the host's own code ends up here; there is no host left to take
            // logs from, so the result says what happened and carries nothing else.
            Err(e) => InvocationResult::new(
                Outcome::HostError {
                    message: format!("the script thread failed: {e}"),
                },
                Vec::new(),
                (Vec::new(), 0),
                Usage {
                    wall_time_us: micros(started.elapsed()),
                    ..Usage::default()
                },
            ),
        }
    }
}

/// Everything one run needs on its blocking thread.
struct Run {
    /// The engine, shared.
    engine: ScriptEngine,
    /// The script to run.
    script: Arc<CompiledScript>,
    /// The event, as the handler's first argument.
    event: Event,
    /// The rule config, as the handler's second argument.
    config: serde_json::Value,
    /// When the invocation started, for the deadline and the wall-time usage.
    started: Instant,
    /// The wall-clock budget: the invocation's limit, capped by the engine's.
    wall_time: Duration,
    /// The operation budget derived from the invocation's CPU-time limit.
    max_operations: u64,
}

impl Run {
    /// Works out the run's budget from the engine's limits and the invocation's.
    fn new(
        engine: &ScriptEngine,
        script: Arc<CompiledScript>,
        event: Event,
        config: serde_json::Value,
        started: Instant,
        request: &InvocationRequest,
    ) -> Self {
        let limits = &engine.limits;
        let wall_time = request.limits.wall_clock().min(limits.max_wall_time);
        let max_operations = request
            .limits
            .cpu_time_ms
            .saturating_mul(limits.operations_per_cpu_ms)
            .min(limits.max_operations);
        Self {
            engine: engine.clone(),
            script,
            event,
            config,
            started,
            wall_time,
            max_operations,
        }
    }

    /// Runs the handler to completion on this (blocking) thread.
    fn execute(self, request: InvocationRequest, runtime: Handle) -> InvocationResult {
        let limits = request.limits;
        let deadline = self.started + self.wall_time;
        let host = InvocationHost::new(request);
        let args = self.arguments();

        let session = Rc::new(Session::new(host, runtime, deadline));
        let budget = RunBudget {
            deadline: Some(deadline),
            max_operations: self.max_operations,
        };
        let installed = ambient::install(budget, Some(session.clone()));
        let returned = self.engine.engine.call_fn::<Dynamic>(
            &mut Scope::new(),
            &self.script.ast,
            HANDLER_FN,
            args,
        );
        let operations = installed.operations();
        drop(installed);

        // The guard held the only other reference to the session, and it is gone.
        let Some(host) = Rc::into_inner(session).map(Session::into_host) else {
            let message = "the script session outlived its run".to_owned();
            return InvocationResult::new(
                Outcome::HostError { message },
                Vec::new(),
                (Vec::new(), 0),
                self.usage(0),
            );
        };
        let outcome = match returned {
            Ok(value) => outcome::returned(value, &limits),
            Err(e) => {
                let budget = self.engine.budget(self.max_operations, self.wall_time);
                let error = ScriptError::from_eval(self.script.name(), *e, &budget);
                outcome_for(&self, &error, &limits, &host)
            }
        };
        self.finish(host, outcome, operations)
    }

    /// The event and config as Rhai maps shaped like the WIT records.
    fn arguments(&self) -> (Dynamic, Dynamic) {
        (value::event(&self.event), value::json(&self.config))
    }

    /// Ends the invocation, recording the resources it used.
    fn finish(&self, host: InvocationHost, outcome: Outcome, operations: u64) -> InvocationResult {
        host.finish(outcome, self.usage(operations))
    }

    /// Usage so far.
    fn usage(&self, operations: u64) -> Usage {
        Usage {
            wall_time_us: micros(self.started.elapsed()),
            cpu_ticks: operations,
            ..Usage::default()
        }
    }
}

/// Classifies `error` and, when the outcome alone would not say where in the script it happened
/// (a limit hit, a handler error thrown as a map), logs the located error first.
fn outcome_for(
    run: &Run,
    error: &ScriptError,
    limits: &crate::invocation::Limits,
    host: &InvocationHost,
) -> Outcome {
    let outcome = outcome::failed(error, limits, run.engine.limits.max_string_size);
    let located = error.location().to_string();
    if !outcome
        .reason()
        .is_some_and(|reason| reason.contains(&located))
    {
        host.logs()
            .push(LogLevel::Error, LogSource::Host, &error.to_string());
    }
    outcome
}

/// Microseconds, saturating.
fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}
