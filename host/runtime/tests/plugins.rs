//! The shipped plugins, run through the real host: describe, config validation, effects.

mod support;

use serde_json::json;
use support::{LOG, event, host, load, run, run_event};
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::{Effect, Limits, LogSource, Outcome};
use worklink_runtime::types::{Message, Recipients};

fn task_assigned(employee: &str) -> worklink_runtime::types::Event {
    event(
        "erp.task.assigned",
        json!({
            "task_id": "T-42",
            "title": "Review the Q3 budget",
            "url": "https://erp.example.com/tasks/T-42",
            "assignee": {"employee_id": employee, "name": "张三"}
        }),
    )
}

const TASK_GRANTS: [Capability; 3] = [Capability::Contacts, Capability::Messaging, Capability::Log];

#[tokio::test]
async fn hello_describes_itself_and_greets() {
    let host = host();
    let hello = load(&host, "hello").await;
    assert_eq!(hello.info().name, "hello");
    assert_eq!(hello.info().capabilities, vec![Capability::Log]);
    assert_eq!(hello.wit_version(), "0.1.0");
    let result = run(&host, &hello, json!({}), LOG, Limits::default()).await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"greeting": "hello, demo.ping"})
        }
    );
    assert!(
        result
            .logs
            .iter()
            .any(|l| l.source == LogSource::Handler && l.message == "hello from demo.ping (ev-7)")
    );
    assert_eq!(result.usage.host_calls, 1);
    assert!(result.effects.is_empty());
}

#[tokio::test]
async fn task_notify_stages_a_card_to_the_bound_user() {
    let host = host();
    let plugin = load(&host, "task-notify").await;
    let result = run_event(
        &host,
        &plugin,
        task_assigned("E001"),
        json!({"title_prefix": "[ERP] "}),
        &TASK_GRANTS,
        Limits::default(),
    )
    .await;
    assert_eq!(
        result.outcome,
        Outcome::Ok {
            output: json!({"notified": "zhangsan", "effect": "inv/1"})
        }
    );
    assert_eq!(result.effects.len(), 1);
    let Effect::Message {
        to,
        message: Message::TextCard(card),
    } = &result.effects[0].effect
    else {
        panic!("expected a text card, got {:?}", result.effects[0]);
    };
    assert_eq!(
        to,
        &Recipients {
            users: vec!["zhangsan".into()],
            ..Default::default()
        }
    );
    assert!(card.title.starts_with("[ERP] "), "{card:?}");
    assert_eq!(card.url, "https://erp.example.com/tasks/T-42");
}

#[tokio::test]
async fn an_unbound_assignee_is_a_handler_error_with_no_effects() {
    let host = host();
    let plugin = load(&host, "task-notify").await;
    let result = run_event(
        &host,
        &plugin,
        task_assigned("E999"),
        json!({}),
        &TASK_GRANTS,
        Limits::default(),
    )
    .await;
    let Outcome::HandlerError(error) = &result.outcome else {
        panic!("expected a handler error, got {:?}", result.outcome);
    };
    assert_eq!(error.code, "unbound-assignee");
    assert!(result.effects.is_empty());
}

#[tokio::test]
async fn config_is_validated_against_the_schema_before_handle() {
    let host = host();
    let plugin = load(&host, "task-notify").await;
    let config = json!({"button_text": "far too long", "colour": "red"});
    let result = run_event(
        &host,
        &plugin,
        task_assigned("E001"),
        config,
        &TASK_GRANTS,
        Limits::default(),
    )
    .await;
    let Outcome::InvalidConfig { message } = &result.outcome else {
        panic!("expected invalid config, got {:?}", result.outcome);
    };
    assert!(message.contains("/button_text"), "{message}");
    assert!(message.contains("colour"), "{message}");
    assert_eq!(result.usage.host_calls, 0, "the handler never ran");
}

#[tokio::test]
async fn events_the_plugin_does_not_handle_are_not_run() {
    let host = host();
    let plugin = load(&host, "task-notify").await;
    let result = run(&host, &plugin, json!({}), &TASK_GRANTS, Limits::default()).await;
    assert_eq!(
        result.outcome,
        Outcome::NotHandled {
            kind: "demo.ping".into()
        }
    );
}

/// 64-bit FNV-1a, written out here so the check does not trust the plugin's own.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[tokio::test]
async fn the_no_std_allocator_keeps_every_block_intact_across_invocations() {
    let host = host();
    let plugin = load(&host, "check-heap-churn").await;
    // Past the largest size class, multi-byte UTF-8, copied in through `cabi_realloc`.
    let blob = "工单 #42 approved; ".repeat(15_000);
    for _ in 0..3 {
        let result = run_event(
            &host,
            &plugin,
            event("test.heap", json!({ "blob": blob })),
            json!({}),
            &[],
            Limits::default(),
        )
        .await;
        let Outcome::Ok { output } = &result.outcome else {
            panic!("{:?}\n{:?}", result.outcome, result.logs);
        };
        assert!(output["checks"].as_u64().unwrap() > 100, "{output}");
        assert_eq!(output["blob_len"], blob.len());
        assert_eq!(output["blob_fnv"], fnv1a(blob.as_bytes()).to_string());
    }
}
