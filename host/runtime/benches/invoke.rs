//! Per-invocation cost of the wasm sandbox, next to the same handlers written as native Rust.
//!
//! Every wasm iteration is a full invocation: a fresh `InvocationHost` and `Store`, instantiation
//! from the cached `InstancePre`, the call, and the result. The native handlers do the same work
//! through the same `InvocationHost` (capability calls, effects, result), so the ratio is the
//! price of the sandbox. Cold start is measured for a newly installed plugin with and without the
//! on-disk compilation cache. Run with `cargo bench -p worklink-runtime` (`make bench` builds the
//! plugins first).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use worklink_runtime::capability::memory::{MemoryBackend, MemorySeed};
use worklink_runtime::capability::{Backends, Capability, Grants};
use worklink_runtime::invocation::{
    InvocationHost, InvocationRequest, InvocationResult, Limits, Outcome, Usage,
};
use worklink_runtime::schema::ConfigSchema;
use worklink_runtime::types::{Event, LogLevel, Message, Recipients, TextCard, kind_matches};
use worklink_runtime::wasm::{Invocation, Plugin, WasmConfig, WasmHost};

// Long enough that a burst of other work on a shared machine moves the percentiles little, and
// that the pool's slots are all warm before sampling starts.
const WARMUP: usize = 1_000;
const ITERATIONS: usize = 20_000;

fn plugin_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/target/wasm32-wasip2/release")
        .join(format!("{name}.wasm"))
}

fn ping() -> Event {
    Event {
        id: "ev-1".into(),
        kind: "demo.ping".into(),
        source: "bench".into(),
        occurred_at: 0,
        payload: json!({}),
    }
}

fn task_assigned() -> Event {
    Event {
        id: "ev-2".into(),
        kind: "erp.task.assigned".into(),
        source: "bench".into(),
        occurred_at: 0,
        payload: json!({
            "task_id": "T-42",
            "title": "Review the Q3 budget",
            "url": "https://erp.example.com/tasks/T-42",
            "assignee": {"employee_id": "E001", "name": "张三"}
        }),
    }
}

const TASK_GRANTS: [Capability; 3] = [Capability::Contacts, Capability::Messaging, Capability::Log];

fn request(backends: &Backends, granted: &[Capability]) -> InvocationRequest {
    InvocationRequest {
        invocation_id: "inv".into(),
        scope: "bench".into(),
        grants: Grants::new(granted.iter().copied(), granted.iter().copied()),
        backends: backends.clone(),
        limits: Limits::default(),
    }
}

/// hello, natively: one log line and a greeting.
fn native_hello(backends: &Backends, event: &Event) -> InvocationResult {
    let mut host = InvocationHost::new(request(backends, &[Capability::Log]));
    let _ = host.log(
        LogLevel::Info,
        &format!("hello from {} ({})", event.kind, event.id),
    );
    let output = json!({ "greeting": format!("hello, {}", event.kind) }).to_string();
    host.finish(
        Outcome::from_output(&output, Limits::default().output_bytes),
        Usage::default(),
    )
}

/// `erp.task.assigned`, as the plugin's SDK declares it (`worklink_sdk::payload::TaskAssigned`).
#[derive(Deserialize)]
struct TaskAssigned {
    task_id: String,
    title: String,
    url: String,
    assignee: Person,
    #[serde(default)]
    assigner: Option<Person>,
    #[serde(default)]
    due: Option<String>,
    #[serde(default)]
    project: Option<String>,
}

/// A person in an ERP payload (`worklink_sdk::payload::Person`).
#[derive(Deserialize)]
struct Person {
    #[serde(default)]
    employee_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// task-notify's settings, as the plugin declares them.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    title_prefix: String,
    button_text: Option<String>,
    skip_unbound: bool,
}

