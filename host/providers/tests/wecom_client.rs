//! The WeCom client against the WeCom simulator: every call, and every error path the shared
//! call loop handles (token refresh, backoff, permanent failures, network faults).

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{WeCom, fast_http};
use worklink_providers::api::{ErrorClass, Failure, Recipients, RetryPolicy, Secret};
use worklink_providers::sim::faults::RateLimit;
use worklink_providers::wecom::{
    AppMessage, Article, Button, Department, Menu, MenuProblem, MenuPushError, NewDepartment, User,
};

const GETTOKEN: &str = "/cgi-bin/gettoken";
const USER_GET: &str = "/cgi-bin/user/get";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_calls_fetch_one_token() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(1).remove(0);
    let client = wecom.client.clone();
    let users = support::concurrently(100, || {
        let (client, userid) = (client.clone(), userid.clone());
        async move { client.get_user(&userid).await.unwrap().userid }
    })
    .await;
    assert!(users.iter().all(|u| *u == userid));
    assert_eq!(wecom.count(GETTOKEN), 1);
    assert_eq!(wecom.count(USER_GET), 100);
}

#[tokio::test]
async fn invalid_token_is_refreshed_once_and_the_call_retried() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(1).remove(0);
    wecom.client.get_user(&userid).await.unwrap();
    wecom.sim.controls().errcode_next(USER_GET, 40014);
    let user = wecom.client.get_user(&userid).await.unwrap();
    assert_eq!(user.userid, userid);
    assert_eq!(wecom.count(GETTOKEN), 2);
    assert_eq!(wecom.count(USER_GET), 3);
}

#[tokio::test]
async fn early_invalidation_by_the_service_is_survived() {
    let wecom = WeCom::start().await;
    wecom.client.list_departments(None).await.unwrap();
    wecom.sim.controls().invalidate_tokens();
    assert!(
        !wecom
            .client
            .list_departments(None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(wecom.count(GETTOKEN), 2);
}

#[tokio::test]
async fn expired_token_42001_is_refreshed() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    // The service's clock runs past the token's 7200 s while our cache still trusts it.
    wecom
        .sim
        .controls()
        .advance_clock(Duration::from_secs(7300));
    wecom.client.list_tags().await.unwrap();
    assert_eq!(wecom.count(GETTOKEN), 2);
    let expired = wecom
        .sim
        .controls()
        .calls()
        .iter()
        .filter(|c| c.path == "/cgi-bin/tag/list")
        .count();
    assert_eq!(expired, 3, "one success, one 42001, one retry");
}

#[tokio::test]
async fn token_rejected_twice_fails_after_one_refresh() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(1).remove(0);
    wecom.sim.controls().errcode_next(USER_GET, 42001);
    wecom.sim.controls().errcode_next(USER_GET, 42001);
    let err = wecom.client.get_user(&userid).await.unwrap_err();
    assert_eq!(err.errcode(), Some(42001));
    assert_eq!(
        wecom.count(GETTOKEN),
        2,
        "refreshed exactly once, no refresh loop"
    );
    assert_eq!(wecom.count(USER_GET), 2);
}

#[tokio::test]
async fn ip_not_allowed_fails_at_once_with_a_hint() {
    let wecom = WeCom::start().await;
    wecom.sim.controls().set_ip_blocked(true);
    let err = wecom.client.list_tags().await.unwrap_err();
    assert_eq!(err.errcode(), Some(60020));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(
        err.to_string()
            .contains("add this server's IP to the app's trusted IPs"),
        "{err}"
    );
    assert_eq!(
        wecom.sim.controls().calls().len(),
        1,
        "no retry of a permanent error"
    );
}

#[tokio::test]
async fn bad_secret_fails_at_gettoken_without_retry() {
    let wecom = WeCom::start().await;
    let creds = wecom.sim.credentials();
    let mut cfg = worklink_providers::wecom::WeComConfig::new(
        creds.corp_id,
        creds.agent_id,
        Secret::new("wrong"),
    );
    cfg.base_url = wecom.server.base_url.clone();
    cfg.http = fast_http();
    let client = worklink_providers::wecom::Client::new(cfg, Arc::default());
    let err = client.list_tags().await.unwrap_err();
    assert_eq!(err.endpoint, GETTOKEN);
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.hint.is_some_and(|h| h.contains("secret")), "{err}");
    assert_eq!(wecom.count(GETTOKEN), 1);
}

