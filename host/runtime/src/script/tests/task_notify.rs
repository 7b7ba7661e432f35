//! `rules/task-notify.rhai`, the script twin of the task-notify plugin: the same event and config
//! must stage the same effect, typed, and end in the same outcomes.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{engine, event, request, request_with};
use crate::capability::memory::{MemoryBackend, MemorySeed};
use crate::capability::{Backends, Capability};
use crate::invocation::{Effect, InvocationResult, Limits, Outcome};
use crate::types::{HandlerError, Message, Recipients, TextCard};

const SCRIPT: &str = include_str!("../../../../../rules/task-notify.rhai");
const GRANTS: [Capability; 3] = [Capability::Contacts, Capability::Messaging, Capability::Log];

/// The plugin's test payload, with the assignee given as `assignee`.
fn payload(assignee: Value) -> Value {
    json!({
        "task_id": "T-42",
        "title": "Draft the Q3 budget",
        "url": "https://erp.example/task/42",
        "assignee": assignee,
        "assigner": {"employee_id": "E7", "name": "Wang Fang"},
        "due": "2026-12-01",
        "project": "Budget 2027"
    })
}

async fn notify_with(
    payload: Value,
    config: Value,
    granted: &[Capability],
    seed: MemorySeed,
) -> InvocationResult {
    let engine = engine();
    let script = engine
        .compile("rules/task-notify.rhai", SCRIPT)
        .unwrap_or_else(|e| panic!("{e}"));
    let backends = Backends::memory(Arc::new(MemoryBackend::new(seed)));
    let request = request_with(granted, Limits::default(), backends);
    engine
        .invoke(
            &script,
            &event("erp.task.assigned", payload),
            &config,
            request,
        )
        .await
}

async fn notify(payload: Value, config: Value) -> InvocationResult {
    notify_with(payload, config, &GRANTS, MemorySeed::demo()).await
}

fn handler_error(result: &InvocationResult) -> &HandlerError {
    match &result.outcome {
        Outcome::HandlerError(error) => error,
        other => panic!("expected a handler error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bound_employee_gets_the_same_card_the_plugin_stages() {
    let config = json!({"title_prefix": "[ERP] ", "button_text": "查看"});
    let result = notify(payload(json!({"employee_id": "E001"})), config).await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"notified": "zhangsan", "effect": "inv/1"})
        }
    );
    let expected = Effect::Message {
        to: Recipients {
            users: vec!["zhangsan".into()],
            ..Recipients::default()
        },
        message: Message::TextCard(TextCard {
            title: "[ERP] Draft the Q3 budget".into(),
            description: "Project: Budget 2027\nDue: 2026-12-01\nAssigned by: Wang Fang".into(),
            url: "https://erp.example/task/42".into(),
            button_text: Some("查看".into()),
        }),
    };
    let effects: Vec<_> = result.effects.iter().map(|e| &e.effect).collect();
    assert_eq!(effects, [&expected]);
    assert!(
        result
            .logs
            .iter()
            .any(|l| l.message == "task T-42: card to zhangsan staged as inv/1"),
        "{:?}",
        result.logs
    );
}

#[tokio::test]
async fn a_directory_user_id_needs_no_binding_and_no_details_still_give_a_description() {
    let bare = json!({"task_id": "T-1", "title": "Review", "url": "https://erp.example/t/1", "assignee": {"user_id": "wangwu"}});
    let result = notify(bare, json!({})).await;
    let [staged] = &result.effects[..] else {
        panic!("{:?}", result.outcome)
    };
    let Effect::Message {
        message: Message::TextCard(card),
        ..
    } = &staged.effect
    else {
        panic!("{staged:?}")
    };
    assert_eq!(
        (
            card.title.as_str(),
            card.description.as_str(),
            &card.button_text
        ),
        ("Review", "A task was assigned to you.", &None)
    );
}

#[tokio::test]
async fn a_long_title_is_cut_to_the_card_limit_on_a_character_boundary() {
    let mut long = payload(json!({"user_id": "wangwu"}));
    long["title"] = json!("任务".repeat(40));
    let result = notify(long, json!({})).await;
    let Effect::Message {
        message: Message::TextCard(card),
        ..
    } = &result.effects[0].effect
    else {
        panic!()
    };
    assert!(
        card.title.len() <= 128 && card.title.ends_with('…'),
        "{}",
        card.title
    );
    assert!(card.title.starts_with("任务任务"));
}

#[tokio::test]
async fn an_unbound_employee_fails_without_sending_unless_skipping_is_configured() {
    let result = notify(payload(json!({"employee_id": "E999"})), json!({})).await;
    let error = handler_error(&result);
    assert_eq!(
        (error.code.as_str(), error.retryable),
        ("unbound-assignee", false)
    );
    assert!(result.effects.is_empty());

    let skipped = notify(
        payload(json!({"employee_id": "E999"})),
        json!({"skip_unbound": true}),
    )
    .await;
    assert_eq!(
        skipped.outcome,
        Outcome::Ok {
            output: json!({"skipped": "assignee unbound", "employee": "E999"})
        }
    );
    assert!(skipped.effects.is_empty());
}

#[tokio::test]
async fn an_inactive_assignee_is_skipped() {
    let mut seed = MemorySeed::demo();
    seed.users
        .iter_mut()
        .filter(|u| u.id == "lisi")
        .for_each(|u| u.active = false);
    let result = notify_with(
        payload(json!({"employee_id": "E002"})),
        json!({}),
        &GRANTS,
        seed,
    )
    .await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"skipped": "assignee inactive", "user": "lisi"})
        }
    );
    assert!(result.effects.is_empty());
}

#[tokio::test]
async fn a_missing_messaging_grant_is_a_denied_error() {
    let only_contacts = [Capability::Contacts];
    let result = notify_with(
        payload(json!({"employee_id": "E001"})),
        json!({}),
        &only_contacts,
        MemorySeed::demo(),
    )
    .await;
    let error = handler_error(&result);
    assert_eq!(error.code, "denied");
    assert!(
        error.message.contains("`messaging` is not granted"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_malformed_payload_or_config_names_the_problem() {
    let result = notify(
        json!({"task_id": "T-1", "title": "x", "assignee": {}}),
        json!({}),
    )
    .await;
    let error = handler_error(&result);
    assert_eq!(error.code, "bad-payload");
    assert!(
        error.message.contains("missing field `url`"),
        "{}",
        error.message
    );

    let result = notify(
        payload(json!({"employee_id": "E001"})),
        json!({"prefix": "x"}),
    )
    .await;
    assert_eq!(handler_error(&result).code, "bad-config");
}

#[tokio::test]
async fn it_runs_from_the_cache_on_the_second_event() {
    let engine = engine();
    let first = engine.compile("rules/task-notify.rhai", SCRIPT).unwrap();
    let second = engine.compile("rules/task-notify.rhai", SCRIPT).unwrap();
    assert!(Arc::ptr_eq(&first.ast, &second.ast));
    assert_eq!(first.hash(), second.hash());
    let result = engine
        .invoke(
            &second,
            &event("erp.task.assigned", payload(json!({"employee_id": "E003"}))),
            &json!({}),
            request(&GRANTS, Limits::default()),
        )
        .await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"notified": "wangwu", "effect": "inv/1"})
        }
    );
}
