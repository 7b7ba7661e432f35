//! The smallest useful Worklink plugin, and the one `docs/plugins.md` starts from: it logs one
//! line and returns a greeting naming the event, using only the `log` capability.

#![cfg_attr(target_arch = "wasm32", no_std)]

use serde_json::json;
use worklink_sdk::prelude::*;
use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct Hello;

impl Rule for Hello {
    fn describe() -> PluginInfo {
        PluginInfo::new("hello", env!("CARGO_PKG_VERSION"))
            .description("Logs a line and greets every event it is given")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        log::info(&format!("hello from {} ({})", event.kind, event.id));
        Ok(Outcome::json(
            &json!({ "greeting": format!("hello, {}", event.kind) }),
        ))
    }
}

worklink_sdk::export_rule!(Hello, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn greets_the_event_kind_and_logs() {
        let event = Event::new("demo.ping", &json!({}));
        let run = TestHost::new()
            .grant([Capability::Log])
            .run::<Hello>(&event, "{}");
        assert_eq!(run.output(), json!({"greeting": "hello, demo.ping"}));
        assert!(run.logged(Level::Info, "hello from demo.ping"));
        assert!(run.effects.is_empty());
    }

    #[test]
    fn without_the_log_grant_it_still_succeeds_silently() {
        let run = TestHost::new().run::<Hello>(&Event::new("demo.ping", &json!({})), "");
        assert_eq!(run.output()["greeting"], "hello, demo.ping");
        assert!(run.logs.is_empty());
    }
}
