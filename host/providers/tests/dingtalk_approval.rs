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

#[tokio::test]
async fn the_v1_workflow_api_reads_the_same_instance() {
    let ding = DingTalk::start().await;
    let users = ding.userids(2);
    let id = ding
        .client
        .start_process_v1(&expense(&users[0], &users[1]))
        .await
        .unwrap();
    let v1 = ding.client.process_instance_v1(&id).await.unwrap();
    assert_eq!(v1.status, "RUNNING");
    assert_eq!(v1.originator_userid, users[0]);
    assert_eq!(v1.approver_userids, vec![users[1].clone()]);
    let legacy = ding.client.process_instance(&id).await.unwrap();
    assert_eq!(
        (legacy.status, legacy.originator_userid),
        (v1.status, v1.originator_userid)
    );
    let calls = ding.sim.controls().calls();
    let create = calls
        .iter()
        .find(|c| c.method == "POST" && c.path == "/v1.0/workflow/processInstances")
        .unwrap();
    assert!(
        !create.query.contains("access_token"),
        "v1.0 carries the token in a header"
    );
}

#[tokio::test]
async fn v1_errors_keep_the_textual_code() {
    let ding = DingTalk::start().await;
    let err = ding.client.process_instance_v1("nope").await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("InvalidParameter"), "{err}");
}

#[tokio::test]
async fn v1_calls_refresh_a_rejected_token() {
    let ding = DingTalk::start().await;
    let users = ding.userids(2);
    let id = ding
        .client
        .start_process_v1(&expense(&users[0], &users[1]))
        .await
        .unwrap();
    ding.sim.controls().invalidate_tokens();
    ding.client.process_instance_v1(&id).await.unwrap();
    assert_eq!(
        ding.count("/gettoken"),
        2,
        "the 401 InvalidAuthentication caused one refresh"
    );
}
