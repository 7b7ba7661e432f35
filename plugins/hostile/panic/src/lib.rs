//! Hostile plugin: panics with a message naming the event. In the host this is a trap, and the
//! panic handler the export macro defines (the plugin is built without std) has written the
//! message to the execution log first.

#![cfg_attr(target_arch = "wasm32", no_std)]

use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule};

/// The plugin.
pub struct Panic;

impl Rule for Panic {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-panic", env!("CARGO_PKG_VERSION"))
            .description("Panics on every event")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        panic!(
            "hostile-panic: deliberate panic while handling event {}",
            event.id
        )
    }
}

worklink_sdk::export_rule!(Panic, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::log::Level;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn the_panic_message_is_reported_and_logged() {
        let mut event = Event::new("demo.ping", &serde_json::json!({}));
        event.id = "ev-7".into();
        let run = TestHost::new()
            .grant([Capability::Log])
            .run::<Panic>(&event, "{}");
        assert_eq!(
            run.panic_message(),
            "hostile-panic: deliberate panic while handling event ev-7"
        );
        assert!(run.logged(Level::Error, "panic: hostile-panic: deliberate panic"));
    }
}
