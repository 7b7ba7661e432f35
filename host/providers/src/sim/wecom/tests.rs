//! The WeCom simulator over real HTTP: token rules, contacts, paging, messages, faults.

use std::time::Duration;

use serde_json::{Value, json};

use super::WeComSim;
use crate::sim::SimConfig;
use crate::sim::faults::RateLimit;
use crate::sim::test_client::Served;

async fn start() -> (WeComSim, Served) {
    let sim = WeComSim::new(SimConfig {
        seed: 11,
        users: 45,
        departments: 6,
    });
    let served = Served::start(sim.router()).await;
    (sim, served)
}

async fn token(sim: &WeComSim, served: &Served) -> String {
    let c = sim.credentials();
    let answer = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret={}",
            c.corp_id, c.secret
        ))
        .await;
    assert_eq!(answer["errcode"], 0, "{answer}");
    answer["access_token"].as_str().unwrap().to_owned()
}

fn code(answer: &Value) -> i64 {
    answer["errcode"].as_i64().unwrap()
}

#[tokio::test]
async fn gettoken_rules() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let first = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret={}",
            c.corp_id, c.secret
        ))
        .await;
    assert_eq!(
        (
            code(&first),
            first["errmsg"].as_str(),
            first["expires_in"].as_i64()
        ),
        (0, Some("ok"), Some(7200))
    );
    let again = token(&sim, &served).await;
    assert_eq!(
        first["access_token"].as_str(),
        Some(again.as_str()),
        "same token while valid"
    );
    let bad_corp = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid=wwnope&corpsecret={}",
            c.secret
        ))
        .await;
    assert_eq!(code(&bad_corp), 40013);
    let bad_secret = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret=nope",
            c.corp_id
        ))
        .await;
    assert_eq!(code(&bad_secret), 40001);
    assert_eq!(
        code(&served.get("/cgi-bin/gettoken?corpsecret=x").await),
        41002
    );
}

#[tokio::test]
async fn token_missing_invalid_expired_and_invalidated() {
    let (sim, served) = start().await;
    assert_eq!(code(&served.get("/cgi-bin/user/get?userid=x").await), 41001);
    assert_eq!(
        code(
            &served
                .get("/cgi-bin/user/get?access_token=bogus&userid=x")
                .await
        ),
        40014
    );
    let t = token(&sim, &served).await;
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}"))
                .await
        ),
        0
    );
    sim.controls().advance_clock(Duration::from_secs(7200));
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}"))
                .await
        ),
        42001
    );
    let fresh = token(&sim, &served).await;
    assert_ne!(fresh, t);
    sim.controls().invalidate_tokens();
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={fresh}"))
                .await
        ),
        40014
    );
}

#[tokio::test]
async fn departments_and_users_read_and_write() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let list = served
        .get(&format!("/cgi-bin/department/list?access_token={t}"))
        .await;
    let departments = list["department"].as_array().unwrap();
    assert_eq!(departments.len(), 6);
    assert_eq!(departments[0]["id"], 1);
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}&id=404"))
                .await
        ),
        60123
    );

    let created = served
        .post(
            &format!("/cgi-bin/department/create?access_token={t}"),
            &json!({"name": "新部门", "parentid": 1}),
        )
        .await;
    assert_eq!(
        (code(&created), created["errmsg"].as_str()),
        (0, Some("created"))
    );
    let dept = created["id"].as_u64().unwrap();
    let user = json!({"userid": "NewHire", "name": "新人", "mobile": "13700000000", "department": [dept], "gender": "2"});
    let made = served
        .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
        .await;
    assert_eq!((code(&made), made["errmsg"].as_str()), (0, Some("created")));
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
                .await
        ),
        60102
    );
    let got = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid=newhire"
        ))
        .await;
    assert_eq!(
        (
            got["userid"].as_str(),
            got["gender"].as_str(),
            got["department"].clone()
        ),
        (Some("NewHire"), Some("2"), json!([dept]))
    );
    let members = served
        .get(&format!(
            "/cgi-bin/user/list?access_token={t}&department_id={dept}"
        ))
        .await;
    assert_eq!(members["userlist"].as_array().unwrap().len(), 1);
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/department/delete?access_token={t}&id={dept}"
                ))
                .await
        ),
        60005
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/user/delete?access_token={t}&userid=NewHire"
                ))
                .await
        ),
        0
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/user/get?access_token={t}&userid=NewHire"
                ))
                .await
        ),
        60111
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/department/delete?access_token={t}&id={dept}"
                ))
                .await
        ),
        0
    );
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/delete?access_token={t}&id=1"))
                .await
        ),
        60007
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/user/create?access_token={t}"),
                    &json!("not an object")
                )
                .await
        ),
        47001
    );
}

