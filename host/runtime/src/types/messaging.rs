//! App messages and group-robot posts (WIT `messaging`).

use serde::{Deserialize, Serialize};

/// Who receives an app message; at least one list must be non-empty unless `all` is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recipients {
    /// Directory user ids.
    pub users: Vec<String>,
    /// Department ids.
    pub departments: Vec<String>,
    /// Tag ids.
    pub tags: Vec<String>,
    /// Everyone in the app's visible range.
    pub all: bool,
}

/// A card with a title, a short description and a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextCard {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Link opened by the card.
    pub url: String,
    /// Button text; the provider default when absent.
    #[serde(default)]
    pub button_text: Option<String>,
}

/// One article of a news message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Link opened by the article.
    pub url: String,
    /// Picture shown with the article.
    #[serde(default)]
    pub picture_url: Option<String>,
}

/// A message body; the host maps it to the provider's own message type. Tagged by `type` so a
/// Rhai map reads `#{type: "text", content: "hi"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// Plain text.
    Text {
        /// The text.
        content: String,
    },
    /// Markdown.
    Markdown {
        /// The markdown source.
        content: String,
    },
    /// A text card.
    TextCard(TextCard),
    /// One to eight articles.
    News {
        /// The articles.
        articles: Vec<Article>,
    },
}

/// A post to a group robot configured in the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobotPost {
    /// Name of the robot in the host configuration.
    pub robot: String,
    /// The message (text, markdown or news).
    pub message: Message,
    /// User ids to mention.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// Mention everyone in the group.
    #[serde(default)]
    pub mention_all: bool,
}
