use serde_json::json;

use super::*;

const DELIVERED: i64 = 1_900_000_000_000;

fn one(plaintext: &str) -> ProviderEvent {
    let mut events = parse(plaintext, DELIVERED).unwrap();
    assert_eq!(events.len(), 1);
    events.remove(0)
}

fn envelope(event: &str, body: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1653577739</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{body}</xml>"
    )
}

#[test]
fn create_user_carries_the_shared_user_shape() {
    let event = one(&envelope(
        "change_contact",
        "<ChangeType>create_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]></Name><Department><![CDATA[1,2,3]]></Department><MainDepartment>1</MainDepartment><IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept><Position><![CDATA[产品经理]]></Position><Mobile>13800000000</Mobile><Gender>1</Gender><Email><![CDATA[zhangsan@gzdev.com]]></Email><Status>1</Status><ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value></Text></Item></ExtAttr>",
    ));
    assert_eq!(event.provider, Provider::WeCom);
    assert_eq!(event.kind, "wecom.contact.user.created");
    assert_eq!(event.occurred_at_ms, 1_653_577_739_000);
    let p = &event.payload.to_value().unwrap();
    assert_eq!(p["user_id"], "zhangsan");
    assert_eq!(p["name"], "张三");
    assert_eq!(p["department_ids"], json!([1, 2, 3]));
    assert_eq!(p["main_department_id"], 1);
    assert_eq!(p["position"], "产品经理");
    assert_eq!(p["mobile"], "13800000000");
    assert_eq!(p["email"], "zhangsan@gzdev.com");
    assert_eq!(p["new_user_id"], json!(null));
    assert_eq!(p["corp_id"], "ww1436e0e65a779aee");
    assert_eq!(p["raw"]["ExtAttr"]["Item"]["Text"]["Value"], "旅游");
    assert!(event.dedup_key.starts_with("wecom:ww1436e0e65a779aee:change_contact:zhangsan:"));
}

#[test]
fn update_user_with_rename_and_delete_user_with_only_an_id() {
    let updated = one(&envelope(
        "change_contact",
        "<ChangeType>update_user</ChangeType><UserID>zhangsan</UserID><NewUserID>zhangsan01</NewUserID><Department>1</Department>",
    ));
    assert_eq!(updated.kind, "wecom.contact.user.updated");
    assert_eq!(updated.payload.to_value().unwrap()["new_user_id"], "zhangsan01");
    assert_eq!(updated.payload.to_value().unwrap()["department_ids"], json!([1]));

    let deleted = one(&envelope("change_contact", "<ChangeType>delete_user</ChangeType><UserID>zhangsan</UserID>"));
    assert_eq!(deleted.kind, "wecom.contact.user.deleted");
    assert_eq!(deleted.payload.to_value().unwrap()["department_ids"], json!(null));
    assert_eq!(deleted.payload.to_value().unwrap()["name"], json!(null));
}

#[test]
fn department_events() {
    let created = one(&envelope(
        "change_contact",
        "<ChangeType>create_party</ChangeType><Id>2</Id><Name><![CDATA[广州研发中心]]></Name><ParentId>1</ParentId><Order>10</Order>",
    ));
    assert_eq!(created.kind, "wecom.contact.department.created");
    assert_eq!(created.payload.to_value().unwrap()["department_id"], 2);
    assert_eq!(created.payload.to_value().unwrap()["name"], "广州研发中心");
    assert_eq!(created.payload.to_value().unwrap()["parent_id"], 1);
    assert_eq!(created.payload.to_value().unwrap()["order"], 10);

    let updated = one(&envelope("change_contact", "<ChangeType>update_party</ChangeType><Id>2</Id><ParentId>3</ParentId>"));
    assert_eq!(updated.kind, "wecom.contact.department.updated");
    assert_eq!(updated.payload.to_value().unwrap()["name"], json!(null));
    assert_eq!(updated.payload.to_value().unwrap()["parent_id"], 3);

    let deleted = one(&envelope("change_contact", "<ChangeType>delete_party</ChangeType><Id>2</Id>"));
    assert_eq!(deleted.kind, "wecom.contact.department.deleted");
    assert_eq!(deleted.payload.to_value().unwrap()["department_id"], 2);
}

#[test]
fn tag_update_splits_comma_lists() {
    let event = one(&envelope(
        "change_contact",
        "<ChangeType>update_tag</ChangeType><TagId>1</TagId><AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems><DelUserItems><![CDATA[zhangsan1]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems><DelPartyItems><![CDATA[3]]></DelPartyItems>",
    ));
    assert_eq!(event.kind, "wecom.contact.tag.updated");
    assert_eq!(event.payload.to_value().unwrap()["tag_id"], 1);
    assert_eq!(event.payload.to_value().unwrap()["added_user_ids"], json!(["zhangsan", "lisi"]));
    assert_eq!(event.payload.to_value().unwrap()["removed_user_ids"], json!(["zhangsan1"]));
    assert_eq!(event.payload.to_value().unwrap()["added_department_ids"], json!([1, 2]));
    assert_eq!(event.payload.to_value().unwrap()["removed_department_ids"], json!([3]));
}

