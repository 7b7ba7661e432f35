//! Hostile plugin: tries to leave the sandbox through WASI — read a file, list the root directory,
//! read the environment, open a TCP connection — and reports what each attempt answered. In the
//! host every attempt must fail (no preopens, no env, no network); the run itself succeeds.
//! Config `{"file": ..., "dir": ..., "env": ..., "connect": ...}` overrides the targets.

use std::io::Read;
use std::net::TcpStream;

use serde_json::{Value, json};
use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct WasiEscape;

/// `"ok: <what>"` or `"error: <kind>: <message>"`; contents are never reported, only sizes.
fn attempt(result: std::io::Result<String>) -> Value {
    match result {
        Ok(what) => json!(format!("ok: {what}")),
        Err(e) => json!(format!("error: {:?}: {e}", e.kind())),
    }
}

fn setting<'a>(config: &'a Value, key: &str, default: &'a str) -> &'a str {
    config[key].as_str().unwrap_or(default)
}

impl Rule for WasiEscape {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-wasi-escape", env!("CARGO_PKG_VERSION"))
            .description("Tries files, environment and sockets through WASI")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(_event: Event, config: Config) -> Result<Outcome, HandlerError> {
        let config: Value = config.parse()?;
        let file = setting(&config, "file", "/etc/passwd");
        let dir = setting(&config, "dir", "/");
        let var = setting(&config, "env", "HOME");
        let address = setting(&config, "connect", "127.0.0.1:80");

        let report = json!({
            "file": attempt(std::fs::File::open(file).and_then(|mut f| {
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes)?;
                Ok(format!("read {} bytes", bytes.len()))
            })),
            "dir": attempt(std::fs::read_dir(dir).map(|entries| format!("{} entries", entries.count()))),
            "env": {
                "vars": std::env::vars_os().count(),
                "var": match std::env::var_os(var) {
                    Some(_) => json!(format!("ok: {var} is set")),
                    None => json!(format!("error: {var} is not set")),
                },
            },
            "socket": attempt(TcpStream::connect(address).map(|s| {
                format!("connected to {}", s.peer_addr().map_or_else(|e| e.to_string(), |a| a.to_string()))
            })),
        });
        log::info(&format!("wasi escape attempts: {report}"));
        Ok(Outcome::json(&report))
    }
}

worklink_sdk::export_rule!(WasiEscape);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::testing::TestHost;

    /// Natively there is no sandbox, so point every attempt at something that cannot exist and
    /// check each failure is reported, not propagated.
    #[test]
    fn every_failed_attempt_is_reported() {
        let config = json!({
            "file": "/nonexistent/worklink/secret",
            "dir": "/nonexistent/worklink",
            "env": "WORKLINK_SURELY_UNSET_VARIABLE",
            "connect": "127.0.0.1:0",
        });
        let event = Event::new("demo.ping", &json!({}));
        let run = TestHost::new()
            .grant([Capability::Log])
            .run::<WasiEscape>(&event, &config.to_string());
        let output = run.output();
        assert!(
            output["file"]
                .as_str()
                .unwrap()
                .starts_with("error: NotFound"),
            "{output}"
        );
        assert!(
            output["dir"]
                .as_str()
                .unwrap()
                .starts_with("error: NotFound"),
            "{output}"
        );
        assert_eq!(
            output["env"]["var"],
            "error: WORKLINK_SURELY_UNSET_VARIABLE is not set"
        );
        assert!(
            output["socket"].as_str().unwrap().starts_with("error: "),
            "{output}"
        );
        assert_eq!(run.logs.len(), 1);
    }
}
