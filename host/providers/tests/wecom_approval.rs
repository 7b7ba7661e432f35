//! WeCom approvals against the simulator: template, submit, detail, and the cursor-paged list.

mod support;

use serde_json::json;
use support::WeCom;
use worklink_providers::api::ErrorClass;
use worklink_providers::wecom::{ApplyEvent, ApprovalFilter};

const TEMPLATE: &str = "C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi";
const INFO: &str = "/cgi-bin/oa/getapprovalinfo";

fn application(creator: &str, text: &str) -> ApplyEvent {
    ApplyEvent {
        creator_userid: creator.into(),
        template_id: TEMPLATE.into(),
        use_template_approver: 1,
        approver: vec![],
        notifyer: vec![],
        apply_data: json!({"contents": [{"control": "Text", "id": "Text-1", "value": {"text": text}}]}),
        summary_list: vec![],
    }
}

#[tokio::test]
async fn template_submit_and_detail() {
    let wecom = WeCom::start().await;
    let template = wecom.client.approval_template(TEMPLATE).await.unwrap();
    assert_eq!(template.template_names[0]["text"], "通用审批");
    assert!(
        template.template_content["controls"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    let creator = wecom.userids(1).remove(0);
    let sp_no = wecom
        .client
        .submit_approval(&application(&creator, "采购笔记本"))
        .await
        .unwrap();
    let detail = wecom.client.approval_detail(&sp_no).await.unwrap();
    assert_eq!(detail.sp_no, sp_no);
    assert_eq!(detail.sp_status, 1);
    assert_eq!(detail.applyer.userid, creator);
    assert_eq!(
        detail.apply_data["contents"][0]["value"]["text"],
        "采购笔记本"
    );
    assert!(!detail.sp_record.is_empty());
}

#[tokio::test]
async fn unknown_template_is_a_permanent_error() {
    let wecom = WeCom::start().await;
    let err = wecom
        .client
        .approval_template("no-such-template")
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn approval_numbers_follow_the_cursor_across_pages() {
    let wecom = WeCom::start().await;
    let creators = wecom.userids(3);
    let mut submitted = Vec::new();
    for i in 0..130 {
        let creator = &creators[i % creators.len()];
        submitted.push(
            wecom
                .client
                .submit_approval(&application(creator, &format!("#{i}")))
                .await
                .unwrap(),
        );
    }
    let now = wecom.sim.controls().now_ms() / 1000;
    let mut numbers = wecom
        .client
        .approval_numbers(now - 86_400, now + 60, &[])
        .await
        .unwrap();
    assert_eq!(wecom.count(INFO), 2, "130 forms = two pages of ≤ 100");
    numbers.sort();
    submitted.sort();
    assert_eq!(numbers, submitted);

    let by_creator = [ApprovalFilter {
        key: "creator".into(),
        value: creators[0].clone(),
    }];
    let mine = wecom
        .client
        .approval_numbers(now - 86_400, now + 60, &by_creator)
        .await
        .unwrap();
    assert_eq!(mine.len(), 44);
}

#[tokio::test]
async fn long_ranges_are_queried_a_month_at_a_time() {
    let wecom = WeCom::start().await;
    let now = wecom.sim.controls().now_ms() / 1000;
    wecom
        .client
        .approval_numbers(now - 70 * 86_400, now, &[])
        .await
        .unwrap();
    assert_eq!(wecom.count(INFO), 3, "70 days = three windows of ≤ 31 days");
}
