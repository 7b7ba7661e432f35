//! DingTalk login against the simulator: OAuth2 user token and profile, in-app login, and the
//! legacy signed `sns/getuserinfo_bycode`.

mod support;

use std::time::Duration;

use support::DingTalk;
use url::Url;
use worklink_providers::api::ErrorClass;

#[tokio::test]
async fn oauth2_code_gives_a_user_token_and_profile() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    let code = ding.sim.controls().oauth_code_for(&userid).unwrap();
    let token = ding.client.user_token(&code).await.unwrap();
    assert!(
        !format!("{token:?}").contains(token.access_token.expose()),
        "user tokens are redacted"
    );
    let profile = ding.client.user_profile(&token).await.unwrap();
    assert_eq!(profile.union_id, format!("un{userid}"));
    let reused = ding.client.user_token(&code).await.unwrap_err();
    assert_eq!(
        reused.class(),
        ErrorClass::Permanent,
        "codes are single use"
    );
    assert_eq!(
        ding.count("/gettoken"),
        0,
        "the code exchange needs no app token"
    );
}

#[tokio::test]
async fn in_app_code_resolves_to_the_member() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    let code = ding.sim.controls().oauth_code_for(&userid).unwrap();
    assert_eq!(ding.client.in_app_user(&code).await.unwrap().userid, userid);
}

#[tokio::test]
async fn legacy_login_is_signed_with_the_app_secret() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    let code = ding.sim.controls().oauth_code_for(&userid).unwrap();
    let user = ding.client.sns_user(&code).await.unwrap();
    assert_eq!(user.unionid, format!("un{userid}"));
}

#[tokio::test]
async fn legacy_login_with_a_skewed_clock_names_the_fix() {
    let ding = DingTalk::start().await;
    let userid = ding.userids(1).remove(0);
    let code = ding.sim.controls().oauth_code_for(&userid).unwrap();
    ding.sim.controls().advance_clock(Duration::from_secs(120));
    let err = ding.client.sns_user(&code).await.unwrap_err();
    assert_eq!(err.errcode(), Some(853002));
    assert!(err.to_string().contains("NTP"), "{err}");
}

#[tokio::test]
async fn login_url_names_the_app() {
    let ding = DingTalk::start().await;
    let url = Url::parse(&ding.client.login_url("https://erp.example.com/cb", "s1")).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("client_id".into(), ding.sim.credentials().app_key)));
    assert!(pairs.contains(&("redirect_uri".into(), "https://erp.example.com/cb".into())));
    assert!(pairs.contains(&("response_type".into(), "code".into())));
}