#[test]
fn approval_change_from_the_captured_callback() {
    // The real-world callback of reference §A6, with a second approver node added to exercise
    // the repeated-sibling form.
    let event = one(&envelope(
        "sys_approval_change",
        "<AgentID>3010040</AgentID><ApprovalInfo><SpNo>202205260001</SpNo><SpName><![CDATA[通用审批]]></SpName><SpStatus>1</SpStatus><TemplateId><![CDATA[C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi]]></TemplateId><ApplyTime>1653577739</ApplyTime><Applyer><UserId><![CDATA[liutao]]></UserId><Party><![CDATA[1]]></Party></Applyer><SpRecord><SpStatus>1</SpStatus><ApproverAttr>1</ApproverAttr><Details><Approver><UserId><![CDATA[liutao]]></UserId></Approver><Speech><![CDATA[]]></Speech><SpStatus>1</SpStatus><SpTime>0</SpTime></Details></SpRecord><SpRecord><SpStatus>1</SpStatus><ApproverAttr>2</ApproverAttr><Details><Approver><UserId><![CDATA[wangwu]]></UserId></Approver><SpStatus>1</SpStatus></Details><Details><Approver><UserId><![CDATA[liutao]]></UserId></Approver><SpStatus>1</SpStatus></Details></SpRecord><Notifyer><UserId><![CDATA[XieChaoNing]]></UserId></Notifyer><StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo>",
    ));
    assert_eq!(event.kind, "wecom.approval.instance.changed");
    let p = &event.payload.to_value().unwrap();
    assert_eq!(p["instance_id"], "202205260001");
    assert_eq!(p["title"], "通用审批");
    assert_eq!(p["template_id"], "C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi");
    assert_eq!(p["status"], "in_progress");
    assert_eq!(p["change"], "submitted");
    assert_eq!(p["applicant_user_id"], "liutao");
    assert_eq!(p["approver_user_ids"], json!(["liutao", "wangwu"]));
    assert_eq!(p["applied_at_ms"], 1_653_577_739_000i64);
    assert!(event.dedup_key.starts_with("wecom:ww1436e0e65a779aee:sys_approval_change:202205260001:"));
}

#[test]
fn approval_status_and_change_codes_map_to_the_shared_vocabulary() {
    for (sp_status, change, want_status, want_change) in
        [(2, 2, json!("approved"), json!("agreed")), (3, 3, json!("rejected"), json!("rejected")), (4, 6, json!("withdrawn"), json!("withdrawn")), (6, 8, json!("withdrawn_after_approval"), json!("withdrawn_after_approval")), (1, 10, json!("in_progress"), json!("commented")), (99, 99, json!(null), json!(null))]
    {
        let event = one(&envelope(
            "sys_approval_change",
            &format!("<ApprovalInfo><SpNo>1</SpNo><SpStatus>{sp_status}</SpStatus><StatuChangeEvent>{change}</StatuChangeEvent></ApprovalInfo>"),
        ));
        assert_eq!((&event.payload.to_value().unwrap()["status"], &event.payload.to_value().unwrap()["change"]), (&want_status, &want_change));
    }
}

#[test]
fn successive_approval_changes_have_distinct_keys_and_retries_the_same() {
    let submitted = envelope("sys_approval_change", "<ApprovalInfo><SpNo>7</SpNo><SpStatus>1</SpStatus><StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo>");
    let agreed = envelope("sys_approval_change", "<ApprovalInfo><SpNo>7</SpNo><SpStatus>2</SpStatus><StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo>");
    // Same second, same instance, different content: distinct keys.
    assert_ne!(one(&submitted).dedup_key, one(&agreed).dedup_key);
    // A retry arrives later (another delivery time) with the same content: the same key.
    assert_eq!(one(&submitted).dedup_key, parse(&submitted, DELIVERED + 5000).unwrap()[0].dedup_key);
}

fn member_event(event: &str, body: &str) -> ProviderEvent {
    one(&format!(
        "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1408091189</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{body}<AgentID>1000002</AgentID></xml>"
    ))
}

#[test]
fn menu_clicks_and_views() {
    let click = member_event("click", "<EventKey><![CDATA[approve_all]]></EventKey>");
    assert_eq!(click.kind, "wecom.menu.click");
    assert_eq!(click.payload.to_value().unwrap(), json!({"user_id": "zhangsan", "agent_id": 1000002, "key": "approve_all", "corp_id": "ww1436e0e65a779aee", "raw": click.payload.to_value().unwrap()["raw"]}));

    let view = member_event("view", "<EventKey><![CDATA[https://erp.example.com/a?b=1&c=2]]></EventKey>");
    assert_eq!(view.kind, "wecom.menu.view");
    assert_eq!(view.payload.to_value().unwrap()["key"], "https://erp.example.com/a?b=1&c=2");

    assert!(matches!(
        parse(&envelope("click", ""), DELIVERED),
        Err(EventError::MissingField { field: "EventKey", .. })
    ));
}

