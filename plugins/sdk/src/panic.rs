//! Makes a panicking plugin's message reach the execution log.
//!
//! Plugins are built with `panic = "abort"`: a panic ends in a wasm trap, which the host reports as
//! a trap without the message. The hook installed here writes `panic: <message> at <file:line>`
//! through the `log` capability first, then runs the default hook (which prints to stderr, which
//! the host may also capture).

use std::sync::Once;

/// Installs the hook once per instance; called by the exported functions before user code runs.
pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            crate::log::error(&format!("panic: {info}"));
            default_hook(info);
        }));
    });
}
