//! task-notify: when the ERP assigns a task, send the assignee a card in WeCom or DingTalk.
//!
//! Handles `erp.task.assigned` (payload: [`worklink_sdk::payload::TaskAssigned`]). The assignee is
//! resolved to a directory user through the ERP ↔ directory binding (or taken as is when the ERP
//! already sent the user id), then gets a text card linking to the task. Needs `contacts`,
//! `messaging` and `log`.
//!
//! Outcomes: `{"notified": <user>, "effect": <id>}` on success; `{"skipped": <why>}` when the
//! assignee is inactive, or unbound with `skip_unbound`; handler error `unbound-assignee` when the
//! assignee has no binding (not retryable: bind the employee, then replay the execution).

#![cfg_attr(target_arch = "wasm32", no_std)]

mod assignee;
mod card;
mod settings;

use serde_json::json;
use worklink_sdk::messaging::{self, Message, Recipients};
use worklink_sdk::payload::TaskAssigned;
use worklink_sdk::prelude::*;
use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

use assignee::Assignee;
use settings::Settings;

/// The plugin.
pub struct TaskNotify;

impl Rule for TaskNotify {
    fn describe() -> PluginInfo {
        PluginInfo::new("task-notify", env!("CARGO_PKG_VERSION"))
            .description("Sends the assignee of an ERP task a card linking to it")
            .handles(["erp.task.assigned"])
            .capabilities([Capability::Contacts, Capability::Messaging, Capability::Log])
            .config_schema(&settings::schema())
    }

    fn handle(event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let task: TaskAssigned = event.payload()?;
        let settings: Settings = config.parse()?;
        let user = match assignee::resolve(&task.assignee)? {
            Assignee::Active(user) => user,
            Assignee::Inactive(user) => {
                log::info(&format!(
                    "task {}: assignee {} is inactive, not notified",
                    task.task_id, user.id
                ));
                return Ok(Outcome::json(
                    &json!({ "skipped": "assignee inactive", "user": user.id }),
                ));
            }
            Assignee::Unbound(employee) if settings.skip_unbound => {
                log::info(&format!(
                    "task {}: employee {employee} has no binding, skipped",
                    task.task_id
                ));
                return Ok(Outcome::json(
                    &json!({ "skipped": "assignee unbound", "employee": employee }),
                ));
            }
            Assignee::Unbound(employee) => {
                return Err(HandlerError::permanent(
                    "unbound-assignee",
                    format!(
                        "task {}: employee {employee} has no directory binding",
                        task.task_id
                    ),
                ));
            }
        };
        let card = card::build(&task, &settings);
        let effect = messaging::send(&Recipients::user(&user.id), &Message::TextCard(card))?;
        log::info(&format!(
            "task {}: card to {} staged as {effect}",
            task.task_id, user.id
        ));
        Ok(Outcome::json(
            &json!({ "notified": user.id, "effect": effect }),
        ))
    }
}

