//! Encrypted callbacks pushed on contact changes.

use super::*;

#[tokio::test]
async fn contact_changes_push_encrypted_callbacks_with_retries() {
    use crate::crypto::{CallbackCrypto, wecom as wecom_crypto};
    use crate::sim::test_client::{query_map, receiver, wait_for};
    let (sim, served) = start().await;
    // Two failures, then an acknowledgement: WeCom's three attempts.
    let (callback, received) = receiver(|n, _, _| {
        if n < 3 {
            (500, String::new())
        } else {
            (200, String::new())
        }
    })
    .await;
    sim.controls()
        .set_callback_url(Some(format!("{}/callback", callback.base_url)));
    let t = token(&sim, &served).await;
    let user = json!({"userid": "cb1", "name": "回调", "mobile": "13500000000", "department": [1]});
    assert_eq!(
        code(
            &served
                .post(&format!("/cgi-bin/user/create?access_token={t}"), &user)
                .await
        ),
        0
    );
    let attempts = wait_for(|| sim.controls().callbacks_sent().iter().any(|a| a.delivered)).await;
    assert!(attempts, "callback delivered");
    let sent = sim.controls().callbacks_sent();
    assert_eq!(
        sent.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(sent[0].event, "change_contact/create_user");
    let c = sim.credentials();
    let crypto =
        CallbackCrypto::new(&c.callback_token, &c.callback_aes_key, &c.receive_id).unwrap();
    let (query, body) = received.lock().unwrap()[2].clone();
    let q = query_map(&query);
    let query = wecom_crypto::CallbackQuery {
        msg_signature: q["msg_signature"].clone(),
        timestamp: q["timestamp"].clone(),
        nonce: q["nonce"].clone(),
        echostr: None,
    };
    let plaintext = wecom_crypto::decrypt_xml(&crypto, &query, body.as_bytes()).unwrap();
    assert!(
        plaintext.contains("<ChangeType><![CDATA[create_user]]></ChangeType>"),
        "{plaintext}"
    );
    assert!(plaintext.contains("<UserID><![CDATA[cb1]]></UserID>"));
}
