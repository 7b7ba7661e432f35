//! Builds the one hardened Rhai engine every script and condition runs on.
//!
//! This is a security control, so it has exactly one definition: every limit, every disabled
//! symbol and every hook is set here and nowhere else. The engine starts from
//! [`Engine::new_raw`] (no packages, no module resolver, no stdout printing) and adds back only
//! the pure standard library: no file, network, clock or environment access exists in Rhai unless
//! the host registers it, and the host registers only the capability modules.

use rhai::module_resolvers::DummyModuleResolver;
use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, BitFieldPackage, CorePackage,
    LogicPackage, MoreStringPackage, Package,
};
use rhai::{Engine, OptimizationLevel};

use super::ScriptLimits;
use super::{ambient, bridge};

/// Symbols a rule may not use. `eval` would compile fresh code at run time, outside the AST
/// cache and the checks made at compile time; `import` would load modules. Disabling them makes
/// both a syntax error with a position instead of something that fails later.
pub(crate) const DISABLED_SYMBOLS: [&str; 2] = ["eval", "import"];

/// Creates the hardened engine for `limits`.
pub(crate) fn hardened_engine(limits: &ScriptLimits) -> Engine {
    let mut engine = Engine::new_raw();

    // The standard library minus `BasicTimePackage` (`timestamp()` makes a rule's result depend
    // on when it ran; rules read `event.occurred_at` instead) and blobs (raw bytes have no use
    // in JSON-shaped events and effects).
    for package in [
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BitFieldPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }

    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(limits.max_variables)
        .set_max_functions(limits.max_functions)
        // Static capability modules are not "loaded" modules, so this forbids only imports.
        .set_max_modules(0)
        .set_module_resolver(DummyModuleResolver::new())
        // Undeclared variables become compile errors with a position, not run-time surprises.
        .set_strict_variables(true)
        .set_optimization_level(OptimizationLevel::Simple)
        .on_progress(ambient::progress);

    for symbol in DISABLED_SYMBOLS {
        engine.disable_symbol(symbol);
    }
    bridge::register(&mut engine);

    engine
}
