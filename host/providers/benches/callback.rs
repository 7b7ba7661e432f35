//! Callback throughput on one thread: verify + decrypt + parse of a ~1 KiB WeCom XML callback
//! (an approval change, the heaviest common event), next to wechatpy decrypting and parsing the
//! very same requests.
//!
//! `cargo bench -p worklink-providers --bench callback`. The Python side runs when
//! `WORKLINK_PYTHON` names an interpreter with wechatpy installed (`make pyenv`).
//!
//! Rates are printed per wall-clock second and per second of this thread's CPU time; on a busy
//! machine only the second says what the code costs. For a figure no other load can move, set
//! `WORKLINK_BENCH_COUNT=N`: the bench then runs the full path exactly N times through
//! [`full_path`] and exits, so an instruction counter can be aimed at that one function:
//! `valgrind --tool=callgrind --toggle-collect='*full_path*' <bench binary>`.

use std::hint::black_box;
use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use worklink_providers::crypto::{CallbackCrypto, wecom};
use worklink_providers::events::{self, ingest};

const TOKEN: &str = "benchToken123";
const ENCODING_AES_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const CORP_ID: &str = "ww1436e0e65a779aee";
/// Distinct requests cycled through, so no cache sees the same bytes twice in a row.
const MESSAGES: usize = 64;
const MEASURE: Duration = Duration::from_secs(2);

fn plaintext(i: usize) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>{ts}</CreateTime>\
<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[sys_approval_change]]></Event><AgentID>3010040</AgentID>\
<ApprovalInfo><SpNo>2022052600{i:02}</SpNo><SpName><![CDATA[费用报销]]></SpName><SpStatus>2</SpStatus>\
<TemplateId><![CDATA[C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi]]></TemplateId><ApplyTime>{ts}</ApplyTime>\
<Applyer><UserId><![CDATA[liutao]]></UserId><Party><![CDATA[1]]></Party></Applyer>\
<SpRecord><SpStatus>2</SpStatus><ApproverAttr>1</ApproverAttr><Details><Approver><UserId><![CDATA[zhangsan]]></UserId></Approver>\
<Speech><![CDATA[同意，请财务尽快处理]]></Speech><SpStatus>2</SpStatus><SpTime>{ts}</SpTime></Details></SpRecord>\
<SpRecord><SpStatus>2</SpStatus><ApproverAttr>2</ApproverAttr><Details><Approver><UserId><![CDATA[lisi]]></UserId></Approver>\
<Speech><![CDATA[]]></Speech><SpStatus>2</SpStatus><SpTime>{ts}</SpTime></Details></SpRecord>\
<Notifyer><UserId><![CDATA[XieChaoNing]]></UserId></Notifyer>\
<StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo></xml>",
        ts = 1_653_577_739 + i
    )
}

struct Request {
    query: wecom::CallbackQuery,
    body: String,
    plaintext: String,
}

fn requests(crypto: &CallbackCrypto) -> Vec<Request> {
    (0..MESSAGES)
        .map(|i| {
            let plaintext = plaintext(i);
            let timestamp = (1_653_577_739 + i).to_string();
            let env = crypto.encrypt(&plaintext, &timestamp, &format!("{}", 1_000_000_000 + i * 7919));
            let body = wecom::request_xml(CORP_ID, "3010040", &env.encrypt);
            let query = wecom::CallbackQuery { msg_signature: env.msg_signature, timestamp: env.timestamp, nonce: env.nonce, echostr: None };
            Request { query, body, plaintext }
        })
        .collect()
}

/// Nanoseconds this thread has spent on a CPU (Linux); `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// Operations per wall-clock second and per second of this thread's CPU time. On a shared machine
/// the second figure is the one that tells what the code costs.
struct Rate {
    wall: f64,
    cpu: Option<f64>,
}

