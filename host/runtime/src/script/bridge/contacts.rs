//! `contacts::get_user`, `find_users`, `get_department`, `department_members`,
//! `resolve_binding`, `bound_user` (WIT `contacts`): live reads of the organisation directory.

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::ret;
use super::{Call, capability_fn, located, session};
use crate::capability::Capability::Contacts;
use crate::types::{BindingKey, UserQuery};

/// The `contacts` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("get_user").set_into_module(
        &mut module,
        |ctx: NativeCallContext, id: &str| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                ret(&session.block_on(host.get_user(id))?)
            })
        },
    );
    capability_fn("find_users").set_into_module(
        &mut module,
        |ctx: NativeCallContext, query: Dynamic| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let query: UserQuery =
                    session.arg(Contacts, "contacts::find_users", "query", &query)?;
                let mut host = session.host();
                ret(&session.block_on(host.find_users(query))?)
            })
        },
    );
    capability_fn("get_department").set_into_module(
        &mut module,
        |ctx: NativeCallContext, id: &str| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                ret(&session.block_on(host.get_department(id))?)
            })
        },
    );
    capability_fn("department_members").set_into_module(
        &mut module,
        |ctx: NativeCallContext, department: &str, recursive: bool| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                ret(&session.block_on(host.department_members(department, recursive))?)
            })
        },
    );
    capability_fn("resolve_binding").set_into_module(
        &mut module,
        |ctx: NativeCallContext, key: Dynamic| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let key: BindingKey =
                    session.arg(Contacts, "contacts::resolve_binding", "key", &key)?;
                let mut host = session.host();
                ret(&session.block_on(host.resolve_binding(key))?)
            })
        },
    );
    capability_fn("bound_user").set_into_module(
        &mut module,
        |ctx: NativeCallContext, employee_id: &str| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let mut host = session.host();
                ret(&session.block_on(host.bound_user(employee_id))?)
            })
        },
    );
    module
}
