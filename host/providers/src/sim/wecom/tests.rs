//! The WeCom simulator over real HTTP: token rules, contacts, paging, messages, faults.

use std::time::Duration;

use serde_json::{Value, json};

use super::WeComSim;
use crate::sim::SimConfig;
use crate::sim::faults::RateLimit;
use crate::sim::test_client::Served;

async fn start() -> (WeComSim, Served) {
    let sim = WeComSim::new(SimConfig { seed: 11, users: 45, departments: 6 });
    let served = Served::start(sim.router()).await;
    (sim, served)
}

async fn token(sim: &WeComSim, served: &Served) -> String {
    let c = sim.credentials();
    let answer = served.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret={}", c.corp_id, c.secret)).await;
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
    let first = served.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret={}", c.corp_id, c.secret)).await;
    assert_eq!((code(&first), first["errmsg"].as_str(), first["expires_in"].as_i64()), (0, Some("ok"), Some(7200)));
    let again = token(&sim, &served).await;
    assert_eq!(first["access_token"].as_str(), Some(again.as_str()), "same token while valid");
    let bad_corp = served.get(&format!("/cgi-bin/gettoken?corpid=wwnope&corpsecret={}", c.secret)).await;
    assert_eq!(code(&bad_corp), 40013);
    let bad_secret = served.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret=nope", c.corp_id)).await;
    assert_eq!(code(&bad_secret), 40001);
    assert_eq!(code(&served.get("/cgi-bin/gettoken?corpsecret=x").await), 41002);
}

#[tokio::test]
async fn token_missing_invalid_expired_and_invalidated() {
    let (sim, served) = start().await;
    assert_eq!(code(&served.get("/cgi-bin/user/get?userid=x").await), 41001);
    assert_eq!(code(&served.get("/cgi-bin/user/get?access_token=bogus&userid=x").await), 40014);
    let t = token(&sim, &served).await;
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/list?access_token={t}")).await), 0);
    sim.controls().advance_clock(Duration::from_secs(7200));
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/list?access_token={t}")).await), 42001);
    let fresh = token(&sim, &served).await;
    assert_ne!(fresh, t);
    sim.controls().invalidate_tokens();
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/list?access_token={fresh}")).await), 40014);
}

#[tokio::test]
async fn departments_and_users_read_and_write() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let list = served.get(&format!("/cgi-bin/department/list?access_token={t}")).await;
    let departments = list["department"].as_array().unwrap();
    assert_eq!(departments.len(), 6);
    assert_eq!(departments[0]["id"], 1);
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/list?access_token={t}&id=404")).await), 60123);

    let created = served
        .post(&format!("/cgi-bin/department/create?access_token={t}"), &json!({"name": "新部门", "parentid": 1}))
        .await;
    assert_eq!((code(&created), created["errmsg"].as_str()), (0, Some("created")));
    let dept = created["id"].as_u64().unwrap();
    let user = json!({"userid": "NewHire", "name": "新人", "mobile": "13700000000", "department": [dept], "gender": "2"});
    let made = served.post(&format!("/cgi-bin/user/create?access_token={t}"), &user).await;
    assert_eq!((code(&made), made["errmsg"].as_str()), (0, Some("created")));
    assert_eq!(code(&served.post(&format!("/cgi-bin/user/create?access_token={t}"), &user).await), 60102);
    let got = served.get(&format!("/cgi-bin/user/get?access_token={t}&userid=newhire")).await;
    assert_eq!((got["userid"].as_str(), got["gender"].as_str(), got["department"].clone()), (Some("NewHire"), Some("2"), json!([dept])));
    let members = served.get(&format!("/cgi-bin/user/list?access_token={t}&department_id={dept}")).await;
    assert_eq!(members["userlist"].as_array().unwrap().len(), 1);
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/delete?access_token={t}&id={dept}")).await), 60005);
    assert_eq!(code(&served.get(&format!("/cgi-bin/user/delete?access_token={t}&userid=NewHire")).await), 0);
    assert_eq!(code(&served.get(&format!("/cgi-bin/user/get?access_token={t}&userid=NewHire")).await), 60111);
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/delete?access_token={t}&id={dept}")).await), 0);
    assert_eq!(code(&served.get(&format!("/cgi-bin/department/delete?access_token={t}&id=1")).await), 60007);
    assert_eq!(code(&served.post(&format!("/cgi-bin/user/create?access_token={t}"), &json!("not an object")).await), 47001);
}

#[tokio::test]
async fn new_app_mode_redacts_sensitive_fields() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim.controls().directory().users().next().unwrap().userid.clone();
    let full = served.get(&format!("/cgi-bin/user/get?access_token={t}&userid={userid}")).await;
    assert!(full["mobile"].is_string() && full["email"].is_string());
    sim.controls().set_new_app_mode(true);
    let redacted = served.get(&format!("/cgi-bin/user/get?access_token={t}&userid={userid}")).await;
    for field in ["mobile", "email", "avatar", "gender", "biz_mail", "qr_code", "address"] {
        assert!(redacted.get(field).is_none(), "{field} still present");
    }
    assert_eq!(redacted["name"], full["name"]);
}

#[tokio::test]
async fn list_id_pages_with_an_opaque_cursor() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let expected: usize = sim.controls().directory().users().map(|u| u.departments.len()).sum();
    let mut rows = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let answer = served
            .post(&format!("/cgi-bin/user/list_id?access_token={t}"), &json!({"cursor": cursor, "limit": 10}))
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
    let too_big = served.post(&format!("/cgi-bin/user/list_id?access_token={t}"), &json!({"limit": 10001})).await;
    assert_eq!(code(&too_big), 40058);
}

