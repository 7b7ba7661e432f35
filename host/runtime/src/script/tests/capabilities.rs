//! The capability modules as a script sees them: grants, live reads, staged writes, errors as
//! catchable values, logs.

use std::sync::Arc;
use std::time::Duration;

use super::{engine, event, request_with, run};
use crate::capability::memory::{MemoryBackend, MemorySeed};
use crate::capability::{Backends, CapError, Capability, contacts::ContactsBackend};
use crate::invocation::{Effect, Limits, LogSource, Outcome, TrapKind};
use crate::script::ScriptError;
use crate::types::{Binding, BindingKey, Department, ErpDocument, LogLevel, User, UserQuery};

const SEND: &str = r#"
fn handle(event, config) {
    messaging::send(#{ users: ["zhangsan"] }, #{ type: "text", content: "hi" })
}"#;

#[tokio::test]
async fn an_uncaught_denial_ends_the_handler_with_the_denied_code() {
    let result = run(
        &engine(),
        "send.rhai",
        SEND,
        &[Capability::Log],
        Limits::default(),
    )
    .await;
    let Outcome::HandlerError(error) = &result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(error.code, "denied");
    assert!(
        error.message.contains("`messaging` is not granted"),
        "{}",
        error.message
    );
    assert!(!error.retryable);
    assert!(result.effects.is_empty());
    let located = result
        .logs
        .iter()
        .any(|l| l.source == LogSource::Host && l.message.starts_with("send.rhai:3:"));
    assert!(
        located,
        "the log says where the denied call is: {:?}",
        result.logs
    );
}

#[tokio::test]
async fn a_denial_is_a_value_the_script_can_catch() {
    let source = r#"
fn handle(event, config) {
    try {
        messaging::send(#{ users: ["zhangsan"] }, #{ type: "text", content: "hi" });
        return "sent";
    } catch (err) {
        return err;
    }
}"#;
    let result = run(&engine(), "catch.rhai", source, &[], Limits::default()).await;
    let Outcome::Ok { output } = &result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(output["code"], "denied");
    assert_eq!(output["retryable"], false);
    assert!(result.effects.is_empty());
}

#[tokio::test]
async fn a_misshapen_record_is_invalid_unless_the_capability_is_denied_anyway() {
    let source = r#"
fn handle(event, config) {
    try { messaging::send(#{ users: ["zhangsan"] }, #{ type: "text_card", title: "t" }); } catch (err) { return err; }
}"#;
    let granted = run(
        &engine(),
        "bad.rhai",
        source,
        &[Capability::Messaging],
        Limits::default(),
    )
    .await;
    let Outcome::Ok { output } = &granted.outcome else {
        panic!("{:?}", granted.outcome)
    };
    assert_eq!(output["code"], "invalid");
    assert!(
        output["message"]
            .as_str()
            .unwrap()
            .contains("argument `message`"),
        "{output}"
    );

    let denied = run(&engine(), "bad.rhai", source, &[], Limits::default()).await;
    let Outcome::Ok { output } = &denied.outcome else {
        panic!("{:?}", denied.outcome)
    };
    assert_eq!(output["code"], "denied");
}

#[tokio::test]
async fn writes_stage_effects_in_call_order_with_their_ids() {
    let source = r#"
fn handle(event, config) {
    [
        messaging::post_robot(#{ robot: "ops", message: #{ type: "markdown", content: "**done**" }, mention_all: true }),
        erp::post(#{ kind: "voucher", idempotency_key: event.id, body: #{ amount: 12, lines: [1, 2] } }),
        kv::set("last", event.id),
    ]
}"#;
    let granted = [Capability::Messaging, Capability::Erp, Capability::Kv];
    let result = run(
        &engine(),
        "writes.rhai",
        source,
        &granted,
        Limits::default(),
    )
    .await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: serde_json::json!(["inv/1", "inv/2", "inv/3"])
        }
    );
    let effects: Vec<_> = result.effects.iter().map(|e| e.effect.clone()).collect();
    assert!(
        matches!(&effects[0], Effect::RobotPost(post) if post.robot == "ops" && post.mention_all)
    );
    assert_eq!(
        effects[1],
        Effect::ErpPost(ErpDocument {
            kind: "voucher".into(),
            idempotency_key: "evt-1".into(),
            body: serde_json::json!({"amount": 12, "lines": [1, 2]}),
        })
    );
    assert_eq!(
        effects[2],
        Effect::KvSet {
            scope: "test-rule".into(),
            key: "last".into(),
            value: "evt-1".into()
        }
    );
}

#[tokio::test]
async fn reads_are_live_and_see_this_runs_own_kv_writes() {
    let source = r#"
fn handle(event, config) {
    let before = kv::get("seen");
    kv::set("seen", "yes");
    #{
        name: contacts::get_user("zhangsan").name,
        finance: contacts::find_users(#{ mobile: "13800000003" }).map(|u| u.id),
        bound: contacts::resolve_binding(#{ by: "employee", id: "E002" }).user_id,
        unbound: contacts::resolve_binding(#{ by: "employee", id: "E404" }),
        bound_user: contacts::bound_user("E002").name,
        unbound_user: contacts::bound_user("E404"),
        members: contacts::department_members("2", false).len(),
        department: contacts::get_department("3").name,
        before: before,
        after: kv::get("seen"),
    }
}"#;
    let result = run(
        &engine(),
        "reads.rhai",
        source,
        &[Capability::Contacts, Capability::Kv],
        Limits::default(),
    )
    .await;
    let expected = serde_json::json!({
        "name": "张三", "finance": ["wangwu"], "bound": "lisi", "unbound": null,
        "bound_user": "李四", "unbound_user": null, "members": 2, "department": "财务部", "before": null, "after": "yes"
    });
    assert_eq!(result.outcome, Outcome::Ok { output: expected });
}

#[tokio::test]
async fn a_missing_record_is_a_not_found_error() {
    let source = r#"fn handle(event, config) { try { contacts::get_user("nobody"); } catch (err) { return err.code; } }"#;
    let result = run(
        &engine(),
        "nf.rhai",
        source,
        &[Capability::Contacts],
        Limits::default(),
    )
    .await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: "not-found".into()
        }
    );
}

#[tokio::test]
async fn print_debug_and_log_land_in_the_execution_log() {
    let source = r#"
fn handle(event, config) {
    print("from print");
    debug("from debug");
    log::warn("from log");
    log::write("error", "from write");
}"#;
    let result = run(
        &engine(),
        "logs.rhai",
        source,
        &[Capability::Log],
        Limits::default(),
    )
    .await;
    assert!(result.outcome.is_ok(), "{:?}", result.outcome);
    let lines: Vec<_> = result
        .logs
        .iter()
        .map(|l| (l.level, l.source, l.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (LogLevel::Info, LogSource::Stdout, "from print"),
            (LogLevel::Debug, LogSource::Stdout, "\"from debug\""),
            (LogLevel::Warn, LogSource::Handler, "from log"),
            (LogLevel::Error, LogSource::Handler, "from write"),
        ]
    );
}

#[tokio::test]
async fn logging_without_the_grant_is_dropped_as_in_the_wit() {
    let source = r#"fn handle(event, config) { log::info("unseen"); "carried on" }"#;
    let result = run(&engine(), "nolog.rhai", source, &[], Limits::default()).await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: "carried on".into()
        }
    );
    assert!(result.logs.is_empty(), "{:?}", result.logs);
}

#[tokio::test]
async fn a_runtime_error_reports_line_and_column() {
    let source = "fn handle(event, config) {\n    let total = 1;\n    total + event.payload.missing.length\n}";
    let result = run(&engine(), "rules/x.rhai", source, &[], Limits::default()).await;
    let Outcome::Trap {
        kind: TrapKind::Other,
        message,
    } = &result.outcome
    else {
        panic!("{:?}", result.outcome)
    };
    assert!(message.starts_with("rules/x.rhai:3:"), "{message}");
}

#[tokio::test]
async fn a_syntax_error_reports_line_and_column() {
    let err = engine()
        .compile(
            "rules/x.rhai",
            "fn handle(event, config) {\n    let x = ;\n}",
        )
        .unwrap_err();
    assert!(matches!(err, ScriptError::Syntax { .. }), "{err}");
    assert_eq!(
        (err.location().line, err.location().column),
        (Some(2), Some(13)),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("rules/x.rhai:2:13: syntax error: "),
        "{err}"
    );
}

#[tokio::test]
async fn a_script_without_a_handler_is_refused() {
    let err = engine()
        .compile("none.rhai", "fn helper(x) { x }")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "none.rhai: the script must define `fn handle(event, config)`"
    );
}

#[test]
fn conditions_cannot_call_capabilities() {
    let engine = engine();
    let condition = engine.compile_condition(r#"kv::get("x") == ()"#).unwrap();
    let err = engine
        .eval_condition(&condition, &event("k", serde_json::json!({})))
        .unwrap_err();
    assert!(
        err.to_string().contains("only be called from a handler"),
        "{err}"
    );
}

/// A directory that never answers in time.
struct SlowDirectory;

#[async_trait::async_trait]
impl ContactsBackend for SlowDirectory {
    async fn get_user(&self, _id: &str) -> Result<User, CapError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(CapError::Unavailable("slow".into()))
    }
    async fn find_users(&self, _query: &UserQuery) -> Result<Vec<User>, CapError> {
        Err(CapError::Unavailable("slow".into()))
    }
    async fn get_department(&self, _id: &str) -> Result<Department, CapError> {
        Err(CapError::Unavailable("slow".into()))
    }
    async fn department_members(&self, _d: &str, _r: bool) -> Result<Vec<User>, CapError> {
        Err(CapError::Unavailable("slow".into()))
    }
    async fn resolve_binding(&self, _key: &BindingKey) -> Result<Option<Binding>, CapError> {
        Err(CapError::Unavailable("slow".into()))
    }
}

#[tokio::test]
async fn a_read_that_outlasts_the_deadline_times_the_run_out() {
    let engine = engine();
    let mut backends = Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo())));
    backends.contacts = Arc::new(SlowDirectory);
    let limits = Limits::builder()
        .wall_clock(Duration::from_millis(50))
        .build();
    let source = r#"fn handle(event, config) { try { contacts::get_user("zhangsan"); } catch (err) { return "swallowed"; } }"#;
    let script = engine.compile("slow.rhai", source).unwrap();
    let event = event("k", serde_json::json!({}));
    let result = engine
        .invoke(
            &script,
            &event,
            &serde_json::json!({}),
            request_with(&[Capability::Contacts], limits, backends),
        )
        .await;
    assert_eq!(result.outcome, Outcome::Timeout { limit_ms: 50 });
}
