//! Contacts: reads, writes, redaction and cursor paging.

use super::*;

#[tokio::test]
async fn departments_and_users_read_and_write() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let list = served
        .get(&format!("/cgi-bin/department/list?access_token={t}"))
        .await;
    let departments = list["department"].as_array().unwrap();
    assert_eq!(departments.len(), 6);
    assert_eq!(departments[0]["id"], 1);
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/list?access_token={t}&id=404"))
                .await
        ),
        60123
    );

    let created = served
        .post(
            &format!("/cgi-bin/department/create?access_token={t}"),
            &json!({"name": "新部门", "parentid": 1}),
        )
        .await;
    assert_eq!(
        (code(&created), created["errmsg"].as_str()),
        (0, Some("created"))
    );
    let dept = created["id"].as_u64().unwrap();
    let user = json!({"userid": "NewHire", "name": "新人", "mobile": "13700000000", "department": [dept], "gender": "2"});
    let made = served
        .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
        .await;
    assert_eq!((code(&made), made["errmsg"].as_str()), (0, Some("created")));
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
                .await
        ),
        60102
    );
    let got = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid=newhire"
        ))
        .await;
    assert_eq!(
        (
            got["userid"].as_str(),
            got["gender"].as_str(),
            got["department"].clone()
        ),
        (Some("NewHire"), Some("2"), json!([dept]))
    );
    let members = served
        .get(&format!(
            "/cgi-bin/user/list?access_token={t}&department_id={dept}"
        ))
        .await;
    assert_eq!(members["userlist"].as_array().unwrap().len(), 1);
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/department/delete?access_token={t}&id={dept}"
                ))
                .await
        ),
        60005
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/user/delete?access_token={t}&userid=NewHire"
                ))
                .await
        ),
        0
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/user/get?access_token={t}&userid=NewHire"
                ))
                .await
        ),
        60111
    );
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/department/delete?access_token={t}&id={dept}"
                ))
                .await
        ),
        0
    );
    assert_eq!(
        code(
            &served
                .get(&format!("/cgi-bin/department/delete?access_token={t}&id=1"))
                .await
        ),
        60007
    );
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/user/create?access_token={t}"),
                    &json!("not an object")
                )
                .await
        ),
        47001
    );
}

#[tokio::test]
async fn new_app_mode_redacts_sensitive_fields() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let full = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid={userid}"
        ))
        .await;
    assert!(full["mobile"].is_string() && full["email"].is_string());
    sim.controls().set_new_app_mode(true);
    let redacted = served
        .get(&format!(
            "/cgi-bin/user/get?access_token={t}&userid={userid}"
        ))
        .await;
    for field in [
        "mobile", "email", "avatar", "gender", "biz_mail", "qr_code", "address",
    ] {
        assert!(redacted.get(field).is_none(), "{field} still present");
    }
    assert_eq!(redacted["name"], full["name"]);
}

#[tokio::test]
async fn list_id_pages_with_an_opaque_cursor() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let expected: usize = sim
        .controls()
        .directory()
        .users()
        .map(|u| u.departments.len())
        .sum();
    let mut rows = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let answer = served
            .post(
                &format!("/cgi-bin/user/list_id?access_token={t}"),
                &json!({"cursor": cursor, "limit": 10}),
            )
            .await;
        assert_eq!(code(&answer), 0);
        rows.extend(answer["dept_user"].as_array().unwrap().clone());
        pages += 1;
        cursor = answer["next_cursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(rows.len(), expected);
    assert_eq!(pages, expected.div_ceil(10));
    let too_big = served
        .post(
            &format!("/cgi-bin/user/list_id?access_token={t}"),
            &json!({"limit": 10001}),
        )
        .await;
    assert_eq!(code(&too_big), 40058);
}
