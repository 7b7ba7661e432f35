use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const WECOM_PLAINTEXT: &str = "<xml><ToUserName><![CDATA[wwfuzzcorp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>create_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]></Name><Department><![CDATA[1,2]]></Department></xml>";
const DINGTALK_PLAINTEXT: &str = r#"{"EventType":"user_add_org","CorpId":"dingcorp","TimeStamp":"1700000000000","UserId":["u1","u2"]}"#;

/// Signed request bodies for the three envelope shapes, with their queries.
fn signed_requests() -> Vec<(&'static str, Vec<u8>, String)> {
    let crypto = harness();
    let wecom = crypto.encrypt(WECOM_PLAINTEXT, TIMESTAMP, NONCE);
    let ding = crypto.encrypt(DINGTALK_PLAINTEXT, TIMESTAMP, NONCE);
    vec![
        ("wecom", crypto::wecom::request_xml(CORP_ID, "1000002", &wecom.encrypt).into_bytes(), wecom.msg_signature.clone()),
        (
            "wecom",
            format!(r#"{{"tousername":"{CORP_ID}","encrypt":"{}","agentid":1000002}}"#, wecom.encrypt).into_bytes(),
            wecom.msg_signature,
        ),
        ("dingtalk", crypto::dingtalk::request_body(&ding.encrypt).into_bytes(), ding.msg_signature),
    ]
}

fn run(provider: &str, body: &[u8], signature: &str) -> Result<Vec<ProviderEvent>, IngestError> {
    let crypto = harness();
    match provider {
        "wecom" => ingest::wecom(&crypto, &wecom_query(signature.to_owned()), body),
        _ => ingest::dingtalk(&crypto, &dingtalk_query(signature.to_owned()), body),
    }
}

fn mutate(rng: &mut StdRng, original: &[u8]) -> Vec<u8> {
    let mut data = original.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..4) {
            0 if !data.is_empty() => {
                let i = rng.random_range(0..data.len());
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 if !data.is_empty() => {
                data.remove(rng.random_range(0..data.len()));
            }
            2 => {
                let i = rng.random_range(0..=data.len());
                data.insert(i, rng.random());
            }
            _ => {
                let i = rng.random_range(0..=data.len());
                data.truncate(i);
            }
        }
    }
    data
}

#[test]
fn the_harness_reaches_the_event_parsers() {
    let mut wecom_input = vec![4u8];
    wecom_input.extend_from_slice(WECOM_PLAINTEXT.as_bytes());
    let events = callback(&wecom_input).unwrap();
    assert_eq!(events[0].kind, "wecom.contact.user.created");

    let mut ding_input = vec![5u8];
    ding_input.extend_from_slice(DINGTALK_PLAINTEXT.as_bytes());
    assert_eq!(callback(&ding_input).unwrap().len(), 2);

    let (_, body, _) = &signed_requests()[0];
    let mut signed_over_itself = vec![1u8];
    signed_over_itself.extend_from_slice(body);
    assert_eq!(callback(&signed_over_itself).unwrap(), events);
}

#[test]
fn every_truncation_of_a_signed_request_is_rejected() {
    for (provider, body, signature) in signed_requests() {
        let original = run(provider, &body, &signature).unwrap();
        assert!(!original.is_empty());
        for len in 0..body.len() {
            assert!(run(provider, &body[..len], &signature).is_err(), "{provider} body truncated to {len} bytes was accepted");
        }
    }
}

#[test]
fn mutated_signed_requests_fail_or_yield_exactly_the_original_events() {
    let mut rng = StdRng::seed_from_u64(0x5EED_0001);
    let mut rejected = 0;
    for (provider, body, signature) in signed_requests() {
        let original = run(provider, &body, &signature).unwrap();
        for _ in 0..1500 {
            let mutated = mutate(&mut rng, &body);
            match run(provider, &mutated, &signature) {
                // Only the unsigned parts of the envelope (ToUserName, AgentID) can change harmlessly.
                Ok(events) => assert_eq!(events, original, "mutation changed the events: {:?}", String::from_utf8_lossy(&mutated)),
                Err(_) => rejected += 1,
            }
        }
    }
    assert!(rejected > 3000, "only {rejected} of 4500 mutations were rejected");
}

#[test]
fn random_bytes_are_rejected_in_every_mode() {
    let mut rng = StdRng::seed_from_u64(0x5EED_0002);
    for _ in 0..3000 {
        let len = rng.random_range(0..600);
        let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        assert!(callback(&data).is_err(), "random input accepted: {data:?}");
    }
}

#[test]
fn mutated_plaintexts_never_panic_the_event_parsers() {
    let mut rng = StdRng::seed_from_u64(0x5EED_0003);
    let mut outcomes = [0usize; 2];
    for (mode, plaintext) in [(4u8, WECOM_PLAINTEXT), (5u8, DINGTALK_PLAINTEXT)] {
        for _ in 0..1500 {
            let mut input = vec![mode];
            input.extend(mutate(&mut rng, plaintext.as_bytes()));
            let result = callback(&input);
            // An accepted callback's payload, raw fields included, is always writable.
            for event in result.iter().flatten() {
                assert!(serde_json::to_string(&event.payload).is_ok(), "{:?}", String::from_utf8_lossy(&input));
            }
            outcomes[usize::from(result.is_ok())] += 1;
        }
    }
    // Both outcomes occur: some mutations still parse (a changed name), most break the document.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}
