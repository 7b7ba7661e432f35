//! `worklink run` and `worklink plugin inspect`: the real binary on the real compiled plugins.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};
use worklink_e2e::{plugin_wasm, worklink_bin};

fn worklink(args: &[&str]) -> Output {
    Command::new(worklink_bin())
        .args(args)
        .output()
        .expect("run worklink")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

fn event(kind: &str, payload: Value) -> Value {
    json!({"id": "ev-1", "kind": kind, "source": "erp", "occurred_at": 1_700_000_000_000i64, "payload": payload})
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn inspect_prints_describe_and_the_wit_version() {
    let output = worklink(&["plugin", "inspect", &path_str(&plugin_wasm("task-notify"))]);
    assert!(output.status.success(), "{}", stderr(&output));
    let info = stdout_json(&output);
    assert_eq!(info["name"], "task-notify");
    assert_eq!(info["handles"], json!(["erp.task.assigned"]));
    assert_eq!(
        info["capabilities"],
        json!(["contacts", "messaging", "log"])
    );
    assert_eq!(info["wit_version"], "0.1.0");
    assert_eq!(info["wit_package"], "worklink:plugin@0.1.0");
    assert_eq!(info["config_schema"]["type"], "object");
}

#[test]
fn inspect_refuses_an_invalid_component_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let empty_component = dir.path().join("empty.wasm");
    std::fs::write(&empty_component, b"\0asm\x0d\0\x01\0").unwrap();
    let output = worklink(&["plugin", "inspect", &path_str(&empty_component)]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("does not export `worklink:plugin/handler@0.1.0`"),
        "{}",
        stderr(&output)
    );

    let output = worklink(&[
        "plugin",
        "inspect",
        &path_str(&plugin_wasm("match-by-mobile")),
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("worklink:plugin/matching@0.1.0"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn run_task_notify_stages_a_card_for_the_demo_assignee() {
    let dir = tempfile::tempdir().unwrap();
    let payload = json!({
        "task_id": "T-42",
        "title": "Review the Q3 budget",
        "url": "https://erp.example.com/tasks/T-42",
        "assignee": {"employee_id": "E002"}
    });
    let event = write(
        dir.path(),
        "event.json",
        &event("erp.task.assigned", payload),
    );
    let config = write(
        dir.path(),
        "config.json",
        &json!({"title_prefix": "[ERP] "}),
    );
    let output = worklink(&[
        "run",
        &path_str(&plugin_wasm("task-notify")),
        "--event",
        &event,
        "--config",
        &config,
        "--grant",
        "contacts,messaging",
        "--grant",
        "log",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let result = stdout_json(&output);
    assert_eq!(
        result["outcome"],
        json!({"status": "ok", "output": {"notified": "lisi", "effect": "run-ev-1/1"}})
    );
    let effects = result["effects"].as_array().unwrap();
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0]["effect"], "message");
    assert_eq!(effects[0]["to"]["users"], json!(["lisi"]));
    assert_eq!(effects[0]["message"]["type"], "text_card");
    assert!(
        result["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["message"].as_str().unwrap().contains("lisi"))
    );
    assert!(result["usage"]["wall_time_us"].as_u64().unwrap() > 0);
}

#[test]
fn run_without_the_grant_reports_the_denial_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let payload = json!({"task_id": "T-1", "title": "t", "url": "https://erp.example.com/t/1", "assignee": {"employee_id": "E001"}});
    let event = write(
        dir.path(),
        "event.json",
        &event("erp.task.assigned", payload),
    );
    let output = worklink(&[
        "run",
        &path_str(&plugin_wasm("task-notify")),
        "--event",
        &event,
        "--grant",
        "log",
    ]);
    assert!(!output.status.success());
    let result = stdout_json(&output);
    assert_eq!(result["outcome"]["status"], "handler_error");
    assert_eq!(result["outcome"]["code"], "denied");
    assert_eq!(result["effects"], json!([]));
    assert!(stderr(&output).contains("denied"), "{}", stderr(&output));
}

#[test]
fn a_trapping_plugin_exits_non_zero_with_the_reason_and_no_effects() {
    let dir = tempfile::tempdir().unwrap();
    let event = write(dir.path(), "event.json", &event("demo.ping", json!({})));
    let output = worklink(&[
        "run",
        &path_str(&plugin_wasm("hostile-panic")),
        "--event",
        &event,
        "--grant",
        "log",
    ]);
    assert!(!output.status.success());
    let result = stdout_json(&output);
    assert_eq!(result["outcome"]["status"], "trap");
    assert_eq!(result["outcome"]["kind"], "panic");
    assert!(
        stderr(&output).contains("deliberate panic"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_plugin_over_its_limit_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let event = write(dir.path(), "event.json", &event("demo.ping", json!({})));
    let limits = write(dir.path(), "limits.json", &json!({"cpu_time_ms": 50}));
    let output = worklink(&[
        "run",
        &path_str(&plugin_wasm("hostile-spin-loop")),
        "--event",
        &event,
        "--limits",
        &limits,
    ]);
    assert!(!output.status.success());
    assert_eq!(
        stdout_json(&output)["outcome"],
        json!({"status": "cpu_limit", "limit_ms": 50})
    );
    assert!(
        stderr(&output).contains("CPU time limit of 50 ms exceeded"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_malformed_event_is_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let event = write(
        dir.path(),
        "event.json",
        &json!({"id": "e", "kind": "k", "source": "s", "payload": {}}),
    );
    let output = worklink(&["run", &path_str(&plugin_wasm("hello")), "--event", &event]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("occurred_at"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_grant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let event = write(dir.path(), "event.json", &event("demo.ping", json!({})));
    let output = worklink(&[
        "run",
        &path_str(&plugin_wasm("hello")),
        "--event",
        &event,
        "--grant",
        "network",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("unknown capability `network`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn run_dispatches_rhai_scripts_to_the_script_engine() {
    let dir = tempfile::tempdir().unwrap();
    let event = write(
        dir.path(),
        "event.json",
        &event("demo.ping", json!({"n": 2})),
    );
    let script = dir.path().join("double.rhai");
    std::fs::write(
        &script,
        "fn handle(event, config) { #{ doubled: event.payload.n * 2 } }\n",
    )
    .unwrap();
    let output = worklink(&["run", &path_str(&script), "--event", &event]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["outcome"],
        json!({"status": "ok", "output": {"doubled": 4}})
    );
}
