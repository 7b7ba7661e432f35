//! `worklink dev` end to end, with the real binary: the simulators send encrypted callbacks, the
//! ERP posts events, rules run the real compiled plugins, and the messages they stage arrive at
//! the simulators. Also: a replayed callback runs once, a forged one stores nothing.

use std::time::Duration;

use serde_json::{Value, json};
use worklink_e2e::http::{client, get, post, wait_for};
use worklink_e2e::process::Spawned;
use worklink_e2e::repo_root;
use worklink_providers::crypto::CallbackCrypto;
use worklink_providers::crypto::wecom::request_xml;

/// Pipelines on a loaded CI machine can take a while; nothing is asserted about speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `worklink dev` on its own data directory.
struct Dev {
    process: Spawned,
    _data: tempfile::TempDir,
}

impl Dev {
    fn start() -> Dev {
        let data = tempfile::tempdir().expect("temp dir");
        let root = repo_root();
        let plugins = root.join("plugins/target/wasm32-wasip2/release");
        let rules = root.join("rules");
        let process = Spawned::start(
            &[
                "dev",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                data.path().to_str().expect("utf-8 temp path"),
                "--plugins-from",
                plugins.to_str().expect("utf-8 path"),
                "--rules-from",
                rules.to_str().expect("utf-8 path"),
            ],
            &[],
            None,
        );
        Dev {
            process,
            _data: data,
        }
    }

    fn banner(&self) -> &Value {
        &self.process.banner
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.banner()["url"].as_str().expect("url"))
    }

    fn sim(&self, provider: &str) -> &Value {
        &self.banner()["simulators"][provider]
    }

    fn connection(&self, provider: &str) -> &Value {
        self.banner()["connections"]
            .as_array()
            .expect("connections")
            .iter()
            .find(|c| c["provider"] == provider)
            .unwrap_or_else(|| panic!("no {provider} connection in {}", self.banner()))
    }

    /// An admin API call.
    fn api(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let key = self.banner()["api_key"].as_str().expect("api_key");
        let mut request = client().request(method, self.url(path)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn executions(&self, rule: &str) -> Vec<Value> {
        let (status, body) = self.api(
            reqwest::Method::GET,
            &format!("/api/v1/executions?rule={rule}&limit=500"),
            None,
        );
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().unwrap_or_default()
    }

    /// Messages the simulator of `provider` delivered to `user`.
    fn messages_to(&self, provider: &str, user: &str) -> Vec<Value> {
        let base = self.sim(provider)["base_url"].as_str().expect("base_url");
        get(&format!("{base}/_sim/messages"))
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| {
                m["delivered"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|u| u == user))
            })
            .collect()
    }

    fn wait_for_message(&self, provider: &str, user: &str) -> Value {
        wait_for(&format!("a {provider} message to {user}"), PATIENCE, || {
            self.messages_to(provider, user).into_iter().next()
        })
    }
}

fn wecom_token(dev: &Dev) -> String {
    let sim = dev.sim("wecom");
    let url = format!(
        "{}/cgi-bin/gettoken?corpid={}&corpsecret={}",
        sim["base_url"].as_str().unwrap(),
        sim["corp_id"].as_str().unwrap(),
        sim["secret"].as_str().unwrap()
    );
    get(&url)["access_token"]
        .as_str()
        .expect("a WeCom token")
        .to_owned()
}

fn dingtalk_token(dev: &Dev) -> String {
    let sim = dev.sim("dingtalk");
    let url = format!(
        "{}/gettoken?appkey={}&appsecret={}",
        sim["base_url"].as_str().unwrap(),
        sim["app_key"].as_str().unwrap(),
        sim["app_secret"].as_str().unwrap()
    );
    get(&url)["access_token"]
        .as_str()
        .expect("a DingTalk token")
        .to_owned()
}

/// Text of a delivered message, whichever provider shape it has.
fn text_of(message: &Value) -> String {
    let body = &message["body"];
    [&body["text"]["content"], &body["msg"]["text"]["content"]]
        .iter()
        .find_map(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_new_wecom_member_is_welcomed_through_callback_rule_plugin_and_delivery() {
    let dev = Dev::start();
    let base = dev.sim("wecom")["base_url"].as_str().unwrap().to_owned();
    let created = post(
        &format!(
            "{base}/cgi-bin/user/create?access_token={}",
            wecom_token(&dev)
        ),
        &json!({"userid": "e2e-wecom", "name": "测试员", "department": [1], "mobile": "13900000001"}),
    );
    assert_eq!(created["errcode"], 0, "{created}");

    let message = dev.wait_for_message("wecom", "e2e-wecom");
    assert!(text_of(&message).contains("测试员"), "{message}");
    let runs = dev.executions("welcome");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["event_kind"], "wecom.contact.user.created");
    // The reply went back through the connection the callback came from, not the other one.
    assert!(dev.messages_to("dingtalk", "e2e-wecom").is_empty());
}

#[test]
fn a_new_dingtalk_member_is_welcomed_with_the_name_from_the_directory() {
    let dev = Dev::start();
    let base = dev.sim("dingtalk")["base_url"].as_str().unwrap().to_owned();
    let created = post(
        &format!(
            "{base}/topapi/v2/user/create?access_token={}",
            dingtalk_token(&dev)
        ),
        &json!({"userid": "e2e-ding", "name": "钉钉新人", "dept_id_list": "1", "mobile": "13900000002"}),
    );
    assert_eq!(created["errcode"], 0, "{created}");

    let message = dev.wait_for_message("dingtalk", "e2e-ding");
    assert_eq!(message["msgtype"], "text", "{message}");
    let runs = dev.executions("welcome");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["event_kind"], "dingtalk.contact.user.created");
    assert_eq!(runs[0]["status"], "succeeded");
}

