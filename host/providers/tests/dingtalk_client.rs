//! The DingTalk client against the DingTalk simulator: token handling, error classification of
//! both envelopes, contacts paging, work notifications.

mod support;

use std::time::Duration;

use support::DingTalk;
use worklink_providers::api::{ErrCode, ErrorClass, Failure, Recipients};
use worklink_providers::dingtalk::{ActionCard, Message, RobotGroupMessage};
use worklink_providers::sim::SimConfig;

const GETTOKEN: &str = "/gettoken";
const USER_GET: &str = "/topapi/v2/user/get";
const ASYNCSEND: &str = "/topapi/message/corpconversation/asyncsend_v2";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_calls_fetch_one_token() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    let client = ding.client.clone();
    let users = support::concurrently(100, || {
        let (client, userid) = (client.clone(), userid.clone());
        async move { client.get_user(&userid).await.unwrap().userid }
    })
    .await;
    assert!(users.iter().all(|u| *u == userid));
    assert_eq!(ding.count(GETTOKEN), 1);
    assert_eq!(ding.count(USER_GET), 100);
}

#[tokio::test]
async fn invalid_token_is_refreshed_once() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    ding.client.get_user(&userid).await.unwrap();
    ding.sim.controls().errcode_next(USER_GET, 40014);
    ding.client.get_user(&userid).await.unwrap();
    ding.sim.controls().invalidate_tokens();
    ding.client.get_user(&userid).await.unwrap();
    assert_eq!(ding.count(GETTOKEN), 3);
}

#[tokio::test]
async fn expired_token_is_refreshed() {
    let ding = DingTalk::start().await;
    ding.client.list_departments(1).await.unwrap();
    ding.sim.controls().advance_clock(Duration::from_secs(7300));
    ding.client.list_departments(1).await.unwrap();
    assert_eq!(ding.count(GETTOKEN), 2);
}

#[tokio::test]
async fn ip_not_allowed_fails_at_once_with_a_hint() {
    let ding = DingTalk::start().await;
    ding.sim.controls().set_ip_blocked(true);
    let err = ding.client.list_departments(1).await.unwrap_err();
    assert_eq!(err.errcode(), Some(60020));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("allow-list"), "{err}");
    assert_eq!(ding.sim.controls().calls().len(), 1);
}

#[tokio::test]
async fn rate_limited_and_busy_calls_are_retried() {
    let ding = DingTalk::start().await;
    ding.client.list_departments(1).await.unwrap();
    let path = "/topapi/v2/department/listsub";
    ding.sim.controls().errcode_next(path, 90018);
    ding.sim.controls().errcode_next(path, -1);
    ding.client.list_departments(1).await.unwrap();
    assert_eq!(ding.count(path), 4);
    ding.sim.controls().fail_next(1, 502);
    ding.client.list_departments(1).await.unwrap();
    assert_eq!(ding.count(path), 6);
}

#[tokio::test]
async fn bad_secret_is_permanent() {
    let ding = DingTalk::start().await;
    let creds = ding.sim.credentials();
    let mut cfg = worklink_providers::dingtalk::DingTalkConfig::new(
        creds.app_key,
        "wrong".into(),
        creds.agent_id,
    );
    cfg.oapi_url = ding.server.base_url.clone();
    cfg.http = support::fast_http();
    let client = worklink_providers::dingtalk::Client::new(cfg, Default::default());
    let err = client.list_departments(1).await.unwrap_err();
    assert_eq!(err.endpoint, GETTOKEN);
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert_eq!(ding.count(GETTOKEN), 1);
    assert!(!format!("{err} {err:?} {client:?}").contains(&ding.secret));
}

