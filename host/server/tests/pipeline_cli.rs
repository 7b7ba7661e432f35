//! `worklink rule ...` end to end with the real binary: publish the shipped rules, approve and
//! enable task-notify, list, and dry-run it on an event file.

mod pipeline_support;
mod storage_support;

use std::path::Path;
use std::process::{Command, Output};

use pipeline_support::{shipped_manifest, task_notify_wasm};

/// Runs `worklink rule <args>` against the config in `dir`.
fn worklink(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_worklink"))
        .arg("rule")
        .args(args)
        .arg("--config")
        .arg(dir.join("worklink.toml"))
        // 32 zero bytes: the rule commands never decrypt anything, but the store needs a key.
        .env(
            "WORKLINK_SECRET_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .output()
        .expect("run worklink")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn rules_are_published_approved_enabled_listed_and_tested() {
    let dir = tempfile::tempdir().unwrap();
    // The shipped task-notify manifest, alone in a rules directory.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("task-notify.toml"),
        shipped_manifest("task-notify"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("plugins")).unwrap();
    std::fs::write(
        dir.path().join("plugins/task-notify.wasm"),
        task_notify_wasm(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("worklink.toml"),
        format!(
            "rules_dir = \"{}\"\n[database]\nurl = \"sqlite://{}\"\n",
            rules.display(),
            dir.path().join("worklink.db").display()
        ),
    )
    .unwrap();

    let reloaded = stdout(&worklink(dir.path(), &["reload"]));
    assert!(
        reloaded.contains("task-notify: version 1, new rule (disabled)"),
        "{reloaded}"
    );
    assert!(stdout(&worklink(dir.path(), &["reload"])).contains("task-notify: unchanged"));

    let listed = stdout(&worklink(dir.path(), &["list"]));
    assert!(listed.contains("disabled"), "{listed}");
    assert!(
        listed.contains("awaiting approval: messaging, contacts, log"),
        "{listed}"
    );

    // Enabling before approving works, and says what is still missing.
    let early = worklink(dir.path(), &["enable", "task-notify"]);
    assert!(early.status.success());
    let warning = String::from_utf8_lossy(&early.stderr);
    assert!(
        warning
            .contains("warning: task-notify: grants awaiting approval: messaging, contacts, log"),
        "{warning}"
    );

    let approved = stdout(&worklink(dir.path(), &["approve", "task-notify"]));
    assert!(
        approved.contains("approved messaging, contacts, log"),
        "{approved}"
    );
    let enabled = worklink(dir.path(), &["enable", "task-notify"]);
    assert!(
        enabled.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&enabled.stderr)
    );
    let listed = stdout(&worklink(dir.path(), &["list"]));
    assert!(
        listed.contains("enabled") && !listed.contains("awaiting"),
        "{listed}"
    );

    // No connection is configured, so the directory cannot be read: the dry run reports the
    // handler's failure and exits non-zero.
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"id":"e1","kind":"erp.task.assigned","source":"erp","occurred_at":1700000000000,
            "payload":{"task_id":"T-1","title":"Budget","url":"https://erp/t/1",
            "assignee":{"user_id":"zhangsan"}}}"#,
    )
    .unwrap();
    let tested = worklink(
        dir.path(),
        &["test", "task-notify", "--event", event.to_str().unwrap()],
    );
    assert!(!tested.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&tested.stdout).unwrap();
    assert_eq!(printed["outcome"]["status"], "handler_error", "{printed}");
    assert!(
        String::from_utf8_lossy(&tested.stderr).contains("none is configured"),
        "{}",
        String::from_utf8_lossy(&tested.stderr)
    );

    let unknown = worklink(dir.path(), &["enable", "absent"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("rule `absent` does not exist"));
}