#[tokio::test]
async fn rate_limit_45009_is_retried_with_backoff() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    wecom
        .sim
        .controls()
        .errcode_next("/cgi-bin/tag/list", 45009);
    wecom
        .sim
        .controls()
        .errcode_next("/cgi-bin/tag/list", 45009);
    wecom.client.list_tags().await.unwrap();
    assert_eq!(wecom.count("/cgi-bin/tag/list"), 4);
}

#[tokio::test]
async fn persistent_rate_limit_gives_up_after_the_configured_attempts() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    wecom.sim.controls().set_rate_limit(Some(RateLimit {
        calls: 0,
        window: Duration::from_secs(60),
    }));
    let err = wecom.client.list_tags().await.unwrap_err();
    assert_eq!(err.errcode(), Some(45009));
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(wecom.count("/cgi-bin/tag/list"), 1 + 4);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    wecom.sim.controls().fail_next(2, 502);
    wecom.client.list_tags().await.unwrap();
    assert_eq!(wecom.count("/cgi-bin/tag/list"), 1 + 3);
}

#[tokio::test]
async fn server_errors_beyond_the_cap_surface_the_status() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    wecom.sim.controls().fail_next(10, 503);
    let err = wecom.client.list_tags().await.unwrap_err();
    assert_eq!(err.failure, Failure::Status(503));
    assert_eq!(wecom.count("/cgi-bin/tag/list"), 1 + 4);
}

#[tokio::test]
async fn dropped_connection_is_retried() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    wecom.sim.controls().drop_next(1);
    wecom.client.list_tags().await.unwrap();
}

#[tokio::test]
async fn slow_answers_time_out_as_transient_errors() {
    let mut http = fast_http();
    http.timeout = Duration::from_millis(100);
    http.retry = RetryPolicy {
        max_attempts: 2,
        ..http.retry
    };
    let wecom = WeCom::start_with(http).await;
    wecom.sim.controls().set_latency(Duration::from_secs(1));
    let err = wecom.client.list_tags().await.unwrap_err();
    assert_eq!(err.failure, Failure::Timeout);
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(err.endpoint, GETTOKEN);
}

#[tokio::test]
async fn errors_never_show_the_secret_or_the_token() {
    let wecom = WeCom::start().await;
    wecom.client.list_tags().await.unwrap();
    let token_query = wecom.sim.controls().calls().last().unwrap().query.clone();
    wecom.sim.controls().set_ip_blocked(true);
    let err = wecom.client.list_tags().await.unwrap_err();
    let shown = format!("{err} {err:?} {:?}", wecom.client);
    assert!(!shown.contains(&wecom.secret), "{shown}");
    let token = token_query.split("access_token=").nth(1).unwrap();
    assert!(!token.is_empty() && !shown.contains(token), "{shown}");
}