/// Runs `f` over the requests for [`MEASURE`].
fn rate(requests: &[Request], mut f: impl FnMut(&Request)) -> Rate {
    for r in requests {
        f(r);
    }
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < MEASURE {
        for r in requests {
            f(r);
        }
        done += requests.len() as u64;
    }
    let wall = done as f64 / start.elapsed().as_secs_f64();
    let cpu = cpu_start.zip(thread_cpu_ns()).map(|(a, b)| done as f64 / ((b - a).max(1) as f64 / 1e9));
    Rate { wall, cpu }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:>10.0} /s wall", self.wall)?;
        if let Some(cpu) = self.cpu {
            write!(f, "  {cpu:>10.0} /s per CPU-second ({:.2} µs CPU each)", 1e6 / cpu)?;
        }
        Ok(())
    }
}

/// wechatpy's rates, as its script measured them.
struct PyRate {
    wall: f64,
    cpu: f64,
}

/// Hands the same requests to the wechatpy script; returns its rates, or why it did not run.
fn wechatpy_rate(requests: &[Request]) -> Result<PyRate, String> {
    let python = std::env::var("WORKLINK_PYTHON").map_err(|_| "WORKLINK_PYTHON is not set (run `make pyenv`)".to_string())?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/callback_wechatpy.py");
    let input = serde_json::json!({
        "token": TOKEN,
        "encoding_aes_key": ENCODING_AES_KEY,
        "corp_id": CORP_ID,
        "seconds": MEASURE.as_secs_f64(),
        "messages": requests.iter().map(|r| serde_json::json!({
            "msg_signature": r.query.msg_signature,
            "timestamp": r.query.timestamp,
            "nonce": r.query.nonce,
            "body": r.body,
            "plaintext": r.plaintext,
        })).collect::<Vec<_>>(),
    });
    let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    file.write_all(input.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let output = Command::new(&python).arg(script).arg(file.path()).output().map_err(|e| format!("running {python}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{script} failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| format!("script output: {e}"))?;
    let field = |name: &str| report[name].as_f64().ok_or_else(|| format!("script output has no {name}: {report}"));
    Ok(PyRate { wall: field("per_sec")?, cpu: field("per_cpu_sec")? })
}

/// One request through the whole path; kept out of line so instruction counters can single it out.
#[inline(never)]
fn full_path(crypto: &CallbackCrypto, r: &Request) {
    black_box(ingest::wecom(crypto, &r.query, black_box(r.body.as_bytes())).ok());
}

fn main() {
    let crypto = CallbackCrypto::new(TOKEN, ENCODING_AES_KEY, CORP_ID).expect("bench key is valid");
    let requests = requests(&crypto);
    let size = requests[0].plaintext.len();

    // Sanity: every request goes through and yields the approval event.
    for r in &requests {
        let events = ingest::wecom(&crypto, &r.query, r.body.as_bytes()).expect("bench request is valid");
        assert_eq!(events[0].kind, "wecom.approval.instance.changed");
    }

    if let Some(count) = std::env::var("WORKLINK_BENCH_COUNT").ok().and_then(|n| n.parse::<usize>().ok()) {
        for r in requests.iter().cycle().take(count) {
            full_path(&crypto, r);
        }
        println!("callback bench: ran the full path {count} times");
        return;
    }

    let full = rate(&requests, |r| full_path(&crypto, r));
    let crypto_only = rate(&requests, |r| {
        black_box(wecom::decrypt_xml(&crypto, &r.query, black_box(r.body.as_bytes())).ok());
    });
    let parse_only = rate(&requests, |r| {
        black_box(events::wecom::parse(black_box(&r.plaintext), 0).ok());
    });

    println!("callback bench: {size}-byte WeCom XML plaintext ({} bytes on the wire), one thread", requests[0].body.len());
    println!("  verify + decrypt + parse : {full}");
    println!("  verify + decrypt only    : {crypto_only}");
    println!("  parse only               : {parse_only}");
    match wechatpy_rate(&requests) {
        Ok(py) => {
            println!("  wechatpy decrypt + parse : {:>10.0} /s wall, {:>10.0} /s per CPU-second", py.wall, py.cpu);
            println!("  ratio (worklink / wechatpy): {:.1}x wall, {:.1}x CPU", full.wall / py.wall, full.cpu.unwrap_or(full.wall) / py.cpu);
        }
        Err(why) => println!("  wechatpy comparison skipped: {why}"),
    }
}
