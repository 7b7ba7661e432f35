//! Provider clients against the simulators, on SQLite and PostgreSQL: "test credentials" reports
//! what the app sees or the provider's errcode with its hint, and replicas sharing a database
//! fetch one access token between them.

#[macro_use]
mod storage_support;
mod delivery_support;

use std::time::Duration;

use delivery_support::{Erp, Sims, config, http};
use worklink_providers::api::{ErrorClass, Secret};
use worklink_server::clients::{Clients, ClientsError};
use worklink_server::config::Credentials;
use worklink_server::storage::{Backend, Store};

async fn check_reports_what_the_app_sees(store: &Store) {
    let sims = Sims::start().await;
    let erp = Erp::start().await;
    let clients = Clients::with_http(&config(&sims, &erp.url), store.clone(), &http()).unwrap();
    let corp = clients.check("corp").await.unwrap();
    assert_eq!(corp.provider, "wecom");
    assert_eq!(corp.corp_id, sims.wecom.credentials().corp_id);
    let departments = sims.wecom.controls().directory().departments().count();
    assert_eq!(corp.visible_departments, departments);
    let ding = clients.check("ding").await.unwrap();
    assert_eq!(ding.provider, "dingtalk");
    let root_children = sims
        .dingtalk
        .controls()
        .directory()
        .children(1)
        .unwrap()
        .len();
    assert_eq!(ding.visible_departments, root_children);
}

async fn check_failures_carry_errcode_and_hint(store: &Store) {
    let sims = Sims::start().await;
    let erp = Erp::start().await;
    let mut config = config(&sims, &erp.url);
    let clients = Clients::with_http(&config, store.clone(), &http()).unwrap();
    sims.wecom.controls().set_ip_blocked(true);
    let Err(ClientsError::Api(blocked)) = clients.check("corp").await else {
        panic!("a blocked IP fails the check");
    };
    assert_eq!(blocked.errcode(), Some(60020));
    assert!(blocked.to_string().contains("trusted IPs"), "{blocked}");

    config.connections[0].credentials = Credentials::Wecom {
        secret: Secret::new("not-the-app-secret"),
    };
    sims.wecom.controls().set_ip_blocked(false);
    let clients = Clients::with_http(&config, store.clone(), &http()).unwrap();
    let Err(ClientsError::Api(wrong)) = clients.check("corp").await else {
        panic!("a wrong secret fails the check");
    };
    assert_eq!(wrong.errcode(), Some(40001));
    assert_eq!(wrong.class(), ErrorClass::Permanent);
    assert!(
        wrong.to_string().contains("check the app secret"),
        "{wrong}"
    );
    assert!(!wrong.to_string().contains("not-the-app-secret"));
    assert!(matches!(
        clients.check("elsewhere").await,
        Err(ClientsError::UnknownConnection(_))
    ));
}

/// Several replicas on PostgreSQL (each with its own clients and token manager), or one
/// process on SQLite, asking for the same token at once: the provider sees one `gettoken`.
async fn replicas_share_one_token_refresh(store: &Store) {
    let sims = Sims::start().await;
    let erp = Erp::start().await;
    let config = config(&sims, &erp.url);
    let replicas = match store.backend() {
        Backend::Postgres => 3,
        Backend::Sqlite => 1,
    };
    let replicas: Vec<_> = (0..replicas)
        .map(|_| Clients::with_http(&config, store.clone(), &http()).unwrap())
        .collect();
    // Slow answers widen the window in which unguarded replicas would each fetch.
    sims.wecom.controls().set_latency(Duration::from_millis(30));
    let mut checks = tokio::task::JoinSet::new();
    for clients in &replicas {
        for _ in 0..4 {
            let clients = clients.clone();
            checks.spawn(async move { clients.check("corp").await.map(|_| ()) });
        }
    }
    while let Some(check) = checks.join_next().await {
        check.unwrap().unwrap();
    }
    assert_eq!(sims.wecom.controls().call_count("/cgi-bin/gettoken"), 1);
}

on_both_backends!(
    check_reports_what_the_app_sees,
    check_failures_carry_errcode_and_hint,
    replicas_share_one_token_refresh,
);
