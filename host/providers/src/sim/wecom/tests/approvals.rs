//! Approvals: submit, decide, list.

use super::*;

#[tokio::test]
async fn approvals_submit_decide_and_list() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let dir = sim.controls().directory();
    let creator = dir
        .users()
        .find(|u| !u.direct_leader.is_empty())
        .unwrap()
        .clone();
    let apply = json!({
        "creator_userid": creator.userid, "template_id": "3WLJF6naF5jhnbvKSzzw6ZXtLfPsbDCjA2bExtHz",
        "use_template_approver": 1,
        "apply_data": {"contents": [
            {"control": "Text", "id": "Text-1", "value": {"text": "差旅"}},
            {"control": "Money", "id": "Money-1", "value": {"new_money": "1280.50"}}]},
    });
    let created = served
        .post(&format!("/cgi-bin/oa/applyevent?access_token={t}"), &apply)
        .await;
    assert_eq!(code(&created), 0, "{created}");
    let sp_no = created["sp_no"].as_str().unwrap().to_owned();
    assert_eq!(sp_no.len(), 12);
    let detail = served
        .post(
            &format!("/cgi-bin/oa/getapprovaldetail?access_token={t}"),
            &json!({"sp_no": sp_no}),
        )
        .await;
    let info = &detail["info"];
    assert_eq!(
        (
            info["sp_status"].as_i64(),
            info["sp_record"][0]["details"][0]["sptime"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        info["apply_data"]["contents"][1]["value"]["new_money"],
        "1280.50"
    );
    let approver = creator.direct_leader[0].clone();
    assert!(sim.controls().approve(&sp_no, "someone-else", "").is_err());
    let (decided, _) = sim
        .controls()
        .reject(&sp_no, &approver, "金额超标")
        .unwrap();
    assert_eq!(
        decided.status,
        crate::sim::approvals::ApprovalStatus::Rejected
    );
    let detail = served
        .post(
            &format!("/cgi-bin/oa/getapprovaldetail?access_token={t}"),
            &json!({"sp_no": sp_no}),
        )
        .await;
    assert_eq!(detail["info"]["sp_status"], 3);
    assert_eq!(
        detail["info"]["sp_record"][0]["details"][0]["speech"],
        "金额超标"
    );
    let now = sim.controls().now_ms() / 1000;
    let listed = served
        .post(
            &format!("/cgi-bin/oa/getapprovalinfo?access_token={t}"),
            &json!({"starttime": now - 60, "endtime": now + 60, "size": 100}),
        )
        .await;
    assert_eq!(listed["sp_no_list"], json!([sp_no]));
    let too_long = served
        .post(
            &format!("/cgi-bin/oa/getapprovalinfo?access_token={t}"),
            &json!({"starttime": now - 40 * 86_400, "endtime": now}),
        )
        .await;
    assert_eq!(code(&too_long), 40058);
    let bad_control = json!({"creator_userid": creator.userid, "template_id": "3WLJF6naF5jhnbvKSzzw6ZXtLfPsbDCjA2bExtHz",
        "use_template_approver": 1, "apply_data": {"contents": [{"control": "Text", "id": "Nope-1", "value": {"text": "x"}}]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/oa/applyevent?access_token={t}"),
                    &bad_control
                )
                .await
        ),
        40058
    );
}
