//! The DingTalk simulator over real HTTP: both token endpoints, envelopes, paging, notifications.

use std::time::Duration;

use serde_json::{Value, json};

use super::DingTalkSim;
use crate::sim::SimConfig;
use crate::sim::test_client::Served;

async fn start() -> (DingTalkSim, Served) {
    let sim = DingTalkSim::new(SimConfig {
        seed: 21,
        users: 120,
        departments: 4,
    });
    let served = Served::start(sim.router()).await;
    (sim, served)
}

async fn token(sim: &DingTalkSim, served: &Served) -> String {
    let c = sim.credentials();
    let answer = served
        .get(&format!(
            "/gettoken?appkey={}&appsecret={}",
            c.app_key, c.app_secret
        ))
        .await;
    assert_eq!(answer["errcode"], 0, "{answer}");
    answer["access_token"].as_str().unwrap().to_owned()
}

fn code(answer: &Value) -> i64 {
    answer["errcode"].as_i64().unwrap()
}

#[tokio::test]
async fn oapi_and_v1_tokens_are_one_grant() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let oapi = token(&sim, &served).await;
    let (status, v1) = served
        .post_with(
            "/v1.0/oauth2/accessToken",
            &json!({"appKey": c.app_key, "appSecret": c.app_secret}),
            &[],
        )
        .await;
    assert_eq!(
        (status, v1["accessToken"].as_str(), v1["expireIn"].as_i64()),
        (200, Some(oapi.as_str()), Some(7200))
    );
    let (status, bad) = served
        .post_with(
            "/v1.0/oauth2/accessToken",
            &json!({"appKey": c.app_key, "appSecret": "x"}),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert!(bad["code"].is_string() && bad["message"].is_string());
    assert_eq!(
        code(
            &served
                .get(&format!("/gettoken?appkey={}&appsecret=x", c.app_key))
                .await
        ),
        40089
    );
}

#[tokio::test]
async fn renewal_keeps_the_token_alive() {
    let (sim, served) = start().await;
    let first = token(&sim, &served).await;
    sim.controls().advance_clock(Duration::from_secs(7000));
    assert_eq!(token(&sim, &served).await, first, "same token, renewed");
    sim.controls().advance_clock(Duration::from_secs(7000));
    let answer = served
        .post(
            &format!("/topapi/v2/department/listsub?access_token={first}"),
            &json!({}),
        )
        .await;
    assert_eq!(
        code(&answer),
        0,
        "still valid 14000 s after the first fetch"
    );
    sim.controls().advance_clock(Duration::from_secs(7200));
    let answer = served
        .post(
            &format!("/topapi/v2/department/listsub?access_token={first}"),
            &json!({}),
        )
        .await;
    assert_eq!(code(&answer), 42001);
}

#[tokio::test]
async fn user_list_pages_with_has_more_and_size_limit() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let dept = sim
        .controls()
        .directory()
        .departments()
        .map(|d| d.id)
        .max()
        .unwrap();
    let expected = sim.controls().directory().members(dept).unwrap().len();
    let mut cursor = 0;
    let mut seen = 0;
    loop {
        let answer = served
            .post(
                &format!("/topapi/v2/user/list?access_token={t}"),
                &json!({"dept_id": dept, "cursor": cursor, "size": 7}),
            )
            .await;
        assert_eq!(code(&answer), 0, "{answer}");
        let result = &answer["result"];
        seen += result["list"].as_array().unwrap().len();
        if !result["has_more"].as_bool().unwrap() {
            assert!(result.get("next_cursor").is_none());
            break;
        }
        cursor = result["next_cursor"].as_u64().unwrap();
    }
    assert_eq!(seen, expected);
    let too_big = served
        .post(
            &format!("/topapi/v2/user/list?access_token={t}"),
            &json!({"dept_id": 1, "cursor": 0, "size": 101}),
        )
        .await;
    assert_eq!(code(&too_big), 400002);
    let missing = served
        .post(
            &format!("/topapi/v2/user/list?access_token={t}"),
            &json!({"dept_id": 999, "cursor": 0, "size": 10}),
        )
        .await;
    assert_eq!(code(&missing), 60003);
}

