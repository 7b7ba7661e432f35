//! DingTalk attendance against the simulator: 7-day windows, 50-user chunks and offset paging,
//! merged into one list.

mod support;

use std::collections::HashSet;

use support::DingTalk;
use worklink_providers::sim::SimConfig;

const PATH: &str = "/attendance/list";
const DAY: i64 = 86_400;

#[tokio::test]
async fn long_ranges_are_split_into_weeks() {
    let ding = DingTalk::start().await;
    let users = ding.userids(3);
    let end = ding.sim.controls().now_ms() / 1000;
    let records = ding
        .client
        .attendance(&users, end - 20 * DAY, end)
        .await
        .unwrap();
    assert_eq!(
        ding.count(PATH),
        3,
        "20 days = three windows of ≤ 7 days, one page each"
    );
    assert!(records.iter().all(|r| users.contains(&r.user_id)));
    let distinct: HashSet<_> = records.iter().map(|r| r.id).collect();
    assert_eq!(distinct.len(), records.len(), "windows must not overlap");
}

#[tokio::test]
async fn many_users_are_chunked_and_every_page_is_read() {
    let ding = DingTalk::start_with(SimConfig {
        seed: 5,
        users: 120,
        departments: 3,
    })
    .await;
    let users = ding.userids(120);
    let end = ding.sim.controls().now_ms() / 1000;
    let records = ding
        .client
        .attendance(&users, end - 2 * DAY, end)
        .await
        .unwrap();
    let distinct: HashSet<_> = records.iter().map(|r| r.id).collect();
    assert_eq!(distinct.len(), records.len());
    // One window, three user chunks (50, 50, 20); each chunk is read in pages of ≤ 50 rows.
    let expected_calls: usize = users
        .chunks(50)
        .map(|chunk| {
            records
                .iter()
                .filter(|r| chunk.contains(&r.user_id))
                .count()
                .div_ceil(50)
                .max(1)
        })
        .sum();
    assert_eq!(ding.count(PATH), expected_calls);
    let calls = ding.sim.controls().calls();
    let bodies: Vec<serde_json::Value> = calls
        .iter()
        .filter(|c| c.path == PATH)
        .map(|c| serde_json::from_str(&c.body).unwrap())
        .collect();
    assert!(
        bodies
            .iter()
            .all(|b| b["userIdList"].as_array().unwrap().len() <= 50)
    );
}

#[tokio::test]
async fn split_results_equal_smaller_queries() {
    let ding = DingTalk::start().await;
    let one = ding.userids(1);
    let end = ding.sim.controls().now_ms() / 1000;
    let start = end - 12 * DAY;
    let whole = ding.client.attendance(&one, start, end).await.unwrap();
    let mid = start + 5 * DAY;
    let mut halves = ding.client.attendance(&one, start, mid).await.unwrap();
    halves.extend(ding.client.attendance(&one, mid + 1, end).await.unwrap());
    assert!(!whole.is_empty());
    assert_eq!(halves, whole);
}
