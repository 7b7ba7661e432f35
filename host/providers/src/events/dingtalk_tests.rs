use serde_json::json;

use super::*;

const DELIVERED: i64 = 1_700_000_999_000;

#[test]
fn check_url_has_no_time_of_its_own() {
    let events = parse(r#"{"EventType":"check_url"}"#, DELIVERED).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].provider, Provider::DingTalk);
    assert_eq!(events[0].kind, "dingtalk.check_url");
    assert_eq!(events[0].occurred_at_ms, DELIVERED);
    // Each URL check is its own event.
    assert_ne!(events[0].dedup_key, parse(r#"{"EventType":"check_url"}"#, DELIVERED + 1).unwrap()[0].dedup_key);
}

#[test]
fn user_events_become_one_event_per_user_in_the_shared_shape() {
    for (event_type, kind) in [
        ("user_add_org", "dingtalk.contact.user.created"),
        ("user_modify_org", "dingtalk.contact.user.updated"),
        ("user_leave_org", "dingtalk.contact.user.deleted"),
    ] {
        let plaintext = format!(r#"{{"EventType":"{event_type}","CorpId":"ding6ccabc44d2c8d38b","TimeStamp":"1608001896814","UserId":["manager3451","0447652"]}}"#);
        let events = parse(&plaintext, DELIVERED).unwrap();
        assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), [kind, kind]);
        assert_eq!(events[0].payload.to_value().unwrap()["user_id"], "manager3451");
        assert_eq!(events[1].payload.to_value().unwrap()["user_id"], "0447652");
        assert_eq!(events[0].payload.to_value().unwrap()["name"], json!(null));
        assert_eq!(events[0].payload.to_value().unwrap()["department_ids"], json!(null));
        assert_eq!(events[0].payload.to_value().unwrap()["corp_id"], "ding6ccabc44d2c8d38b");
        assert_eq!(events[0].occurred_at_ms, 1_608_001_896_814);
        assert_ne!(events[0].dedup_key, events[1].dedup_key);
        // The same push redelivered later gives the same keys.
        let again = parse(&plaintext, DELIVERED + 60_000).unwrap();
        assert_eq!(again[0].dedup_key, events[0].dedup_key);
    }
}

#[test]
fn department_events_per_dept_id() {
    for (event_type, verb) in [("org_dept_create", "created"), ("org_dept_modify", "updated"), ("org_dept_remove", "deleted")] {
        let events = parse(&format!(r#"{{"EventType":"{event_type}","CorpId":"dingcorp","TimeStamp":1608001896814,"DeptId":[123,"456"]}}"#), DELIVERED).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, format!("dingtalk.contact.department.{verb}"));
        assert_eq!(events[0].payload.to_value().unwrap()["department_id"], 123);
        assert_eq!(events[1].payload.to_value().unwrap()["department_id"], 456);
        assert_eq!(events[1].payload.to_value().unwrap()["name"], json!(null));
    }
}

#[test]
fn approval_instance_lifecycle() {
    let start = r#"{"EventType":"bpms_instance_change","processInstanceId":"ad253df6-e175caf-68085c60ba8a","corpId":"ding6ccabc44d2c8d38b","createTime":1608001896000,"title":"张三提交的请假","type":"start","staffId":"er5875","url":"https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm","processCode":"PROC-FF6Y4BE1N2-B3OQZGC9RLR4SY1MTNLQ1-91IKFUAI-6"}"#;
    let event = &parse(start, DELIVERED).unwrap()[0];
    assert_eq!(event.kind, "dingtalk.approval.instance.changed");
    let p = &event.payload.to_value().unwrap();
    assert_eq!(p["instance_id"], "ad253df6-e175caf-68085c60ba8a");
    assert_eq!(p["status"], "in_progress");
    assert_eq!(p["change"], "submitted");
    assert_eq!(p["applicant_user_id"], "er5875");
    assert_eq!(p["title"], "张三提交的请假");
    assert_eq!(p["template_id"], "PROC-FF6Y4BE1N2-B3OQZGC9RLR4SY1MTNLQ1-91IKFUAI-6");
    assert_eq!(p["corp_id"], "ding6ccabc44d2c8d38b");
    assert_eq!(p["approver_user_ids"], json!([]));
    assert_eq!(event.occurred_at_ms, 1_608_001_896_000);

    for (kind, result, status, change) in [
        ("finish", Some("agree"), json!("approved"), json!("agreed")),
        ("finish", Some("refuse"), json!("rejected"), json!("rejected")),
        ("finish", None, json!("completed"), json!(null)),
        ("terminate", None, json!("withdrawn"), json!("withdrawn")),
    ] {
        let result = result.map(|r| format!(r#","result":"{r}""#)).unwrap_or_default();
        let plaintext = format!(r#"{{"EventType":"bpms_instance_change","processInstanceId":"p1","corpId":"c","createTime":1000,"finishTime":2000,"type":"{kind}"{result}}}"#);
        let event = &parse(&plaintext, DELIVERED).unwrap()[0];
        assert_eq!((&event.payload.to_value().unwrap()["status"], &event.payload.to_value().unwrap()["change"]), (&status, &change));
        assert_eq!(event.occurred_at_ms, 2000);
        assert_eq!(event.payload.to_value().unwrap()["finished_at_ms"], 2000);
    }
}

#[test]
fn approval_task_changes() {
    let plaintext = r#"{"EventType":"bpms_task_change","processInstanceId":"p1","corpId":"c","createTime":1000,"finishTime":3000,"title":"请假","type":"finish","result":"redirect","remark":"转给李四","staffId":"manager1","processCode":"PROC-1","activityId":"act-9"}"#;
    let event = &parse(plaintext, DELIVERED).unwrap()[0];
    assert_eq!(event.kind, "dingtalk.approval.task.changed");
    let p = &event.payload.to_value().unwrap();
    assert_eq!(p["instance_id"], "p1");
    assert_eq!(p["approver_user_id"], "manager1");
    assert_eq!(p["change"], "finished");
    assert_eq!(p["result"], "transferred");
    assert_eq!(p["remark"], "转给李四");
    assert_eq!(p["activity_id"], "act-9");
    assert_eq!(event.occurred_at_ms, 3000);

    let started = &parse(r#"{"EventType":"bpms_task_change","processInstanceId":"p1","createTime":1000,"type":"start","staffId":"m2"}"#, DELIVERED).unwrap()[0];
    assert_eq!((&started.payload.to_value().unwrap()["change"], &started.payload.to_value().unwrap()["result"]), (&json!("started"), &json!(null)));
    assert_ne!(started.dedup_key, event.dedup_key);
}

#[test]
fn attendance_records_become_one_check_in_each() {
    let plaintext = r#"{"EventType":"attendance_check_record","CorpId":"dingcorp","DataList":[{"userId":"manager3451","checkTime":1666227600000,"corpId":"dingcorp","address":"杭州市余杭区","latitude":30.27,"longitude":"120.02","locationMethod":"MAP","locationResult":"Normal","deviceId":"dev1","deviceName":"前台考勤机","bizId":"b1"},{"userId":"manager3451","checkTime":1666260000000,"bizId":"b2"}]}"#;
    let events = parse(plaintext, DELIVERED).unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.kind == "dingtalk.attendance.checked_in"));
    let p = &events[0].payload.to_value().unwrap();
    assert_eq!(p["user_id"], "manager3451");
    assert_eq!(p["checked_at_ms"], 1_666_227_600_000i64);
    assert_eq!(p["address"], "杭州市余杭区");
    assert_eq!(p["latitude"], 30.27);
    assert_eq!(p["longitude"], 120.02);
    assert_eq!(p["device_name"], "前台考勤机");
    assert_eq!(events[0].occurred_at_ms, 1_666_227_600_000);
    assert_eq!(events[1].occurred_at_ms, 1_666_260_000_000);
    assert_ne!(events[0].dedup_key, events[1].dedup_key);
}

#[test]
fn unknown_and_empty_batches_are_generic() {
    let label = &parse(r#"{"EventType":"label_user_change","CorpId":"c","TimeStamp":"5","LabelIdList":[1]}"#, DELIVERED).unwrap()[0];
    assert_eq!(label.kind, "dingtalk.event.label_user_change");
    assert_eq!(label.occurred_at_ms, 5);
    assert_eq!(label.payload.to_value().unwrap()["raw"]["LabelIdList"], json!([1]));

    let empty = parse(r#"{"EventType":"user_add_org","CorpId":"c","TimeStamp":"5","UserId":[]}"#, DELIVERED).unwrap();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].kind, "dingtalk.event.user_add_org");
}

#[test]
fn broken_callbacks_are_typed_errors() {
    assert!(matches!(parse("{", DELIVERED), Err(EventError::Json { .. })));
    assert!(matches!(parse("[]", DELIVERED), Err(EventError::NotAMap { .. })));
    assert!(matches!(parse(r#"{"CorpId":"c"}"#, DELIVERED), Err(EventError::MissingField { field: "EventType", .. })));
    assert!(matches!(parse(r#"{"EventType":"bpms_instance_change"}"#, DELIVERED), Err(EventError::MissingField { field: "processInstanceId", .. })));
    assert!(matches!(
        parse(r#"{"EventType":"org_dept_create","DeptId":["x"]}"#, DELIVERED),
        Err(EventError::InvalidField { field: "DeptId", .. })
    ));
    assert!(matches!(
        parse(r#"{"EventType":"attendance_check_record","DataList":[{"checkTime":1}]}"#, DELIVERED),
        Err(EventError::MissingField { field: "userId", .. })
    ));
}
