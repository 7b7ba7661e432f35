//! Where a capability call goes: the host's import on wasm32, the thread's test host natively.
//!
//! Every capability function in this crate is one `route!` so the two paths cannot drift apart.

/// Calls `$import` in a component and `$native` (a closure over the thread's
/// `testing::TestHost` state) in a native build.
macro_rules! route {
    (wasm: $import:expr, native: $native:expr $(,)?) => {{
        #[cfg(target_arch = "wasm32")]
        {
            $import
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            $crate::testing::dispatch($native)
        }
    }};
}

pub(crate) use route;
