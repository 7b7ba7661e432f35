//! Directory sync against the simulators, on SQLite and PostgreSQL: the seeded tenant is
//! imported, a member removed at the provider becomes inactive (never deleted), and neither a
//! first sync nor a partial read deactivates anyone.

#[macro_use]
mod storage_support;
mod delivery_support;

use std::time::Duration;

use delivery_support::World;
use serde_json::json;
use worklink_server::storage::directory::DirectoryUser;
use worklink_server::storage::{Store, now_millis};
use worklink_server::sync::schedule::sync_if_due;
use worklink_server::sync::sync_connection;

async fn the_seeded_tenants_are_imported(store: &Store) {
    let world = World::start(store).await;
    for (name, controls) in [
        ("corp", world.sims.wecom.controls()),
        ("ding", world.sims.dingtalk.controls()),
    ] {
        let directory = controls.directory();
        let report = sync_connection(store, &world.clients, name).await.unwrap();
        assert!(report.complete && report.first, "{report:?}");
        assert_eq!(report.users, directory.users().count(), "{name}");
        assert_eq!(report.deactivated, 0);
        for member in directory.users() {
            let stored = store
                .directory_user(name, &member.userid)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{name}: {} not imported", member.userid));
            assert_eq!(stored.name, member.name);
            assert_eq!(stored.active, member.enabled);
            let mut departments: Vec<String> =
                member.departments.iter().map(u64::to_string).collect();
            departments.sort();
            assert_eq!(
                stored.department_ids, departments,
                "{name}: {}",
                member.userid
            );
        }
    }
    let wecom_departments = world
        .sims
        .wecom
        .controls()
        .directory()
        .departments()
        .count();
    let report = sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    assert_eq!(report.departments, wecom_departments);
    assert!(report.tags > 0, "the seeded corp has tags");
    assert!(!report.first);
}

async fn a_member_removed_at_the_provider_becomes_inactive(store: &Store) {
    let world = World::start(store).await;
    sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    let (leaver, stayer) = (world.sims.wecom_user(0), world.sims.wecom_user(1));
    world
        .clients
        .wecom("corp")
        .unwrap()
        .delete_user(&leaver)
        .await
        .unwrap();

    let report = sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    assert!(report.complete);
    assert_eq!(report.deactivated, 1);
    let gone = store.directory_user("corp", &leaver).await.unwrap();
    let gone = gone.expect("a departed member is kept, not deleted");
    assert!(!gone.active);
    let kept = store
        .directory_user("corp", &stayer)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.active);
}

async fn a_partial_read_deactivates_nobody(store: &Store) {
    let world = World::start(store).await;
    sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    let leaver = world.sims.wecom_user(0);
    world
        .clients
        .wecom("corp")
        .unwrap()
        .delete_user(&leaver)
        .await
        .unwrap();
    // One department's member list fails: the leaver's absence proves nothing.
    world
        .sims
        .wecom
        .controls()
        .errcode_next("/cgi-bin/user/list", 60011);
    let report = sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    assert!(!report.complete);
    assert_eq!(report.deactivated, 0);
    let user = store
        .directory_user("corp", &leaver)
        .await
        .unwrap()
        .unwrap();
    assert!(user.active);
}

async fn the_first_sync_leaves_rows_it_does_not_know_alone(store: &Store) {
    let world = World::start(store).await;
    store
        .register_connection(world.clients.connection("corp").unwrap(), now_millis())
        .await
        .unwrap();
    let stray = DirectoryUser {
        user_id: "imported-before-sync".into(),
        name: "Manual".into(),
        mobile: None,
        email: None,
        title: None,
        active: true,
        department_ids: vec![],
        tag_ids: vec![],
        profile: json!({}),
    };
    store.upsert_user("corp", &stray, 1).await.unwrap();
    let report = sync_connection(store, &world.clients, "corp")
        .await
        .unwrap();
    assert!(report.first);
    assert_eq!(report.deactivated, 0);
    let user = store
        .directory_user("corp", &stray.user_id)
        .await
        .unwrap()
        .unwrap();
    assert!(user.active);
}

async fn the_periodic_sync_runs_only_when_due(store: &Store) {
    let world = World::start(store).await;
    let hour = Duration::from_secs(3600);
    assert!(
        sync_if_due(store, &world.clients, "ding", hour)
            .await
            .unwrap()
    );
    assert!(
        !sync_if_due(store, &world.clients, "ding", hour)
            .await
            .unwrap()
    );
    assert!(
        sync_if_due(store, &world.clients, "ding", Duration::ZERO)
            .await
            .unwrap()
    );
}

on_both_backends!(
    the_seeded_tenants_are_imported,
    a_member_removed_at_the_provider_becomes_inactive,
    a_partial_read_deactivates_nobody,
    the_first_sync_leaves_rows_it_does_not_know_alone,
    the_periodic_sync_runs_only_when_due,
);