#[tokio::test]
async fn users_and_departments_change_through_the_api() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let created = served
        .post(
            &format!("/topapi/v2/department/create?access_token={t}"),
            &json!({"name": "新事业部", "parent_id": 1}),
        )
        .await;
    let dept = created["result"]["dept_id"].as_u64().unwrap();
    let user = served
        .post(
            &format!("/topapi/v2/user/create?access_token={t}"),
            &json!({"name": "王新", "mobile": "13600000000", "dept_id_list": format!("{dept}")}),
        )
        .await;
    assert_eq!(code(&user), 0, "{user}");
    let userid = user["result"]["userid"].as_str().unwrap().to_owned();
    let got = served
        .post(
            &format!("/topapi/v2/user/get?access_token={t}"),
            &json!({"userid": userid}),
        )
        .await;
    assert_eq!(got["result"]["dept_id_list"], json!([dept]));
    let by_mobile = served
        .post(
            &format!("/topapi/v2/user/getbymobile?access_token={t}"),
            &json!({"mobile": "13600000000"}),
        )
        .await;
    assert_eq!(
        by_mobile["result"]["userid"].as_str(),
        Some(userid.as_str())
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/topapi/v2/department/delete?access_token={t}"),
                    &json!({"dept_id": dept})
                )
                .await
        ),
        60005
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/topapi/v2/user/delete?access_token={t}"),
                    &json!({"userid": userid})
                )
                .await
        ),
        0
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/topapi/v2/user/get?access_token={t}"),
                    &json!({"userid": userid})
                )
                .await
        ),
        60121
    );
}

#[tokio::test]
async fn work_notifications_are_async_and_throttle_silently() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let c = sim.credentials();
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let body = json!({"agent_id": c.agent_id, "userid_list": format!("{userid},ghost"),
        "msg": {"msgtype": "text", "text": {"content": "审批已通过"}}});
    let path = format!("/topapi/message/corpconversation/asyncsend_v2?access_token={t}");
    let first = served.post(&path, &body).await;
    assert_eq!(code(&first), 0);
    let second = served.post(&path, &body).await;
    assert_eq!(code(&second), 0, "identical content again still answers ok");
    let result = served
        .post(
            &format!("/topapi/message/corpconversation/getsendresult?access_token={t}"),
            &json!({"agent_id": c.agent_id, "task_id": second["task_id"]}),
        )
        .await;
    let send_result = &result["send_result"];
    assert_eq!(send_result["forbidden_user_id_list"], json!([userid]));
    assert_eq!(send_result["invalid_user_id_list"], json!(["ghost"]));
    let messages = sim.controls().messages();
    assert_eq!(messages[0].delivered, vec![userid.clone()]);
    assert_eq!(messages[1].throttled, vec![userid]);
    let nobody =
        json!({"agent_id": c.agent_id, "msg": {"msgtype": "text", "text": {"content": "x"}}});
    assert_eq!(code(&served.post(&path, &nobody).await), 400002);
}

#[tokio::test]
async fn refusals_use_the_v1_envelope_under_v1() {
    let (sim, served) = start().await;
    sim.controls().set_ip_blocked(true);
    let (status, answer) = served
        .post_with("/v1.0/oauth2/accessToken", &json!({}), &[])
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("Forbidden.AccessDenied.IpNotInWhiteList"))
    );
    assert_eq!(
        code(&served.get("/gettoken?appkey=a&appsecret=b").await),
        60020
    );
}

#[tokio::test]
async fn robot_checks_signature_and_timestamp() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let now = sim.controls().now_ms();
    let body = json!({"msgtype": "text", "text": {"content": "构建完成"}});
    let url = |ts: i64, sign: &str| {
        format!(
            "/robot/send?access_token={}&timestamp={ts}&sign={sign}",
            c.robot_token
        )
    };
    let good = crate::crypto::sign::robot_sign_query(&c.robot_secret, now);
    assert_eq!(code(&served.post(&url(now, &good), &body).await), 0);
    assert_eq!(code(&served.post(&url(now, "AAAA"), &body).await), 310000);
    let stale = now - 3_600_001;
    let stale_sign = crate::crypto::sign::robot_sign_query(&c.robot_secret, stale);
    assert_eq!(
        code(&served.post(&url(stale, &stale_sign), &body).await),
        310000
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/robot/send?access_token=nope&timestamp={now}&sign={good}"),
                    &body
                )
                .await
        ),
        300001
    );
    let posts = sim.controls().robot_posts();
    assert_eq!(
        posts.iter().map(|p| p.errcode).collect::<Vec<_>>(),
        vec![0, 310000, 310000, 300001]
    );
}