#[tokio::test]
async fn message_send_reports_invalid_recipients_and_throttles_silently() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let agent = sim.credentials().agent_id;
    let userid = sim.controls().directory().users().next().unwrap().userid.clone();
    let send = |touser: String| {
        json!({"touser": touser, "toparty": "404", "msgtype": "text", "agentid": agent, "text": {"content": "hello"}})
    };
    let answer = served.post(&format!("/cgi-bin/message/send?access_token={t}"), &send(format!("{userid}|GhostUser"))).await;
    assert_eq!(code(&answer), 0, "{answer}");
    assert_eq!(answer["invaliduser"], "ghostuser");
    assert_eq!(answer["invalidparty"], "404");
    assert!(!answer["msgid"].as_str().unwrap().is_empty());
    let none_valid = served.post(&format!("/cgi-bin/message/send?access_token={t}"), &send("ghost".into())).await;
    assert_eq!(code(&none_valid), 81013);
    for _ in 0..31 {
        let answer = served.post(&format!("/cgi-bin/message/send?access_token={t}"), &send(userid.clone())).await;
        assert_eq!(code(&answer), 0, "over-limit sends still answer ok");
    }
    let messages = sim.controls().messages();
    assert_eq!(messages.len(), 32);
    assert_eq!(messages.iter().filter(|m| m.delivered == vec![userid.clone()]).count(), 30);
    assert_eq!(messages.last().unwrap().throttled, vec![userid.clone()]);
    let wrong_agent = json!({"touser": userid, "msgtype": "text", "agentid": 1, "text": {"content": "x"}});
    assert_eq!(code(&served.post(&format!("/cgi-bin/message/send?access_token={t}"), &wrong_agent).await), 40056);
}

#[tokio::test]
async fn fault_knobs() {
    let (sim, served) = start().await;
    let controls = sim.controls();
    controls.set_ip_blocked(true);
    assert_eq!(code(&served.get("/cgi-bin/gettoken?corpid=a&corpsecret=b").await), 60020);
    controls.set_ip_blocked(false);
    let t = token(&sim, &served).await;
    controls.fail_next(1, 502);
    let status = served.get_raw(&format!("/cgi-bin/department/list?access_token={t}")).await.unwrap().status();
    assert_eq!(status.as_u16(), 502);
    controls.drop_next(1);
    let dropped = async {
        served.get_raw(&format!("/cgi-bin/department/list?access_token={t}")).await?.bytes().await
    };
    assert!(dropped.await.is_err(), "a dropped connection is an error, not an answer");
    controls.errcode_next("/cgi-bin/user/get", -1);
    assert_eq!(code(&served.get(&format!("/cgi-bin/user/get?access_token={t}&userid=x")).await), -1);
    controls.set_rate_limit(Some(RateLimit { calls: 2, window: Duration::from_secs(60) }));
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
    let body = json!({"msgtype": "text", "text": {"content": "部署完成", "mentioned_list": ["@all"]}});
    assert_eq!(code(&served.post(&format!("/cgi-bin/webhook/send?key={key}"), &body).await), 0);
    assert_eq!(code(&served.post("/cgi-bin/webhook/send?key=wrong", &body).await), 93000);
    let empty = json!({"msgtype": "text", "text": {"content": ""}});
    assert_eq!(code(&served.post(&format!("/cgi-bin/webhook/send?key={key}"), &empty).await), 44004);
    let mut codes = Vec::new();
    for _ in 0..20 {
        codes.push(code(&served.post(&format!("/cgi-bin/webhook/send?key={key}"), &body).await));
    }
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 19, "20 a minute, the first post included");
    assert_eq!(codes.last(), Some(&45009));
    assert_eq!(sim.controls().robot_posts().len(), 23);
}

#[tokio::test]
async fn contact_changes_push_encrypted_callbacks_with_retries() {
    use crate::crypto::{CallbackCrypto, wecom as wecom_crypto};
    use crate::sim::test_client::{query_map, receiver, wait_for};
    let (sim, served) = start().await;
    // Two failures, then an acknowledgement: WeCom's three attempts.
    let (callback, received) = receiver(|n, _, _| if n < 3 { (500, String::new()) } else { (200, String::new()) }).await;
    sim.controls().set_callback_url(Some(format!("{}/callback", callback.base_url)));
    let t = token(&sim, &served).await;
    let user = json!({"userid": "cb1", "name": "回调", "mobile": "13500000000", "department": [1]});
    assert_eq!(code(&served.post(&format!("/cgi-bin/user/create?access_token={t}"), &user).await), 0);
    let attempts = wait_for(|| sim.controls().callbacks_sent().iter().any(|a| a.delivered)).await;
    assert!(attempts, "callback delivered");
    let sent = sim.controls().callbacks_sent();
    assert_eq!(sent.iter().map(|a| a.attempt).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(sent[0].event, "change_contact/create_user");
    let c = sim.credentials();
    let crypto = CallbackCrypto::new(&c.callback_token, &c.callback_aes_key, &c.receive_id).unwrap();
    let (query, body) = received.lock().unwrap()[2].clone();
    let q = query_map(&query);
    let query = wecom_crypto::CallbackQuery {
        msg_signature: q["msg_signature"].clone(),
        timestamp: q["timestamp"].clone(),
        nonce: q["nonce"].clone(),
        echostr: None,
    };
    let plaintext = wecom_crypto::decrypt_xml(&crypto, &query, body.as_bytes()).unwrap();
    assert!(plaintext.contains("<ChangeType><![CDATA[create_user]]></ChangeType>"), "{plaintext}");
    assert!(plaintext.contains("<UserID><![CDATA[cb1]]></UserID>"));
}