#[test]
fn an_erp_task_reaches_the_bound_assignee_once_even_when_the_erp_retries() {
    let dev = Dev::start();
    // dev binds E001… to the first users of each connection; ERP events use the first
    // configured connection, wecom-demo (the first in the generated file).
    let (status, bindings) = dev.api(
        reqwest::Method::GET,
        "/api/v1/directory/wecom-demo/bindings",
        None,
    );
    assert_eq!(status, 200, "{bindings}");
    let assignee = bindings
        .as_array()
        .and_then(|b| b.iter().find(|b| b["erp_employee_id"] == "E002"))
        .and_then(|b| b["user_id"].as_str())
        .unwrap_or_else(|| panic!("E002 is not bound: {bindings}"))
        .to_owned();
    let event = json!({
        "id": "task-T-900",
        "kind": "erp.task.assigned",
        "payload": {
            "task_id": "T-900", "title": "Approve the March payroll",
            "url": "https://erp.example.com/tasks/T-900", "assignee": {"employee_id": "E002"}
        }
    });
    let (status, first) = dev.api(reqwest::Method::POST, "/api/v1/events", Some(&event));
    assert!(status < 300, "{status} {first}");
    let (status, again) = dev.api(reqwest::Method::POST, "/api/v1/events", Some(&event));
    assert!(status < 300, "{status} {again}");
    assert_eq!(again["duplicate"], true, "{again}");

    let card = dev.wait_for_message("wecom", &assignee);
    assert_eq!(card["msgtype"], "textcard", "{card}");
    assert!(
        card.to_string().contains("Approve the March payroll"),
        "{card}"
    );
    let runs = dev.executions("task-notify");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(dev.messages_to("wecom", &assignee).len(), 1);
}

/// A signed, encrypted WeCom `change_contact/create_user` callback for `user`, as the service
/// would POST it: (query string, XML body).
fn wecom_create_user_callback(dev: &Dev, user: &str, timestamp: &str) -> (String, String) {
    let connection = dev.connection("wecom");
    let receive_id = connection["receive_id"].as_str().unwrap();
    let crypto = CallbackCrypto::new(
        connection["callback_token"].as_str().unwrap(),
        connection["callback_aes_key"].as_str().unwrap(),
        receive_id,
    )
    .expect("the banner's callback key is valid");
    let plaintext = format!(
        "<xml><ToUserName><![CDATA[{receive_id}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
         <CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
         <Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[create_user]]></ChangeType>\
         <UserID><![CDATA[{user}]]></UserID><Name><![CDATA[{user}]]></Name><Department><![CDATA[1]]></Department></xml>"
    );
    let envelope = crypto.encrypt(&plaintext, timestamp, &format!("n{user}"));
    let body = request_xml(receive_id, "1000002", &envelope.encrypt);
    let query = format!(
        "msg_signature={}&timestamp={}&nonce={}",
        envelope.msg_signature, envelope.timestamp, envelope.nonce
    );
    (query, body)
}

#[test]
fn a_replayed_callback_runs_once_and_a_forged_one_stores_nothing() {
    let dev = Dev::start();
    let callback_url = dev.connection("wecom")["callback_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let send = |query: &str, body: &str| {
        client()
            .post(format!("{callback_url}?{query}"))
            .body(body.to_owned())
            .send()
            .expect("callback POST")
            .status()
            .as_u16()
    };

    // Callbacks about two members the directory already has (so messages to them deliver).
    let (status, users) = dev.api(
        reqwest::Method::GET,
        "/api/v1/directory/wecom-demo/users",
        None,
    );
    assert_eq!(status, 200, "{users}");
    let ids: Vec<String> = users
        .as_array()
        .map(|u| {
            u.iter()
                .filter_map(|u| u["user_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let [forged_user, replayed_user, ..] = ids.as_slice() else {
        panic!("the dev directory has too few users: {users}");
    };

    // A forged callback: right shape, signature over other content.
    let (query, body) = wecom_create_user_callback(&dev, forged_user, "1795000000");
    let forged_query = query.replacen("msg_signature=", "msg_signature=0", 1);
    let status = send(&forged_query, &body);
    assert!(
        (400..500).contains(&status),
        "forged callback answered {status}"
    );

    // A genuine one, delivered twice as WeCom does when its first attempt times out.
    let (query, body) = wecom_create_user_callback(&dev, replayed_user, "1795000001");
    assert_eq!(send(&query, &body), 200);
    assert_eq!(send(&query, &body), 200);

    dev.wait_for_message("wecom", replayed_user);
    let runs = dev.executions("welcome");
    assert_eq!(runs.len(), 1, "the replay ran again: {runs:?}");
    // Events are matched in arrival order: had the forged one been stored, it would have run
    // before the genuine one finished.
    assert!(dev.messages_to("wecom", forged_user).is_empty());
    assert_eq!(dev.messages_to("wecom", replayed_user).len(), 1);
    let metrics = client()
        .get(dev.url("/metrics"))
        .send()
        .and_then(|r| r.text())
        .expect("metrics");
    assert!(metrics.contains("rejected"), "{metrics}");
}
