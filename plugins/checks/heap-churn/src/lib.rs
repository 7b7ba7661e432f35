//! Test plugin for the SDK's `no_std` allocator, loaded by the host's tests: allocates, grows,
//! shrinks and frees blocks across every size class and past them, interleaved so freed blocks are
//! reused, and checks after each phase that every live block still holds what was written to it.
//! A block handed out twice, or a copy that lost bytes on `realloc`, fails a check.
//!
//! Payload `{"blob": <string>}`: the host copies the string in through `cabi_realloc`; the output
//! reports its length and FNV-1a hash so the host can check it arrived whole.
//! Output: `{"checks": <count>, "blob_len": .., "blob_fnv": ..}`; a failed check is handler error
//! `heap-corrupt` naming it.

#![cfg_attr(target_arch = "wasm32", no_std)]

use serde_json::json;
use worklink_sdk::prelude::*;
use worklink_sdk::types::{Event, HandlerError, Outcome, PluginInfo};
use worklink_sdk::{Config, Rule};

/// The plugin.
pub struct HeapChurn;

/// 64-bit FNV-1a: a hash the host's test computes too.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The byte block `id` holds at `index`.
fn pattern(id: usize, index: usize) -> u8 {
    (id.wrapping_mul(31) ^ index.wrapping_mul(7)) as u8
}

/// A block of `len` bytes grown one push at a time, so it passes through every size class below
/// it by `realloc`.
fn grown(id: usize, len: usize) -> Vec<u8> {
    let mut block = Vec::new();
    for index in 0..len {
        block.push(pattern(id, index));
    }
    block
}

/// Counts checks and fails on the first that does not hold.
struct Checks(u32);

impl Checks {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) -> Result<(), HandlerError> {
        self.0 += 1;
        if ok {
            Ok(())
        } else {
            Err(HandlerError::permanent("heap-corrupt", what()))
        }
    }

    fn intact(&mut self, id: usize, block: &[u8], phase: &str) -> Result<(), HandlerError> {
        let ok = block.iter().enumerate().all(|(i, &b)| b == pattern(id, i));
        self.check(ok, || format!("{phase}: block {id} ({} bytes) was overwritten", block.len()))
    }
}

/// Over-aligned, so it bypasses the size classes.
#[repr(align(64))]
struct Aligned([u8; 100]);

impl Rule for HeapChurn {
    fn describe() -> PluginInfo {
        PluginInfo::new("check-heap-churn", env!("CARGO_PKG_VERSION"))
            .description("Churns the allocator and checks every block")
            .handles(["test.heap"])
    }

    fn handle(event: Event, _config: Config) -> Result<Outcome, HandlerError> {
        let mut checks = Checks(0);
        // Sizes around every class boundary and past the largest class.
        let sizes = [0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257, 1000, 2048, 4095, 4096, 4097, 10_000, 70_000];
        let mut live: Vec<(usize, Vec<u8>)> = Vec::new();
        for round in 0..4 {
            for (n, &len) in sizes.iter().enumerate() {
                let id = round * 100 + n;
                live.push((id, grown(id, len)));
            }
            // Free every other block, so the next round reuses their slots.
            let mut keep = false;
            live.retain(|_| {
                keep = !keep;
                keep
            });
            for (id, block) in &live {
                checks.intact(*id, block, "after freeing")?;
            }
        }
        // Shrink: large and small blocks down to a few bytes, copied into a smaller class.
        for (id, block) in &mut live {
            block.truncate(block.len().min(3));
            block.shrink_to_fit();
            checks.intact(*id, block, "after shrinking")?;
        }
        // Many small strings, half dropped, then more: the free lists hand blocks back out.
        let mut strings: Vec<(usize, String)> = (0..300)
            .map(|i| (i, "x".repeat(i % 200 + 1)))
            .collect();
        strings.retain(|(i, _)| i % 2 == 0);
        strings.extend((300..450).map(|i| (i, "y".repeat(i % 150 + 1))));
        for (i, text) in &strings {
            let (fill, len) = if *i < 300 { ('x', i % 200 + 1) } else { ('y', i % 150 + 1) };
            checks.check(text.len() == len && text.chars().all(|c| c == fill), || {
                format!("string {i} was overwritten")
            })?;
        }
        for (id, block) in &live {
            checks.intact(*id, block, "at the end")?;
        }
        let aligned = Box::new(Aligned([7; 100]));
        checks.check(core::ptr::from_ref(&*aligned) as usize % 64 == 0, || {
            "a 64-aligned box is misaligned".into()
        })?;
        checks.check(aligned.0.iter().all(|&b| b == 7), || "the aligned box lost its contents".into())?;

        let blob: serde_json::Value = event.payload_as()?;
        let blob = blob["blob"].as_str().unwrap_or_default();
        Ok(Outcome::json(&json!({
            "checks": checks.0,
            "blob_len": blob.len(),
            "blob_fnv": fnv1a(blob.as_bytes()).to_string(),
        })))
    }
}

worklink_sdk::export_rule!(HeapChurn, no_std);

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_sdk::testing::TestHost;

    #[test]
    fn every_check_holds_natively() {
        let event = Event::new("test.heap", &json!({"blob": "abc"}));
        let run = TestHost::new().run::<HeapChurn>(&event, "{}");
        let output = run.output();
        assert!(output["checks"].as_u64().unwrap() > 100, "{output}");
        assert_eq!(output["blob_len"], 3);
        assert_eq!(output["blob_fnv"], fnv1a(b"abc").to_string());
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