#[tokio::test]
async fn robot_is_throttled_for_ten_minutes_after_twenty_a_minute() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let body = json!({"msgtype": "text", "text": {"content": "ping"}});
    let post = |now: i64| {
        let sign = crate::crypto::sign::robot_sign_query(&c.robot_secret, now);
        format!(
            "/robot/send?access_token={}&timestamp={now}&sign={sign}",
            c.robot_token
        )
    };
    let now = sim.controls().now_ms();
    let mut codes = Vec::new();
    for _ in 0..21 {
        codes.push(code(&served.post(&post(now), &body).await));
    }
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 20);
    assert_eq!(codes[20], 410100);
    sim.controls().advance_clock(Duration::from_secs(120));
    assert_eq!(
        code(&served.post(&post(sim.controls().now_ms()), &body).await),
        410100
    );
    sim.controls().advance_clock(Duration::from_secs(600));
    assert_eq!(
        code(&served.post(&post(sim.controls().now_ms()), &body).await),
        0
    );
}

#[tokio::test]
async fn pushes_need_an_encrypted_success_answer() {
    use crate::crypto::{CallbackCrypto, dingtalk as dingtalk_crypto};
    use crate::sim::test_client::{query_map, receiver};
    let (sim, _served) = start().await;
    let c = sim.credentials();
    let crypto =
        CallbackCrypto::new(&c.callback_token, &c.callback_aes_key, &c.receive_id).unwrap();
    let answering = crypto.clone();
    // The first answer is a bare "success" (not what DingTalk wants), the second the real reply.
    let (callback, received) = receiver(move |n, _, _| {
        if n == 1 {
            (200, "success".into())
        } else {
            let reply = dingtalk_crypto::success_reply(&answering, "1700000000000", "abcdefgh");
            (200, serde_json::to_string(&reply).unwrap())
        }
    })
    .await;
    sim.controls()
        .set_callback_url(Some(format!("{}/callback", callback.base_url)));
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let (punch, pushed) = sim.controls().check_in(&userid).unwrap();
    pushed.expect("a URL is set").await.unwrap();
    let sent = sim.controls().callbacks_sent();
    assert_eq!(sent.len(), 2);
    assert!(
        !sent[0].delivered
            && sent[0]
                .error
                .as_deref()
                .unwrap()
                .contains("encrypted JSON reply")
    );
    assert!(sent[1].delivered);
    let (query, body) = received.lock().unwrap()[1].clone();
    let q = query_map(&query);
    assert_eq!(q["nonce"].len(), 8);
    let query = dingtalk_crypto::CallbackQuery {
        msg_signature: q["msg_signature"].clone(),
        timestamp: q["timestamp"].clone(),
        nonce: q["nonce"].clone(),
    };
    let event: Value =
        serde_json::from_str(&dingtalk_crypto::decrypt(&crypto, &query, body.as_bytes()).unwrap())
            .unwrap();
    assert_eq!(event["EventType"], "attendance_check_record");
    assert_eq!(
        event["DataList"][0]["userId"].as_str(),
        Some(userid.as_str())
    );
    assert_eq!(event["DataList"][0]["checkTime"], json!(punch.check_ms));
}