#[tokio::test]
async fn departments_round_trip() {
    let wecom = WeCom::start().await;
    let c = &wecom.client;
    let all = c.list_departments(None).await.unwrap();
    assert!(all.iter().any(|d| d.id == 1));
    let ids = c.list_department_ids(None).await.unwrap();
    assert_eq!(ids.len(), all.len());
    let new = NewDepartment {
        name: "财务部".into(),
        parentid: 1,
        name_en: None,
        order: Some(5),
        id: None,
    };
    let id = c.create_department(&new).await.unwrap();
    let renamed = Department {
        id,
        name: Some("财务中心".into()),
        name_en: None,
        parentid: 1,
        order: 5,
        department_leader: vec![],
    };
    c.update_department(&renamed).await.unwrap();
    let sub = c.list_departments(Some(id)).await.unwrap();
    assert_eq!(sub[0].name.as_deref(), Some("财务中心"));
    c.delete_department(id).await.unwrap();
    let err = c.list_departments(Some(id)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn users_round_trip() {
    let wecom = WeCom::start().await;
    let c = &wecom.client;
    let user = User {
        userid: "finance01".into(),
        name: Some("李会计".into()),
        department: Some(vec![1]),
        mobile: Some("+86 13800000001".into()),
        ..User::default()
    };
    c.create_user(&user).await.unwrap();
    c.update_user(&User {
        position: Some("会计".into()),
        ..User {
            userid: "finance01".into(),
            ..User::default()
        }
    })
    .await
    .unwrap();
    let read = c.get_user("finance01").await.unwrap();
    assert_eq!(read.position.as_deref(), Some("会计"));
    assert_eq!(read.name.as_deref(), Some("李会计"));
    let listed = c.list_users(1).await.unwrap();
    assert!(listed.iter().any(|u| u.userid == "finance01"));
    let brief = c.list_users_brief(1).await.unwrap();
    assert!(
        brief
            .iter()
            .any(|u| u.userid == "finance01" && u.name == "李会计")
    );
    c.delete_user("finance01").await.unwrap();
    assert!(c.get_user("finance01").await.is_err());
}

#[tokio::test]
async fn new_app_mode_hides_sensitive_fields() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(1).remove(0);
    assert!(
        wecom
            .client
            .get_user(&userid)
            .await
            .unwrap()
            .mobile
            .is_some()
    );
    wecom.sim.controls().set_new_app_mode(true);
    let user = wecom.client.get_user(&userid).await.unwrap();
    assert_eq!(user.mobile, None);
    assert_eq!(user.email, None);
}

#[tokio::test]
async fn user_ids_are_paged_by_cursor() {
    let wecom = WeCom::start().await;
    let rows = wecom.client.list_user_ids(7).await.unwrap();
    let expected: usize = wecom
        .sim
        .controls()
        .directory()
        .users()
        .map(|u| u.departments.len())
        .sum();
    assert_eq!(rows.len(), expected);
    assert_eq!(wecom.count("/cgi-bin/user/list_id"), expected.div_ceil(7));
    let err = wecom.client.list_user_ids_page("", 0).await.unwrap_err();
    assert!(matches!(err.failure, Failure::Invalid(_)));
}

#[tokio::test]
async fn tags_round_trip_and_report_invalid_members() {
    let wecom = WeCom::start().await;
    let c = &wecom.client;
    let tagid = c.create_tag("值班", None).await.unwrap();
    let mut users = wecom.userids(2);
    users.push("nobody-here".into());
    let result = c.add_tag_members(tagid, &users, &[]).await.unwrap();
    assert_eq!(result.invalid_users, vec!["nobody-here"]);
    assert!(
        c.list_tags()
            .await
            .unwrap()
            .iter()
            .any(|t| t.tagid == tagid && t.tagname == "值班")
    );
    let removed = c.remove_tag_members(tagid, &users[..1], &[]).await.unwrap();
    assert!(removed.invalid_users.is_empty());
}

#[tokio::test]
async fn messages_of_every_type_are_sent() {
    let wecom = WeCom::start().await;
    let to = Recipients::users(wecom.userids(2));
    let article = Article {
        title: "周报".into(),
        description: None,
        url: "https://erp.example.com/r/1".into(),
        picurl: None,
    };
    let messages = [
        AppMessage::Text {
            content: "你好".into(),
        },
        AppMessage::Markdown {
            content: "**审批** 已通过".into(),
        },
        AppMessage::TextCard {
            title: "报销".into(),
            description: "已通过".into(),
            url: "https://erp.example.com".into(),
            btntxt: Some("查看".into()),
        },
        AppMessage::News {
            articles: vec![article],
        },
    ];
    for message in &messages {
        let sent = wecom.client.send_message(&to, message).await.unwrap();
        assert!(!sent.msgid.is_empty());
        assert!(sent.invalid_users.is_empty());
    }
    let recorded = wecom.sim.controls().messages();
    let types: Vec<_> = recorded.iter().map(|m| m.msgtype.as_str()).collect();
    assert_eq!(types, vec!["text", "markdown", "textcard", "news"]);
    assert_eq!(recorded[0].body["touser"], to.users.join("|"));
}

#[tokio::test]
async fn departments_tags_and_all_are_addressable() {
    let wecom = WeCom::start().await;
    let text = AppMessage::Text {
        content: "通知".into(),
    };
    let to_dept = wecom
        .client
        .send_message(&Recipients::departments(["1"]), &text)
        .await
        .unwrap();
    assert!(to_dept.invalid_parties.is_empty());
    let to_all = wecom
        .client
        .send_message(&Recipients::all(), &text)
        .await
        .unwrap();
    assert!(!to_all.msgid.is_empty());
    let bodies: Vec<_> = wecom
        .sim
        .controls()
        .messages()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies[0]["toparty"], "1");
    assert_eq!(bodies[1]["touser"], "@all");
    let tagid = wecom.client.create_tag("全员", None).await.unwrap();
    wecom
        .client
        .add_tag_members(tagid, &wecom.userids(1), &[])
        .await
        .unwrap();
    let partial = Recipients {
        tags: vec![tagid.to_string(), "9999".into()],
        ..Recipients::default()
    };
    let sent = wecom.client.send_message(&partial, &text).await.unwrap();
    assert_eq!(sent.invalid_tags, vec!["9999"]);
}

