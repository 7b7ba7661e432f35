//! welcome: when WeCom or DingTalk reports a new member, send them a welcome message.
//!
//! Handles `*.contact.user.created` (payload: [`worklink_sdk::payload::UserChanged`]), so one rule
//! serves both providers. The greeting is a template from the rule config; with a handbook link
//! it becomes a text card that opens the link, otherwise plain text. Needs `messaging` and `log`;
//! with `contacts` granted it fills in the name from the directory when the callback has none
//! (DingTalk sends only ids).
//!
//! Outcome: `{"welcomed": <user>, "effect": <id>}`.

#![cfg_attr(target_arch = "wasm32", no_std)]

mod settings;

use serde_json::json;
use worklink_sdk::contacts;
use worklink_sdk::messaging::{self, Message, Recipients, TextCard};
use worklink_sdk::payload::UserChanged;
use worklink_sdk::prelude::*;
use worklink_sdk::types::{CapError, Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

use settings::Settings;

/// The plugin.
pub struct Welcome;

impl Rule for Welcome {
    fn describe() -> PluginInfo {
        PluginInfo::new("welcome", env!("CARGO_PKG_VERSION"))
            .description("Sends every new member a welcome message")
            .handles(["*.contact.user.created"])
            .capabilities([Capability::Messaging, Capability::Contacts, Capability::Log])
            .config_schema(&settings::schema())
    }

    fn handle(event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let member: UserChanged = event.payload()?;
        let settings: Settings = config.parse()?;
        let user_id = member.current_user_id().to_owned();
        let name = match member.name.clone() {
            Some(name) => name,
            None => directory_name(&user_id),
        };
        let greeting = settings.greeting(&name);
        let message = match &settings.handbook_url {
            Some(url) => Message::TextCard(
                TextCard::new(settings.title.clone(), greeting, url.clone())
                    .button(settings.button_text.clone())
                    .fitted(),
            ),
            None => Message::Text(greeting),
        };
        let effect = messaging::send(&Recipients::user(&user_id), &message)?;
        log::info(&format!("welcome to {user_id} staged as {effect}"));
        Ok(Outcome::json(
            &json!({ "welcomed": user_id, "effect": effect }),
        ))
    }
}

/// The member's name from the directory, or their id when it cannot be read (not granted, not
/// synced yet): a welcome with an id beats no welcome.
fn directory_name(user_id: &str) -> String {
    match contacts::get_user(user_id) {
        Ok(user) => user.name,
        Err(CapError::Denied(_) | CapError::NotFound(_)) => user_id.to_owned(),
        Err(other) => {
            log::warn(&format!("directory lookup of {user_id} failed: {other}"));
            user_id.to_owned()
        }
    }
}

worklink_sdk::export_rule!(Welcome, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::testing::{Run, TestHost, user};

    fn created(kind: &str, payload: serde_json::Value) -> Event {
        Event::new(kind, &payload)
    }

    /// The one message the run staged.
    fn sent<T: std::fmt::Debug>(run: &Run<T>) -> (Recipients, Message) {
        match run.messages().as_slice() {
            [(to, message)] => ((*to).clone(), (*message).clone()),
            other => panic!("expected one message, got {other:?}"),
        }
    }

    #[test]
    fn a_wecom_member_gets_a_text_greeting_by_name() {
        let run = TestHost::new()
            .grant([Capability::Messaging, Capability::Log])
            .run::<Welcome>(
                &created(
                    "wecom.contact.user.created",
                    json!({"user_id": "wangwu", "name": "王五"}),
                ),
                "{}",
            );
        assert_eq!(run.output()["welcomed"], "wangwu");
        let (to, message) = sent(&run);
        assert_eq!(to.users, ["wangwu"]);
        assert_eq!(message, Message::Text("欢迎加入，王五！".into()));
    }

    #[test]
    fn a_dingtalk_member_without_a_name_is_looked_up_and_gets_the_handbook_card() {
        let run = TestHost::new()
            .grant([Capability::Messaging, Capability::Contacts, Capability::Log])
            .user(user("zhaoliu", "赵六"))
            .run::<Welcome>(
                &created("dingtalk.contact.user.created", json!({"user_id": "zhaoliu"})),
                r#"{"greeting": "Welcome aboard, {name}.", "handbook_url": "https://intra.example/handbook"}"#,
            );
        let (_, message) = sent(&run);
        match message {
            Message::TextCard(card) => {
                assert_eq!(card.description, "Welcome aboard, 赵六.");
                assert_eq!(card.url, "https://intra.example/handbook");
                assert_eq!(card.button_text.as_deref(), Some("查看"));
            }
            other => panic!("expected a card, got {other:?}"),
        }
    }

    #[test]
    fn without_the_contacts_grant_the_id_stands_in_for_the_name() {
        let run = TestHost::new()
            .grant([Capability::Messaging])
            .run::<Welcome>(
                &created("dingtalk.contact.user.created", json!({"user_id": "u9"})),
                "{}",
            );
        assert_eq!(sent(&run).1, Message::Text("欢迎加入，u9！".into()));
    }

    #[test]
    fn a_department_event_is_a_bad_payload() {
        let run = TestHost::new()
            .grant([Capability::Messaging])
            .run::<Welcome>(
                &created(
                    "wecom.contact.department.created",
                    json!({"department_id": 3}),
                ),
                "{}",
            );
        assert_eq!(run.error().code, "bad-payload");
    }

    #[test]
    fn without_messaging_the_run_fails_and_stages_nothing() {
        let run = TestHost::new().run::<Welcome>(
            &created(
                "wecom.contact.user.created",
                json!({"user_id": "a", "name": "A"}),
            ),
            "{}",
        );
        assert_eq!(run.error().code, "denied");
        assert!(run.effects.is_empty());
    }
}
