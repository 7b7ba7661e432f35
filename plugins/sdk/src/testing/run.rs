//! The result of one harness run, with the accessors tests assert on. Accessors that expect a
//! particular outcome panic with the whole run (outcome, effects, log) so a failing test explains
//! itself.

use super::effect::{Effect, LogLine};
use crate::log::Level;
use crate::messaging::{Message, Recipients};
use crate::types::{HandlerError, Outcome};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome<T> {
    /// The handler returned `Ok`.
    Ok(T),
    /// The handler returned its own error.
    Error(HandlerError),
    /// The handler panicked (a trap in the host); the panic message.
    Panic(String),
}

/// What one run did.
#[derive(Debug, Clone)]
pub struct Run<T> {
    /// How it ended.
    pub outcome: RunOutcome<T>,
    /// Staged effects the host would deliver (empty unless the outcome is `Ok`).
    pub effects: Vec<Effect>,
    /// Effects staged before a failure, which the host drops.
    pub discarded: Vec<Effect>,
    /// Log lines, in order.
    pub logs: Vec<LogLine>,
}

impl<T> Run<T> {
    pub(crate) fn new(
        outcome: RunOutcome<T>,
        effects: Vec<Effect>,
        discarded: Vec<Effect>,
        logs: Vec<LogLine>,
    ) -> Self {
        Run {
            outcome,
            effects,
            discarded,
            logs,
        }
    }
}

impl<T: std::fmt::Debug> Run<T> {
    /// The handler's `Ok` value; panics with the run otherwise.
    pub fn ok(&self) -> &T {
        match &self.outcome {
            RunOutcome::Ok(value) => value,
            _ => panic!("expected the handler to succeed, but the run was {self:#?}"),
        }
    }

    /// The handler's error; panics with the run otherwise.
    pub fn error(&self) -> &HandlerError {
        match &self.outcome {
            RunOutcome::Error(error) => error,
            _ => panic!("expected a handler error, but the run was {self:#?}"),
        }
    }

    /// The panic message; panics with the run if the handler did not panic.
    pub fn panic_message(&self) -> &str {
        match &self.outcome {
            RunOutcome::Panic(message) => message,
            _ => panic!("expected the handler to panic, but the run was {self:#?}"),
        }
    }

    /// App messages the host would deliver, in order.
    pub fn messages(&self) -> Vec<(&Recipients, &Message)> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Message { to, message, .. } => Some((to, message)),
                _ => None,
            })
            .collect()
    }

    /// Whether a log line at `level` contains `text`.
    pub fn logged(&self, level: Level, text: &str) -> bool {
        self.logs
            .iter()
            .any(|l| l.level == level && l.message.contains(text))
    }
}

impl Run<Outcome> {
    /// The handler's output parsed as JSON; panics with the run unless the handler succeeded.
    pub fn output(&self) -> serde_json::Value {
        self.ok().value()
    }
}
