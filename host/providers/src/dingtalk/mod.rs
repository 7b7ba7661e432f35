//! (module under construction: see lib.rs)
