//! The write limits documented in `wit/worklink.wit`, checked by the harness so a plugin that would
//! be rejected by the host fails its native tests too. Errors are `invalid` with what and where.

use crate::approvals::ApprovalRequest;
use crate::erp::Document;
use crate::messaging::{Message, Recipients, RobotPost};
use crate::types::{CapError, TimeRange};

/// Fails with `invalid(<what>: <why>)` when `ok` is false.
fn check(ok: bool, what: &str, why: impl FnOnce() -> String) -> Result<(), CapError> {
    if ok {
        Ok(())
    } else {
        Err(CapError::Invalid(format!("{what}: {}", why())))
    }
}

fn at_most_bytes(what: &str, text: &str, max: usize) -> Result<(), CapError> {
    check(text.len() <= max, what, || {
        format!("{} bytes, at most {max}", text.len())
    })
}

fn at_most_items<T>(what: &str, items: &[T], max: usize) -> Result<(), CapError> {
    check(items.len() <= max, what, || {
        format!("{} entries, at most {max}", items.len())
    })
}

fn not_empty(what: &str, text: &str) -> Result<(), CapError> {
    check(!text.trim().is_empty(), what, || "must not be empty".into())
}

pub(crate) fn recipients(to: &Recipients) -> Result<(), CapError> {
    at_most_items("recipients.users", &to.users, 1000)?;
    at_most_items("recipients.departments", &to.departments, 100)?;
    at_most_items("recipients.tags", &to.tags, 100)?;
    let anyone =
        to.all || !(to.users.is_empty() && to.departments.is_empty() && to.tags.is_empty());
    check(anyone, "recipients", || {
        "no users, departments or tags, and `all` is not set".into()
    })
}

/// `markdown_max` differs between app messages (2048) and robot posts (4096).
pub(crate) fn message(message: &Message, markdown_max: usize) -> Result<(), CapError> {
    match message {
        Message::Text(text) => {
            not_empty("message.text", text)?;
            at_most_bytes("message.text", text, 2048)
        }
        Message::Markdown(text) => {
            not_empty("message.markdown", text)?;
            at_most_bytes("message.markdown", text, markdown_max)
        }
        Message::TextCard(card) => {
            not_empty("text-card.title", &card.title)?;
            at_most_bytes("text-card.title", &card.title, 128)?;
            at_most_bytes("text-card.description", &card.description, 512)?;
            not_empty("text-card.url", &card.url)?;
            match &card.button_text {
                Some(button) => {
                    let chars = button.chars().count();
                    check(chars <= 4, "text-card.button-text", || {
                        format!("{chars} characters, at most 4")
                    })
                }
                None => Ok(()),
            }
        }
        Message::News(articles) => {
            check((1..=8).contains(&articles.len()), "message.news", || {
                format!("{} articles, 1 to 8 allowed", articles.len())
            })?;
            articles.iter().try_for_each(|a| {
                not_empty("article.title", &a.title)?;
                not_empty("article.url", &a.url)
            })
        }
    }
}

pub(crate) fn robot_post(post: &RobotPost) -> Result<(), CapError> {
    not_empty("robot-post.robot", &post.robot)?;
    check(
        !matches!(post.message, Message::TextCard(_)),
        "robot-post.message",
        || "robots take text, markdown or news".into(),
    )?;
    message(&post.message, 4096)
}

pub(crate) fn approval_request(request: &ApprovalRequest) -> Result<(), CapError> {
    not_empty("approval-request.template", &request.template)?;
    not_empty("approval-request.applicant", &request.applicant)
}

pub(crate) fn document(document: &Document) -> Result<(), CapError> {
    not_empty("document.kind", &document.kind)?;
    not_empty("document.idempotency-key", &document.idempotency_key)?;
    let body = serde_json::from_str::<serde_json::Value>(&document.body);
    check(body.is_ok_and(|b| b.is_object()), "document.body", || {
        "must be a JSON object".into()
    })
}

pub(crate) fn employee_id(employee_id: &str) -> Result<(), CapError> {
    not_empty("employee_id", employee_id)
}

pub(crate) fn kv_key(key: &str) -> Result<(), CapError> {
    not_empty("kv key", key)
}

pub(crate) fn attendance_query(users: &[String], range: TimeRange) -> Result<(), CapError> {
    at_most_items("users", users, 100)?;
    check(range.start < range.end, "time-range", || {
        format!("start {} is not before end {}", range.start, range.end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::{Article, TextCard};

    #[test]
    fn recipients_need_someone() {
        let nobody = Recipients::users(Vec::<String>::new());
        assert!(
            matches!(recipients(&nobody), Err(CapError::Invalid(m)) if m.starts_with("recipients:"))
        );
        assert!(
            recipients(&Recipients {
                all: true,
                ..nobody
            })
            .is_ok()
        );
        assert!(recipients(&Recipients::user("u1")).is_ok());
    }

    #[test]
    fn card_limits_name_the_field() {
        let card = TextCard::new("t".repeat(129), "d", "https://x");
        let err = message(&Message::TextCard(card), 2048).unwrap_err();
        assert_eq!(
            err,
            CapError::Invalid("text-card.title: 129 bytes, at most 128".into())
        );
        let card = TextCard::new("t", "d", "https://x").button("查看详情呀");
        let err = message(&Message::TextCard(card), 2048).unwrap_err();
        assert_eq!(
            err,
            CapError::Invalid("text-card.button-text: 5 characters, at most 4".into())
        );
    }

    #[test]
    fn news_needs_one_to_eight_articles() {
        let article = Article {
            title: "a".into(),
            description: String::new(),
            url: "u".into(),
            picture_url: None,
        };
        assert!(message(&Message::News(vec![]), 2048).is_err());
        assert!(message(&Message::News(vec![article.clone(); 8]), 2048).is_ok());
        assert!(message(&Message::News(vec![article; 9]), 2048).is_err());
    }

    #[test]
    fn robots_take_longer_markdown_but_no_cards() {
        let long = Message::Markdown("m".repeat(3000));
        assert!(message(&long, 2048).is_err());
        let post = RobotPost {
            robot: "ops".into(),
            message: long,
            mentions: vec![],
            mention_all: false,
        };
        assert!(robot_post(&post).is_ok());
        let card = RobotPost {
            message: Message::TextCard(TextCard::new("t", "d", "u")),
            ..post
        };
        assert!(robot_post(&card).is_err());
    }

    #[test]
    fn document_body_must_be_an_object() {
        let doc = |body: &str| Document {
            kind: "voucher".into(),
            idempotency_key: "k".into(),
            body: body.into(),
        };
        assert!(document(&doc(r#"{"amount":1}"#)).is_ok());
        assert!(document(&doc("[1]")).is_err());
        assert!(document(&doc("not json")).is_err());
    }

    #[test]
    fn attendance_range_must_be_ordered() {
        assert!(attendance_query(&[], TimeRange { start: 5, end: 5 }).is_err());
        assert!(attendance_query(&["u".into()], TimeRange { start: 1, end: 5 }).is_ok());
    }
}
