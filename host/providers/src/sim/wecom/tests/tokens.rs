//! Token rules: issue, reuse, expiry and invalidation.

use super::*;

#[tokio::test]
async fn gettoken_rules() {
    let (sim, served) = start().await;
    let c = sim.credentials();
    let first = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret={}",
            c.corp_id, c.secret
        ))
        .await;
    assert_eq!(
        (
            code(&first),
            first["errmsg"].as_str(),
            first["expires_in"].as_i64()
        ),
        (0, Some("ok"), Some(7200))
    );
    let again = token(&sim, &served).await;
    assert_eq!(
        first["access_token"].as_str(),
        Some(again.as_str()),
        "same token while valid"
    );
    let bad_corp = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid=wwnope&corpsecret={}",
            c.secret
        ))
        .await;
    assert_eq!(code(&bad_corp), 40013);
    let bad_secret = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret=nope",
            c.corp_id
        ))
        .await;
    assert_eq!(code(&bad_secret), 40001);
    assert_eq!(
        code(&served.get("/cgi-bin/gettoken?corpsecret=x").await),
        41002
    );
}

#[tokio::test]
async fn token_missing_invalid_expired_and_invalidated() {
    let (sim, served) = start().await;
    assert_eq!(code(&served.get("/cgi-bin/user/get?userid=x").await), 41001);
    assert_eq!(
        code(
            &served
                .get("/cgi-bin/user/get?access_token=bogus&userid=x")
                .await
        ),
        40014
    );
    let t = token(&sim, &served).await;
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}"))
                .await
        ),
        0
    );
    sim.controls().advance_clock(Duration::from_secs(7200));
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}"))
                .await
        ),
        42001
    );
    let fresh = token(&sim, &served).await;
    assert_ne!(fresh, t);
    sim.controls().invalidate_tokens();
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={fresh}"))
                .await
        ),
        40014
    );
}
