//! App messages and the group robot.

use super::*;

#[tokio::test]
async fn message_send_reports_invalid_recipients_and_throttles_silently() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let agent = sim.credentials().agent_id;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let send = |touser: String| json!({"touser": touser, "toparty": "404", "msgtype": "text", "agentid": agent, "text": {"content": "hello"}});
    let answer = served
        .post(
            &format!("/cgi-bin/message/send?access_token={t}"),
            &send(format!("{userid}|GhostUser")),
        )
        .await;
    assert_eq!(code(&answer), 0, "{answer}");
    assert_eq!(answer["invaliduser"], "ghostuser");
    assert_eq!(answer["invalidparty"], "404");
    assert!(!answer["msgid"].as_str().unwrap().is_empty());
    let none_valid = served
        .post(
            &format!("/cgi-bin/message/send?access_token={t}"),
            &send("ghost".into()),
        )
        .await;
    assert_eq!(code(&none_valid), 81013);
    for _ in 0..31 {
        let answer = served
            .post(
                &format!("/cgi-bin/message/send?access_token={t}"),
                &send(userid.clone()),
            )
            .await;
        assert_eq!(code(&answer), 0, "over-limit sends still answer ok");
    }
    let messages = sim.controls().messages();
    assert_eq!(messages.len(), 32);
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.delivered == vec![userid.clone()])
            .count(),
        30
    );
    assert_eq!(messages.last().unwrap().throttled, vec![userid.clone()]);
    let wrong_agent =
        json!({"touser": userid, "msgtype": "text", "agentid": 1, "text": {"content": "x"}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/message/send?access_token={t}"),
                    &wrong_agent
                )
                .await
        ),
        40056
    );
}

#[tokio::test]
async fn robot_webhook_key_content_and_rate() {
    let (sim, served) = start().await;
    let key = sim.credentials().robot_key;
    let body =
        json!({"msgtype": "text", "text": {"content": "部署完成", "mentioned_list": ["@all"]}});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &body)
                .await
        ),
        0
    );
    assert_eq!(
        code(&served.post("/cgi-bin/webhook/send?key=wrong", &body).await),
        93000
    );
    let empty = json!({"msgtype": "text", "text": {"content": ""}});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &empty)
                .await
        ),
        44004
    );
    let mut codes = Vec::new();
    for _ in 0..20 {
        codes.push(code(
            &served
                .post(&format!("/cgi-bin/webhook/send?key={key}"), &body)
                .await,
        ));
    }
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        19,
        "20 a minute, the first post included"
    );
    assert_eq!(codes.last(), Some(&45009));
    assert_eq!(sim.controls().robot_posts().len(), 23);
}
