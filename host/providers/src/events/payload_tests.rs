use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::events::text_edits::{random_boundary, stretch};
use crate::events::{ProviderEvent, dingtalk, wecom, xml};

/// Callbacks of every kind that has a shape, and some that have none.
const WECOM: &[&str] = &[
    "<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 \"quoted\" \\ back]]></Content><MsgId>456</MsgId><AgentID>218</AgentID></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://x</PicUrl><MsgId>7</MsgId></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>zhangsan</UserID><Name>张三</Name><Department>1,2</Department><MainDepartment>1</MainDepartment><Mobile>138</Mobile><Email>z@x</Email><Position>p</Position><ExtAttr><Item><Name>爱好</Name><Text><Value>旅游</Value></Text></Item><Item><Name>卡号</Name></Item></ExtAttr></xml>",
    "<xml><ToUserName>ww1</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_party</ChangeType><Id>2</Id><Name>研发</Name><ParentId>1</ParentId><Order>10</Order></xml>",
    "<xml><ToUserName>ww1</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_tag</ChangeType><TagId>1</TagId><AddUserItems>a,b</AddUserItems><DelUserItems>c</DelUserItems><AddPartyItems>1,2</AddPartyItems><DelPartyItems>3</DelPartyItems></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>sys_approval_change</Event><AgentID>3010040</AgentID><ApprovalInfo><SpNo>20220526</SpNo><SpName>费用报销</SpName><SpStatus>2</SpStatus><TemplateId>C4</TemplateId><ApplyTime>1</ApplyTime><Applyer><UserId>liutao</UserId></Applyer><SpRecord><Details><Approver><UserId>a</UserId></Approver><Speech>同意</Speech></Details></SpRecord><SpRecord><Details><Approver><UserId>b</UserId></Approver></Details><Details><Approver><UserId>a</UserId></Approver></Details></SpRecord><Notifyer><UserId>c</UserId></Notifyer><StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>click</Event><EventKey>approve_all</EventKey><AgentID>2</AgentID></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>2</AgentID></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>LOCATION</Event><Latitude>23.104105</Latitude><Longitude>113.320107</Longitude><Precision>65</Precision><AgentID>2</AgentID></xml>",
    "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>scancode_push</Event><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>",
    "<xml><SuiteId>s</SuiteId><InfoType>create_auth</InfoType><TimeStamp>1</TimeStamp><AuthCorpId>wxf8</AuthCorpId></xml>",
    r#"{"ToUserName":"ww1","FromUserName":"u","CreateTime":1,"MsgType":"text","Content":"hi","MsgId":"9","AgentID":218}"#,
];

const DINGTALK: &[&str] = &[
    r#"{"EventType":"user_add_org","CorpId":"ding1","TimeStamp":"1","UserId":["u1","u2"]}"#,
    r#"{"EventType":"org_dept_create","CorpId":"ding1","TimeStamp":1,"DeptId":[123,456]}"#,
    r#"{"EventType":"bpms_instance_change","corpId":"ding1","processInstanceId":"p","type":"finish","result":"agree","title":"t","processCode":"c","staffId":"s","createTime":1,"finishTime":2,"url":"http://u"}"#,
    r#"{"EventType":"bpms_task_change","corpId":"ding1","processInstanceId":"p","type":"finish","result":"redirect","staffId":"s","remark":"r","activityId":"a","createTime":1}"#,
    r#"{"EventType":"attendance_check_record","CorpId":"ding1","DataList":[{"userId":"u","checkTime":1,"bizId":"b","address":"a","latitude":1.5,"longitude":"2.5","deviceId":"d"},{"userId":"v","checkTime":2}]}"#,
    r#"{"EventType":"check_url"}"#,
    r#"{"EventType":"label_conf_add","CorpId":"ding1","TimeStamp":1,"LabelIdList":[1],"nested":{"b":[1,2.5,null,true],"a":"\u00e9"}}"#,
];

