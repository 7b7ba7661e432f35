//! WeCom login against the simulator: the authorize and web-login URLs, and the code exchange.

mod support;

use support::WeCom;
use url::Url;
use worklink_providers::api::ErrorClass;
use worklink_providers::wecom::OAuthScope;

#[tokio::test]
async fn a_login_code_resolves_to_the_member_once() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(1).remove(0);
    let code = wecom.sim.controls().oauth_code_for(&userid).unwrap();
    let identity = wecom.client.login_identity(&code).await.unwrap();
    assert_eq!(identity.userid.as_deref(), Some(userid.as_str()));
    let reused = wecom.client.login_identity(&code).await.unwrap_err();
    assert_eq!(reused.errcode(), Some(40029), "codes are single use");
    assert_eq!(reused.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn authorize_urls_carry_the_app_identity() {
    let wecom = WeCom::start().await;
    let creds = wecom.sim.credentials();
    let url = wecom.client.authorize_url(
        "https://erp.example.com/auth/callback",
        "xyz",
        OAuthScope::PrivateInfo,
    );
    let parsed = Url::parse(&url).unwrap();
    assert_eq!(parsed.fragment(), Some("wechat_redirect"));
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let agent_id = creds.agent_id.to_string();
    for (k, v) in [
        ("appid", creds.corp_id.as_str()),
        ("redirect_uri", "https://erp.example.com/auth/callback"),
        ("scope", "snsapi_privateinfo"),
        ("agentid", agent_id.as_str()),
        ("state", "xyz"),
    ] {
        assert!(
            pairs.contains(&(k.into(), v.into())),
            "{k} missing in {url}"
        );
    }
}