#[test]
fn enter_agent_and_location() {
    let entered = member_event("enter_agent", "<EventKey><![CDATA[]]></EventKey>");
    assert_eq!(entered.kind, "wecom.agent.entered");
    assert_eq!(entered.payload.to_value().unwrap()["user_id"], "zhangsan");
    assert_eq!(entered.payload.to_value().unwrap()["agent_id"], 1000002);

    let located = member_event("LOCATION", "<Latitude>23.104105</Latitude><Longitude>113.320107</Longitude><Precision>65.000000</Precision>");
    assert_eq!(located.kind, "wecom.location.reported");
    assert_eq!(located.payload.to_value().unwrap()["latitude"], 23.104105);
    assert_eq!(located.payload.to_value().unwrap()["longitude"], 113.320107);
    assert_eq!(located.payload.to_value().unwrap()["precision"], 65.0);

    assert!(matches!(
        parse(&envelope("LOCATION", "<Latitude>north</Latitude><Longitude>1</Longitude>"), DELIVERED),
        Err(EventError::InvalidField { field: "Latitude", .. })
    ));
}

#[test]
fn official_text_message_sample() {
    // Vector A-2 of the reference (no CDATA in this sample).
    let event = one("<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>");
    assert_eq!(event.kind, "wecom.message.text.received");
    assert_eq!(event.payload.to_value().unwrap()["content"], "你好");
    assert_eq!(event.payload.to_value().unwrap()["user_id"], "ChenJiaShun");
    assert!(event.dedup_key.starts_with("wecom:ww1436e0e65a779aee:text:1456453720:"));
}

#[test]
fn unknown_events_and_messages_are_generic_never_errors() {
    let scan = member_event("scancode_push", "<EventKey>k</EventKey><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>");
    assert_eq!(scan.kind, "wecom.event.scancode_push");
    assert_eq!(scan.payload.to_value().unwrap()["raw"]["ScanCodeInfo"]["ScanType"], "qrcode");
    assert_eq!(scan.payload.to_value().unwrap()["corp_id"], "ww1436e0e65a779aee");

    let odd_change = one(&envelope("change_contact", "<ChangeType>merge_users</ChangeType>"));
    assert_eq!(odd_change.kind, "wecom.event.change_contact");

    let image = one("<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://x</PicUrl><MsgId>9</MsgId></xml>");
    assert_eq!(image.kind, "wecom.message.image.received");
    assert_eq!(image.payload.to_value().unwrap()["raw"]["PicUrl"], "http://x");
}

#[test]
fn suite_notifications_use_info_type_and_auth_corp() {
    let event = one("<xml><SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId><AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>1403610513</TimeStamp><ChangeType><![CDATA[delete_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID></xml>");
    assert_eq!(event.kind, "wecom.contact.user.deleted");
    assert_eq!(event.payload.to_value().unwrap()["corp_id"], "wxf8b4f85f3a794e77");
    assert_eq!(event.occurred_at_ms, 1_403_610_513_000);
}

#[test]
fn json_plaintexts_are_read_like_xml() {
    let event = one(r#"{"ToUserName":"ww1","FromUserName":"u1","CreateTime":1700000000,"MsgType":"event","Event":"click","EventKey":"k","AgentID":5}"#);
    assert_eq!(event.kind, "wecom.menu.click");
    assert_eq!(event.payload.to_value().unwrap()["agent_id"], 5);
}

#[test]
fn broken_callbacks_are_typed_errors() {
    assert!(matches!(parse("<xml><MsgType>text</MsgType>", DELIVERED), Err(EventError::Xml { .. })));
    assert!(matches!(parse("hello", DELIVERED), Err(EventError::Xml { .. } | EventError::NotAMap { .. })));
    assert!(matches!(parse("<xml><Event>click</Event></xml>", DELIVERED), Err(EventError::MissingField { field: "MsgType", .. })));
    assert!(matches!(parse("<xml><MsgType>event</MsgType></xml>", DELIVERED), Err(EventError::MissingField { field: "Event", .. })));
    assert!(matches!(
        parse(&envelope("change_contact", "<ChangeType>create_user</ChangeType><UserID>a</UserID><Department>1,x</Department>"), DELIVERED),
        Err(EventError::InvalidField { field: "Department", .. })
    ));
    assert!(matches!(parse(&envelope("sys_approval_change", ""), DELIVERED), Err(EventError::MissingField { field: "ApprovalInfo", .. })));
    // The official JSON sample is malformed as published.
    assert!(matches!(
        parse(r#"{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813}"#, DELIVERED),
        Err(EventError::Json { .. })
    ));
}
