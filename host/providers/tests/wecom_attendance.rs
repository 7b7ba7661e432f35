//! WeCom check-ins against the simulator: requests beyond 100 users or 30 days are split into
//! windows and user chunks, and the merged result equals what smaller queries return.

mod support;

use std::collections::HashSet;

use support::{WeCom, fast_http};
use worklink_providers::api::Failure;
use worklink_providers::sim::SimConfig;
use worklink_providers::wecom::CheckinKind;

const PATH: &str = "/cgi-bin/checkin/getcheckindata";
const DAY: i64 = 86_400;

#[tokio::test]
async fn large_requests_are_split_and_merged() {
    let wecom = WeCom::start_on(
        SimConfig {
            seed: 11,
            users: 230,
            departments: 4,
        },
        fast_http(),
    )
    .await;
    let users = wecom.userids(230);
    let end = wecom.sim.controls().now_ms() / 1000;
    let start = end - 45 * DAY;
    let records = wecom
        .client
        .checkin_records(CheckinKind::All, &users, start, end)
        .await
        .unwrap();
    // 45 days → 2 windows; 230 users → 3 chunks of ≤ 100.
    assert_eq!(wecom.count(PATH), 6);
    assert!(!records.is_empty());
    assert!(
        records
            .iter()
            .all(|r| (start..=end).contains(&r.checkin_time))
    );
    let distinct: HashSet<_> = records
        .iter()
        .map(|r| (&r.userid, r.checkin_time, &r.checkin_type))
        .collect();
    assert_eq!(distinct.len(), records.len(), "windows must not overlap");

    // The same user asked for in two halves gets exactly the rows of the big request.
    let one = &users[150..151];
    let mid = start + 20 * DAY;
    let mut halves = wecom
        .client
        .checkin_records(CheckinKind::All, one, start, mid)
        .await
        .unwrap();
    halves.extend(
        wecom
            .client
            .checkin_records(CheckinKind::All, one, mid + 1, end)
            .await
            .unwrap(),
    );
    let from_big: Vec<_> = records
        .iter()
        .filter(|r| r.userid == one[0])
        .cloned()
        .collect();
    assert!(!from_big.is_empty());
    assert_eq!(halves, from_big);
}

#[tokio::test]
async fn small_requests_are_one_call() {
    let wecom = WeCom::start().await;
    let users = wecom.userids(5);
    let end = wecom.sim.controls().now_ms() / 1000;
    wecom
        .client
        .checkin_records(CheckinKind::Work, &users, end - 7 * DAY, end)
        .await
        .unwrap();
    assert_eq!(wecom.count(PATH), 1);
}

#[tokio::test]
async fn a_reversed_range_is_refused_before_sending() {
    let wecom = WeCom::start().await;
    let users = wecom.userids(1);
    let err = wecom
        .client
        .checkin_records(CheckinKind::All, &users, 100, 50)
        .await
        .unwrap_err();
    assert!(matches!(err.failure, Failure::Invalid(_)));
    assert!(err.to_string().contains("before it starts"), "{err}");
    assert!(wecom.sim.controls().calls().is_empty());
}

#[tokio::test]
async fn day_reports_count_the_recorded_check_ins() {
    let wecom = WeCom::start().await;
    let users = wecom.userids(2);
    let end = wecom.sim.controls().now_ms() / 1000;
    let start = end - 6 * DAY;
    let records = wecom
        .client
        .checkin_records(CheckinKind::All, &users, start, end)
        .await
        .unwrap();
    let reports = wecom
        .client
        .checkin_day_reports(&users, start, end)
        .await
        .unwrap();
    assert_eq!(reports.len(), 2 * 7, "one report per member and day");
    let counted = |reports: &[worklink_providers::wecom::DayReport]| -> u64 {
        reports
            .iter()
            .map(|r| r.summary_info["checkin_count"].as_u64().unwrap())
            .sum()
    };
    let signed = records
        .iter()
        .filter(|r| r.exception_type != "未打卡")
        .count();
    assert_eq!(counted(&reports) as usize, signed);
    assert!(
        reports
            .iter()
            .all(|r| users.contains(&r.base_info["acctid"].as_str().unwrap().to_owned()))
    );

    wecom.sim.controls().check_in(&users[0]).unwrap();
    let today = wecom
        .client
        .checkin_day_reports(&users[..1], end, end)
        .await
        .unwrap();
    let before = reports
        .iter()
        .rfind(|r| r.base_info["acctid"] == users[0].as_str())
        .unwrap();
    assert_eq!(
        counted(&today),
        before.summary_info["checkin_count"].as_u64().unwrap() + 1,
        "a live check-in shows in that day's report"
    );
}

#[tokio::test]
async fn check_in_rules_explain_the_scheduled_times() {
    let wecom = WeCom::start().await;
    let mut users = wecom.userids(2);
    users.push("ghost".into());
    let end = wecom.sim.controls().now_ms() / 1000;
    let options = wecom.client.checkin_options(end, &users).await.unwrap();
    let named: Vec<&str> = options.iter().map(|o| o.userid.as_str()).collect();
    assert_eq!(
        named,
        vec![users[0].as_str(), users[1].as_str()],
        "unknown members are left out"
    );
    let times = &options[0].group["checkindate"][0]["checkintime"][0];
    let records = wecom
        .client
        .checkin_records(CheckinKind::Work, &users[..1], end - 6 * DAY, end)
        .await
        .unwrap();
    let work_sec = times["work_sec"].as_i64().unwrap();
    let off_work_sec = times["off_work_sec"].as_i64().unwrap();
    // Local midnight in UTC+8, the simulated corp's zone.
    let second_of_day = |t: i64| (t + 8 * 3600).rem_euclid(DAY);
    assert!(records.iter().all(|r| {
        let planned = second_of_day(r.sch_checkin_time.unwrap());
        planned == work_sec || planned == off_work_sec
    }));
    assert!(
        records
            .iter()
            .any(|r| r.groupname == options[0].group["groupname"])
    );

    wecom.sim.controls().set_ip_blocked(true);
    let err = wecom.client.checkin_options(end, &users).await.unwrap_err();
    assert_eq!(err.errcode(), Some(60020));
}
