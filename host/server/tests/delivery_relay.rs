//! The outbox relay against the real simulators and an ERP receiver, on SQLite and PostgreSQL:
//! messages, robots, ERP documents, approvals and kv writes arrive; transient failures are
//! retried, permanent ones dead-lettered with errcode and hint; a resend after a crash reaches
//! nobody twice.

#[macro_use]
mod storage_support;
mod delivery_support;

use std::sync::Arc;
use std::time::Duration;

use delivery_support::{World, text_message};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use worklink_server::clients::Clients;
use worklink_server::delivery::{Outcome, Relay};
use worklink_server::storage::outbox::EffectStatus;
use worklink_server::storage::{Backend, Store};
use worklink_server::wake::Wakeups;

fn delivered(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Delivered { .. })
}

async fn messages_reach_wecom_and_dingtalk(store: &Store) {
    let world = World::start(store).await;
    let (wecom_user, ding_user) = (world.sims.wecom_user(0), world.sims.dingtalk_user(0));
    world
        .stage(vec![
            text_message("corp", &wecom_user, "报销单已批准"),
            text_message("ding", &ding_user, "报销单已批准"),
        ])
        .await;
    let attempts = world.settle(2).await;
    assert!(
        attempts.iter().all(|d| delivered(&d.outcome)),
        "{attempts:?}"
    );

    let wecom = world.sims.wecom.controls().messages();
    assert_eq!(wecom.len(), 1);
    assert_eq!(wecom[0].delivered, [wecom_user]);
    assert_eq!(wecom[0].body["text"]["content"], "报销单已批准");
    assert_eq!(wecom[0].body["enable_duplicate_check"], 1);
    let ding = world.sims.dingtalk.controls().messages();
    assert_eq!(ding.len(), 1);
    assert_eq!(ding[0].delivered, [ding_user]);

    // The provider's message id is kept as the delivery result.
    let Outcome::Delivered { result } = &attempts[0].outcome else {
        unreachable!()
    };
    assert_eq!(result, &wecom[0].id);
}

async fn erp_documents_arrive_signed_with_the_idempotency_key(store: &Store) {
    let world = World::start(store).await;
    let keys = world
        .stage(vec![json!({
            "effect": "erp_post",
            "kind": "voucher",
            "idempotency_key": "voucher-for-sp-202611210001",
            "body": {"amount": "1280.00", "currency": "CNY"},
        })])
        .await;
    let attempts = world.settle(1).await;
    assert!(delivered(&attempts[0].outcome), "{attempts:?}");
    let received = world.erp.received();
    assert_eq!(received.len(), 1);
    let post = &received[0];
    assert!(post.signature_valid, "X-Worklink-Signature must verify");
    assert_eq!(post.idempotency_key, keys[0]);
    assert_eq!(post.body["id"], keys[0].as_str());
    assert_eq!(post.body["kind"], "voucher");
    assert_eq!(post.body["document"]["amount"], "1280.00");
    assert_eq!(post.body["document_key"], "voucher-for-sp-202611210001");
}

async fn transient_failures_are_retried_then_delivered(store: &Store) {
    let world = World::start(store).await;
    // A token first, so the injected faults hit message/send itself.
    world.clients.check("corp").await.unwrap();
    let wecom = world.sims.wecom.controls();
    wecom.fail_next(1, 503);
    wecom.errcode_next("/cgi-bin/message/send", 45009);
    world.erp.fail_next(1);
    let user = world.sims.wecom_user(1);
    world
        .stage(vec![
            text_message("corp", &user, "busy at first"),
            json!({"effect": "erp_post", "kind": "voucher", "idempotency_key": "v-1", "body": {}}),
        ])
        .await;
    let attempts = world.settle(2).await;

    let message: Vec<_> = attempts.iter().filter(|d| d.kind == "message").collect();
    assert_eq!(
        message.len(),
        3,
        "503, then 45009, then delivered: {message:?}"
    );
    assert!(
        matches!(&message[0].outcome, Outcome::Retrying { error, .. } if error.contains("503"))
    );
    assert!(
        matches!(&message[1].outcome, Outcome::Retrying { error, .. } if error.contains("45009"))
    );
    assert!(delivered(&message[2].outcome));
    assert_eq!(message[2].attempts, 3);
    assert_eq!(wecom.messages().len(), 1);
    assert_eq!(wecom.messages()[0].delivered, [user]);

    let erp: Vec<_> = attempts.iter().filter(|d| d.kind == "erp_post").collect();
    assert_eq!(erp.len(), 2);
    assert!(delivered(&erp[1].outcome));
    let received = world.erp.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].idempotency_key, received[1].idempotency_key,
        "a retry carries the same idempotency key"
    );
}

