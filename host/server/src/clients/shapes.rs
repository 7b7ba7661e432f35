//! The runtime's provider-neutral messages, robot posts and approvals in each provider's shape.
//!
//! The providers do not offer the same message types, so some mappings are approximations,
//! chosen to keep every field visible:
//! - DingTalk has no text card or news in work notifications: a text card becomes an action
//!   card with one button, news an action card with one button per article.
//! - DingTalk markdown needs a title (shown in the notification list): the first line of the
//!   markdown, without heading marks.
//! - WeCom approval controls are addressed by control id, so a form field's `name` is taken as
//!   the control id (`Text-1234`) and its value as text.

use serde_json::{Value, json};
use worklink_providers::{dingtalk, wecom};
use worklink_runtime::types::{ApprovalRequest, Article, Message, RobotPost, TextCard};

/// Button text of a card whose handler gave none.
const DEFAULT_BUTTON: &str = "详情";

/// A message for WeCom `message/send`.
pub fn wecom_message(message: &Message) -> wecom::AppMessage {
    match message {
        Message::Text { content } => wecom::AppMessage::Text {
            content: content.clone(),
        },
        Message::Markdown { content } => wecom::AppMessage::Markdown {
            content: content.clone(),
        },
        Message::TextCard(card) => wecom::AppMessage::TextCard {
            title: card.title.clone(),
            description: card.description.clone(),
            url: card.url.clone(),
            btntxt: card.button_text.clone(),
        },
        Message::News { articles } => wecom::AppMessage::News {
            articles: articles.iter().map(wecom_article).collect(),
        },
    }
}

/// A message for DingTalk `asyncsend_v2`.
pub fn dingtalk_message(message: &Message) -> dingtalk::Message {
    match message {
        Message::Text { content } => dingtalk::Message::Text {
            content: content.clone(),
        },
        Message::Markdown { content } => dingtalk::Message::Markdown {
            title: markdown_title(content),
            text: content.clone(),
        },
        Message::TextCard(card) => dingtalk::Message::ActionCard {
            title: card.title.clone(),
            markdown: card.description.clone(),
            card: dingtalk::ActionCard::Single {
                title: button(card),
                url: card.url.clone(),
            },
        },
        Message::News { articles } => dingtalk::Message::ActionCard {
            title: articles
                .first()
                .map(|a| a.title.clone())
                .unwrap_or_default(),
            markdown: news_markdown(articles),
            card: dingtalk::ActionCard::Buttons {
                buttons: articles
                    .iter()
                    .map(|a| (a.title.clone(), a.url.clone()))
                    .collect(),
                vertical: true,
            },
        },
    }
}

/// A post for a WeCom group robot. Mentions work on text posts only (WeCom's rule).
pub fn wecom_robot(post: &RobotPost) -> wecom::RobotMessage {
    match &post.message {
        Message::Text { content } => {
            let mut mentioned = post.mentions.clone();
            if post.mention_all {
                mentioned.push("@all".to_owned());
            }
            wecom::RobotMessage::Text {
                content: content.clone(),
                mentioned_list: mentioned,
                mentioned_mobile_list: Vec::new(),
            }
        }
        Message::Markdown { content } => wecom::RobotMessage::Markdown {
            content: content.clone(),
        },
        Message::TextCard(card) => wecom::RobotMessage::News {
            articles: vec![wecom::Article {
                title: card.title.clone(),
                description: Some(card.description.clone()),
                url: card.url.clone(),
                picurl: None,
            }],
        },
        Message::News { articles } => wecom::RobotMessage::News {
            articles: articles.iter().map(wecom_article).collect(),
        },
    }
}

/// A post for a DingTalk custom robot.
pub fn dingtalk_robot(post: &RobotPost) -> dingtalk::RobotMessage {
    match &post.message {
        Message::Text { content } => dingtalk::RobotMessage::Text {
            content: content.clone(),
            at_mobiles: Vec::new(),
            at_user_ids: post.mentions.clone(),
            at_all: post.mention_all,
        },
        Message::Markdown { content } => dingtalk::RobotMessage::Markdown {
            title: markdown_title(content),
            text: content.clone(),
        },
        Message::TextCard(card) => dingtalk::RobotMessage::ActionCard {
            title: card.title.clone(),
            text: card.description.clone(),
            single_title: button(card),
            single_url: card.url.clone(),
        },
        Message::News { articles } => match articles.as_slice() {
            [article] => dingtalk::RobotMessage::Link {
                title: article.title.clone(),
                text: article.description.clone(),
                message_url: article.url.clone(),
                pic_url: article.picture_url.clone(),
            },
            _ => dingtalk::RobotMessage::Markdown {
                title: articles
                    .first()
                    .map(|a| a.title.clone())
                    .unwrap_or_default(),
                text: news_markdown(articles),
            },
        },
    }
}

