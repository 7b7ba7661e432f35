//! Arbitrary bytes through verification, decryption and event parsing of both providers' callbacks
//! (see `worklink_providers::events::fuzz` for how the input is interpreted). Any panic is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Errors are expected for most inputs; only a panic or a hang is a finding.
    let _ = worklink_providers::events::fuzz::callback(data);
});
