//! `kv::get(key)` and `kv::set(key, value)` (WIT `kv`): storage scoped to the rule.
//!
//! `get` returns the string or `()` when the key is absent, and sees this run's own `set`s.

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::thrown;
use super::{Call, capability_fn, located, session};

/// The `kv` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("get").set_into_module(
        &mut module,
        |ctx: NativeCallContext, key: &str| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                Ok(session
                    .block_on(host.kv_get(key))?
                    .map_or(Dynamic::UNIT, Dynamic::from))
            })
        },
    );
    capability_fn("set").set_into_module(
        &mut module,
        |ctx: NativeCallContext, key: &str, value: &str| -> Call<String> {
            located(&ctx, || {
                let session = session()?;
                let effect = session.host().kv_set(key, value);
                effect.map_err(thrown)
            })
        },
    );
    module
}