/// `text` cut to `max` bytes on a character boundary, ending in `…` (the SDK's card fitting).
fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// task-notify's card: prefixed title, one line per known detail, fitted to the card limits.
/// Deliberately the same steps as `plugins/task-notify/src/card.rs`: the plugin crate builds for
/// wasm32-wasip2 in its own workspace, so the baseline restates its logic instead of linking it.
fn task_card(task: &TaskAssigned, settings: &Settings) -> TextCard {
    let mut lines = Vec::new();
    if let Some(project) = &task.project {
        lines.push(format!("Project: {project}"));
    }
    if let Some(due) = &task.due {
        lines.push(format!("Due: {due}"));
    }
    if let Some(assigner) = &task.assigner {
        let label = [&assigner.name, &assigner.employee_id, &assigner.user_id]
            .into_iter()
            .find_map(Option::as_deref)
            .unwrap_or("someone");
        lines.push(format!("Assigned by: {label}"));
    }
    if lines.is_empty() {
        lines.push("A task was assigned to you.".to_owned());
    }
    TextCard {
        title: shorten(&format!("{}{}", settings.title_prefix, task.title), 128),
        description: shorten(&lines.join("\n"), 512),
        url: task.url.clone(),
        button_text: settings.button_text.clone(),
    }
}

/// task-notify, natively: the plugin's logic plus what the host does around any handler (event
/// kind check, config validation against the plugin's schema, payload and config read from JSON
/// text as they cross the boundary, output parsed and capped), so only the sandbox differs. It
/// takes the event and config by value, as `WasmHost::invoke` does (the pipeline hands each run
/// its own), and the caller clones them outside the timed region for both.
async fn native_task_notify(
    backends: &Backends,
    plugin: &Plugin,
    schema: &ConfigSchema,
    event: Event,
    config: Value,
) -> InvocationResult {
    let info = plugin.info();
    let mut host = InvocationHost::new(InvocationRequest {
        grants: Grants::new(info.capabilities.iter().copied(), TASK_GRANTS),
        scope: info.name.clone(),
        ..request(backends, &[])
    });
    assert!(info.handles(&event.kind));
    schema.validate(&config).expect("config");
    let config = config.to_string();
    // The SDK's `event.payload::<TaskAssigned>()` checks the kind before reading.
    assert!(kind_matches("erp.task.assigned", &event.kind));
    let task: TaskAssigned = serde_json::from_str(&event.payload.to_string()).expect("payload");
    let settings: Settings = serde_json::from_str(&config).expect("settings");
    // As the plugin's `assignee::resolve`: the user id as given, else one `bound_user` read.
    let user = match (&task.assignee.user_id, &task.assignee.employee_id) {
        (Some(user), _) => host.get_user(user).await.expect("user"),
        (None, Some(employee)) => match host.bound_user(employee).await.expect("bound user") {
            Some(user) => user,
            None => {
                assert!(settings.skip_unbound, "unbound assignee");
                let output = json!({ "skipped": "assignee unbound" }).to_string();
                let outcome = Outcome::from_output(&output, Limits::default().output_bytes);
                return host.finish(outcome, Usage::default());
            }
        },
        (None, None) => panic!("assignee without ids"),
    };
    assert!(user.active, "inactive assignee");
    let card = task_card(&task, &settings);
    let to = Recipients {
        users: vec![user.id.clone()],
        ..Default::default()
    };
    let effect = host
        .send_message(to, Message::TextCard(card))
        .expect("send");
    let _ = host.log(
        LogLevel::Info,
        &format!(
            "task {}: card to {} staged as {effect}",
            task.task_id, user.id
        ),
    );
    let output = json!({ "notified": user.id, "effect": effect }).to_string();
    host.finish(
        Outcome::from_output(&output, Limits::default().output_bytes),
        Usage::default(),
    )
}

/// p50 and p99 of `samples`.
fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