async fn transient_failures_past_the_last_attempt_are_dead(store: &Store) {
    let world = World::start(store).await;
    world.erp.fail_next(100);
    world
        .stage(vec![
            json!({"effect": "erp_post", "kind": "voucher", "idempotency_key": "v-9", "body": {}}),
        ])
        .await;
    let attempts = world.settle(1).await;
    // The test policy allows four attempts.
    assert_eq!(attempts.len(), 4, "{attempts:?}");
    let Outcome::Dead { errcode, error } = &attempts[3].outcome else {
        panic!("dead after the last attempt: {attempts:?}");
    };
    assert_eq!(errcode.as_deref(), Some("http 503"));
    assert!(error.starts_with("gave up after 4 attempts"), "{error}");
    assert_eq!(world.erp.received().len(), 4);
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead[0].last_errcode.as_deref(), Some("http 503"));
}

async fn permanent_failures_are_dead_with_errcode_and_hint(store: &Store) {
    let world = World::start(store).await;
    world
        .sims
        .dingtalk
        .controls()
        .errcode_next("/topapi/message/corpconversation/asyncsend_v2", 60020);
    let ding_user = world.sims.dingtalk_user(0);
    world
        .stage(vec![
            text_message("corp", "nobody-here", "lost"),
            text_message("ding", &ding_user, "blocked"),
            json!({"effect": "robot_post", "robot": "no-such-robot",
                   "message": {"type": "text", "content": "x"}}),
        ])
        .await;
    let attempts = world.settle(3).await;
    assert_eq!(
        attempts.len(),
        3,
        "nothing permanent is retried: {attempts:?}"
    );
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 3);
    assert!(
        dead.iter()
            .all(|e| e.status == EffectStatus::Dead && e.attempts == 1)
    );

    assert_eq!(dead[0].last_errcode.as_deref(), Some("81013"));
    let error = dead[0].last_error.as_deref().unwrap();
    assert!(error.contains("hint: no valid recipient"), "{error}");
    assert_eq!(dead[1].last_errcode.as_deref(), Some("60020"));
    let error = dead[1].last_error.as_deref().unwrap();
    assert!(error.contains("IP allow-list"), "{error}");
    assert_eq!(dead[2].last_errcode, None);
    let error = dead[2].last_error.as_deref().unwrap();
    assert!(error.contains("no robot named `no-such-robot`"), "{error}");
    assert!(world.sims.wecom.controls().messages().is_empty());
}

