//! A 0.1 plugin ready to instantiate: the generated `RulePre` plus the `handle` export, found once.
//!
//! The generated `RulePre::instantiate_async` looks every export up again and re-checks its type
//! (a walk over the event record's field names and types) on each instantiation. With a fresh
//! instance per invocation that check was a measurable share of a short call, and it can never
//! give a different answer for the same component. So `describe` (once, at load) keeps the
//! generated path, and `handle` looks its export up by an index found at load and checks its
//! type on the first call only.

use std::sync::atomic::{AtomicBool, Ordering};

use wasmtime::Store;
use wasmtime::component::{ComponentExportIndex, InstancePre, TypedFunc};

use super::exports::worklink::plugin::handler::{HandlerError, Outcome};
use super::worklink::plugin::types::{Event, PluginInfo};
use super::{HANDLER_EXPORT, RulePre};
use crate::wasm::state::StoreState;

/// `handle: func(event: event, config: string) -> result<outcome, handler-error>`, typed as the
/// generated bindings type it.
type HandleFunc<'a> = TypedFunc<(&'a Event, &'a str), (Result<Outcome, HandlerError>,)>;

/// A pre-instantiated 0.1 rule plugin.
pub(crate) struct HandlerPre {
    rule: RulePre<StoreState>,
    /// `handle` inside the handler interface export.
    handle: ComponentExportIndex,
    /// Whether `handle`'s type has been checked against [`HandleFunc`] (it is on the first call).
    checked: AtomicBool,
}

impl HandlerPre {
    /// Finds the exports; fails if the handler interface or one of its functions is missing.
    pub(crate) fn new(pre: InstancePre<StoreState>) -> wasmtime::Result<Self> {
        let component = pre.component();
        let handle = component
            .get_export_index(None, HANDLER_EXPORT)
            .and_then(|handler| component.get_export_index(Some(&handler), "handle"))
            .ok_or_else(|| wasmtime::format_err!("no `handle` in `{HANDLER_EXPORT}`"))?;
        Ok(Self {
            rule: RulePre::new(pre)?,
            handle,
            checked: AtomicBool::new(false),
        })
    }

    /// Instantiates into `store` and calls `describe`.
    pub(crate) async fn describe(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<PluginInfo> {
        let rule = self.rule.instantiate_async(&mut *store).await?;
        rule.worklink_plugin_handler()
            .call_describe(&mut *store)
            .await
    }

    /// Instantiates into `store` and calls `handle`.
    pub(crate) async fn handle(
        &self,
        store: &mut Store<StoreState>,
        event: &Event,
        config: &str,
    ) -> wasmtime::Result<Result<Outcome, HandlerError>> {
        let instance = self
            .rule
            .instance_pre()
            .instantiate_async(&mut *store)
            .await?;
        let func: HandleFunc<'_> = if self.checked.load(Ordering::Acquire) {
            let func = instance
                .get_func(&mut *store, self.handle)
                .ok_or_else(|| wasmtime::format_err!("no `handle` in `{HANDLER_EXPORT}`"))?;
            // SAFETY: `func` is the export at `self.handle` of the component `self.rule` was
            // built from, and `checked` is set only after `get_typed_func` below accepted that
            // same export of that same component as `HandleFunc`. A component's export types do
            // not change between instances.
            unsafe { HandleFunc::new_unchecked(func) }
        } else {
            let func = instance.get_typed_func(&mut *store, self.handle)?;
            self.checked.store(true, Ordering::Release);
            func
        };
        let (result,) = func.call_async(&mut *store, (event, config)).await?;
        Ok(result)
    }
}
