//! Group robot webhooks of both providers against the simulators: message shapes, DingTalk
//! signing, bad credentials and the 20-per-minute limit.

mod support;

use support::{DingTalk, WeCom, fast_http};
use worklink_providers::api::{ErrorClass, Failure, Secret};
use worklink_providers::dingtalk::{Robot as DingRobot, RobotMessage as DingMessage};
use worklink_providers::wecom::{Article, Robot as WeComRobot, RobotMessage};

fn wecom_robot(wecom: &WeCom, key: &str) -> WeComRobot {
    WeComRobot::new(&wecom.server.base_url, Secret::new(key), fast_http())
}

fn ding_robot(ding: &DingTalk, token: &str, secret: Option<&str>) -> DingRobot {
    DingRobot::new(
        &ding.server.base_url,
        Secret::new(token),
        secret.map(Secret::new),
        fast_http(),
    )
}

fn ding_text(content: &str) -> DingMessage {
    DingMessage::Text {
        content: content.into(),
        at_mobiles: vec![],
        at_user_ids: vec![],
        at_all: false,
    }
}

#[tokio::test]
async fn wecom_robot_posts_text_markdown_and_news() {
    let wecom = WeCom::start().await;
    let robot = wecom_robot(&wecom, &wecom.sim.credentials().robot_key);
    let article = Article {
        title: "日报".into(),
        description: None,
        url: "https://erp.example.com".into(),
        picurl: None,
    };
    let messages = [
        RobotMessage::Text {
            content: "请大家填写日报".into(),
            mentioned_list: vec!["@all".into()],
            mentioned_mobile_list: vec!["13800001111".into()],
        },
        RobotMessage::Markdown {
            content: "**构建** 通过".into(),
        },
        RobotMessage::News {
            articles: vec![article],
        },
    ];
    for message in &messages {
        robot.send(message).await.unwrap();
    }
    let posts = wecom.sim.controls().robot_posts();
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|p| p.errcode == 0));
    assert_eq!(posts[0].body["text"]["mentioned_list"][0], "@all");
    assert_eq!(
        posts[0].body["text"]["mentioned_mobile_list"][0],
        "13800001111"
    );
    assert_eq!(posts[2].body["news"]["articles"][0]["title"], "日报");
}

#[tokio::test]
async fn wecom_robot_with_a_wrong_key_fails_with_a_hint() {
    let wecom = WeCom::start().await;
    let robot = wecom_robot(&wecom, "not-the-key");
    let err = robot
        .send(&RobotMessage::Markdown {
            content: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(93000));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.hint.is_some());
    assert!(!err.to_string().contains("not-the-key"));
    assert_eq!(wecom.sim.controls().robot_posts().len(), 1);
}

#[tokio::test]
async fn wecom_robot_over_the_minute_limit_is_refused() {
    let wecom = WeCom::start().await;
    let robot = wecom_robot(&wecom, &wecom.sim.credentials().robot_key);
    for i in 0..20 {
        robot
            .send(&RobotMessage::Markdown {
                content: format!("#{i}"),
            })
            .await
            .unwrap();
    }
    let err = robot
        .send(&RobotMessage::Markdown {
            content: "one too many".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(45009));
    assert_eq!(
        err.class(),
        ErrorClass::Transient,
        "the outbox may retry it later"
    );
}

#[tokio::test]
async fn wecom_robot_refuses_empty_news_locally() {
    let wecom = WeCom::start().await;
    let robot = wecom_robot(&wecom, &wecom.sim.credentials().robot_key);
    let err = robot
        .send(&RobotMessage::News { articles: vec![] })
        .await
        .unwrap_err();
    assert!(matches!(err.failure, Failure::Invalid(_)));
    assert!(wecom.sim.controls().calls().is_empty());
}

#[tokio::test]
async fn dingtalk_robot_signs_its_posts() {
    let ding = DingTalk::start().await;
    let creds = ding.sim.credentials();
    let robot = ding_robot(&ding, &creds.robot_token, Some(&creds.robot_secret));
    let messages = [
        DingMessage::Text {
            content: "请 @13800001111 审批".into(),
            at_mobiles: vec!["13800001111".into()],
            at_user_ids: vec![],
            at_all: false,
        },
        DingMessage::Markdown {
            title: "构建".into(),
            text: "## 通过".into(),
        },
        DingMessage::Link {
            title: "报表".into(),
            text: "本周".into(),
            message_url: "https://erp.example.com".into(),
            pic_url: None,
        },
        DingMessage::ActionCard {
            title: "报销".into(),
            text: "待审批".into(),
            single_title: "查看".into(),
            single_url: "https://erp.example.com".into(),
        },
    ];
    for message in &messages {
        robot.send(message).await.unwrap();
    }
    let posts = ding.sim.controls().robot_posts();
    assert!(posts.iter().all(|p| p.errcode == 0), "{posts:?}");
    let types: Vec<_> = posts
        .iter()
        .map(|p| p.body["msgtype"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, vec!["text", "markdown", "link", "actionCard"]);
    assert_eq!(posts[0].body["at"]["atMobiles"][0], "13800001111");
}

#[tokio::test]
async fn dingtalk_robot_without_or_with_a_wrong_secret_is_refused() {
    let ding = DingTalk::start().await;
    let creds = ding.sim.credentials();
    for secret in [None, Some("SECwrong")] {
        let robot = ding_robot(&ding, &creds.robot_token, secret);
        let err = robot.send(&ding_text("hi")).await.unwrap_err();
        assert_eq!(err.errcode(), Some(310000));
        assert_eq!(err.class(), ErrorClass::Permanent);
        assert!(err.hint.unwrap().contains("signing secret"));
    }
    let robot = ding_robot(&ding, "wrong-token", Some(&creds.robot_secret));
    assert_eq!(
        robot.send(&ding_text("hi")).await.unwrap_err().errcode(),
        Some(300001)
    );
    assert_eq!(
        ding.sim.controls().robot_posts().len(),
        3,
        "permanent errors are not retried"
    );
}

#[tokio::test]
async fn dingtalk_robot_over_the_minute_limit_is_throttled() {
    let ding = DingTalk::start().await;
    let creds = ding.sim.credentials();
    let robot = ding_robot(&ding, &creds.robot_token, Some(&creds.robot_secret));
    for i in 0..20 {
        robot.send(&ding_text(&format!("#{i}"))).await.unwrap();
    }
    let err = robot.send(&ding_text("one too many")).await.unwrap_err();
    assert_eq!(err.errcode(), Some(410100));
    assert!(err.to_string().contains("10 minutes"), "{err}");
}