#[tokio::test]
async fn new_app_mode_redacts_sensitive_fields() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let full = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid={userid}"
        ))
        .await;
    assert!(full["mobile"].is_string() && full["email"].is_string());
    sim.controls().set_new_app_mode(true);
    let redacted = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid={userid}"
        ))
        .await;
    for field in [
        "mobile", "email", "avatar", "gender", "biz_mail", "qr_code", "address",
    ] {
        assert!(redacted.get(field).is_none(), "{field} still present");
    }
    assert_eq!(redacted["name"], full["name"]);
}

#[tokio::test]
async fn list_id_pages_with_an_opaque_cursor() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let expected: usize = sim
        .controls()
        .directory()
        .users()
        .map(|u| u.departments.len())
        .sum();
    let mut rows = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let answer = served
            .post(
                &format!("/cgi-bin/user/list_id?access_token={t}"),
                &json!({"cursor": cursor, "limit": 10}),
            )
            .await;
        assert_eq!(code(&answer), 0);
        rows.extend(answer["dept_user"].as_array().unwrap().clone());
        pages += 1;
        cursor = answer["next_cursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(rows.len(), expected);
    assert_eq!(pages, expected.div_ceil(10));
    let too_big = served
        .post(
            &format!("/cgi-bin/user/list_id?access_token={t}"),
            &json!({"limit": 10001}),
        )
        .await;
    assert_eq!(code(&too_big), 40058);
}

#[tokio::test]
async fn message_send_reports_invalid_recipients_and_throttles_silently() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let agent = sim.credentials().agent_id;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let send = |touser: String| json!({"touser": touser, "toparty": "404", "msgtype": "text", "agentid": agent, "text": {"content": "hello"}});
    let answer = served
        .post(
            &format!("/cgi-bin/message/send?access_token={t}"),
            &send(format!("{userid}|GhostUser")),
        )
        .await;
    assert_eq!(code(&answer), 0, "{answer}");
    assert_eq!(answer["invaliduser"], "ghostuser");
    assert_eq!(answer["invalidparty"], "404");
    assert!(!answer["msgid"].as_str().unwrap().is_empty());
    let none_valid = served
        .post(
            &format!("/cgi-bin/message/send?access_token={t}"),
            &send("ghost".into()),
        )
        .await;
    assert_eq!(code(&none_valid), 81013);
    for _ in 0..31 {
        let answer = served
            .post(
                &format!("/cgi-bin/message/send?access_token={t}"),
                &send(userid.clone()),
            )
            .await;
        assert_eq!(code(&answer), 0, "over-limit sends still answer ok");
    }
    let messages = sim.controls().messages();
    assert_eq!(messages.len(), 32);
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.delivered == vec![userid.clone()])
            .count(),
        30
    );
    assert_eq!(messages.last().unwrap().throttled, vec![userid.clone()]);
    let wrong_agent =
        json!({"touser": userid, "msgtype": "text", "agentid": 1, "text": {"content": "x"}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/message/send?access_token={t}"),
                    &wrong_agent
                )
                .await
        ),
        40056
    );
}

#[tokio::test]
async fn fault_knobs() {
    let (sim, served) = start().await;
    let controls = sim.controls();
    controls.set_ip_blocked(true);
    assert_eq!(
        code(&served.get("/cgi-bin/gettoken?corpid=a&corpsecret=b").await),
        60020
    );
    controls.set_ip_blocked(false);
    let t = token(&sim, &served).await;
    controls.fail_next(1, 502);
    let status = served
        .get_raw(&format!("/cgi-bin/department/list?access_token={t}"))
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 502);
    controls.drop_next(1);
    let dropped = async {
        served
            .get_raw(&format!("/cgi-bin/department/list?access_token={t}"))
            .await?
            .bytes()
            .await
    };
    assert!(
        dropped.await.is_err(),
        "a dropped connection is an error, not an answer"
    );
    controls.errcode_next("/cgi-bin/user/get", -1);
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/user/get?access_token={t}&userid=x"))
                .await
        ),
        -1
    );
    controls.set_rate_limit(Some(RateLimit {
        calls: 2,
        window: Duration::from_secs(60),
    }));
    let path = format!("/cgi-bin/tag/list?access_token={t}");
    assert_eq!(code(&served.get(&path).await), 0);
    assert_eq!(code(&served.get(&path).await), 0);
    assert_eq!(code(&served.get(&path).await), 45009);
    controls.advance_clock(Duration::from_secs(60));
    assert_eq!(code(&served.get(&path).await), 0);
    assert!(controls.call_count("/cgi-bin/tag/list") >= 4);
}