#[tokio::test]
async fn attendance_limits_and_paging() {
    use crate::sim::calendar::format_local;
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let users: Vec<String> = sim
        .controls()
        .directory()
        .users()
        .take(3)
        .map(|u| u.userid.clone())
        .collect();
    let now = sim.controls().now_ms();
    let from = format_local(now - 7 * 86_400_000);
    let to = format_local(now);
    let mut offset = 0;
    let mut rows = Vec::new();
    loop {
        let body = json!({"workDateFrom": from, "workDateTo": to, "userIdList": users, "offset": offset, "limit": 4});
        let answer = served
            .post(&format!("/attendance/list?access_token={t}"), &body)
            .await;
        assert_eq!(code(&answer), 0, "{answer}");
        let page = answer["recordresult"].as_array().unwrap().clone();
        assert!(page.len() <= 4);
        offset += page.len();
        rows.extend(page);
        if !answer["hasMore"].as_bool().unwrap() {
            break;
        }
    }
    assert!(
        rows.len() >= 3 * 2 * 4,
        "two punches a workday for three users: {}",
        rows.len()
    );
    assert!(
        rows.iter()
            .all(|r| r["userCheckTime"].as_i64().unwrap() > 1_000_000_000_000),
        "milliseconds"
    );
    let eight_days = json!({"workDateFrom": format_local(now - 8 * 86_400_000), "workDateTo": to, "userIdList": users, "offset": 0, "limit": 50});
    assert_eq!(
        code(
            &served
                .post(&format!("/attendance/list?access_token={t}"), &eight_days)
                .await
        ),
        400002
    );
    let many: Vec<String> = (0..51).map(|i| format!("u{i}")).collect();
    let too_many = json!({"workDateFrom": from, "workDateTo": to, "userIdList": many, "offset": 0, "limit": 50});
    assert_eq!(
        code(
            &served
                .post(&format!("/attendance/list?access_token={t}"), &too_many)
                .await
        ),
        400002
    );
    let bad_date = json!({"workDateFrom": "2023/11/01", "workDateTo": to, "userIdList": users});
    assert_eq!(
        code(
            &served
                .post(&format!("/attendance/list?access_token={t}"), &bad_date)
                .await
        ),
        400002
    );
}

#[tokio::test]
async fn workflow_create_decide_in_both_generations() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let users: Vec<String> = sim
        .controls()
        .directory()
        .users()
        .take(2)
        .map(|u| u.userid.clone())
        .collect();
    let legacy = json!({"process_code": "PROC-SIM-EXPENSE", "originator_user_id": users[0], "dept_id": 1,
        "approvers": users[1], "form_component_values": [{"name": "金额", "value": "99"}]});
    let created = served
        .post(
            &format!("/topapi/processinstance/create?access_token={t}"),
            &legacy,
        )
        .await;
    let id = created["process_instance_id"].as_str().unwrap().to_owned();
    let got = served
        .post(
            &format!("/topapi/processinstance/get?access_token={t}"),
            &json!({"process_instance_id": id}),
        )
        .await;
    assert_eq!(got["process_instance"]["status"], "RUNNING");
    sim.controls().approve(&id, &users[1], "同意").unwrap();
    let got = served
        .post(
            &format!("/topapi/processinstance/get?access_token={t}"),
            &json!({"process_instance_id": id}),
        )
        .await;
    assert_eq!(
        (
            got["process_instance"]["status"].as_str(),
            got["process_instance"]["result"].as_str()
        ),
        (Some("COMPLETED"), Some("agree"))
    );

    let header = [("x-acs-dingtalk-access-token", t.as_str())];
    let v1 = json!({"originatorUserId": users[0], "processCode": "PROC-SIM-GENERAL", "deptId": 1,
        "approvers": [{"actionType": "NONE", "userIds": [users[1]]}], "formComponentValues": [{"name": "申请内容", "value": "采购显示器"}]});
    let (status, created) = served
        .post_with("/v1.0/workflow/processInstances", &v1, &header)
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["instanceId"].as_str().unwrap();
    let (_, got) = served
        .get_with(
            &format!("/v1.0/workflow/processInstances?processInstanceId={id}"),
            &header,
        )
        .await;
    assert_eq!(
        got["result"]["formComponentValues"][0]["value"],
        "采购显示器"
    );
    let (status, refused) = served
        .post_with("/v1.0/workflow/processInstances", &v1, &[])
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (401, Some("InvalidAuthentication"))
    );
}

