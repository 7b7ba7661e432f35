//! The `Rule` trait a business-rule plugin implements, and the glue the export macro calls.

use crate::Config;
use crate::prelude::*;
use crate::types::{Event, HandlerError, Outcome, PluginInfo};

/// A business-rule handler: the `rule` world of `wit/worklink.wit`.
///
/// Export an implementation with [`export_rule!`](crate::export_rule); test it natively with
/// [`testing::TestHost`](crate::testing::TestHost).
pub trait Rule {
    /// Name, version, handled event kinds, needed capabilities and config schema. The host calls
    /// it once at install; it must not call capabilities.
    fn describe() -> PluginInfo;

    /// Handles one event. Writes made through the capabilities are delivered only if this
    /// returns `Ok`.
    fn handle(event: Event, config: Config) -> Result<Outcome, HandlerError>;
}

/// `describe` as exported by [`export_rule!`](crate::export_rule).
pub fn describe_rule<R: Rule>() -> PluginInfo {
    R::describe()
}

/// `handle` as exported by [`export_rule!`](crate::export_rule): hands the config text over as
/// a [`Config`].
pub fn handle<R: Rule>(event: Event, config: String) -> Result<Outcome, HandlerError> {
    R::handle(event, Config::new(config))
}
