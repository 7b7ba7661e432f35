//! Hostile plugin: spins forever without calling the host. The host must stop it with its CPU
//! (epoch) deadline and report a CPU-limit outcome on this execution only.

use std::hint::black_box;

use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// The plugin.
pub struct SpinLoop;

impl Rule for SpinLoop {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-spin-loop", env!("CARGO_PKG_VERSION"))
            .description("Spins forever")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(_event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        log::info("spinning");
        // black_box keeps the optimiser from proving the loop has no effect and removing it.
        let mut turns: u64 = 0;
        loop {
            turns = black_box(turns.wrapping_add(1));
        }
    }
}

worklink_sdk::export_rule!(SpinLoop);
