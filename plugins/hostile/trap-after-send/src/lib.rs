//! Hostile plugin: stages an app message, then traps. The host must deliver nothing: effects are
//! committed only with an `ok` outcome. In a component the trap is a raw `unreachable`
//! instruction (not a panic, so no panic hook runs); natively it is a panic the harness catches.

use worklink_sdk::messaging::{self, Message, Recipients};
use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct TrapAfterSend;

impl Rule for TrapAfterSend {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-trap-after-send", env!("CARGO_PKG_VERSION"))
            .description("Stages a message, then traps")
            .handles(["*"])
            .capabilities([Capability::Messaging, Capability::Log])
    }

    fn handle(event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let config: serde_json::Value = config.parse()?;
        let to = config["to"].as_str().unwrap_or("hostile-recipient");
        let text = format!("this message must never be delivered ({})", event.id);
        let effect = messaging::send(&Recipients::user(to), &Message::Text(text))?;
        log::info(&format!("staged {effect}, now trapping"));
        trap()
    }
}

#[cfg(target_arch = "wasm32")]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn trap() -> ! {
    panic!("trap after send")
}

worklink_sdk::export_rule!(TrapAfterSend);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::{Effect, TestHost};

    #[test]
    fn the_staged_message_is_discarded() {
        let event = Event::new("demo.ping", &serde_json::json!({}));
        let run = TestHost::new()
            .grant([Capability::Messaging, Capability::Log])
            .run::<TrapAfterSend>(&event, r#"{"to": "u1"}"#);
        assert_eq!(run.panic_message(), "trap after send");
        assert!(run.effects.is_empty());
        assert!(matches!(&run.discarded[..], [Effect::Message { to, .. }] if to.users == ["u1"]));
        assert!(run.logged(Level::Info, "staged effect-1, now trapping"));
    }
}
