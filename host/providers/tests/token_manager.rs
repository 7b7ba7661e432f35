//! Token sharing across replicas: clients that share a token store share one token, whichever
//! process fetched it, and a token one replica found invalid is replaced for all of them.

mod support;

use std::sync::Arc;

use support::{WeCom, fast_http};
use worklink_providers::api::Secret;
use worklink_providers::token::{MemoryTokenStore, TokenManager, TokenStore};
use worklink_providers::wecom::{Client, WeComConfig};

fn replica(wecom: &WeCom, store: Arc<dyn TokenStore>) -> Client {
    let creds = wecom.sim.credentials();
    let mut cfg = WeComConfig::new(creds.corp_id, creds.agent_id, Secret::new(creds.secret));
    cfg.base_url = wecom.server.base_url.clone();
    cfg.http = fast_http();
    Client::new(cfg, Arc::new(TokenManager::new(store)))
}

#[tokio::test]
async fn replicas_sharing_a_store_fetch_one_token() {
    let wecom = WeCom::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let (a, b) = (
        replica(&wecom, store.clone()),
        replica(&wecom, store.clone()),
    );
    a.list_tags().await.unwrap();
    b.list_tags().await.unwrap();
    assert_eq!(wecom.count("/cgi-bin/gettoken"), 1);
}

#[tokio::test]
async fn a_token_invalidated_by_one_replica_is_replaced_for_all() {
    let wecom = WeCom::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let (a, b) = (
        replica(&wecom, store.clone()),
        replica(&wecom, store.clone()),
    );
    a.list_tags().await.unwrap();
    wecom.sim.controls().invalidate_tokens();
    a.list_tags().await.unwrap();
    b.list_tags().await.unwrap();
    assert_eq!(wecom.count("/cgi-bin/gettoken"), 2);
    assert_eq!(
        wecom.count("/cgi-bin/tag/list"),
        4,
        "only replica a saw the invalid token"
    );
}

#[tokio::test]
async fn separate_stores_fetch_separately() {
    let wecom = WeCom::start().await;
    let a = replica(&wecom, Arc::new(MemoryTokenStore::new()));
    let b = replica(&wecom, Arc::new(MemoryTokenStore::new()));
    a.list_tags().await.unwrap();
    b.list_tags().await.unwrap();
    assert_eq!(wecom.count("/cgi-bin/gettoken"), 2);
}
