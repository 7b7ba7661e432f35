//! The `contacts` capability over the synced directory tables, on both backends: users,
//! departments and their sub-trees, searches and bindings, as a rule's script sees them.

#[macro_use]
mod storage_support;
mod pipeline_support;

use pipeline_support::{CONNECTION, Fixture};
use serde_json::json;
use storage_support::NOW;
use worklink_runtime::capability::Capability;
use worklink_runtime::invocation::Outcome;
use worklink_runtime::types::Event;
use worklink_server::storage::Store;
use worklink_server::storage::directory::{Binding, Department, DirectoryUser};

const DIRECTORY: &str = r#"
name = "directory"
on = "erp.*"
script = "directory.rhai"
grants = ["contacts"]
"#;

const SCRIPT: &str = r#"fn handle(event, config) {
    let ids = |users| users.map(|u| u.id);
    #{
        root: contacts::get_department("1").name,
        parent_of_sales: contacts::get_department("2").parent,
        direct: ids.call(contacts::department_members("1", false)),
        tree: ids.call(contacts::department_members("1", true)),
        by_name: ids.call(contacts::find_users(#{ name: "Li Si" })),
        by_employee: ids.call(contacts::find_users(#{ employee_no: "E-1" })),
        nobody: contacts::find_users(#{ email: "nobody@example.com" }).len(),
        binding: contacts::resolve_binding(#{ by: "user", id: "zhangsan" }).employee_id,
        missing: contacts::resolve_binding(#{ by: "employee", id: "E-404" }),
        bound: contacts::bound_user("E-1"),
        bound_again: contacts::bound_user("E-1").employee_no,
        unbound: contacts::bound_user("E-404"),
        departed_user: contacts::bound_user("E-9"),
        departed_binding: contacts::resolve_binding(#{ by: "employee", id: "E-9" }).user_id,
    }
}"#;

fn user(id: &str, name: &str, department: &str, active: bool) -> DirectoryUser {
    DirectoryUser {
        user_id: id.into(),
        name: name.into(),
        mobile: None,
        email: None,
        title: None,
        active,
        department_ids: vec![department.into()],
        tag_ids: vec![],
        profile: json!({}),
    }
}

async fn contacts_reads_the_directory_of_the_rules_connection(store: &Store) {
    let fx = Fixture::new(store).await;
    for (id, parent, name) in [("1", None, "Head office"), ("2", Some("1"), "Sales")] {
        let department = Department {
            dept_id: id.into(),
            parent_id: parent.map(str::to_owned),
            name: name.into(),
        };
        store
            .upsert_department(CONNECTION, &department, NOW)
            .await
            .unwrap();
    }
    // zhangsan (seeded, bound to E-1) is in 1; lisi in 2; a departed member in 2.
    for member in [
        user("lisi", "Li Si", "2", true),
        user("gone", "Gone", "2", false),
    ] {
        store.upsert_user(CONNECTION, &member, NOW).await.unwrap();
    }
    // E-9 is bound to a user no longer in the directory.
    store
        .bind_employee(
            CONNECTION,
            &Binding {
                erp_employee_id: "E-9".into(),
                user_id: "ghost".into(),
                matched_by: "manual".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    fx.write("directory.rhai", SCRIPT);
    fx.rule("directory", DIRECTORY, &[Capability::Contacts])
        .await;

    let event = Event {
        id: "d-1".into(),
        kind: "erp.probe".into(),
        source: "erp".into(),
        occurred_at: NOW,
        payload: json!({}),
    };
    let result = fx.pipeline.dry_run("directory", event).await.unwrap();
    let Outcome::Ok { output } = result.outcome else {
        panic!("{:?} {:?}", result.outcome, result.logs);
    };
    assert_eq!(
        output,
        json!({
            "root": "Head office",
            "parent_of_sales": "1",
            "direct": ["zhangsan"],
            "tree": ["zhangsan", "lisi"],
            "by_name": ["lisi"],
            "by_employee": ["zhangsan"],
            "nobody": 0,
            "binding": "E-1",
            "missing": null,
            "bound": {
                "id": "zhangsan", "name": "Zhang San", "mobile": "13800000001", "email": null,
                "title": null, "employee_no": "E-1", "departments": ["1"], "active": true,
            },
            "bound_again": "E-1",
            "unbound": null,
            "departed_user": null,
            "departed_binding": "ghost",
        })
    );
}

on_both_backends!(contacts_reads_the_directory_of_the_rules_connection);
