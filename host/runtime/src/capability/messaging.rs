//! `messaging`: app messages and robot posts. Writes only, so there is no backend here: a valid
//! message is staged as an effect and the outbox delivers it.
//!
//! The limits are WeCom's (the stricter of the two providers), so a message that validates here
//! can be delivered through either.

use super::CapError;
use super::validate::{max_bytes, max_items, non_empty};
use crate::types::{Message, Recipients, RobotPost};

/// Most users per app message.
pub const MAX_USERS: usize = 1000;
/// Most departments or tags per app message.
pub const MAX_PARTIES: usize = 100;
/// Most bytes of text or markdown in an app message.
pub const MAX_TEXT_BYTES: usize = 2048;
/// Most bytes of markdown in a robot post.
pub const MAX_ROBOT_MARKDOWN_BYTES: usize = 4096;
/// Most articles in a news message.
pub const MAX_ARTICLES: usize = 8;

/// Checks an app message before it is staged.
pub fn validate_send(to: &Recipients, message: &Message) -> Result<(), CapError> {
    if !to.all && to.users.is_empty() && to.departments.is_empty() && to.tags.is_empty() {
        return Err(CapError::Invalid(
            "`to` names no users, departments or tags and `all` is false".into(),
        ));
    }
    max_items("to.users", &to.users, MAX_USERS)?;
    max_items("to.departments", &to.departments, MAX_PARTIES)?;
    max_items("to.tags", &to.tags, MAX_PARTIES)?;
    for id in to.users.iter().chain(&to.departments).chain(&to.tags) {
        non_empty("to (recipient id)", id)?;
    }
    validate_message(message, MAX_TEXT_BYTES)
}

/// Checks a robot post before it is staged.
pub fn validate_robot(post: &RobotPost) -> Result<(), CapError> {
    non_empty("robot", &post.robot)?;
    if matches!(post.message, Message::TextCard(_)) {
        return Err(CapError::Invalid(
            "robots accept text, markdown or news, not `text_card`".into(),
        ));
    }
    validate_message(&post.message, MAX_ROBOT_MARKDOWN_BYTES)
}

fn validate_message(message: &Message, markdown_max: usize) -> Result<(), CapError> {
    match message {
        Message::Text { content } => {
            non_empty("message.content", content)?;
            max_bytes("message.content", content, MAX_TEXT_BYTES)
        }
        Message::Markdown { content } => {
            non_empty("message.content", content)?;
            max_bytes("message.content", content, markdown_max)
        }
        Message::TextCard(card) => {
            non_empty("message.title", &card.title)?;
            max_bytes("message.title", &card.title, 128)?;
            // Both providers refuse a card without a description (WeCom errcode 40058), and a
            // refusal at delivery time would only show up as a dead letter.
            non_empty("message.description", &card.description)?;
            max_bytes("message.description", &card.description, 512)?;
            non_empty("message.url", &card.url)?;
            if let Some(button) = &card.button_text
                && button.chars().count() > 4
            {
                return Err(CapError::Invalid(
                    "`message.button_text` has more than 4 characters".into(),
                ));
            }
            Ok(())
        }
        Message::News { articles } => {
            if articles.is_empty() {
                return Err(CapError::Invalid(
                    "`message.articles` must not be empty".into(),
                ));
            }
            max_items("message.articles", articles, MAX_ARTICLES)?;
            for article in articles {
                non_empty("message.articles.title", &article.title)?;
                non_empty("message.articles.url", &article.url)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TextCard;

    fn text(s: &str) -> Message {
        Message::Text { content: s.into() }
    }

    fn to_user() -> Recipients {
        Recipients {
            users: vec!["u1".into()],
            ..Default::default()
        }
    }

    #[test]
    fn accepts_a_plain_text_message() {
        assert!(validate_send(&to_user(), &text("hi")).is_ok());
    }

    #[test]
    fn refuses_a_message_to_nobody() {
        let err = validate_send(&Recipients::default(), &text("hi")).unwrap_err();
        assert!(err.to_string().contains("names no users"), "{err}");
        let everyone = Recipients {
            all: true,
            ..Default::default()
        };
        assert!(validate_send(&everyone, &text("hi")).is_ok());
    }

    #[test]
    fn refuses_text_over_the_provider_limit() {
        let err = validate_send(&to_user(), &text(&"x".repeat(MAX_TEXT_BYTES + 1))).unwrap_err();
        assert!(err.to_string().contains("message.content"), "{err}");
    }

    #[test]
    fn refuses_a_card_without_url_and_cards_to_robots() {
        let card = Message::TextCard(TextCard {
            title: "t".into(),
            description: "d".into(),
            url: String::new(),
            button_text: None,
        });
        assert!(
            validate_send(&to_user(), &card)
                .unwrap_err()
                .to_string()
                .contains("message.url")
        );
        let post = RobotPost {
            robot: "ops".into(),
            message: card,
            mentions: vec![],
            mention_all: false,
        };
        assert!(
            validate_robot(&post)
                .unwrap_err()
                .to_string()
                .contains("text_card")
        );
    }

    #[test]
    fn a_card_needs_a_description() {
        let card = |description: &str| {
            Message::TextCard(crate::types::TextCard {
                title: "t".into(),
                description: description.into(),
                url: "https://example.com".into(),
                button_text: None,
            })
        };
        let err = validate_send(&to_user(), &card("")).unwrap_err();
        assert!(err.to_string().contains("message.description"), "{err}");
        assert!(validate_send(&to_user(), &card("d")).is_ok());
    }

    #[test]
    fn refuses_empty_or_oversized_news() {
        let news = |n| Message::News {
            articles: (0..n)
                .map(|i| crate::types::Article {
                    title: format!("a{i}"),
                    description: String::new(),
                    url: "https://example.com".into(),
                    picture_url: None,
                })
                .collect(),
        };
        assert!(validate_send(&to_user(), &news(0)).is_err());
        assert!(validate_send(&to_user(), &news(8)).is_ok());
        assert!(validate_send(&to_user(), &news(9)).is_err());
    }

    #[test]
    fn robot_markdown_allows_more_than_app_markdown() {
        let md = Message::Markdown {
            content: "x".repeat(3000),
        };
        assert!(validate_send(&to_user(), &md).is_err());
        let post = RobotPost {
            robot: "ops".into(),
            message: md,
            mentions: vec![],
            mention_all: false,
        };
        assert!(validate_robot(&post).is_ok());
    }
}
