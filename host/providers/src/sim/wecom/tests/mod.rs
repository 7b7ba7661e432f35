//! The WeCom simulator over real HTTP: token rules, contacts, paging, messages, faults.

use std::time::Duration;

use serde_json::{Value, json};

use super::WeComSim;
use crate::sim::SimConfig;
use crate::sim::faults::RateLimit;
use crate::sim::test_client::Served;

async fn start() -> (WeComSim, Served) {
    let sim = WeComSim::new(SimConfig {
        seed: 11,
        users: 45,
        departments: 6,
    });
    let served = Served::start(sim.router()).await;
    (sim, served)
}

async fn token(sim: &WeComSim, served: &Served) -> String {
    let c = sim.credentials();
    let answer = served
        .get(&format!(
            "/cgi-bin/gettoken?corpid={}&corpsecret={}",
            c.corp_id, c.secret
        ))
        .await;
    assert_eq!(answer["errcode"], 0, "{answer}");
    answer["access_token"].as_str().unwrap().to_owned()
}

fn code(answer: &Value) -> i64 {
    answer["errcode"].as_i64().unwrap()
}

mod tokens;
mod contacts;
mod messaging;
mod faults;
mod callbacks;
mod approvals;
mod attendance;
mod oauth;
mod menus;
