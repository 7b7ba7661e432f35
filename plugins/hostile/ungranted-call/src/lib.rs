//! Hostile plugin: calls capabilities it has no right to and reports what each call answered.
//!
//! It requests `log`, `kv` and `erp` in `describe`, so a rule granting only `log` exercises both
//! denial paths: `messaging` and `contacts` were never requested, `kv` and `erp` were requested but
//! not granted. Every answer goes to the output (and the log, when granted); the handler succeeds.

use serde_json::{Map, Value, json};
use worklink_sdk::contacts;
use worklink_sdk::erp::{self, Document};
use worklink_sdk::kv;
use worklink_sdk::messaging::{self, Message, Recipients};
use worklink_sdk::types::{CapError, Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct UngrantedCall;

/// `"ok"`, or `"<code>: <message>"` for a capability error.
fn answer<T>(result: Result<T, CapError>) -> Value {
    match result {
        Ok(_) => json!("ok"),
        Err(e) => {
            let e = HandlerError::from(e);
            json!(format!("{}: {}", e.code, e.message))
        }
    }
}

impl Rule for UngrantedCall {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-ungranted-call", env!("CARGO_PKG_VERSION"))
            .description("Calls capabilities it was not granted and reports the answers")
            .handles(["*"])
            .capabilities([Capability::Log, Capability::Kv, Capability::Erp])
    }

    fn handle(event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        let document = Document {
            kind: "voucher".into(),
            idempotency_key: event.id.clone(),
            body: "{}".into(),
        };
        let calls = [
            (
                "messaging.send",
                answer(messaging::send(
                    &Recipients::user("anyone"),
                    &Message::Text("hi".into()),
                )),
            ),
            ("contacts.get-user", answer(contacts::get_user("anyone"))),
            ("kv.get", answer(kv::get("counter"))),
            ("erp.post", answer(erp::post(&document))),
        ];
        let mut report = Map::new();
        for (call, result) in calls {
            log::warn(&format!("{call} -> {result}"));
            report.insert(call.into(), result);
        }
        Ok(Outcome::json(&report))
    }
}

worklink_sdk::export_rule!(UngrantedCall);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn every_ungranted_call_observes_denied() {
        let event = Event::new("demo.ping", &json!({}));
        let run = TestHost::new()
            .grant([Capability::Log])
            .run::<UngrantedCall>(&event, "{}");
        let output = run.output();
        for call in ["messaging.send", "contacts.get-user", "kv.get", "erp.post"] {
            let answer = output[call].as_str().unwrap();
            assert!(answer.starts_with("denied: "), "{call}: {answer}");
        }
        assert!(
            output["messaging.send"]
                .as_str()
                .unwrap()
                .contains("not requested")
        );
        assert!(output["kv.get"].as_str().unwrap().contains("not granted"));
        assert!(run.logged(Level::Warn, "erp.post -> \"denied"));
        assert!(run.effects.is_empty());
    }

    #[test]
    fn granted_calls_go_through() {
        let event = Event::new("demo.ping", &json!({}));
        let run = TestHost::new()
            .grant_all()
            .run::<UngrantedCall>(&event, "{}");
        assert_eq!(run.output()["kv.get"], "ok");
        assert_eq!(run.output()["erp.post"], "ok");
        assert_eq!(run.effects.len(), 1, "the ERP document is staged");
    }
}
