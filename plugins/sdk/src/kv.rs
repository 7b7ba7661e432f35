//! Plugin-scoped storage. `get` is live and sees values set earlier in the same invocation; `set`
//! is staged like every other write.

use crate::prelude::*;
use crate::route::route;
use crate::types::{CapError, EffectId};

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::kv as wit;

/// The value under `key`.
pub fn get(key: &str) -> Result<Option<String>, CapError> {
    route!(wasm: wit::get(key), native: |host| host.kv_get(key))
}

/// Stages setting `key` to `value`.
pub fn set(key: &str, value: &str) -> Result<EffectId, CapError> {
    route!(wasm: wit::set(key, value), native: |host| host.kv_set(key, value))
}
