//! Hostile plugin: returns an output of many megabytes (config `{"bytes": N}`, default 4 MiB).
//! The host must refuse it with an output-too-large outcome and deliver nothing.

use worklink_sdk::messaging::{self, Message, Recipients};
use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule};

/// Bytes of output when the config does not say.
const DEFAULT_BYTES: u64 = 4 << 20;

/// The plugin.
pub struct GiantOutput;

impl Rule for GiantOutput {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-giant-output", env!("CARGO_PKG_VERSION"))
            .description("Returns a huge output after staging one message")
            .handles(["*"])
            .capabilities([Capability::Messaging])
    }

    /// Stages a message first, so a host test can check that an oversized output drops it.
    fn handle(_event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let config: serde_json::Value = config.parse()?;
        let bytes = config["bytes"].as_u64().unwrap_or(DEFAULT_BYTES);
        let to = config["to"].as_str().unwrap_or("hostile-recipient");
        messaging::send(
            &Recipients::user(to),
            &Message::Text("giant output follows".into()),
        )?;
        let filler = "y".repeat(usize::try_from(bytes).unwrap_or(usize::MAX));
        Ok(Outcome::json(&filler))
    }
}

worklink_sdk::export_rule!(GiantOutput);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn output_has_the_configured_size() {
        let event = Event::new("demo.ping", &serde_json::json!({}));
        let run = TestHost::new()
            .grant([Capability::Messaging])
            .run::<GiantOutput>(&event, r#"{"bytes": 1000, "to": "u1"}"#);
        assert_eq!(
            run.ok().output.len(),
            1002,
            "1000 bytes plus the JSON quotes"
        );
        assert_eq!(run.messages().len(), 1);
    }
}
