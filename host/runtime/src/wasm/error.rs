//! Why a component cannot be loaded. Each variant names what is wrong, so `plugin inspect` and the
//! admin console can tell an integrator exactly what to fix.

use std::path::PathBuf;

/// A component refused at load or inspect time.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not WebAssembly at all.
    #[error("not a WebAssembly binary (no `\\0asm` header)")]
    NotWasm,
    /// A core module, not a component.
    #[error(
        "this is a core WebAssembly module, not a component: build the plugin for `wasm32-wasip2`"
    )]
    CoreModule,
    /// wasmtime rejected the component.
    #[error("invalid component: {0}")]
    Compile(String),
    /// The component lacks the export the contract requires, or a function in it.
    #[error(
        "component does not export `{export}`{}{}",
        function.as_ref().map(|f| format!(" function `{f}`")).unwrap_or_default(),
        if exports.is_empty() { String::new() } else { format!(" (it exports: {})", exports.join(", ")) }
    )]
    MissingExport {
        /// The interface expected, e.g. `worklink:plugin/handler@0.1.0`.
        export: String,
        /// The missing function, when the interface is there but incomplete.
        function: Option<String>,
        /// What the component does export.
        exports: Vec<String>,
    },
    /// The plugin targets a contract version this host does not implement.
    #[error("component targets `worklink:plugin@{found}`; this host implements 0.1.x")]
    UnsupportedVersion {
        /// The version found in the export name.
        found: String,
    },
    /// The component imports something the host does not provide, or with the wrong type.
    #[error("component imports something this host does not provide: {0}")]
    Imports(String),
    /// `describe()` trapped or could not run.
    #[error("describe() failed: {0}")]
    Describe(String),
    /// `describe()` returned information the host cannot use.
    #[error("describe() returned invalid plugin info: {0}")]
    InvalidInfo(String),
}
