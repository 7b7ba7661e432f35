//! Tests of config loading: a complete file, defaults, and one test per class of error.

use super::*;

const WECOM_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const DINGTALK_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

fn env(name: &str) -> Option<String> {
    match name {
        "ACME_SECRET" => Some("wecom-app-secret".into()),
        "ERP_HMAC" => Some("erp-hmac-secret".into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/worklink/worklink.toml"), &env)
}

fn parse_err(text: &str) -> ConfigError {
    parse(text).expect_err("config should be rejected")
}

fn full() -> String {
    format!(
        r#"
timezone = "Asia/Shanghai"
rules_dir = "my-rules"

[server]
listen = "0.0.0.0:9000"
public_url = "https://worklink.example.com"

[database]
url = "postgres://worklink@db/worklink"

[connections.acme]
provider = "wecom"
corp_id = "ww1234"
agent_id = 1000002
secret = "env:ACME_SECRET"
callback_token = "token1"
callback_aes_key = "{WECOM_KEY}"

[connections.acme-dt]
provider = "dingtalk"
corp_id = "ding5678"
agent_id = 2000001
app_key = "dingappkey"
app_secret = "dt-secret"
callback_token = "token2"
callback_aes_key = "{DINGTALK_KEY}"
api_base = "http://127.0.0.1:9999"

[robots.ops]
provider = "wecom"
key = "693a91f6-7xxx"

[robots.sales]
provider = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
secret = "SECabc"

[erp]
url = "https://erp.example.com/worklink"
hmac_secret = "env:ERP_HMAC"

[limits]
timeout_ms = 2000

[relay]
max_attempts = 20
retry_max_secs = 1800
"#
    )
}

#[test]
fn full_config_loads_with_secrets_resolved() {
    let config = parse(&full()).unwrap();
    assert_eq!(config.server.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(
        config.database_url.expose(),
        "postgres://worklink@db/worklink"
    );
    let acme = config.connection("acme").unwrap();
    assert_eq!(acme.provider(), Provider::Wecom);
    match &acme.credentials {
        Credentials::Wecom { secret } => assert_eq!(secret.expose(), "wecom-app-secret"),
        other => panic!("expected WeCom credentials, got {other:?}"),
    }
    let dt = config.connection("acme-dt").unwrap();
    assert_eq!(dt.provider(), Provider::Dingtalk);
    assert_eq!(
        dt.api_base.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9999/"
    );
    assert!(matches!(
        config.robot("ops").unwrap().webhook,
        Webhook::Key(_)
    ));
    assert_eq!(
        config
            .robot("sales")
            .unwrap()
            .secret
            .as_ref()
            .unwrap()
            .expose(),
        "SECabc"
    );
    assert_eq!(
        config.erp.as_ref().unwrap().hmac_secret.expose(),
        "erp-hmac-secret"
    );
    assert_eq!(config.rules_dir, Path::new("/etc/worklink/my-rules"));
    assert_eq!(config.plugins_dir, Path::new("/etc/worklink/plugins"));
    assert_eq!(config.limits.timeout_ms, 2000);
    assert_eq!(config.limits.max_memory_mb, Limits::default().max_memory_mb);
    assert_eq!(
        config.relay,
        RelaySettings {
            max_attempts: 20,
            retry_max_secs: 1800,
            ..RelaySettings::default()
        }
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let shown = format!("{:?}", parse(&full()).unwrap());
    for secret in [
        "wecom-app-secret",
        "erp-hmac-secret",
        "SECabc",
        "token1",
        WECOM_KEY,
        "worklink@db",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
}

#[test]
fn empty_file_gives_the_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config.database_url.expose(), DEFAULT_DATABASE_URL);
    assert_eq!(config.timezone, DEFAULT_TIMEZONE);
    assert_eq!(config.server.listen.to_string(), DEFAULT_LISTEN);
    assert!(config.connections.is_empty() && config.erp.is_none());
    assert_eq!(config.limits, Limits::default());
    assert_eq!(config.relay, RelaySettings::default());
}

#[test]
fn unknown_key_names_its_path_and_position() {
    let err = parse_err("[server]\nlisten = \"127.0.0.1:1\"\nport = 80\n");
    assert!(matches!(err.reason, ConfigReason::UnknownKey(_)), "{err}");
    assert_eq!(err.key, "server.port");
    assert_eq!(err.position.map(|(line, _)| line), Some(3));
    let shown = err.to_string();
    assert!(
        shown.starts_with("/etc/worklink/worklink.toml:3:"),
        "{shown}"
    );
    assert!(shown.contains("unknown field `port`"), "{shown}");
}

#[test]
fn unknown_key_inside_a_connection() {
    let text = full().replace("agent_id = 1000002", "agent_id = 1000002\nagentid = 1");
    let err = parse_err(&text);
    assert!(matches!(err.reason, ConfigReason::UnknownKey(_)), "{err}");
    assert_eq!(err.key, "connections.acme.agentid");
}

#[test]
fn wrong_type_has_line_and_column() {
    let err = parse_err("[limits]\ntimeout_ms = \"fast\"\n");
    assert!(matches!(err.reason, ConfigReason::WrongType(_)), "{err}");
    assert_eq!(err.key, "limits.timeout_ms");
    assert_eq!(err.position, Some((2, 14)));
}

#[test]
fn unknown_provider_is_a_wrong_value() {
    let err = parse_err("[connections.x]\nprovider = \"lark\"\n");
    assert!(matches!(err.reason, ConfigReason::WrongType(_)), "{err}");
    assert_eq!(err.key, "connections.x.provider");
}

#[test]
fn invalid_toml_is_a_syntax_error_with_position() {
    let err = parse_err("[server\nlisten = 1\n");
    assert!(matches!(err.reason, ConfigReason::Syntax(_)), "{err}");
    assert_eq!(err.position.map(|(line, _)| line), Some(1));
}

#[test]
fn duplicate_table_is_rejected_by_toml() {
    let err = parse_err(
        "[connections.acme]\nprovider = \"wecom\"\n[connections.acme]\nprovider = \"wecom\"\n",
    );
    assert!(matches!(err.reason, ConfigReason::Syntax(_)), "{err}");
    assert_eq!(err.position.map(|(line, _)| line), Some(3));
}

#[test]
fn connection_names_differing_only_in_case_are_duplicates() {
    let text = full().replace("[connections.acme-dt]", "[connections.ACME]");
    let err = parse_err(&text);
    assert!(
        matches!(&err.reason, ConfigReason::DuplicateName { name, other } if name == "ACME" && other == "acme"),
        "{err}"
    );
    assert_eq!(err.key, "connections.ACME");
}

#[test]
fn missing_env_var_names_key_and_variable() {
    let text = full().replace("env:ACME_SECRET", "env:NOT_SET_ANYWHERE");
    let err = parse_err(&text);
    assert!(
        matches!(&err.reason, ConfigReason::MissingEnvVar { variable } if variable == "NOT_SET_ANYWHERE"),
        "{err}"
    );
    assert_eq!(err.key, "connections.acme.secret");
    assert!(err.to_string().contains("NOT_SET_ANYWHERE"));
}

#[test]
fn aes_key_of_wrong_length_is_rejected_without_echoing_it() {
    let text = full().replace(WECOM_KEY, "tooShortKey");
    let err = parse_err(&text);
    assert!(
        matches!(err.reason, ConfigReason::InvalidAesKey(_)),
        "{err}"
    );
    assert_eq!(err.key, "connections.acme.callback_aes_key");
    assert!(!err.to_string().contains("tooShortKey"));
}

#[test]
fn missing_required_key_names_its_path() {
    let err = parse_err("[erp]\nurl = \"https://erp.example.com\"\n");
    assert!(matches!(err.reason, ConfigReason::MissingKey), "{err}");
    assert_eq!(err.key, "erp.hmac_secret");
    let err = parse_err("[connections.x]\ncorp_id = \"ww1\"\n");
    assert_eq!(err.key, "connections.x.provider");
}

#[test]
fn missing_provider_specific_key() {
    let text = full().replace("app_key = \"dingappkey\"\n", "");
    let err = parse_err(&text);
    assert!(matches!(err.reason, ConfigReason::MissingKey), "{err}");
    assert_eq!(err.key, "connections.acme-dt.app_key");
}

#[test]
fn key_of_the_other_provider_is_rejected() {
    let text = full().replace(
        "secret = \"env:ACME_SECRET\"",
        "secret = \"env:ACME_SECRET\"\napp_key = \"k\"",
    );
    let err = parse_err(&text);
    assert!(
        matches!(
            err.reason,
            ConfigReason::NotForProvider { provider: "wecom" }
        ),
        "{err}"
    );
    assert_eq!(err.key, "connections.acme.app_key");
}

#[test]
fn bad_urls_are_rejected() {
    let err = parse_err("[erp]\nurl = \"ftp://erp\"\nhmac_secret = \"x\"\n");
    assert!(matches!(err.reason, ConfigReason::BadUrl(_)), "{err}");
    assert_eq!(err.key, "erp.url");

    let err = parse_err("[server]\npublic_url = \"not a url\"\n");
    assert!(matches!(err.reason, ConfigReason::BadUrl(_)), "{err}");
    assert_eq!(err.key, "server.public_url");

    let err = parse_err("[database]\nurl = \"mysql://root:pw@db/x\"\n");
    assert!(matches!(err.reason, ConfigReason::BadUrl(_)), "{err}");
    assert!(!err.to_string().contains("pw"), "{err}");
}

#[test]
fn robot_needs_exactly_one_of_key_and_url() {
    let err = parse_err("[robots.r]\nprovider = \"wecom\"\n");
    assert!(matches!(err.reason, ConfigReason::MissingKey), "{err}");
    assert_eq!(err.key, "robots.r.key");
    let err = parse_err("[robots.r]\nprovider = \"wecom\"\nkey = \"a\"\nurl = \"https://x\"\n");
    assert!(matches!(err.reason, ConfigReason::Invalid(_)), "{err}");
    let err = parse_err("[robots.r]\nprovider = \"wecom\"\nkey = \"a\"\nsecret = \"SEC\"\n");
    assert!(
        matches!(err.reason, ConfigReason::NotForProvider { .. }),
        "{err}"
    );
}

#[test]
fn zero_limit_and_bad_timezone_and_name_are_invalid() {
    let err = parse_err("[limits]\nmax_effects = 0\n");
    assert!(matches!(err.reason, ConfigReason::Invalid(_)), "{err}");
    assert_eq!(err.key, "limits.max_effects");
    let err = parse_err("timezone = \"+08:00\"\n");
    assert_eq!(err.key, "timezone");
    let err = parse_err("[connections.\"a b\"]\nprovider = \"wecom\"\n");
    assert_eq!(err.key, "connections.a b");
}

#[test]
fn a_relay_schedule_that_cannot_work_names_its_key() {
    let err = parse_err("[relay]\nmax_attempts = 0\n");
    assert!(matches!(err.reason, ConfigReason::Invalid(_)), "{err}");
    assert_eq!(err.key, "relay.max_attempts");
    let err = parse_err("[relay]\nretry_base_secs = 60\nretry_max_secs = 30\n");
    assert_eq!(err.key, "relay.retry_max_secs");
    assert!(err.to_string().contains("retry_base_secs"), "{err}");
    let err = parse_err("[relay]\nbatch = 4\n");
    assert!(matches!(err.reason, ConfigReason::UnknownKey(_)), "{err}");
    assert_eq!(err.key, "relay.batch");
}

#[test]
fn unreadable_file_is_a_read_error() {
    let err = Config::load(Path::new("/nonexistent/worklink.toml")).unwrap_err();
    assert!(matches!(err.reason, ConfigReason::Read(_)), "{err}");
    assert_eq!(err.file, Path::new("/nonexistent/worklink.toml"));
}

#[test]
fn receive_id_is_the_corp_id_for_wecom_and_the_app_key_for_dingtalk() {
    let config = parse(&full()).unwrap();
    assert_eq!(config.connection("acme").unwrap().receive_id(), "ww1234");
    assert_eq!(
        config.connection("acme-dt").unwrap().receive_id(),
        "dingappkey"
    );
}

#[test]
fn connections_keep_the_order_of_the_file() {
    let text = full().replacen("[connections.acme-dt]", "[connections.aaa-dt]", 1);
    let config = parse(&text).unwrap();
    let names: Vec<&str> = config.connections.iter().map(|c| c.name.as_str()).collect();
    // `acme` is written before `aaa-dt`, so it stays first although it sorts after it.
    assert_eq!(names, ["acme", "aaa-dt"]);
}
