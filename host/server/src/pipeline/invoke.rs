//! Running a rule's handler on one event, the same way for a live execution and a dry run.
//!
//! The handler gets the rule's config, its effective grants (requested by the manifest ∧
//! approved by an admin; a plugin is further held to what its `describe()` asks for), the rule's
//! limits within the server's, and store-backed capabilities for the rule's connection.

use worklink_runtime::capability::{Capability, Grants};
use worklink_runtime::invocation::{InvocationRequest, InvocationResult, Outcome, Usage};
use worklink_runtime::types::Event;
use worklink_runtime::wasm::Invocation;

use super::compiled::CompiledRule;
use super::{Pipeline, capabilities};
use crate::rules::HandlerRef;

impl Pipeline {
    /// Runs `rule`'s handler on `event` as invocation `invocation_id` (the prefix of every
    /// staged effect id), sharing directory reads through `memo`. Never fails as a call: a
    /// plugin that cannot be loaded is a host error outcome, retried like any other failure,
    /// since it may be installed before the next try.
    pub(super) async fn invoke(
        &self,
        rule: &CompiledRule,
        approved: &[Capability],
        connection: Option<&str>,
        event: &Event,
        invocation_id: String,
        memo: &capabilities::DirectoryMemo,
    ) -> InvocationResult {
        let manifest = &rule.rule.manifest;
        let backends = capabilities::backends(&self.store, self.clients.as_ref(), connection, memo);
        let limits = manifest.limits.within(self.options.limits);
        let granted: Vec<Capability> = manifest
            .grants
            .iter()
            .copied()
            .filter(|cap| approved.contains(cap))
            .collect();
        match (&manifest.handler, &rule.script) {
            (HandlerRef::Script(_), Some(script)) => {
                let request = InvocationRequest {
                    invocation_id,
                    scope: manifest.name.clone(),
                    grants: Grants::new(manifest.grants.iter().copied(), granted),
                    backends,
                    limits,
                };
                self.handlers
                    .scripts()
                    .invoke(script, event, &manifest.config, request)
                    .await
            }
            (HandlerRef::Plugin(name), _) => match self.handlers.get(name).await {
                Ok(plugin) => {
                    let invocation = Invocation {
                        id: invocation_id,
                        event: event.clone(),
                        config: manifest.config.clone(),
                        granted,
                        backends,
                        limits,
                    };
                    self.handlers.wasm().invoke(&plugin, invocation).await
                }
                Err(e) => host_error(e.to_string()),
            },
            (HandlerRef::Script(file), None) => host_error(format!(
                "script `{file}` of rule `{}` was not compiled",
                manifest.name
            )),
        }
    }
}

/// A run that never reached the handler.
fn host_error(message: String) -> InvocationResult {
    InvocationResult::new(
        Outcome::HostError { message },
        Vec::new(),
        (Vec::new(), 0),
        Usage::default(),
    )
}
