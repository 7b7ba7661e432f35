//! [`ScriptEngine`]: the shared hardened engine, its AST cache, and compiling scripts.

use std::fmt;
use std::sync::Arc;

use rhai::{AST, Engine, Scope};

use super::cache::{self, AstCache, Mode};
use super::error::{Budget, Location, ScriptError};
use super::{ScriptLimits, harden};

/// Name of the function a handler script must define.
pub(crate) const HANDLER_FN: &str = "handle";

/// One hardened Rhai engine plus the cache of everything compiled on it.
///
/// Cheap to clone (all state is shared), so the server can hand one to every worker; a handler
/// runs on a blocking thread that needs its own owned handle to the engine.
#[derive(Clone)]
pub struct ScriptEngine {
    /// The hardened engine; immutable once built, so runs never contend on it.
    pub(crate) engine: Arc<Engine>,
    /// The limits the engine was built with.
    pub(crate) limits: Arc<ScriptLimits>,
    /// Compiled scripts and conditions by content hash.
    cache: Arc<AstCache>,
}

impl fmt::Debug for ScriptEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptEngine")
            .field("limits", &self.limits)
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// A handler script compiled once and ready to run any number of times.
#[derive(Debug)]
pub struct CompiledScript {
    /// The name errors are reported under, e.g. `rules/task-notify.rhai`.
    name: String,
    /// Hex SHA-256 of the source: identifies exactly which text ran.
    hash: String,
    /// The AST, shared with the cache.
    pub(crate) ast: Arc<AST>,
}

impl CompiledScript {
    /// The name the script was compiled under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Hex SHA-256 of the source, for execution records.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl ScriptEngine {
    /// Builds the hardened engine for `limits` with an empty cache.
    pub fn new(limits: ScriptLimits) -> Self {
        Self {
            engine: Arc::new(harden::hardened_engine(&limits)),
            cache: Arc::new(AstCache::new(limits.cache_capacity)),
            limits: Arc::new(limits),
        }
    }

    /// The limits every script runs under.
    pub fn limits(&self) -> &ScriptLimits {
        &self.limits
    }

    /// Number of compiled scripts and conditions currently cached.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Compiles a handler script, or takes it from the cache if the same text was compiled before.
    ///
    /// `name` is only used in error messages (`rules/x.rhai:3:14: ...`).
    ///
    /// # Errors
    /// [`ScriptError::Syntax`] with the line and column where parsing stopped (this includes any
    /// use of `eval` or `import`), or [`ScriptError::MissingHandler`] when the script does not
    /// define `fn handle(event, config)`.
    pub fn compile(&self, name: &str, source: &str) -> Result<Arc<CompiledScript>, ScriptError> {
        let (key, ast) = self.compile_cached(Mode::Script, name, &Scope::new(), source)?;
        let has_handler = ast
            .iter_functions()
            .any(|f| f.name == HANDLER_FN && f.params.len() == 2);
        if !has_handler {
            return Err(ScriptError::MissingHandler {
                at: Location::whole(name),
            });
        }
        Ok(Arc::new(CompiledScript {
            name: name.to_owned(),
            hash: hex::encode(key),
            ast,
        }))
    }

    /// Compiles `text` in `mode` with `scope`'s variables declared, through the cache.
    pub(crate) fn compile_cached(
        &self,
        mode: Mode,
        name: &str,
        scope: &Scope,
        text: &str,
    ) -> Result<(cache::Key, Arc<AST>), ScriptError> {
        let key = cache::key(mode, text);
        if let Some(ast) = self.cache.get(&key) {
            return Ok((key, ast));
        }
        let ast = match mode {
            Mode::Script => self.engine.compile_with_scope(scope, text),
            Mode::Condition => self.engine.compile_expression_with_scope(scope, text),
        }
        .map_err(|e| ScriptError::from_parse(name, e))?;
        Ok((key, self.cache.insert(key, Arc::new(ast))))
    }

    /// The budget errors of a run with these operation and wall-clock budgets are reported
    /// against.
    pub(crate) fn budget(&self, operations: u64, wall_time: std::time::Duration) -> Budget {
        Budget {
            operations,
            call_levels: self.limits.max_call_levels,
            wall_time,
        }
    }
}