/// A WeCom `oa/applyevent`: approvers in order, one node each; the template's flow when none.
pub fn wecom_approval(request: &ApprovalRequest) -> wecom::ApplyEvent {
    let contents: Vec<Value> = request
        .fields
        .iter()
        .map(|field| json!({"control": "Text", "id": field.name, "value": {"text": field.value}}))
        .collect();
    wecom::ApplyEvent {
        creator_userid: request.applicant.clone(),
        template_id: request.template.clone(),
        use_template_approver: u8::from(request.approvers.is_empty()),
        approver: request
            .approvers
            .iter()
            .map(|userid| json!({"attr": 1, "userid": [userid]}))
            .collect(),
        notifyer: request.cc.clone(),
        apply_data: json!({ "contents": contents }),
        summary_list: Vec::new(),
    }
}

/// A DingTalk `processinstance/create`.
pub fn dingtalk_approval(request: &ApprovalRequest) -> dingtalk::NewProcessInstance {
    let joined = |ids: &[String]| (!ids.is_empty()).then(|| ids.join(","));
    dingtalk::NewProcessInstance {
        process_code: request.template.clone(),
        originator_user_id: request.applicant.clone(),
        dept_id: None,
        form_component_values: request
            .fields
            .iter()
            .map(|field| dingtalk::FormValue {
                name: field.name.clone(),
                value: field.value.clone(),
                ..Default::default()
            })
            .collect(),
        approvers: joined(&request.approvers),
        cc_list: joined(&request.cc),
    }
}

fn wecom_article(article: &Article) -> wecom::Article {
    wecom::Article {
        title: article.title.clone(),
        description: (!article.description.is_empty()).then(|| article.description.clone()),
        url: article.url.clone(),
        picurl: article.picture_url.clone(),
    }
}

fn button(card: &TextCard) -> String {
    card.button_text
        .clone()
        .unwrap_or_else(|| DEFAULT_BUTTON.to_owned())
}

/// The first non-empty line of `markdown` without heading marks, as a notification title.
fn markdown_title(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| line.trim_start_matches('#').trim())
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// News articles as one markdown text: a bold title and the description of each.
fn news_markdown(articles: &[Article]) -> String {
    articles
        .iter()
        .map(|a| format!("**[{}]({})**\n\n{}", a.title, a.url, a.description))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_runtime::types::FormField;

    fn card() -> Message {
        Message::TextCard(TextCard {
            title: "Leave approved".into(),
            description: "3 days from Monday".into(),
            url: "https://erp.example/leave/7".into(),
            button_text: None,
        })
    }

    #[test]
    fn dingtalk_markdown_takes_its_title_from_the_first_line() {
        let message = Message::Markdown {
            content: "\n## Weekly report\n\n- done".into(),
        };
        let dingtalk::Message::Markdown { title, text } = dingtalk_message(&message) else {
            panic!("markdown stays markdown");
        };
        assert_eq!(title, "Weekly report");
        assert!(text.contains("- done"));
    }

    #[test]
    fn a_text_card_keeps_its_link_on_both_providers() {
        let wecom::AppMessage::TextCard { url, btntxt, .. } = wecom_message(&card()) else {
            panic!("a WeCom text card");
        };
        assert_eq!(url, "https://erp.example/leave/7");
        assert_eq!(btntxt, None);
        let dingtalk::Message::ActionCard { card, .. } = dingtalk_message(&card()) else {
            panic!("a DingTalk action card");
        };
        assert_eq!(
            card,
            dingtalk::ActionCard::Single {
                title: DEFAULT_BUTTON.into(),
                url: "https://erp.example/leave/7".into()
            }
        );
    }

    #[test]
    fn robot_mentions_reach_both_providers() {
        let post = RobotPost {
            robot: "ops".into(),
            message: Message::Text {
                content: "deploy done".into(),
            },
            mentions: vec!["zhangsan".into()],
            mention_all: true,
        };
        let wecom::RobotMessage::Text { mentioned_list, .. } = wecom_robot(&post) else {
            panic!("text");
        };
        assert_eq!(mentioned_list, ["zhangsan", "@all"]);
        let dingtalk::RobotMessage::Text {
            at_user_ids,
            at_all,
            ..
        } = dingtalk_robot(&post)
        else {
            panic!("text");
        };
        assert_eq!(at_user_ids, ["zhangsan"]);
        assert!(at_all);
    }

    #[test]
    fn approvals_use_the_template_flow_only_without_approvers() {
        let mut request = ApprovalRequest {
            template: "tpl".into(),
            applicant: "lisi".into(),
            fields: vec![FormField {
                name: "Text-1".into(),
                value: "laptop".into(),
            }],
            approvers: vec![],
            cc: vec![],
        };
        let event = wecom_approval(&request);
        assert_eq!(event.use_template_approver, 1);
        assert_eq!(event.apply_data["contents"][0]["value"]["text"], "laptop");
        request.approvers = vec!["wangwu".into(), "zhaoliu".into()];
        let event = wecom_approval(&request);
        assert_eq!(event.use_template_approver, 0);
        assert_eq!(event.approver.len(), 2);
        let instance = dingtalk_approval(&request);
        assert_eq!(instance.approvers.as_deref(), Some("wangwu,zhaoliu"));
        assert_eq!(instance.cc_list, None);
        assert_eq!(instance.form_component_values[0].value, "laptop");
    }
}
