//! `worklink sim` end to end: the real binary, driven over HTTP, and cross-checked with
//! third-party SDKs (wechatpy, dingtalk-sdk) so the simulators answer as the real services do,
//! not merely as our own client expects.

use std::path::PathBuf;
use std::process::Command;

use worklink_e2e::http::{get, post};
use worklink_e2e::process::Spawned;
use worklink_e2e::repo_root;

/// A running `worklink sim` and the JSON banner it printed; killed on drop.
struct Sim(Spawned);

impl std::ops::Deref for Sim {
    type Target = Spawned;
    fn deref(&self) -> &Spawned {
        &self.0
    }
}

impl Sim {
    fn start(provider: &str) -> Sim {
        Sim(Spawned::start(
            &[
                "sim",
                provider,
                "--listen",
                "127.0.0.1:0",
                "--users",
                "30",
                "--departments",
                "5",
                "--seed",
                "7",
            ],
            &[],
            None,
        ))
    }

    fn base(&self) -> &str {
        self.banner["base_url"].as_str().expect("base_url")
    }
}

/// The interpreter of the cross-check venv; `make test` sets it, a bare `cargo test` must not
/// silently skip the cross-check.
fn python() -> PathBuf {
    match std::env::var_os("WORKLINK_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "WORKLINK_PYTHON is not set: run `make pyenv` and set WORKLINK_PYTHON=target/pyenv/bin/python (make test does both)"
        ),
    }
}

fn crosscheck(script: &str, sim: &Sim) {
    let script = repo_root().join("tests/crosscheck").join(script);
    let out = Command::new(python())
        .arg(&script)
        .arg(sim.banner.to_string())
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{} failed:\nstdout: {}\nstderr: {}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn wecom_banner_and_api_over_http() {
    let sim = Sim::start("wecom");
    for key in [
        "provider",
        "base_url",
        "corp_id",
        "agent_id",
        "secret",
        "callback_token",
        "callback_aes_key",
        "receive_id",
    ] {
        assert!(
            !sim.banner[key].is_null(),
            "banner lacks {key}: {}",
            sim.banner
        );
    }
    assert_eq!(
        sim.banner["callback_aes_key"].as_str().map(str::len),
        Some(43)
    );
    let base = sim.base();
    let token = get(&format!(
        "{base}/cgi-bin/gettoken?corpid={}&corpsecret={}",
        sim.field("corp_id"),
        sim.field("secret")
    ));
    assert_eq!(token["expires_in"], 7200);
    let t = token["access_token"].as_str().expect("token");
    let departments = get(&format!("{base}/cgi-bin/department/list?access_token={t}"));
    assert_eq!(departments["department"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        get(&format!(
            "{base}/cgi-bin/user/get?access_token=stale&userid=x"
        ))["errcode"],
        40014
    );
    post(
        &format!("{base}/_sim/faults"),
        &serde_json::json!({"ip_blocked": true}),
    );
    assert_eq!(
        get(&format!("{base}/cgi-bin/department/list?access_token={t}"))["errcode"],
        60020
    );
}

#[test]
fn same_seed_same_tenant_across_processes() {
    let a = Sim::start("dingtalk");
    let b = Sim::start("dingtalk");
    for key in [
        "app_key",
        "app_secret",
        "agent_id",
        "corp_id",
        "callback_aes_key",
    ] {
        assert_eq!(a.banner[key], b.banner[key], "{key} differs");
    }
    let token = |sim: &Sim| {
        get(&format!(
            "{}/gettoken?appkey={}&appsecret={}",
            sim.base(),
            sim.field("app_key"),
            sim.field("app_secret")
        ))["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let list = |sim: &Sim| {
        let t = token(sim);
        post(
            &format!(
                "{}/topapi/v2/department/listsub?access_token={t}",
                sim.base()
            ),
            &serde_json::json!({"dept_id": 1}),
        )["result"]
            .clone()
    };
    assert_eq!(list(&a), list(&b));
}

#[test]
fn wechatpy_cross_check() {
    let sim = Sim::start("wecom");
    crosscheck("wechatpy_check.py", &sim);
    let messages = get(&format!("{}/_sim/messages", sim.base()));
    let messages = messages.as_array().expect("messages");
    assert_eq!(
        messages.len(),
        1,
        "the simulator recorded wechatpy's message"
    );
    assert_eq!(messages[0]["msgtype"], "text");
    assert_eq!(
        messages[0]["body"]["text"]["content"],
        "来自 wechatpy 的交叉检查"
    );
}

#[test]
fn dingtalk_sdk_cross_check() {
    let sim = Sim::start("dingtalk");
    crosscheck("dingtalk_check.py", &sim);
    let calls = get(&format!("{}/_sim/calls", sim.base()));
    let paths: Vec<&str> = calls
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    for path in [
        "/gettoken",
        "/department/list",
        "/user/simplelist",
        "/user/get",
    ] {
        assert!(
            paths.contains(&path),
            "dingtalk-sdk never called {path}: {paths:?}"
        );
    }
}
