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
