//! Fault injection knobs.

use super::*;

#[tokio::test]
async fn fault_knobs() {
    let (sim, served) = start().await;
    let controls = sim.controls();
    controls.set_ip_blocked(true);
    assert_eq!(
        code(&served.get("/cgi-bin/gettoken?corpid=a&corpsecret=b").await),
        60020
    );
    controls.set_ip_blocked(false);
    let t = token(&sim, &served).await;
    controls.fail_next(1, 502);
    let status = served
        .get_raw(&format!("/cgi-bin/department/list?access_token={t}"))
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 502);
    controls.drop_next(1);
    let dropped = async {
        served
            .get_raw(&format!("/cgi-bin/department/list?access_token={t}"))
            .await?
            .bytes()
            .await
    };
    assert!(
        dropped.await.is_err(),
        "a dropped connection is an error, not an answer"
    );
    controls.errcode_next("/cgi-bin/user/get", -1);
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/user/get?access_token={t}&userid=x"))
                .await
        ),
        -1
    );
    controls.set_rate_limit(Some(RateLimit {
        calls: 2,
        window: Duration::from_secs(60),
    }));
    let path = format!("/cgi-bin/tag/list?access_token={t}");
    assert_eq!(code(&served.get(&path).await), 0);
    assert_eq!(code(&served.get(&path).await), 0);
    assert_eq!(code(&served.get(&path).await), 45009);
    controls.advance_clock(Duration::from_secs(60));
    assert_eq!(code(&served.get(&path).await), 0);
    assert!(controls.call_count("/cgi-bin/tag/list") >= 4);
}
