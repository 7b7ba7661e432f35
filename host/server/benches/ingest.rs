//! Callback ingest over real loopback HTTP: encrypted WeCom callbacks, each distinct, posted by
//! many concurrent connections to a running server ([`Server::start`], the real router) storing
//! into SQLite (a file in WAL mode) — next to a bare axum handler that answers 200 to the same
//! requests in the same run, so the ratio says what verifying, decrypting, parsing and storing
//! cost on top of HTTP itself.
//!
//! `cargo bench -p worklink-server --bench ingest`. Knobs: `WORKLINK_BENCH_COUNT` (callbacks per
//! side, default 20,000), `WORKLINK_BENCH_CONNECTIONS` (concurrent connections, default 32).
//! The client runs in the same process and so shares the CPUs with the server, on both sides.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tokio::net::TcpListener;
use worklink_providers::crypto::{CallbackCrypto, wecom};
use worklink_server::app::{Server, ServerOptions};
use worklink_server::config::Config;
use worklink_server::storage::{SecretCipher, Store};

use support::{
    AES_KEY, CONNECTION, CORP_ID, TOKEN, config_text, env_usize, load_average, ms, quantile,
    thousands,
};

/// Requests sent before the clock starts on each side (connections opened, caches warm).
const WARMUP: usize = 1_000;

/// One prepared callback: the path with its signed query, and the XML body.
struct Callback {
    path: String,
    body: String,
}

/// `count` distinct text-message callbacks (distinct `MsgId`, so distinct dedup keys).
fn callbacks(count: usize, offset: usize) -> Vec<Callback> {
    let crypto = CallbackCrypto::new(TOKEN, AES_KEY, CORP_ID).expect("bench key");
    (offset..offset + count)
        .map(|i| {
            let ts = (1_700_000_000 + i / 100).to_string();
            let plaintext = format!(
                "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[user{u}]]></FromUserName>\
<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[message number {i}]]></Content>\
<MsgId>{id}</MsgId><AgentID>1000002</AgentID></xml>",
                u = i % 97,
                id = 4_561_255_354_000_000_000u64 + i as u64,
            );
            let nonce = format!("{}", 1_000_000 + i);
            let envelope = crypto.encrypt(&plaintext, &ts, &nonce);
            Callback {
                path: format!(
                    "/callbacks/wecom/{CONNECTION}?msg_signature={}&timestamp={ts}&nonce={nonce}",
                    envelope.msg_signature
                ),
                body: wecom::request_xml(CORP_ID, "1000002", &envelope.encrypt),
            }
        })
        .collect()
}

fn config(dir: &Path) -> Config {
    Config::parse(&config_text(dir), &dir.join("worklink.toml"), &|_| None).expect("bench config")
}

/// What one side measured.
struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
    failures: usize,
    warmup_failures: usize,
}

/// Posts every callback to `base` from `connections` concurrent clients; returns wall time and
/// the sorted response times of the successful ones.
async fn drive(base: &str, requests: Arc<Vec<Callback>>, connections: usize) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, requests, next) =
                (client.clone(), Arc::clone(&requests), Arc::clone(&next));
            let base = base.to_owned();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(i) else {
                        break;
                    };
                    let sent = Instant::now();
                    let reply = client
                        .post(format!("{base}{}", request.path))
                        .header("content-type", "text/xml")
                        .body(request.body.clone())
                        .send()
                        .await;
                    let ok = match reply {
                        Ok(reply) => {
                            reply.status() == StatusCode::OK && reply.bytes().await.is_ok()
                        }
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        failures += 1;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut run = Run {
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        failures: 0,
        warmup_failures: 0,
    };
    for worker in workers {
        let (latencies, failures) = worker.await.expect("client task");
        run.latencies.extend(latencies);
        run.failures += failures;
    }
    run.elapsed = started.elapsed();
    run.latencies.sort_unstable();
    run
}

/// Warms up with [`WARMUP`] callbacks, then measures `count` others (the same callbacks on
/// both sides, so both do the same HTTP work).
async fn side(base: &str, count: usize, connections: usize) -> Run {
    let (warmup, measured) = (callbacks(WARMUP, 0), callbacks(count, WARMUP));
    let warm = drive(base, Arc::new(warmup), connections).await;
    let mut run = drive(base, Arc::new(measured), connections).await;
    run.warmup_failures = warm.failures;
    run
}

async fn bare_axum() -> String {
    let router = axum::Router::new().route(
        "/callbacks/wecom/{connection}",
        axum::routing::post(|| async { StatusCode::OK }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

fn row(name: &str, run: &Run) -> (f64, String) {
    let rate = run.latencies.len() as f64 / run.elapsed.as_secs_f64();
    let line = format!(
        "| {name} | {} | {} | {} | {} | {} |",
        thousands(rate),
        ms(quantile(&run.latencies, 0.50)),
        ms(quantile(&run.latencies, 0.99)),
        ms(quantile(&run.latencies, 1.0)),
        run.failures,
    );
    (rate, line)
}

#[tokio::main]
async fn main() {
    let count = env_usize("WORKLINK_BENCH_COUNT", 20_000);
    let connections = env_usize("WORKLINK_BENCH_CONNECTIONS", 32);
    println!(
        "ingest: {count} WeCom callbacks per side, {connections} connections, load average {} at start",
        load_average()
    );

    let bare = bare_axum().await;
    let bare_run = side(&bare, count, connections).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path());
    let store = Store::open(
        config.database_url.expose(),
        SecretCipher::from_bytes(&[7; 32]),
    )
    .await
    .expect("open SQLite");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let options = ServerOptions {
        sync_interval: None,
        ..ServerOptions::default()
    };
    let server = Server::start(config, store.clone(), listener, options)
        .await
        .expect("server");
    let base = format!("http://{}", server.addr);
    let server_run = side(&base, count, connections).await;

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox_events")
        .fetch_one(store.pool())
        .await
        .expect("count inbox");
    server.shutdown().await;

    println!("| side | callbacks/s | p50 | p99 | max | failed |");
    println!("|---|---|---|---|---|---|");
    let (bare_rate, bare_line) = row("bare axum, 200", &bare_run);
    let (server_rate, server_line) = row("worklink, stored in SQLite", &server_run);
    println!("{bare_line}\n{server_line}");
    println!(
        "ratio (bare / worklink): {:.1}x; inbox rows: {stored} of {} sent; load average {} at end",
        bare_rate / server_rate,
        WARMUP + count,
        load_average()
    );
    assert_eq!(
        stored as usize,
        WARMUP + count - server_run.failures - server_run.warmup_failures,
        "every accepted callback is stored"
    );
}