#[tokio::test]
async fn invalid_users_are_surfaced() {
    let wecom = WeCom::start().await;
    let mut users = wecom.userids(1);
    users.push("Ghost".into());
    let sent = wecom
        .client
        .send_message(
            &Recipients::users(users),
            &AppMessage::Text {
                content: "hi".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        sent.invalid_users,
        vec!["ghost"],
        "WeCom lower-cases returned userids"
    );
}

#[tokio::test]
async fn all_recipients_invalid_is_81013() {
    let wecom = WeCom::start().await;
    let to = Recipients::users(["ghost1", "ghost2"]);
    let err = wecom
        .client
        .send_message(
            &to,
            &AppMessage::Text {
                content: "hi".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(81013));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("no valid recipient"), "{err}");
    assert_eq!(wecom.count("/cgi-bin/message/send"), 1);
}

#[tokio::test]
async fn invalid_messages_are_refused_before_sending() {
    let wecom = WeCom::start().await;
    let nobody = wecom
        .client
        .send_message(
            &Recipients::default(),
            &AppMessage::Text {
                content: "x".into(),
            },
        )
        .await;
    assert!(matches!(nobody.unwrap_err().failure, Failure::Invalid(_)));
    let empty_news = AppMessage::News { articles: vec![] };
    let err = wecom
        .client
        .send_message(&Recipients::all(), &empty_news)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1..=8 articles"), "{err}");
    assert!(wecom.sim.controls().calls().is_empty());
}

#[tokio::test]
async fn sent_messages_can_be_recalled() {
    let wecom = WeCom::start().await;
    let sent = wecom
        .client
        .send_message(
            &Recipients::users(wecom.userids(1)),
            &AppMessage::Text {
                content: "撤回我".into(),
            },
        )
        .await
        .unwrap();
    wecom.client.recall_message(&sent.msgid).await.unwrap();
    let err = wecom
        .client
        .recall_message("no-such-msgid")
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn invalid_menus_make_no_http_call() {
    let wecom = WeCom::start().await;
    let too_wide = Menu {
        button: (0..4)
            .map(|i| Button {
                kind: Some("click".into()),
                name: format!("b{i}"),
                key: Some(format!("k{i}")),
                ..Button::default()
            })
            .collect(),
    };
    let err = wecom.client.create_menu(&too_wide).await.unwrap_err();
    let MenuPushError::Invalid(invalid) = err else {
        panic!("expected a validation error")
    };
    assert_eq!(invalid.problem, MenuProblem::TopLevelCount(4));
    let no_url = Menu {
        button: vec![Button {
            name: "更多".into(),
            sub_button: vec![Button {
                kind: Some("view".into()),
                name: "官网".into(),
                ..Button::default()
            }],
            ..Button::default()
        }],
    };
    let MenuPushError::Invalid(invalid) = wecom.client.create_menu(&no_url).await.unwrap_err()
    else {
        panic!("expected a validation error")
    };
    assert_eq!(invalid.path, "button[0].sub_button[0]");
    assert!(wecom.sim.controls().calls().is_empty());
}
