//! What the server benchmarks share: latency percentiles, the machine's load average (printed
//! with every run, since the numbers mean little without it) and knobs read from the environment.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

/// The one WeCom connection of the benchmark configs.
pub const CONNECTION: &str = "bench";
/// Its corp id (the callbacks' receive id).
pub const CORP_ID: &str = "ww1436e0e65a779aee";
/// Its callback token.
pub const TOKEN: &str = "benchToken123";
/// Its callback AES key.
pub const AES_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

/// A `worklink.toml` keeping everything under `dir` (SQLite file, rules, plugins), listening on
/// an ephemeral loopback port, with one WeCom connection whose API is never reached (a closed
/// port: the benchmarks keep directory sync off and send nothing through it).
pub fn config_text(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::create_dir_all(dir.join("plugins")).expect("plugins dir");
    format!(
        r#"rules_dir = "{dir}/rules"
plugins_dir = "{dir}/plugins"

[server]
listen = "127.0.0.1:0"
public_url = "http://127.0.0.1"

[database]
url = "sqlite://{dir}/worklink.db"

[connections.{CONNECTION}]
provider = "wecom"
corp_id = "{CORP_ID}"
agent_id = 1000002
secret = "bench-app-secret"
api_base = "http://127.0.0.1:9"
callback_token = "{TOKEN}"
callback_aes_key = "{AES_KEY}"
"#,
        dir = dir.display()
    )
}

/// `name` from the environment as a number, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The 1-minute load average, as `/proc/loadavg` reports it.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The `q` quantile (0.0..=1.0) of `sorted`, nearest rank.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `d` in milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `n` with thousands separators.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
