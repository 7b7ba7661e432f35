//! Hostile plugin: writes megabytes of log lines (config `{"bytes": N}`, default 8 MiB, in 1 KiB
//! lines). The host must keep the execution log within its size limit and still finish the run.

use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// Bytes logged when the config does not say.
const DEFAULT_BYTES: u64 = 8 << 20;
/// Length of one line.
const LINE: usize = 1024;

/// The plugin.
pub struct GiantLog;

impl Rule for GiantLog {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-giant-log", env!("CARGO_PKG_VERSION"))
            .description("Floods the execution log")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(_event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let config: serde_json::Value = config.parse()?;
        let bytes = config["bytes"].as_u64().unwrap_or(DEFAULT_BYTES);
        let lines = bytes.div_ceil(LINE as u64);
        let line = "x".repeat(LINE);
        for _ in 0..lines {
            log::info(&line);
        }
        Ok(Outcome::json(
            &serde_json::json!({ "lines": lines, "bytes": lines * LINE as u64 }),
        ))
    }
}

worklink_sdk::export_rule!(GiantLog);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn logs_as_many_kilobyte_lines_as_configured() {
        let event = Event::new("demo.ping", &serde_json::json!({}));
        let run = TestHost::new()
            .grant([Capability::Log])
            .run::<GiantLog>(&event, r#"{"bytes": 3000}"#);
        assert_eq!(run.output(), serde_json::json!({"lines": 3, "bytes": 3072}));
        assert_eq!(run.logs.len(), 3);
        assert!(run.logs.iter().all(|l| l.message.len() == LINE));
    }
}
