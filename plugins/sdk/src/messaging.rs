//! App messages and group-robot posts. Both are staged writes: the call returns an effect id at
//! once, and the host delivers only if the handler returns `Ok`.

use crate::route::route;
use crate::types::{CapError, EffectId};

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::messaging as wit;
pub use crate::bindings::worklink::plugin::messaging::{
    Article, Message, Recipients, RobotPost, TextCard,
};

/// Stages an app message to `to`.
pub fn send(to: &Recipients, message: &Message) -> Result<EffectId, CapError> {
    route!(
        wasm: wit::send(to, message),
        native: |host| host.send(to, message),
    )
}

/// Stages a post to a group robot configured in the host.
pub fn post_robot(post: &RobotPost) -> Result<EffectId, CapError> {
    route!(
        wasm: wit::post_robot(post),
        native: |host| host.post_robot(post),
    )
}

impl Recipients {
    /// Directory users by id, the usual recipient of a personal notification.
    pub fn users<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Recipients {
            users: ids.into_iter().map(Into::into).collect(),
            departments: Vec::new(),
            tags: Vec::new(),
            all: false,
        }
    }

    /// One directory user.
    pub fn user(id: impl Into<String>) -> Self {
        Self::users([id])
    }
}

impl TextCard {
    /// A card with the provider's default button text.
    pub fn new(
        title: impl Into<String>,
        description: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        TextCard {
            title: title.into(),
            description: description.into(),
            url: url.into(),
            button_text: None,
        }
    }

    /// Sets the button text (at most 4 characters; the host rejects longer ones).
    pub fn button(mut self, text: impl Into<String>) -> Self {
        self.button_text = Some(text.into());
        self
    }
}
