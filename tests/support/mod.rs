//! Helpers shared by the end-to-end tests: where the real `worklink` binary, the compiled plugins
//! and the shared reference material live, running it as a child process, and HTTP.

pub mod deployment;
pub mod http;
pub mod process;

use std::path::PathBuf;

/// The repository root (the parent of `tests/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `worklink` binary built by `cargo build --bins` for the same profile as this test.
///
/// The e2e crate cannot use `CARGO_BIN_EXE_worklink` (that only exists inside the binary's own
/// package), so the path is derived from the test executable: `target/<profile>/deps/<test>`.
pub fn worklink_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test executable lives in target/<profile>/deps");
    let bin = profile_dir.join("worklink");
    assert!(
        bin.exists(),
        "{} does not exist: run `cargo build --bins` (make test does) before the e2e tests",
        bin.display()
    );
    bin
}

/// A compiled plugin from the plugin workspace (`make plugins` builds them).
pub fn plugin_wasm(name: &str) -> PathBuf {
    let path = repo_root()
        .join("plugins/target/wasm32-wasip2/release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    assert!(
        path.exists(),
        "{} does not exist: run `make plugins` (make test does) first",
        path.display()
    );
    path
}

/// The shared reference directory that sits beside the checkout (`../shared`).
pub fn shared_dir() -> PathBuf {
    repo_root().join("../shared")
}
