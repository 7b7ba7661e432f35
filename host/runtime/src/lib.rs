//! Crate root; its modules are listed here as they land.
