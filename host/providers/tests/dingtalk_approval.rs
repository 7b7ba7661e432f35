//! DingTalk approvals against the simulator: start a process instance, read it, see a decision.

mod support;

use support::DingTalk;
use worklink_providers::api::ErrorClass;
use worklink_providers::dingtalk::{FormValue, NewProcessInstance};

fn expense(originator: &str, approver: &str) -> NewProcessInstance {
    NewProcessInstance {
        process_code: "PROC-SIM-EXPENSE".into(),
        originator_user_id: originator.into(),
        dept_id: None,
        form_component_values: vec![
            FormValue {
                name: "事由".into(),
                value: "差旅".into(),
                ..FormValue::default()
            },
            FormValue {
                name: "金额".into(),
                value: "1200".into(),
                ..FormValue::default()
            },
        ],
        approvers: Some(approver.into()),
        cc_list: None,
    }
}

#[tokio::test]
async fn a_started_process_is_read_back_and_follows_decisions() {
    let ding = DingTalk::start().await;
    let users = ding.userids(2);
    let id = ding
        .client
        .start_process(&expense(&users[0], &users[1]))
        .await
        .unwrap();
    let instance = ding.client.process_instance(&id).await.unwrap();
    assert_eq!(instance.status, "RUNNING");
    assert_eq!(instance.originator_userid, users[0]);
    assert!(
        instance
            .form_component_values
            .iter()
            .any(|f| f.name == "金额" && f.value == "1200")
    );

    ding.sim.controls().approve(&id, &users[1], "同意").unwrap();
    let done = ding.client.process_instance(&id).await.unwrap();
    assert_eq!(done.status, "COMPLETED");
    assert_eq!(done.result, "agree");
}

#[tokio::test]
async fn unknown_process_codes_and_instances_are_permanent_errors() {
    let ding = DingTalk::start().await;
    let users = ding.userids(2);
    let mut bad = expense(&users[0], &users[1]);
    bad.process_code = "PROC-NOPE".into();
    assert_eq!(
        ding.client.start_process(&bad).await.unwrap_err().class(),
        ErrorClass::Permanent
    );
    assert_eq!(
        ding.client
            .process_instance("nope")
            .await
            .unwrap_err()
            .class(),
        ErrorClass::Permanent
    );
}