#[tokio::test]
async fn robot_webhook_key_content_and_rate() {
    let (sim, served) = start().await;
    let key = sim.credentials().robot_key;
    let body =
        json!({"msgtype": "text", "text": {"content": "部署完成", "mentioned_list": ["@all"]}});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &body)
                .await
        ),
        0
    );
    assert_eq!(
        code(&served.post("/cgi-bin/webhook/send?key=wrong", &body).await),
        93000
    );
    let empty = json!({"msgtype": "text", "text": {"content": ""}});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &empty)
                .await
        ),
        44004
    );
    let mut codes = Vec::new();
    for _ in 0..20 {
        codes.push(code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &body)
                .await,
        ));
    }
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        19,
        "20 a minute, the first post included"
    );
    assert_eq!(codes.last(), Some(&45009));
    assert_eq!(sim.controls().robot_posts().len(), 23);
}

#[tokio::test]
async fn contact_changes_push_encrypted_callbacks_with_retries() {
    use crate::crypto::{CallbackCrypto, wecom as wecom_crypto};
    use crate::sim::test_client::{query_map, receiver, wait_for};
    let (sim, served) = start().await;
    // Two failures, then an acknowledgement: WeCom's three attempts.
    let (callback, received) = receiver(|n, _, _| {
        if n < 3 {
            (500, String::new())
        } else {
            (200, String::new())
        }
    })
    .await;
    sim.controls()
        .set_callback_url(Some(format!("{}/callback", callback.base_url)));
    let t = token(&sim, &served).await;
    let user = json!({"userid": "cb1", "name": "回调", "mobile": "13500000000", "department": [1]});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
                .await
        ),
        0
    );
    let attempts = wait_for(|| sim.controls().callbacks_sent().iter().any(|a| a.delivered)).await;
    assert!(attempts, "callback delivered");
    let sent = sim.controls().callbacks_sent();
    assert_eq!(
        sent.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(sent[0].event, "change_contact/create_user");
    let c = sim.credentials();
    let crypto =
        CallbackCrypto::new(&c.callback_token, &c.callback_aes_key, &c.receive_id).unwrap();
    let (query, body) = received.lock().unwrap()[2].clone();
    let q = query_map(&query);
    let query = wecom_crypto::CallbackQuery {
        msg_signature: q["msg_signature"].clone(),
        timestamp: q["timestamp"].clone(),
        nonce: q["nonce"].clone(),
        echostr: None,
    };
    let plaintext = wecom_crypto::decrypt_xml(&crypto, &query, body.as_bytes()).unwrap();
    assert!(
        plaintext.contains("<ChangeType><![CDATA[create_user]]></ChangeType>"),
        "{plaintext}"
    );
    assert!(plaintext.contains("<UserID><![CDATA[cb1]]></UserID>"));
}

