//! Menus and workbench templates.

use super::*;

#[tokio::test]
async fn menus_and_workbench_are_validated_and_stored() {
    let (sim, served) = start().await;
    let t = token(&sim, &served).await;
    let agent = sim.credentials().agent_id;
    assert_eq!(
        code(
            &served
                .get(&format!(
                    "/cgi-bin/menu/get?access_token={t}&agentid={agent}"
                ))
                .await
        ),
        46003
    );
    let menu = json!({"button": [
        {"type": "click", "name": "今日待办", "key": "todo"},
        {"name": "更多", "sub_button": [{"type": "view", "name": "审批中心", "url": "https://erp.example.com/approvals"}]}]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &menu
                )
                .await
        ),
        0
    );
    let stored = served
        .get(&format!(
            "/cgi-bin/menu/get?access_token={t}&agentid={agent}"
        ))
        .await;
    assert_eq!(stored["button"], menu["button"]);
    let four = json!({"button": [menu["button"][0], menu["button"][0], menu["button"][0], menu["button"][0]]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &four
                )
                .await
        ),
        40016
    );
    let long_name = json!({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/menu/create?access_token={t}&agentid={agent}"),
                    &long_name
                )
                .await
        ),
        40018
    );

    let template = json!({"agentid": agent, "type": "keydata", "keydata": {"items": [{"key": "待审批", "data": "2", "jump_url": "https://erp.example.com"}]}, "replace_user_data": false});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_template?access_token={t}"),
                    &template
                )
                .await
        ),
        0
    );
    let got = served
        .post(
            &format!("/cgi-bin/agent/get_workbench_template?access_token={t}"),
            &json!({"agentid": agent}),
        )
        .await;
    assert_eq!(
        (got["type"].as_str(), got["keydata"].clone()),
        (Some("keydata"), template["keydata"].clone())
    );
    let userid = sim
        .controls()
        .directory()
        .users()
        .next()
        .unwrap()
        .userid
        .clone();
    let data = json!({"agentid": agent, "userid": userid, "type": "keydata", "keydata": {"items": [{"key": "待审批", "data": "5"}]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_data?access_token={t}"),
                    &data
                )
                .await
        ),
        0
    );
    assert_eq!(
        sim.state.settings.workbench_data(&userid).unwrap()["keydata"],
        data["keydata"]
    );
    let five = json!({"agentid": agent, "type": "keydata", "keydata": {"items": [1, 2, 3, 4, 5]}});
    assert_eq!(
        code(
            &served
                .post(
                    &format!("/cgi-bin/agent/set_workbench_template?access_token={t}"),
                    &five
                )
                .await
        ),
        40058
    );
}