#[tokio::test]
async fn login_codes_and_legacy_signature() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let code1 = sim.controls().oauth_code_for(&userid).unwrap();
    let info = served
        .post(
            &format!("/topapi/v2/user/getuserinfo?access_token={t}"),
            &json!({"code": code1}),
        )
        .await;
    assert_eq!(info["result"]["userid"].as_str(), Some(userid.as_str()));
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/topapi/v2/user/getuserinfo?access_token={t}"),
                    &json!({"code": code1})
                )
                .await
        ),
        40078
    );

    let now = sim.controls().now_ms();
    let signature = crate::crypto::sign::url_encode(&crate::crypto::sign::login_sign(
        &c.app_secret,
        &now.to_string(),
    ));
    let code2 = sim.controls().oauth_code_for(&userid).unwrap();
    let url = |ts: i64, sig: &str| {
        format!(
            "/sns/getuserinfo_bycode?accessKey={}&timestamp={ts}&signature={sig}",
            c.app_key
        )
    };
    let good = served
        .post(&url(now, &signature), &json!({"tmp_auth_code": code2}))
        .await;
    assert_eq!(good["user_info"]["unionid"], format!("un{userid}"));
    assert_eq!(
        code(
            &served
                .post(&url(now, "bad"), &json!({"tmp_auth_code": "x"}))
                .await
        ),
        853004
    );
    let stale = now - 120_000;
    let stale_sig = crate::crypto::sign::url_encode(&crate::crypto::sign::login_sign(
        &c.app_secret,
        &stale.to_string(),
    ));
    assert_eq!(
        code(
            &served
                .post(&url(stale, &stale_sig), &json!({"tmp_auth_code": "x"}))
                .await
        ),
        853002
    );

    let code3 = sim.controls().oauth_code_for(&userid).unwrap();
    let (status, user_token) = served
        .post_with("/v1.0/oauth2/userAccessToken", &json!({"clientId": c.app_key, "clientSecret": c.app_secret, "code": code3, "grantType": "authorization_code"}), &[])
        .await;
    assert_eq!(status, 200, "{user_token}");
    let header = [(
        "x-acs-dingtalk-access-token",
        user_token["accessToken"].as_str().unwrap(),
    )];
    let (status, me) = served.get_with("/v1.0/contact/users/me", &header).await;
    assert_eq!(
        (status, me["unionId"].clone()),
        (200, json!(format!("un{userid}")))
    );
    let (status, _) = served
        .get_with(
            "/v1.0/contact/users/me",
            &[("x-acs-dingtalk-access-token", t.as_str())],
        )
        .await;
    assert_eq!(status, 401, "an app token is not a user token");
}

#[tokio::test]
async fn group_messages_are_recorded_for_valid_groups_and_robots() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let chat = "chat0123456789abcdef0123456789abcdef";
    let msg = json!({"msgtype": "text", "text": {"content": "周报已生成"}});
    let path = format!("/chat/send?access_token={t}");
    let sent = served
        .post(&path, &json!({"chatid": chat, "msg": msg}))
        .await;
    assert_eq!(code(&sent), 0, "{sent}");
    let bad = served
        .post(&path, &json!({"chatid": "nope", "msg": msg}))
        .await;
    assert_eq!(code(&bad), 400002);

    let header = [("x-acs-dingtalk-access-token", t.as_str())];
    let robot = |code: &str| {
        json!({"robotCode": code, "openConversationId": "cidSim==", "msgKey": "sampleText",
            "msgParam": "{\"content\":\"hi\"}"})
    };
    let app_key = sim.credentials().app_key;
    let path = "/v1.0/robot/groupMessages/send";
    let (status, posted) = served.post_with(path, &robot(&app_key), &header).await;
    assert_eq!(status, 200, "{posted}");
    let (status, _) = served.post_with(path, &robot("other-robot"), &header).await;
    assert_eq!(status, 400);

    let recorded = sim.controls().group_messages();
    assert_eq!(recorded.len(), 2, "only accepted messages are recorded");
    assert_eq!(recorded[0].conversation, chat);
    assert_eq!(recorded[0].id, sent["messageId"].as_str().unwrap());
    assert_eq!(recorded[1].sender, app_key);
    assert_eq!(recorded[1].id, posted["processQueryKey"].as_str().unwrap());
}
