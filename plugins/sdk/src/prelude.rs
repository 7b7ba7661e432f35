//! What `std`'s prelude would give a plugin built without `std`: the owned types and the
//! `format!`/`vec!` macros from `alloc`.
//!
//! A plugin may be built without std on wasm32: std's WASI support brings some twenty WASI
//! imports (stdio, environment, exit, terminals) into every component, the host resolves each one
//! on every instantiation, which is on every invocation, and without std a component imports only
//! the capabilities it uses (about 1 µs less per invocation). Such a crate starts with
//! `#![cfg_attr(target_arch = "wasm32", no_std)]` and `use worklink_sdk::prelude::*;`, and
//! exports with `export_rule!(MyRule, no_std)`; natively (tests) the same names are std's own.

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
pub use alloc::{format, vec};