#[tokio::test]
async fn approvals_submit_decide_and_list() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let dir = sim.controls().directory();
    let creator = dir
        .users()
        .find(|u| !u.direct_leader.is_empty())
        .unwrap()
        .clone();
    let apply = json!({
        "creator_userid": creator.userid, "template_id": "3WLJF6naF5jhnbvKSzzw6ZXtLfPsbDCjA2bExtHz",
        "use_template_approver": 1,
        "apply_data": {"contents": [
            {"control": "Text", "id": "Text-1", "value": {"text": "差旅"}},
            {"control": "Money", "id": "Money-1", "value": {"new_money": "1280.50"}}]},
    });
    let created = served
        .post(&format!("/cgi-bin/oa/applyevent?access_token={t}"), &apply)
        .await;
    assert_eq!(code(&created), 0, "{created}");
    let sp_no = created["sp_no"].as_str().unwrap().to_owned();
    assert_eq!(sp_no.len(), 12);
    let detail = served
        .post(
            &format!("/cgi-bin/oa/getapprovaldetail?access_token={t}"),
            &json!({"sp_no": sp_no}),
        )
        .await;
    let info = &detail["info"];
    assert_eq!(
        (
            info["sp_status"].as_i64(),
            info["sp_record"][0]["details"][0]["sptime"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        info["apply_data"]["contents"][1]["value"]["new_money"],
        "1280.50"
    );
    let approver = creator.direct_leader[0].clone();
    assert!(sim.controls().approve(&sp_no, "someone-else", "").is_err());
    let (decided, _) = sim
        .controls()
        .reject(&sp_no, &approver, "金额超标")
        .unwrap();
    assert_eq!(
        decided.status,
        crate::sim::approvals::ApprovalStatus::Rejected
    );
    let detail = served
        .post(
            &format!("/cgi-bin/oa/getapprovaldetail?access_token={t}"),
            &json!({"sp_no": sp_no}),
        )
        .await;
    assert_eq!(detail["info"]["sp_status"], 3);
    assert_eq!(
        detail["info"]["sp_record"][0]["details"][0]["speech"],
        "金额超标"
    );
    let now = sim.controls().now_ms() / 1000;
    let listed = served
        .post(
            &format!("/cgi-bin/oa/getapprovalinfo?access_token={t}"),
            &json!({"starttime": now - 60, "endtime": now + 60, "size": 100}),
        )
        .await;
    assert_eq!(listed["sp_no_list"], json!([sp_no]));
    let too_long = served
        .post(
            &format!("/cgi-bin/oa/getapprovalinfo?access_token={t}"),
            &json!({"starttime": now - 40 * 86_400, "endtime": now}),
        )
        .await;
    assert_eq!(code(&too_long), 40058);
    let bad_control = json!({"creator_userid": creator.userid, "template_id": "3WLJF6naF5jhnbvKSzzw6ZXtLfPsbDCjA2bExtHz",
        "use_template_approver": 1, "apply_data": {"contents": [{"control": "Text", "id": "Nope-1", "value": {"text": "x"}}]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/oa/applyevent?access_token={t}"),
                    &bad_control
                )
                .await
        ),
        40058
    );
}

#[tokio::test]
async fn checkin_data_limits_and_shape() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let end = sim.controls().now_ms() / 1000;
    let start = end - 14 * 86_400;
    let body = json!({"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": [userid]});
    let answer = served
        .post(
            &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
            &body,
        )
        .await;
    let rows = answer["checkindata"].as_array().unwrap();
    assert!(
        rows.len() >= 18,
        "two punches per workday over two weeks: {}",
        rows.len()
    );
    assert!(
        rows.iter()
            .all(|r| ["上班打卡", "下班打卡"].contains(&r["checkin_type"].as_str().unwrap()))
    );
    assert!(
        rows.iter()
            .all(|r| r["checkin_time"].as_i64().unwrap() <= end)
    );
    let too_long = json!({"opencheckindatatype": 3, "starttime": end - 31 * 86_400, "endtime": end, "useridlist": [userid]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
                    &too_long
                )
                .await
        ),
        40058
    );
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let too_many =
        json!({"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": many});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
                    &too_many
                )
                .await
        ),
        40058
    );
}

#[tokio::test]
async fn oauth_codes_map_to_users_once() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .nth(3)
        .unwrap()
        .userid
        .clone();
    let code_for = sim.controls().oauth_code_for(&userid).unwrap();
    let answer = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={code_for}"
        ))
        .await;
    assert_eq!(answer["userid"].as_str(), Some(userid.as_str()));
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/auth/getuserinfo?access_token={t}&code={code_for}"
                ))
                .await
        ),
        40029
    );
    assert!(sim.controls().oauth_code_for("ghost").is_err());
}

