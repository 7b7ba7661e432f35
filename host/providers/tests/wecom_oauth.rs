//! WeCom login against the simulator: the authorize and web-login URLs, and the code exchange.

mod support;

use std::time::Duration;

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

#[tokio::test]
async fn a_consented_login_reads_the_sensitive_fields_once_per_ticket_lifetime() {
    let wecom = WeCom::start().await;
    let userid = wecom.userids(3).remove(2);
    let member = wecom
        .sim
        .controls()
        .directory()
        .user(&userid)
        .unwrap()
        .clone();
    let plain = wecom.sim.controls().oauth_code_for(&userid).unwrap();
    let silent = wecom.client.login_identity(&plain).await.unwrap();
    assert!(
        silent.user_ticket.is_none(),
        "snsapi_base logins carry no ticket"
    );

    let code = wecom
        .sim
        .controls()
        .oauth_consent_code_for(&userid)
        .unwrap();
    let identity = wecom.client.login_identity(&code).await.unwrap();
    let ticket = identity
        .user_ticket
        .expect("consented logins carry a ticket");
    let detail = wecom.client.sensitive_detail(&ticket).await.unwrap();
    assert_eq!(detail.userid, member.userid);
    assert_eq!(detail.mobile.as_deref(), Some(member.mobile.as_str()));
    assert_eq!(detail.email.as_deref(), Some(member.email.as_str()));
    assert_eq!(detail.gender, Some(member.gender.to_string()));
    assert!(detail.avatar.is_some_and(|a| a.starts_with("https://")));

    wecom
        .sim
        .controls()
        .advance_clock(Duration::from_secs(1800));
    let expired = wecom.client.sensitive_detail(&ticket).await.unwrap_err();
    assert_eq!(expired.errcode(), Some(84014));
    assert_eq!(expired.class(), ErrorClass::Permanent);
}
