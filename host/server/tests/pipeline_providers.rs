//! Live reads from the providers on both backends: a rule's `attendance` and `approvals` calls
//! reach its connection's WeCom or DingTalk app (here the simulators) and come back in the
//! runtime's neutral shapes.

#[macro_use]
mod storage_support;
mod delivery_support;

use std::sync::Arc;

use delivery_support::{Sims, config, http};
use serde_json::{Value, json};
use storage_support::NOW;
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::Outcome;
use worklink_runtime::script::ScriptLimits;
use worklink_runtime::types::{ApprovalRequest, Event, FormField};
use worklink_runtime::wasm::WasmConfig;
use worklink_server::clients::Clients;
use worklink_server::pipeline::{Handlers, Pipeline, PipelineOptions};
use worklink_server::rules::reload;
use worklink_server::storage::Store;

/// Reads a member's check-ins and day reports over the event's window, and an approval.
const PROBE: &str = r#"fn handle(event, config) {
    let range = #{ start: event.payload.start, end: event.payload.end };
    let checks = attendance::check_ins([event.payload.user], range);
    let days = attendance::day_reports([event.payload.user], range);
    let approval = approvals::get_instance(event.payload.approval);
    #{
        checks: checks.len(),
        on_duty: checks.filter(|c| c.kind == "on_duty").len(),
        days: days.len(),
        first_day: days[0].day,
        approval_status: approval.status,
        applicant: approval.applicant,
        first_field: approval.fields[0].value,
    }
}"#;

fn manifest(name: &str, connection: &str) -> String {
    format!(
        "name = \"{name}\"\non = \"erp.probe\"\nconnection = \"{connection}\"\n\
         script = \"probe.rhai\"\ngrants = [\"attendance\", \"approvals\"]\n"
    )
}

async fn attendance_and_approvals_are_read_from_the_rules_provider(store: &Store) {
    let sims = Sims::start().await;
    let config = config(&sims, "http://127.0.0.1:9/documents");
    let clients = Clients::with_http(&config, store.clone(), &http()).unwrap();
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(rules.path().join("probe.rhai"), PROBE).unwrap();
    std::fs::write(
        rules.path().join("wecom-probe.toml"),
        manifest("wecom-probe", "corp"),
    )
    .unwrap();
    std::fs::write(
        rules.path().join("ding-probe.toml"),
        manifest("ding-probe", "ding"),
    )
    .unwrap();
    reload(store, rules.path()).await.unwrap();
    for rule in ["wecom-probe", "ding-probe"] {
        store
            .approve_rule_grants(rule, &[Capability::Attendance, Capability::Approvals], NOW)
            .await
            .unwrap();
    }
    let plugins = tempfile::tempdir().unwrap();
    let handlers = Handlers::new(
        plugins.path(),
        WasmConfig {
            max_concurrent: 1,
            ..WasmConfig::default()
        },
        ScriptLimits::default(),
    )
    .unwrap();
    let pipeline = Pipeline::new(
        store.clone(),
        Arc::new(handlers),
        PipelineOptions::from_config(&config),
    )
    .with_clients(clients.clone());

    for (rule, connection, user, template, field, approvers) in [
        (
            "wecom-probe",
            "corp",
            sims.wecom_user(2),
            "C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi",
            "Text-1",
            vec![],
        ),
        (
            "ding-probe",
            "ding",
            sims.dingtalk_user(2),
            "PROC-SIM-GENERAL",
            "申请内容",
            vec![sims.dingtalk_user(3)],
        ),
    ] {
        let approval = clients
            .app(connection)
            .unwrap()
            .submit_approval(&ApprovalRequest {
                template: template.into(),
                applicant: user.clone(),
                fields: vec![FormField {
                    name: field.into(),
                    value: "采购笔记本电脑".into(),
                }],
                approvers,
                cc: vec![],
            })
            .await
            .unwrap();
        let now = match connection {
            "corp" => sims.wecom.controls().now_ms(),
            _ => sims.dingtalk.controls().now_ms(),
        };
        let event = Event {
            id: format!("probe-{connection}"),
            kind: "erp.probe".into(),
            source: "erp".into(),
            occurred_at: now,
            payload: json!({"user": user, "start": now - 14 * 86_400_000, "end": now,
                "approval": approval}),
        };
        let result = pipeline.dry_run(rule, event).await.unwrap();
        let Outcome::Ok { output } = &result.outcome else {
            panic!("{rule}: {:?} {:?}", result.outcome, result.logs);
        };
        let count = |key: &str| output[key].as_u64().unwrap_or(0);
        assert!(
            count("checks") >= 10,
            "{rule}: two weeks of check-ins: {output}"
        );
        assert!(
            count("on_duty") > 0 && count("on_duty") < count("checks"),
            "{rule}: {output}"
        );
        assert!(count("days") >= 5, "{rule}: {output}");
        assert!(
            output["first_day"].as_str().is_some_and(|d| d.len() == 10),
            "{output}"
        );
        assert_eq!(output["approval_status"], "pending", "{rule}: {output}");
        assert_eq!(output["applicant"], Value::from(user.as_str()), "{rule}");
        assert_eq!(output["first_field"], "采购笔记本电脑", "{rule}");
    }
}

on_both_backends!(attendance_and_approvals_are_read_from_the_rules_provider);
