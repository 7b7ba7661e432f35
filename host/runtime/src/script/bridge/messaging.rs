//! `messaging::send(to, message)` and `messaging::post_robot(post)` (WIT `messaging`).
//!
//! Both stage a write and return its effect id; nothing is sent until the invocation succeeds.

use rhai::{Dynamic, Module, NativeCallContext};

use super::convert::thrown;
use super::{Call, capability_fn, located, session};
use crate::capability::Capability::Messaging;
use crate::types::{Message, Recipients, RobotPost};

/// The `messaging` module.
pub(super) fn module() -> Module {
    let mut module = Module::new();
    capability_fn("send").set_into_module(
        &mut module,
        |ctx: NativeCallContext, to: Dynamic, message: Dynamic| -> Call<String> {
            located(&ctx, || {
                let session = session()?;
                let to: Recipients = session.arg(Messaging, "messaging::send", "to", &to)?;
                let message: Message =
                    session.arg(Messaging, "messaging::send", "message", &message)?;
                let effect = session.host().send_message(to, message);
                effect.map_err(thrown)
            })
        },
    );
    capability_fn("post_robot").set_into_module(
        &mut module,
        |ctx: NativeCallContext, post: Dynamic| -> Call<String> {
            located(&ctx, || {
                let session = session()?;
                let post: RobotPost =
                    session.arg(Messaging, "messaging::post_robot", "post", &post)?;
                let effect = session.host().post_robot(post);
                effect.map_err(thrown)
            })
        },
    );
    module
}
