//! `when` conditions: one Rhai expression over the event, deciding whether a rule runs.
//!
//! A condition is evaluated for every event whose kind matches the rule, so it is compiled once
//! (through the engine's AST cache) and each evaluation only converts the event and walks the
//! cached AST. It is compiled as an *expression*: no statements, loops or function definitions,
//! so a condition cannot do more than look at the event and compute a boolean. The one variable
//! in scope is `event`, shaped like the WIT `event` record (`event.kind`, `event.source`,
//! `event.occurred_at`, `event.payload.<field>`); any other name is a compile error.

use std::fmt;
use std::sync::Arc;

use rhai::{AST, Dynamic, Scope};

use super::cache::Mode;
use super::error::{Location, ScriptError};
use super::{ScriptEngine, value};
use crate::types::Event;

/// Name conditions are reported under when the caller gives none.
pub const DEFAULT_CONDITION_NAME: &str = "when";

/// The variable a condition sees the event as.
const EVENT_VAR: &str = "event";

/// A compiled `when` expression.
#[derive(Clone)]
pub struct Condition {
    /// The name errors are reported under, e.g. `rules/big-orders.toml when`.
    name: Arc<str>,
    /// The expression text, as written.
    expression: Arc<str>,
    /// The compiled expression, shared with the cache.
    ast: Arc<AST>,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("name", &self.name)
            .field("expression", &self.expression)
            .finish_non_exhaustive()
    }
}

impl Condition {
    /// The expression text, as written.
    pub fn expression(&self) -> &str {
        &self.expression
    }
}

impl ScriptEngine {
    /// Compiles a `when` expression, reporting errors under the name `when`.
    ///
    /// # Errors
    /// [`ScriptError::Syntax`] with the line and column of the problem, including a reference to
    /// any variable other than `event` or a statement where an expression belongs.
    pub fn compile_condition(&self, expression: &str) -> Result<Condition, ScriptError> {
        self.compile_condition_named(DEFAULT_CONDITION_NAME, expression)
    }

    /// Compiles a `when` expression, reporting errors under `name` (e.g. the rule file).
    ///
    /// # Errors
    /// As [`compile_condition`](Self::compile_condition).
    pub fn compile_condition_named(
        &self,
        name: &str,
        expression: &str,
    ) -> Result<Condition, ScriptError> {
        // `event` is declared as a plain variable, not a constant: the optimiser folds constants
        // into the AST, and the compile-time stand-in value must not end up baked into it.
        let mut scope = Scope::new();
        scope.push_dynamic(EVENT_VAR, Dynamic::UNIT);
        let (_, ast) = self.compile_cached(Mode::Condition, name, &scope, expression)?;
        Ok(Condition {
            name: name.into(),
            expression: expression.into(),
            ast,
        })
    }

    /// Evaluates `condition` against `event`.
    ///
    /// # Errors
    /// [`ScriptError::NotBoolean`] if the expression produced something other than a boolean,
    /// [`ScriptError::Runtime`] (with position) if it failed, e.g. comparing a missing payload
    /// field with a number, or a limit error if it exceeded the operation budget.
    pub fn eval_condition(
        &self,
        condition: &Condition,
        event: &Event,
    ) -> Result<bool, ScriptError> {
        let mut scope = Scope::new();
        scope.push_constant_dynamic(EVENT_VAR, value::event(event));
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &condition.ast)
            .map_err(|e| {
                ScriptError::from_eval(
                    &condition.name,
                    *e,
                    &self.budget(self.limits.max_operations, self.limits.max_wall_time),
                )
            })?;
        value.as_bool().map_err(|found| ScriptError::NotBoolean {
            at: Location::whole(&condition.name),
            found: found.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::ScriptLimits;

    fn engine() -> ScriptEngine {
        ScriptEngine::new(ScriptLimits::default())
    }

    fn event(payload: serde_json::Value) -> Event {
        Event {
            id: "e1".into(),
            kind: "erp.order.created".into(),
            source: "erp".into(),
            occurred_at: 1_700_000_000_000,
            payload,
        }
    }

    #[test]
    fn compares_event_fields_and_payload() {
        let engine = engine();
        let big = engine
            .compile_condition(
                r#"event.kind == "erp.order.created" && event.payload.amount > 1000"#,
            )
            .unwrap();
        assert!(
            engine
                .eval_condition(&big, &event(serde_json::json!({"amount": 1500})))
                .unwrap()
        );
        assert!(
            !engine
                .eval_condition(&big, &event(serde_json::json!({"amount": 999})))
                .unwrap()
        );
        let nested = engine
            .compile_condition(r#"event.payload.customer.tags.contains("vip")"#)
            .unwrap();
        let vip = event(serde_json::json!({"customer": {"tags": ["vip", "north"]}}));
        assert!(engine.eval_condition(&nested, &vip).unwrap());
    }

    #[test]
    fn is_compiled_once_and_reused_from_the_cache() {
        let engine = engine();
        let a = engine.compile_condition("event.occurred_at > 0").unwrap();
        let b = engine.compile_condition("event.occurred_at > 0").unwrap();
        assert!(Arc::ptr_eq(&a.ast, &b.ast));
        assert_eq!(engine.cached(), 1);
    }

    #[test]
    fn an_unknown_variable_is_a_compile_error_with_position() {
        let err = engine()
            .compile_condition("event.kind == kind")
            .unwrap_err();
        assert!(matches!(err, ScriptError::Syntax { .. }), "{err}");
        assert_eq!(
            (err.location().line, err.location().column),
            (Some(1), Some(15)),
            "{err}"
        );
        assert!(err.to_string().starts_with("when:1:15: "), "{err}");
    }

    #[test]
    fn statements_are_not_conditions() {
        let err = engine().compile_condition("loop { }").unwrap_err();
        assert!(matches!(err, ScriptError::Syntax { .. }), "{err}");
    }

    #[test]
    fn a_missing_field_compares_as_false() {
        let engine = engine();
        let cond = engine
            .compile_condition("event.payload.amount > 1000")
            .unwrap();
        assert!(
            !engine
                .eval_condition(&cond, &event(serde_json::json!({})))
                .unwrap()
        );
    }

    #[test]
    fn a_non_boolean_result_is_an_error() {
        let engine = engine();
        let cond = engine
            .compile_condition_named("rules/a.toml when", "event.kind")
            .unwrap();
        let err = engine
            .eval_condition(&cond, &event(serde_json::json!({})))
            .unwrap_err();
        assert_eq!(
            err,
            ScriptError::NotBoolean {
                at: Location::whole("rules/a.toml when"),
                found: "string".into()
            }
        );
    }

    #[test]
    fn a_runtime_failure_carries_its_position() {
        let engine = engine();
        let cond = engine
            .compile_condition("event.payload.amount > 1000 &&\n  event.payload.amount.len() > 3")
            .unwrap();
        let err = engine
            .eval_condition(&cond, &event(serde_json::json!({"amount": 2000})))
            .unwrap_err();
        assert!(matches!(err, ScriptError::Runtime { .. }), "{err}");
        assert_eq!(err.location().line, Some(2), "{err}");
        assert!(err.to_string().starts_with("when:2:"), "{err}");
    }
}
