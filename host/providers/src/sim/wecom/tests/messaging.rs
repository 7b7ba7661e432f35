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
async fn duplicate_check_drops_a_repeat_within_the_interval() {
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
    let path = format!("/cgi-bin/message/send?access_token={t}");
    let send = |interval: Option<i64>| {
        let mut body = json!({"touser": userid, "msgtype": "text", "agentid": agent,
            "text": {"content": "approved"}, "enable_duplicate_check": 1});
        if let Some(secs) = interval {
            body["duplicate_check_interval"] = json!(secs);
        }
        body
    };
    let first = served.post(&path, &send(None)).await;
    let repeat = served.post(&path, &send(None)).await;
    assert_eq!(code(&repeat), 0, "a repeat is accepted: {repeat}");
    assert_eq!(repeat["msgid"], first["msgid"]);
    assert_eq!(
        sim.controls().messages().len(),
        1,
        "but not delivered again"
    );

    // Other content is not a repeat.
    let mut other = send(None);
    other["text"]["content"] = json!("rejected");
    assert_eq!(code(&served.post(&path, &other).await), 0);
    assert_eq!(sim.controls().messages().len(), 2);

    // The default interval is 1800 s: one second short of it still drops, past it delivers.
    sim.controls().advance_clock(Duration::from_secs(1799));
    assert_eq!(code(&served.post(&path, &send(None)).await), 0);
    assert_eq!(sim.controls().messages().len(), 2);
    sim.controls().advance_clock(Duration::from_secs(1));
    let later = served.post(&path, &send(None)).await;
    assert_ne!(later["msgid"], first["msgid"]);
    assert_eq!(sim.controls().messages().len(), 3);

    // A longer interval of the request's own, up to 4 h, widens the window (the 2 h token
    // has expired by then, so a new one is fetched).
    sim.controls().advance_clock(Duration::from_secs(3 * 3600));
    let path = format!(
        "/cgi-bin/message/send?access_token={}",
        token(&sim, &served).await
    );
    let widened = served.post(&path, &send(Some(4 * 3600))).await;
    assert_eq!(code(&widened), 0, "{widened}");
    assert_eq!(sim.controls().messages().len(), 3);
    for bad in [0, 4 * 3600 + 1] {
        assert_eq!(code(&served.post(&path, &send(Some(bad))).await), 40058);
    }

    // Without the flag the same message is delivered every time.
    let mut unchecked = send(None);
    unchecked
        .as_object_mut()
        .unwrap()
        .remove("enable_duplicate_check");
    assert_eq!(code(&served.post(&path, &unchecked).await), 0);
    assert_eq!(sim.controls().messages().len(), 4);
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