#[tokio::test]
async fn departments_and_users_are_read() {
    let ding = DingTalk::start().await;
    let subs = ding.client.list_departments(1).await.unwrap();
    let expected = ding.sim.controls().directory().children(1).unwrap().len();
    assert_eq!(subs.len(), expected);
    let userid = ding.userids(1).remove(0);
    let user = ding.client.get_user(&userid).await.unwrap();
    assert!(!user.name.is_empty());
    assert!(!user.dept_id_list.is_empty());
    let err = ding.client.get_user("no-such-user").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn users_are_paged_by_cursor() {
    let ding = DingTalk::start_with(SimConfig {
        seed: 3,
        users: 230,
        departments: 1,
    })
    .await;
    let users = ding.client.list_users(1).await.unwrap();
    assert_eq!(users.len(), 230);
    assert_eq!(ding.count("/topapi/v2/user/list"), 3);
    let mut ids: Vec<_> = users.iter().map(|u| u.userid.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 230, "no member twice");
    let err = ding.client.list_users_page(1, 0, 101).await.unwrap_err();
    assert!(matches!(err.failure, Failure::Invalid(_)));
}

#[tokio::test]
async fn work_notifications_of_every_type_are_sent() {
    let ding = DingTalk::start().await;
    let to = Recipients::users(ding.userids(2));
    let messages = [
        Message::Text {
            content: "你好".into(),
        },
        Message::Markdown {
            title: "审批".into(),
            text: "## 已通过".into(),
        },
        Message::ActionCard {
            title: "报销".into(),
            markdown: "请审批".into(),
            card: ActionCard::Single {
                title: "查看".into(),
                url: "https://erp.example.com".into(),
            },
        },
        Message::Oa(
            serde_json::json!({"message_url": "https://erp.example.com", "head": {"text": "ERP"}, "body": {"title": "单据"}}),
        ),
    ];
    for message in &messages {
        let sent = ding.client.send_message(&to, message).await.unwrap();
        let progress = ding.client.send_result(sent.task_id).await.unwrap();
        assert!(progress.invalid_user_id_list.is_empty());
        assert_eq!(progress.unread_user_id_list.len(), 2);
    }
    let recorded = ding.sim.controls().messages();
    let types: Vec<_> = recorded.iter().map(|m| m.msgtype.as_str()).collect();
    assert_eq!(types, vec!["text", "markdown", "action_card", "oa"]);
    assert_eq!(recorded[0].body["userid_list"], to.users.join(","));
}

#[tokio::test]
async fn invalid_recipients_show_in_the_send_result() {
    let ding = DingTalk::start().await;
    let mut users = ding.userids(1);
    users.push("ghost".into());
    let sent = ding
        .client
        .send_message(
            &Recipients::users(users),
            &Message::Text {
                content: "hi".into(),
            },
        )
        .await
        .unwrap();
    let progress = ding.client.send_result(sent.task_id).await.unwrap();
    assert_eq!(progress.invalid_user_id_list, vec!["ghost"]);
}

#[tokio::test]
async fn departments_and_everyone_are_addressable_but_tags_are_not() {
    let ding = DingTalk::start().await;
    let text = Message::Text {
        content: "通知".into(),
    };
    ding.client
        .send_message(&Recipients::departments(["1"]), &text)
        .await
        .unwrap();
    ding.client
        .send_message(&Recipients::all(), &text)
        .await
        .unwrap();
    let bodies: Vec<_> = ding
        .sim
        .controls()
        .messages()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies[0]["dept_id_list"], "1");
    assert_eq!(bodies[1]["to_all_user"], true);
    let err = ding
        .client
        .send_message(&Recipients::tags(["1"]), &text)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no tags"), "{err}");
    assert_eq!(ding.count(ASYNCSEND), 2);
}

#[tokio::test]
async fn group_chat_messages_reach_the_recorded_group() {
    let ding = DingTalk::start().await;
    let chat = "chat00112233445566778899aabbccddeeff";
    let text = Message::Text {
        content: "今日销售已汇总".into(),
    };
    let id = ding.client.send_chat_message(chat, &text).await.unwrap();
    let recorded = ding.sim.controls().group_messages();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].id.as_str(), recorded[0].conversation.as_str()),
        (id.as_str(), chat)
    );
    assert_eq!(recorded[0].body["msg"]["text"]["content"], "今日销售已汇总");

    let err = ding
        .client
        .send_chat_message("not-a-chat", &text)
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(400002));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert_eq!(
        ding.sim.controls().group_messages().len(),
        1,
        "refused sends are not recorded"
    );
}

#[tokio::test]
async fn robot_group_messages_are_recorded_and_foreign_robots_refused() {
    let ding = DingTalk::start().await;
    let mut message = RobotGroupMessage {
        robot_code: ding.sim.credentials().app_key,
        open_conversation_id: "cidSimGroup==".into(),
        msg_key: "sampleMarkdown".into(),
        msg_param: r###"{"title":"日报","text":"## 完成 12 单"}"###.into(),
    };
    let key = ding.client.send_group_message(&message).await.unwrap();
    let recorded = ding.sim.controls().group_messages();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].id, key);
    assert_eq!(recorded[0].conversation, "cidSimGroup==");
    assert_eq!(recorded[0].body["msgKey"], "sampleMarkdown");

    message.robot_code = "dingSomeoneElse".into();
    let err = ding.client.send_group_message(&message).await.unwrap_err();
    assert!(
        matches!(&err.failure, Failure::Rejected { errcode: ErrCode::Text(code), .. } if code == "InvalidParameter"),
        "{err}"
    );
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert_eq!(ding.sim.controls().group_messages().len(), 1);
}
