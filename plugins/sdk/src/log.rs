//! Lines in the execution log. Logging never fails: lines are dropped when the rule was not granted
//! `log` or the log is over its size limit.

use crate::route::route;

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::log as wit;
pub use crate::bindings::worklink::plugin::log::Level;

/// Appends a line at `level`.
pub fn write(level: Level, message: &str) {
    route!(wasm: wit::write(level, message), native: |host| host.log(level, message))
}

/// Appends a `debug` line.
pub fn debug(message: &str) {
    write(Level::Debug, message)
}

/// Appends an `info` line.
pub fn info(message: &str) {
    write(Level::Info, message)
}

/// Appends a `warn` line.
pub fn warn(message: &str) {
    write(Level::Warn, message)
}

/// Appends an `error` line.
pub fn error(message: &str) {
    write(Level::Error, message)
}
