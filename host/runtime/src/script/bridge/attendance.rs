//! `attendance::check_ins(users, range)` and `attendance::day_reports(users, range)` (WIT
//! `attendance`): live reads; `range` is `#{ start, end }` in unix milliseconds.

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::ret;
use super::{Call, capability_fn, located, session};
use crate::capability::Capability::Attendance;
use crate::types::TimeRange;

/// The `attendance` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("check_ins").set_into_module(
        &mut module,
        |ctx: NativeCallContext, users: Dynamic, range: Dynamic| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let users: Vec<String> =
                    session.arg(Attendance, "attendance::check_ins", "users", &users)?;
                let range: TimeRange =
                    session.arg(Attendance, "attendance::check_ins", "range", &range)?;
                let mut host = session.host();
                ret(&session.block_on(host.check_ins(users, range))?)
            })
        },
    );
    capability_fn("day_reports").set_into_module(
        &mut module,
        |ctx: NativeCallContext, users: Dynamic, range: Dynamic| -> Call<Dynamic> {
            located(&ctx, || {
                let session = session()?;
                let users: Vec<String> =
                    session.arg(Attendance, "attendance::day_reports", "users", &users)?;
                let range: TimeRange =
                    session.arg(Attendance, "attendance::day_reports", "range", &range)?;
                let mut host = session.host();
                ret(&session.block_on(host.day_reports(users, range))?)
            })
        },
    );
    module
}
