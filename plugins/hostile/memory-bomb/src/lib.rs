//! Hostile plugin: allocates 1 MiB blocks and keeps every one alive until an allocation fails. The
//! host's per-store memory limit must end it with a memory-limit (or trap) outcome.

use std::hint::black_box;

use worklink_sdk::types::{Capability, Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule, log};

/// Size of each allocation.
const BLOCK: usize = 1 << 20;

/// The plugin.
pub struct MemoryBomb;

impl Rule for MemoryBomb {
    fn describe() -> PluginInfo {
        PluginInfo::new("hostile-memory-bomb", env!("CARGO_PKG_VERSION"))
            .description("Allocates without bound")
            .handles(["*"])
            .capabilities([Capability::Log])
    }

    fn handle(_event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        log::info("allocating 1 MiB blocks until stopped");
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            // Filling the block makes every page real; black_box keeps the hoard observable.
            hoard.push(black_box(vec![0xA5; BLOCK]));
            black_box(&hoard);
        }
    }
}

worklink_sdk::export_rule!(MemoryBomb);