async fn a_resend_after_a_crash_is_not_delivered_twice(store: &Store) {
    let world = World::start(store).await;
    let (wecom_user, ding_user) = (world.sims.wecom_user(2), world.sims.dingtalk_user(2));
    world
        .stage(vec![
            text_message("corp", &wecom_user, "请审批 #42"),
            text_message("ding", &ding_user, "请审批 #42"),
        ])
        .await;
    let first = world.settle(2).await;
    assert!(first.iter().all(|d| delivered(&d.outcome)), "{first:?}");
    // The process died after the providers accepted the messages but before the outbox
    // recorded it: the rows are still held, by a worker whose lease has run out.
    sqlx::query(
        "UPDATE outbox SET status = 'sending', claimed_by = 'crashed', claimed_until = 0, \
             result = NULL, delivered_at = NULL",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let again = world.settle(2).await;
    assert!(
        again.iter().all(|d| delivered(&d.outcome)),
        "the providers accept the resend: {again:?}"
    );
    for (controls, user) in [
        (world.sims.wecom.controls(), wecom_user),
        (world.sims.dingtalk.controls(), ding_user),
    ] {
        let messages = controls.messages();
        let reached: usize = messages
            .iter()
            .map(|m| m.delivered.iter().filter(|u| **u == user).count())
            .sum();
        assert_eq!(reached, 1, "but deliver it once: {messages:?}");
    }
}

async fn several_relays_deliver_each_effect_once(store: &Store) {
    let world = World::start(store).await;
    let documents = 24;
    let effects = (0..documents)
        .map(|n| json!({"effect": "erp_post", "kind": "voucher", "idempotency_key": format!("v-{n}"), "body": {"n": n}}))
        .collect();
    let keys = world.stage(effects).await;
    // On PostgreSQL three replicas, each with its own clients and two workers, share the
    // database; a SQLite file belongs to one process (whose relay requeues every row left
    // `sending` when it starts), so there one replica runs the six workers.
    let (replica_count, workers) = match store.backend() {
        Backend::Postgres => (3, 2),
        Backend::Sqlite => (1, 6),
    };
    let cancel = CancellationToken::new();
    let mut replicas = tokio::task::JoinSet::new();
    for _ in 0..replica_count {
        let clients =
            Clients::with_http(&world.config, store.clone(), &delivery_support::http()).unwrap();
        let relay = Relay::new(store.clone(), clients, &world.config)
            .with_policy(delivery_support::policy());
        replicas.spawn(Arc::new(relay).run(workers, Wakeups::new(), cancel.clone()));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while world.erp.received().len() < documents {
        assert!(tokio::time::Instant::now() < deadline, "not all delivered");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cancel.cancel();
    while let Some(replica) = replicas.join_next().await {
        replica.unwrap().unwrap();
    }
    let mut received: Vec<String> = world
        .erp
        .received()
        .into_iter()
        .map(|post| post.idempotency_key)
        .collect();
    received.sort();
    let mut expected = keys;
    expected.sort();
    assert_eq!(received, expected, "each document exactly once");
}

async fn robots_approvals_and_kv_are_delivered(store: &Store) {
    let world = World::start(store).await;
    let applicant = world.sims.wecom_user(3);
    world
        .stage(vec![
            json!({"effect": "robot_post", "robot": "wecom-ops",
                   "message": {"type": "markdown", "content": "**部署完成**"}}),
            json!({"effect": "robot_post", "robot": "ding-ops", "mention_all": true,
                   "message": {"type": "text", "content": "部署完成"}}),
            json!({"effect": "approval_submit", "connection": "corp",
                   "template": "C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi", "applicant": applicant,
                   "fields": [{"name": "Text-1", "value": "采购笔记本电脑"}]}),
            json!({"effect": "kv_set", "scope": "plugin:notify", "key": "last", "value": "42"}),
            json!({"effect": "approval_submit", "connection": "ding",
                   "template": "PROC-SIM-GENERAL", "applicant": world.sims.dingtalk_user(0),
                   "approvers": [world.sims.dingtalk_user(1)],
                   "fields": [{"name": "申请内容", "value": "出差申请"}]}),
        ])
        .await;
    let attempts = world.settle(5).await;
    assert!(
        attempts.iter().all(|d| delivered(&d.outcome)),
        "{attempts:?}"
    );
    let wecom_posts = world.sims.wecom.controls().robot_posts();
    assert_eq!(wecom_posts.len(), 1);
    assert_eq!(wecom_posts[0].errcode, 0);
    assert_eq!(wecom_posts[0].body["markdown"]["content"], "**部署完成**");
    let ding_posts = world.sims.dingtalk.controls().robot_posts();
    assert_eq!(ding_posts.len(), 1);
    assert_eq!(ding_posts[0].errcode, 0, "the signed post is accepted");
    assert_eq!(ding_posts[0].body["at"]["isAtAll"], true);

    let Outcome::Delivered { result: sp_no } = &attempts[2].outcome else {
        unreachable!()
    };
    let approval = world
        .sims
        .wecom
        .controls()
        .approval(sp_no)
        .expect("approval exists");
    assert!(
        format!("{approval:?}").contains("采购笔记本电脑"),
        "{approval:?}"
    );
    let Outcome::Delivered { result: instance } = &attempts[4].outcome else {
        unreachable!()
    };
    let approval = world.sims.dingtalk.controls().approval(instance);
    assert!(format!("{approval:?}").contains("出差申请"), "{approval:?}");
    assert_eq!(
        store
            .kv_get("plugin:notify", "last")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"42"[..])
    );
}

async fn the_relay_loop_delivers_abandoned_effects(store: &Store) {
    let world = World::start(store).await;
    let user = world.sims.wecom_user(4);
    world
        .stage(vec![text_message("corp", &user, "from the loop")])
        .await;
    // Left `sending` by a killed process. A SQLite file has one process, so the relay requeues
    // such rows at start even with time left on the lease; on PostgreSQL another replica may
    // still hold it, so only a lease that ran out makes it claimable.
    let lease_end = match store.backend() {
        Backend::Sqlite => i64::MAX,
        Backend::Postgres => 0,
    };
    sqlx::query("UPDATE outbox SET status = 'sending', claimed_by = 'killed', claimed_until = $1")
        .bind(lease_end)
        .execute(store.pool())
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let wake = Wakeups::new();
    let relay = tokio::spawn(world.relay.clone().run(2, wake.clone(), cancel.clone()));
    wake.outbox.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while world.sims.wecom.controls().messages().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the loop never delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cancel.cancel();
    relay.await.unwrap().unwrap();
    let effects = sqlx::query_scalar::<_, String>("SELECT status FROM outbox")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(effects, ["delivered"]);
    assert_eq!(world.sims.wecom.controls().messages()[0].delivered, [user]);
}

async fn a_batch_is_delivered_together_and_its_failures_kept_apart(store: &Store) {
    let world = World::start(store).await;
    let users: Vec<String> = (0..3).map(|n| world.sims.wecom_user(n)).collect();
    let mut effects: Vec<_> = users
        .iter()
        .map(|user| text_message("corp", user, "月度报表已生成"))
        .collect();
    effects.insert(1, text_message("corp", "nobody-here", "lost"));
    world.stage(effects).await;

    let deliveries = world.relay.deliver_batch("batch-worker", 10).await.unwrap();
    let outcomes: Vec<bool> = deliveries.iter().map(|d| delivered(&d.outcome)).collect();
    assert_eq!(outcomes, [true, false, true, true], "{deliveries:?}");
    assert!(matches!(
        &deliveries[1].outcome,
        Outcome::Dead { errcode: Some(code), .. } if code == "81013"
    ));
    let mut reached: Vec<String> = world
        .sims
        .wecom
        .controls()
        .messages()
        .into_iter()
        .flat_map(|message| message.delivered)
        .collect();
    reached.sort();
    let mut expected = users.clone();
    expected.sort();
    assert_eq!(reached, expected);
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    let stored: Vec<(i64, EffectStatus)> = store
        .effects_of_execution(dead[0].execution_id)
        .await
        .unwrap()
        .iter()
        .map(|effect| (effect.id, effect.status))
        .collect();
    let reported: Vec<(i64, EffectStatus)> = deliveries
        .iter()
        .map(|d| {
            let status = if delivered(&d.outcome) {
                EffectStatus::Delivered
            } else {
                EffectStatus::Dead
            };
            (d.effect_id, status)
        })
        .collect();
    assert_eq!(stored, reported, "recorded as reported");
    assert!(
        world
            .relay
            .deliver_batch("batch-worker", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

on_both_backends!(
    a_batch_is_delivered_together_and_its_failures_kept_apart,
    messages_reach_wecom_and_dingtalk,
    erp_documents_arrive_signed_with_the_idempotency_key,
    transient_failures_are_retried_then_delivered,
    transient_failures_past_the_last_attempt_are_dead,
    permanent_failures_are_dead_with_errcode_and_hint,
    a_resend_after_a_crash_is_not_delivered_twice,
    several_relays_deliver_each_effect_once,
    robots_approvals_and_kv_are_delivered,
    the_relay_loop_delivers_abandoned_effects,
);