worklink_sdk::export_rule!(TaskNotify, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::{TestHost, user};
    use worklink_sdk::types::CapError;

    const GRANTS: [Capability; 3] = [Capability::Contacts, Capability::Messaging, Capability::Log];

    fn event(assignee: Value) -> Event {
        Event::new(
            "erp.task.assigned",
            &json!({
                "task_id": "T-42",
                "title": "Draft the Q3 budget",
                "url": "https://erp.example/task/42",
                "assignee": assignee,
                "assigner": {"employee_id": "E7", "name": "Wang Fang"},
                "due": "2026-12-01",
                "project": "Budget 2027"
            }),
        )
    }

    fn host() -> TestHost {
        let mut departed = user("lisi", "Li Si");
        departed.active = false;
        TestHost::new()
            .grant(GRANTS)
            .user(user("zhangsan", "Zhang San"))
            .user(departed)
            .binding("E100", "zhangsan")
            .binding("E200", "lisi")
    }

    #[test]
    fn bound_employee_gets_a_card() {
        let config = r#"{"title_prefix": "[ERP] ", "button_text": "查看"}"#;
        let run = host().run::<TaskNotify>(&event(json!({"employee_id": "E100"})), config);
        assert_eq!(
            run.output(),
            json!({"notified": "zhangsan", "effect": "effect-1"})
        );
        let [(to, Message::TextCard(card))] = run.messages()[..] else {
            panic!("expected one text card, got {:?}", run.effects);
        };
        assert_eq!(to.users, ["zhangsan"]);
        assert_eq!(card.title, "[ERP] Draft the Q3 budget");
        assert_eq!(card.url, "https://erp.example/task/42");
        assert_eq!(card.button_text.as_deref(), Some("查看"));
        assert!(
            card.description.contains("Assigned by: Wang Fang"),
            "{}",
            card.description
        );
        assert!(run.logged(
            Level::Info,
            "task T-42: card to zhangsan staged as effect-1"
        ));
    }

    #[test]
    fn a_directory_user_id_needs_no_binding() {
        let host = TestHost::new()
            .grant(GRANTS)
            .user(user("wangwu", "Wang Wu"));
        let run = host.run::<TaskNotify>(&event(json!({"user_id": "wangwu"})), "{}");
        assert_eq!(run.output()["notified"], "wangwu");
    }

    #[test]
    fn unbound_employee_fails_without_sending() {
        let run = host().run::<TaskNotify>(&event(json!({"employee_id": "E999"})), "{}");
        assert_eq!(run.error().code, "unbound-assignee");
        assert!(!run.error().retryable);
        assert!(run.effects.is_empty() && run.discarded.is_empty());
    }

    #[test]
    fn unbound_employee_is_skipped_when_configured() {
        let config = r#"{"skip_unbound": true}"#;
        let run = host().run::<TaskNotify>(&event(json!({"employee_id": "E999"})), config);
        assert_eq!(
            run.output(),
            json!({"skipped": "assignee unbound", "employee": "E999"})
        );
        assert!(run.effects.is_empty());
    }

    #[test]
    fn inactive_assignee_is_skipped() {
        let run = host().run::<TaskNotify>(&event(json!({"employee_id": "E200"})), "{}");
        assert_eq!(run.output()["skipped"], "assignee inactive");
        assert!(run.effects.is_empty());
    }

    #[test]
    fn missing_messaging_grant_is_a_denied_error() {
        let only_contacts = TestHost::new()
            .grant([Capability::Contacts])
            .user(user("zhangsan", "Zhang San"))
            .binding("E100", "zhangsan");
        let run = only_contacts.run::<TaskNotify>(&event(json!({"employee_id": "E100"})), "{}");
        assert_eq!(run.error().code, "denied");
        assert!(
            run.error().message.contains("`messaging` is not granted"),
            "{:?}",
            run.error()
        );
    }

    #[test]
    fn directory_outage_is_retryable() {
        let host = host().fail(
            Capability::Contacts,
            CapError::Unavailable("directory down".into()),
        );
        let run = host.run::<TaskNotify>(&event(json!({"employee_id": "E100"})), "{}");
        assert_eq!(run.error().code, "unavailable");
        assert!(run.error().retryable);
    }

    #[test]
    fn malformed_payload_names_the_field() {
        let bad = Event::new(
            "erp.task.assigned",
            &json!({"task_id": "T-1", "title": "x"}),
        );
        let run = host().run::<TaskNotify>(&bad, "{}");
        assert_eq!(run.error().code, "bad-payload");
        assert!(
            run.error().message.contains("missing field `url`"),
            "{}",
            run.error().message
        );
    }

    #[test]
    fn unknown_config_field_is_a_config_error() {
        let run =
            host().run::<TaskNotify>(&event(json!({"employee_id": "E100"})), r#"{"prefix": "x"}"#);
        assert_eq!(run.error().code, "bad-config");
    }

    #[test]
    fn describe_declares_the_contract() {
        let info = TaskNotify::describe();
        assert_eq!(info.handles, ["erp.task.assigned"]);
        assert_eq!(info.capabilities, GRANTS);
        let schema: Value = serde_json::from_str(&info.config_schema).unwrap();
        assert_eq!(schema["properties"]["button_text"]["maxLength"], 4);
    }
}
