//! Hostile plugin: recurses without bound, each frame holding live data, until the wasm stack
//! overflows. The host must report a stack-overflow trap on this execution only.

use std::hint::black_box;

use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct DeepRecursion;

/// Not a tail call (the result is used after the call) and opaque to the optimiser (black_box),
/// so neither tail-call elimination nor constant folding can turn it into a loop.
fn descend(depth: u64) -> u64 {
    let frame = black_box([depth; 8]);
    if black_box(depth) == u64::MAX {
        return frame[0];
    }
    descend(black_box(depth + 1)).wrapping_add(frame[7])
}

impl Rule for DeepRecursion {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-deep-recursion", env!("CARGO_PKG_VERSION"))
            .description("Recurses without bound")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(_event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        log::info("recursing");
        let depth = descend(0);
        Ok(Outcome::json(&depth))
    }
}

worklink_sdk::export_rule!(DeepRecursion);