#[tokio::test]
async fn menus_and_workbench_are_validated_and_stored() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let agent = sim.credentials().agent_id;
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/menu/get?access_token={t}&agentid={agent}"
                ))
                .await
        ),
        46003
    );
    let menu = json!({"button": [
        {"type": "click", "name": "今日待办", "key": "todo"},
        {"name": "更多", "sub_button": [{"type": "view", "name": "审批中心", "url": "https://erp.example.com/approvals"}]}]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &menu
                )
                .await
        ),
        0
    );
    let stored = served
        .get(&format!(
            "/cgi-bin/menu/get?access_token={t}&agentid={agent}"
        ))
        .await;
    assert_eq!(stored["button"], menu["button"]);
    let four = json!({"button": [menu["button"][0], menu["button"][0], menu["button"][0], menu["button"][0]]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &four
                )
                .await
        ),
        40016
    );
    let long_name = json!({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &long_name
                )
                .await
        ),
        40018
    );

    let template = json!({"agentid": agent, "type": "keydata", "keydata": {"items": [{"key": "待审批", "data": "2", "jump_url": "https://erp.example.com"}]}, "replace_user_data": false});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_template?access_token={t}"),
                    &template
                )
                .await
        ),
        0
    );
    let got = served
        .post(
            &format!("/cgi-bin/agent/get_workbench_template?access_token={t}"),
            &json!({"agentid": agent}),
        )
        .await;
    assert_eq!(
        (got["type"].as_str(), got["keydata"].clone()),
        (Some("keydata"), template["keydata"].clone())
    );
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let data = json!({"agentid": agent, "userid": userid, "type": "keydata", "keydata": {"items": [{"key": "待审批", "data": "5"}]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_data?access_token={t}"),
                    &data
                )
                .await
        ),
        0
    );
    assert_eq!(
        sim.state.settings.workbench_data(&userid).unwrap()["keydata"],
        data["keydata"]
    );
    let five = json!({"agentid": agent, "type": "keydata", "keydata": {"items": [1, 2, 3, 4, 5]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_template?access_token={t}"),
                    &five
                )
                .await
        ),
        40058
    );
}

#[tokio::test]
async fn consented_logins_unlock_sensitive_fields_by_ticket() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let user = sim.controls().directory().users().nth(2).unwrap().clone();
    let plain = sim.controls().oauth_code_for(&user.userid).unwrap();
    let base = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={plain}"
        ))
        .await;
    assert!(base.get("user_ticket").is_none(), "{base}");
    let consent = sim.controls().oauth_consent_code_for(&user.userid).unwrap();
    let login = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={consent}"
        ))
        .await;
    let ticket = login["user_ticket"].as_str().unwrap().to_owned();
    let path = format!("/cgi-bin/auth/getuserdetail?access_token={t}");
    let detail = served.post(&path, &json!({"user_ticket": ticket})).await;
    assert_eq!(
        (
            detail["userid"].as_str(),
            detail["mobile"].as_str(),
            detail["email"].as_str()
        ),
        (
            Some(user.userid.as_str()),
            Some(user.mobile.as_str()),
            Some(user.email.as_str())
        )
    );
    let forged = served.post(&path, &json!({"user_ticket": "forged"})).await;
    assert_eq!(code(&forged), 84014);
    sim.controls().advance_clock(Duration::from_secs(1800));
    let t = token(&sim, &served).await;
    let path = format!("/cgi-bin/auth/getuserdetail?access_token={t}");
    let late = served.post(&path, &json!({"user_ticket": ticket})).await;
    assert_eq!(code(&late), 84014, "tickets last 1800 s");
}

#[tokio::test]
async fn day_data_and_rules_follow_the_recorded_check_ins() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .nth(5)
        .unwrap()
        .userid
        .clone();
    let end = sim.controls().now_ms() / 1000;
    let start = end - 6 * 86_400;
    let range = json!({"starttime": start, "endtime": end, "useridlist": [userid]});
    let punches = served
        .post(
            &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
            &range,
        )
        .await;
    let signed = punches["checkindata"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["exception_type"] != "未打卡")
        .count();
    let days = served
        .post(
            &format!("/cgi-bin/checkin/getcheckin_daydata?access_token={t}"),
            &range,
        )
        .await;
    let datas = days["datas"].as_array().unwrap();
    assert_eq!(datas.len(), 7, "one report per day: {days}");
    let counted: u64 = datas
        .iter()
        .map(|d| d["summary_info"]["checkin_count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, signed);
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let refused = served
        .post(
            &format!("/cgi-bin/checkin/getcheckinoption?access_token={t}"),
            &json!({"datetime": end, "useridlist": too_many}),
        )
        .await;
    assert_eq!(code(&refused), 40058);
    let rules = served
        .post(
            &format!("/cgi-bin/checkin/getcheckinoption?access_token={t}"),
            &json!({"datetime": end, "useridlist": [userid, "ghost"]}),
        )
        .await;
    let info = rules["info"].as_array().unwrap();
    assert_eq!(info.len(), 1, "unknown members are left out: {rules}");
    assert_eq!(
        info[0]["group"]["checkindate"][0]["checkintime"][0]["work_sec"],
        9 * 3600
    );
}
