//! [`PipelineError`]: failures of the pipeline itself, as opposed to a handler's failure (which
//! is recorded on its execution and never surfaces here).

use worklink_runtime::script::ScriptError;

use super::handlers::PluginError;
use crate::rules::RuleError;
use crate::storage::StorageError;

/// A pipeline operation that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The database failed; the work stays queued and is picked up again.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A rule version could not be read back.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// A rule's `when` or script does not compile.
    #[error("rule `{rule}`: {source}")]
    Script {
        /// The rule.
        rule: String,
        /// The compile error, with line and column (boxed: it is large and rare).
        #[source]
        source: Box<ScriptError>,
    },
    /// A plugin could not be loaded.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// No rule has this name.
    #[error("no rule is called `{0}`")]
    UnknownRule(String),
    /// The rule's manifest names a connection the server does not have.
    #[error("rule `{rule}` sends to connection `{connection}`, which is not configured")]
    UnknownConnection {
        /// The rule.
        rule: String,
        /// The connection it names.
        connection: String,
    },
}