async fn time_wasm(
    host: &WasmHost,
    plugin: &Plugin,
    event: &Event,
    config: &Value,
    granted: &[Capability],
    backends: &Backends,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(ITERATIONS);
    for i in 0..WARMUP + ITERATIONS {
        let invocation = Invocation {
            id: "inv".into(),
            event: event.clone(),
            config: config.clone(),
            granted: granted.to_vec(),
            backends: backends.clone(),
            limits: Limits::default(),
        };
        let started = Instant::now();
        let result = host.invoke(plugin, invocation).await;
        let elapsed = started.elapsed();
        assert!(result.outcome.is_ok(), "{:?}", result.outcome);
        if i >= WARMUP {
            samples.push(elapsed);
        }
    }
    samples
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Load + first invocation of task-notify on a new host using the cache in `dir`.
async fn first_run(
    dir: &std::path::Path,
    event: &Event,
    config: &Value,
    backends: &Backends,
) -> Duration {
    let host = WasmHost::new(WasmConfig {
        cache_dir: Some(dir.to_path_buf()),
        ..WasmConfig::default()
    })
    .expect("host");
    let started = Instant::now();
    let plugin = host
        .load_file(&plugin_path("task_notify"))
        .await
        .expect("load");
    let invocation = Invocation {
        id: "inv".into(),
        event: event.clone(),
        config: config.clone(),
        granted: TASK_GRANTS.to_vec(),
        backends: backends.clone(),
        limits: Limits::default(),
    };
    assert!(host.invoke(&plugin, invocation).await.outcome.is_ok());
    started.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for name in ["hello", "task_notify"] {
            assert!(plugin_path(name).exists(), "{} missing: run `make plugins`", plugin_path(name).display());
        }
        let backends = Backends::memory(Arc::new(MemoryBackend::new(MemorySeed::demo())));
        let host = WasmHost::new(WasmConfig::default()).expect("host");
        let hello = host.load_file(&plugin_path("hello")).await.expect("hello");
        let task_notify = host.load_file(&plugin_path("task_notify")).await.expect("task-notify");
        let empty = json!({});
        let task_config = json!({"title_prefix": "[ERP] "});
        let task_schema =
            ConfigSchema::compile(task_notify.info().config_schema.as_ref()).expect("schema");

        let hello_wasm = time_wasm(&host, &hello, &ping(), &empty, &[Capability::Log], &backends).await;
        let task_wasm = time_wasm(&host, &task_notify, &task_assigned(), &task_config, &TASK_GRANTS, &backends).await;

        let (ping, task) = (ping(), task_assigned());
        let mut hello_native = Vec::with_capacity(ITERATIONS);
        let mut task_native = Vec::with_capacity(ITERATIONS);
        for i in 0..WARMUP + ITERATIONS {
            let started = Instant::now();
            assert!(native_hello(&backends, &ping).outcome.is_ok());
            let hello_elapsed = started.elapsed();
            let (event, config) = (task.clone(), task_config.clone());
            let started = Instant::now();
            assert!(native_task_notify(&backends, &task_notify, &task_schema, event, config).await.outcome.is_ok());
            let task_elapsed = started.elapsed();
            if i >= WARMUP {
                hello_native.push(hello_elapsed);
                task_native.push(task_elapsed);
            }
        }

        println!("per-invocation cost, fresh Store each time, {ITERATIONS} iterations after {WARMUP} warm-up");
        println!("| handler | wasm p50 (µs) | wasm p99 (µs) | native p50 (µs) | native p99 (µs) | ratio p50 |");
        println!("|---|---|---|---|---|---|");
        for (name, wasm, native) in [("hello", hello_wasm, hello_native), ("task-notify", task_wasm, task_native)] {
            let (w50, w99) = percentiles(wasm);
            let (n50, n99) = percentiles(native);
            println!(
                "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1}x |",
                us(w50),
                us(w99),
                us(n50),
                us(n99),
                w50.as_secs_f64() / n50.as_secs_f64()
            );
        }

        let dir = tempfile::tempdir().expect("tempdir");
        let uncached = first_run(dir.path(), &task, &task_config, &backends).await;
        let cached = first_run(dir.path(), &task, &task_config, &backends).await;
        println!();
        println!("cold start of task-notify (load + first invocation, new host)");
        println!("| disk cache | time (ms) |");
        println!("|---|---|");
        println!("| empty (compile) | {:.1} |", ms(uncached));
        println!("| warm (deserialize) | {:.1} |", ms(cached));
    });
}
