//! OAuth codes and consented logins.

use super::*;

#[tokio::test]
async fn oauth_codes_map_to_users_once() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .nth(3)
        .unwrap()
        .userid
        .clone();
    let code_for = sim.controls().oauth_code_for(&userid).unwrap();
    let answer = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={code_for}"
        ))
        .await;
    assert_eq!(answer["userid"].as_str(), Some(userid.as_str()));
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/auth/getuserinfo?access_token={t}&code={code_for}"
                ))
                .await
        ),
        40029
    );
    assert!(sim.controls().oauth_code_for("ghost").is_err());
}

#[tokio::test]
async fn consented_logins_unlock_sensitive_fields_by_ticket() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let user = sim.controls().directory().users().nth(2).unwrap().clone();
    let plain = sim.controls().oauth_code_for(&user.userid).unwrap();
    let base = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={plain}"
        ))
        .await;
    assert!(base.get("user_ticket").is_none(), "{base}");
    let consent = sim.controls().oauth_consent_code_for(&user.userid).unwrap();
    let login = served
        .get(&format!(
            "/cgi-bin/auth/getuserinfo?access_token={t}&code={consent}"
        ))
        .await;
    let ticket = login["user_ticket"].as_str().unwrap().to_owned();
    let path = format!("/cgi-bin/auth/getuserdetail?access_token={t}");
    let detail = served.post(&path, &json!({"user_ticket": ticket})).await;
    assert_eq!(
        (
            detail["userid"].as_str(),
            detail["mobile"].as_str(),
            detail["email"].as_str()
        ),
        (
            Some(user.userid.as_str()),
            Some(user.mobile.as_str()),
            Some(user.email.as_str())
        )
    );
    let forged = served.post(&path, &json!({"user_ticket": "forged"})).await;
    assert_eq!(code(&forged), 84014);
    sim.controls().advance_clock(Duration::from_secs(1800));
    let t = token(&sim, &served).await;
    let path = format!("/cgi-bin/auth/getuserdetail?access_token={t}");
    let late = served.post(&path, &json!({"user_ticket": ticket})).await;
    assert_eq!(code(&late), 84014, "tickets last 1800 s");
}
