//! App messages and group-robot posts. Both are staged writes: the call returns an effect id at
//! once, and the host delivers only if the handler returns `Ok`.

use crate::prelude::*;
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

    /// Shortens title and description to the card limits (128 and 512 bytes), ending each cut
    /// text with `…`, so text from the ERP never makes the host reject the card.
    pub fn fitted(mut self) -> Self {
        self.title = shorten(&self.title, TITLE_MAX);
        self.description = shorten(&self.description, DESCRIPTION_MAX);
        self
    }
}

/// Card title limit, bytes.
const TITLE_MAX: usize = 128;
/// Card description limit, bytes.
const DESCRIPTION_MAX: usize = 512;

/// `text` cut on a character boundary so that it plus `…` fits in `max` bytes.
fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    const ELLIPSIS: &str = "…";
    let mut end = max - ELLIPSIS.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ELLIPSIS}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_cards_stay_within_limits_on_char_boundaries() {
        let card = TextCard::new("任务".repeat(40), "d".repeat(600), "https://x").fitted();
        assert!(
            card.title.len() <= TITLE_MAX && card.title.ends_with('…'),
            "{}",
            card.title
        );
        assert!(card.title.starts_with("任务任务"));
        assert_eq!(card.description.len(), DESCRIPTION_MAX);
        let short = TextCard::new("ok", "fine", "u").fitted();
        assert_eq!(
            (short.title.as_str(), short.description.as_str()),
            ("ok", "fine")
        );
    }
}
