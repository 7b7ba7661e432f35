//! WeCom app menus and the workbench template against the simulator.

mod support;

use support::WeCom;
use worklink_providers::wecom::{Button, Menu, WorkbenchItem, WorkbenchTemplate};

fn click(name: &str, key: &str) -> Button {
    Button {
        kind: Some("click".into()),
        name: name.into(),
        key: Some(key.into()),
        ..Button::default()
    }
}

#[tokio::test]
async fn a_valid_menu_is_created_read_back_and_deleted() {
    let wecom = WeCom::start().await;
    let view = Button {
        kind: Some("view".into()),
        name: "门户".into(),
        url: Some("https://erp.example.com".into()),
        ..Button::default()
    };
    let menu = Menu {
        button: vec![
            click("今日待办", "TODAY"),
            Button {
                name: "更多".into(),
                sub_button: vec![view, click("帮助", "HELP")],
                ..Button::default()
            },
        ],
    };
    wecom.client.create_menu(&menu).await.unwrap();
    assert_eq!(wecom.client.get_menu().await.unwrap(), menu);
    wecom.client.delete_menu().await.unwrap();
    let err = wecom.client.get_menu().await.unwrap_err();
    assert!(err.errcode().is_some(), "no menu after delete: {err}");
}

#[tokio::test]
async fn workbench_templates_round_trip() {
    let wecom = WeCom::start().await;
    assert_eq!(
        wecom.client.workbench_template().await.unwrap(),
        WorkbenchTemplate::Normal
    );
    let keydata = WorkbenchTemplate::KeyData(vec![
        WorkbenchItem {
            key: Some("待审批".into()),
            data: Some("3".into()),
            jump_url: Some("https://erp.example.com/a".into()),
            ..WorkbenchItem::default()
        },
        WorkbenchItem {
            key: Some("本月报销".into()),
            data: Some("¥1200".into()),
            ..WorkbenchItem::default()
        },
    ]);
    wecom
        .client
        .set_workbench_template(&keydata, true)
        .await
        .unwrap();
    assert_eq!(wecom.client.workbench_template().await.unwrap(), keydata);
    let image = WorkbenchTemplate::Image {
        url: "https://erp.example.com/banner.png".into(),
        jump_url: None,
    };
    wecom
        .client
        .set_workbench_template(&image, false)
        .await
        .unwrap();
    assert_eq!(wecom.client.workbench_template().await.unwrap(), image);
}
