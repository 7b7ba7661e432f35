//! Check-in data, day reports and rules.

use super::*;

#[tokio::test]
async fn checkin_data_limits_and_shape() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let end = sim.controls().now_ms() / 1000;
    let start = end - 14 * 86_400;
    let body = json!({"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": [userid]});
    let answer = served
        .post(
            &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
            &body,
        )
        .await;
    let rows = answer["checkindata"].as_array().unwrap();
    assert!(
        rows.len() >= 18,
        "two punches per workday over two weeks: {}",
        rows.len()
    );
    assert!(
        rows.iter()
            .all(|r| ["上班打卡", "下班打卡"].contains(&r["checkin_type"].as_str().unwrap()))
    );
    assert!(
        rows.iter()
            .all(|r| r["checkin_time"].as_i64().unwrap() <= end)
    );
    let too_long = json!({"opencheckindatatype": 3, "starttime": end - 31 * 86_400, "endtime": end, "useridlist": [userid]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
                    &too_long
                )
                .await
        ),
        40058
    );
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let too_many =
        json!({"opencheckindatatype": 3, "starttime": start, "endtime": end, "useridlist": many});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
                    &too_many
                )
                .await
        ),
        40058
    );
}

#[tokio::test]
async fn day_data_and_rules_follow_the_recorded_check_ins() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .nth(5)
        .unwrap()
        .userid
        .clone();
    let end = sim.controls().now_ms() / 1000;
    let start = end - 6 * 86_400;
    let range = json!({"starttime": start, "endtime": end, "useridlist": [userid]});
    let punches = served
        .post(
            &format!("/cgi-bin/checkin/getcheckindata?access_token={t}"),
            &range,
        )
        .await;
    let signed = punches["checkindata"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["exception_type"] != "未打卡")
        .count();
    let days = served
        .post(
            &format!("/cgi-bin/checkin/getcheckin_daydata?access_token={t}"),
            &range,
        )
        .await;
    let datas = days["datas"].as_array().unwrap();
    assert_eq!(datas.len(), 7, "one report per day: {days}");
    let counted: u64 = datas
        .iter()
        .map(|d| d["summary_info"]["checkin_count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, signed);
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let refused = served
        .post(
            &format!("/cgi-bin/checkin/getcheckinoption?access_token={t}"),
            &json!({"datetime": end, "useridlist": too_many}),
        )
        .await;
    assert_eq!(code(&refused), 40058);
    let rules = served
        .post(
            &format!("/cgi-bin/checkin/getcheckinoption?access_token={t}"),
            &json!({"datetime": end, "useridlist": [userid, "ghost"]}),
        )
        .await;
    let info = rules["info"].as_array().unwrap();
    assert_eq!(info.len(), 1, "unknown members are left out: {rules}");
    assert_eq!(
        info[0]["group"]["checkindate"][0]["checkintime"][0]["work_sec"],
        9 * 3600
    );
}
