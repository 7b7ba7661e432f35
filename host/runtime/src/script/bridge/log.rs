//! `log::write(level, message)` (WIT `log`) and the shorthands `log::trace`, `log::debug`,
//! `log::info`, `log::warn`, `log::error`.
//!
//! As in the WIT, logging never fails: without the `log` grant, or once the log is full, the
//! line is dropped (the host counts dropped lines) and the script carries on.

use rhai::Module;

use super::{Call, capability_fn, session};
use crate::types::LogLevel;

/// The `log` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("write").set_into_module(&mut module, |level: &str, message: &str| -> Call<()> {
        let level = parse_level(level)?;
        write(level, message)
    });
    let shorthands = [
        ("trace", LogLevel::Trace),
        ("debug", LogLevel::Debug),
        ("info", LogLevel::Info),
        ("warn", LogLevel::Warn),
        ("error", LogLevel::Error),
    ];
    for (name, level) in shorthands {
        capability_fn(name)
            .set_into_module(&mut module, move |message: &str| write(level, message));
    }
    module
}

/// Writes one line through the host, which checks the grant and the log budget.
fn write(level: LogLevel, message: &str) -> Call<()> {
    let session = session()?;
    // Denied is dropped on purpose: WIT `log.write` has no error to return.
    let _ = session.host().log(level, message);
    Ok(())
}

/// A level name as in the WIT (`trace`, `debug`, `info`, `warn`, `error`).
fn parse_level(name: &str) -> Call<LogLevel> {
    rhai::serde::from_dynamic(&name.into()).map_err(|_| {
        format!("log::write: unknown level `{name}` (trace, debug, info, warn, error)").into()
    })
}