/// The payload as it was built before it stayed typed: the shape made a value, `corp_id` and the
/// raw field map (built the direct way) inserted, the whole map written.
fn built_the_old_way(event: &ProviderEvent, document: &str) -> String {
    let raw = match document.trim_start_matches('\u{feff}').trim_start() {
        json if json.starts_with('{') => serde_json::from_str::<Map<String, Value>>(json).unwrap(),
        xml => xml::tests::map_of(xml).unwrap(),
    };
    let mut payload = match serde_json::to_value(&event.payload.shape).unwrap() {
        Value::Object(map) => map,
        other => panic!("shape {other}"),
    };
    payload.insert("corp_id".into(), Value::String(event.payload.corp_id.clone()));
    payload.insert("raw".into(), Value::Object(raw));
    Value::Object(payload).to_string()
}

/// Checks every event of one callback; returns how many there were.
fn check(provider: usize, document: &str) -> usize {
    let parsed = if provider == 0 { wecom::parse(document, 7) } else { dingtalk::parse(document, 7) };
    let Ok(events) = parsed else { return 0 };
    for event in &events {
        let text = serde_json::to_string(&event.payload).unwrap();
        assert_eq!(text, built_the_old_way(event, document), "{document:?}");
        let value = event.payload.to_value().unwrap();
        assert_eq!(value.to_string(), text, "{document:?}");
        assert_eq!(Value::Object(event.payload.raw.to_map().unwrap()), value["raw"], "{document:?}");
    }
    events.len()
}

#[test]
fn every_shape_is_written_with_sorted_keys_like_its_map() {
    let events: usize = WECOM.iter().map(|doc| check(0, doc)).chain(DINGTALK.iter().map(|doc| check(1, doc))).sum();
    assert_eq!(events, WECOM.len() + DINGTALK.len() + 3, "every sample parses (three DingTalk samples are batches of two)");
}

#[test]
fn the_payload_object_holds_shape_corp_and_raw() {
    let events = wecom::parse(WECOM[6], 0).unwrap();
    let value = events[0].payload.to_value().unwrap();
    assert_eq!(
        value,
        json!({
            "agent_id": 2, "corp_id": "ww1", "key": "approve_all", "user_id": "u",
            "raw": {"AgentID": "2", "CreateTime": "1", "Event": "click", "EventKey": "approve_all", "FromUserName": "u", "MsgType": "event", "ToUserName": "ww1"}
        })
    );
    let check_url = dingtalk::parse(DINGTALK[5], 9).unwrap();
    assert_eq!(serde_json::to_string(&check_url[0].payload).unwrap(), r#"{"corp_id":"","raw":{"EventType":"check_url"}}"#);
}

/// Byte mutations and markup fragments at random places.
fn mutate(rng: &mut StdRng, seed: &str) -> String {
    const FRAGMENTS: &[&str] = &["<", ">", "/", "&amp;", "\"", "\\", ",", "1", "<A>x</A>", "<Details><Approver><UserId>z</UserId></Approver></Details>", "]", "[", "{", "}", ":", "null", "\u{feff}", " "];
    let mut doc = seed.to_owned();
    for _ in 0..rng.random_range(1..=3) {
        let at = random_boundary(rng, &doc);
        if rng.random_bool(0.6) {
            doc.insert_str(at, FRAGMENTS[rng.random_range(0..FRAGMENTS.len())]);
        } else {
            let cut = stretch(&doc, at, rng.random_range(1..6));
            doc.replace_range(cut, "");
        }
    }
    doc
}

#[test]
fn mutated_callbacks_are_written_like_their_maps() {
    let mut rng = StdRng::seed_from_u64(0xFA7_0AD);
    let mut parsed = 0;
    for (provider, seeds) in [WECOM, DINGTALK].into_iter().enumerate() {
        for seed in seeds {
            for _ in 0..300 {
                parsed += check(provider, &mutate(&mut rng, seed));
            }
        }
    }
    // Many mutations still parse (a changed value, an extra element), so the comparison is exercised.
    assert!(parsed > 800, "{parsed}");
}
