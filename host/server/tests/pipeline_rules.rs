//! Publishing rules on both backends: versions are immutable and content-addressed, new rules
//! start disabled with nothing approved, a broken manifest publishes nothing and names itself.

#[macro_use]
mod storage_support;
mod pipeline_support;

use pipeline_support::Fixture;
use storage_support::NOW;
use worklink_runtime::capability::Capability;
use worklink_server::rules::{Rule, RuleError};
use worklink_server::storage::{StorageError, Store};

const SCRIPTED: &str =
    "name = \"scripted\"\non = \"erp.*\"\nscript = \"scripted.rhai\"\ngrants = [\"log\", \"kv\"]\n";

async fn reload_publishes_versions_only_when_content_changes(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write("scripted.toml", SCRIPTED);
    fx.write("scripted.rhai", "fn handle(event, config) { 1 }");
    let first = fx.reload().await;
    assert_eq!(first.published.len(), 1);
    assert!(first.published[0].created);
    assert_eq!(first.published[0].version, 1);

    let rules = fx.store.list_rules().await.unwrap();
    assert_eq!(rules.len(), 1);
    assert!(!rules[0].enabled, "new rules start disabled");
    assert!(
        rules[0].approved_grants.is_empty(),
        "and with nothing approved"
    );

    let again = fx.reload().await;
    assert!(again.published.is_empty());
    assert_eq!(again.unchanged, ["scripted"]);

    // Editing only the script is a new version; the old one stays as it was.
    fx.write("scripted.rhai", "fn handle(event, config) { 2 }");
    let edited = fx.reload().await;
    assert_eq!(
        (edited.published[0].version, edited.published[0].created),
        (2, false)
    );
    let current = fx
        .store
        .rule("scripted")
        .await
        .unwrap()
        .unwrap()
        .current_version
        .unwrap();
    let rule = Rule::from_version(&current).unwrap();
    assert_eq!(rule.script.unwrap().text, "fn handle(event, config) { 2 }");
    assert_eq!(rule.manifest.grants, [Capability::Kv, Capability::Log]);

    std::fs::remove_file(fx.rules_dir.path().join("scripted.toml")).unwrap();
    assert_eq!(fx.reload().await.missing, ["scripted"]);
}

async fn a_broken_manifest_publishes_nothing_and_names_its_key(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write("scripted.rhai", "fn handle(event, config) { 1 }");
    fx.write("scripted.toml", SCRIPTED);
    fx.write(
        "broken.toml",
        "name = \"broken\"\non = \"erp.*\"\nplugin = \"x\"\ngrants = [\"network\"]\n",
    );
    let err = worklink_server::rules::reload(&fx.store, fx.rules_dir.path())
        .await
        .unwrap_err();
    let RuleError::Manifest(config) = &err else {
        panic!("{err}");
    };
    assert_eq!(config.key, "grants[0]");
    assert!(config.file.ends_with("broken.toml"), "{err}");
    assert!(
        fx.store.list_rules().await.unwrap().is_empty(),
        "nothing was published"
    );

    // A `when` that does not compile is caught at reload too, with its position.
    fx.write(
        "broken.toml",
        "name = \"broken\"\non = \"erp.*\"\nplugin = \"x\"\nwhen = \"event.kind ==\"\n",
    );
    let err = worklink_server::rules::reload(&fx.store, fx.rules_dir.path())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("broken.toml") && message.contains("`when`"),
        "{message}"
    );
}

async fn grants_are_approved_per_rule_and_replaced_as_a_set(store: &Store) {
    let fx = Fixture::new(store).await;
    fx.write("scripted.toml", SCRIPTED);
    fx.write("scripted.rhai", "fn handle(event, config) { 1 }");
    fx.reload().await;
    fx.store
        .approve_rule_grants(
            "scripted",
            &[Capability::Log, Capability::Kv, Capability::Log],
            NOW,
        )
        .await
        .unwrap();
    let rule = fx.store.rule("scripted").await.unwrap().unwrap();
    assert_eq!(rule.approved_grants, [Capability::Kv, Capability::Log]);
    fx.store
        .approve_rule_grants("scripted", &[Capability::Log], NOW)
        .await
        .unwrap();
    let rule = fx.store.rule("scripted").await.unwrap().unwrap();
    assert_eq!(
        rule.approved_grants,
        [Capability::Log],
        "approving fewer revokes the rest"
    );
    assert!(matches!(
        fx.store.approve_rule_grants("absent", &[], NOW).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(fx.store.rule("absent").await.unwrap().is_none());
}

async fn a_rule_is_checked_against_its_plugin_before_it_goes_live(store: &Store) {
    use worklink_server::pipeline::RuleWarning;

    let fx = Fixture::new(store).await;
    fx.rule(
        "task-notify",
        &pipeline_support::shipped_manifest("task-notify"),
        &pipeline_support::TASK_NOTIFY_GRANTS,
    )
    .await;
    assert_eq!(fx.pipeline.check_rule("task-notify").await.unwrap(), []);

    // A config the plugin's schema refuses, a grant it never asks for, nothing approved.
    let manifest = "name = \"careless\"\non = \"erp.task.assigned\"\nplugin = \"task-notify\"\n\
                    grants = [\"contacts\", \"log\", \"erp\"]\n[config]\ntitle_prefix = 5\n";
    fx.write("careless.toml", manifest);
    fx.reload().await;
    let warnings = fx.pipeline.check_rule("careless").await.unwrap();
    assert!(
        matches!(&warnings[0], RuleWarning::AwaitingApproval(caps) if caps.len() == 3),
        "{warnings:?}"
    );
    assert!(
        matches!(&warnings[1], RuleWarning::Config(reason) if reason.contains("/title_prefix")),
        "{warnings:?}"
    );
    assert_eq!(
        warnings[2],
        RuleWarning::UndeclaredGrants(vec![Capability::Erp])
    );
    assert_eq!(
        warnings[3],
        RuleWarning::UnrequestedCapabilities(vec![Capability::Messaging])
    );

    fx.write(
        "orphan.toml",
        "name = \"orphan\"\non = \"*\"\nplugin = \"absent\"\nconnection = \"nowhere\"\n",
    );
    fx.reload().await;
    let warnings = fx.pipeline.check_rule("orphan").await.unwrap();
    assert!(
        matches!(&warnings[0], RuleWarning::Connection(_)),
        "{warnings:?}"
    );
    assert!(
        matches!(&warnings[1], RuleWarning::Plugin(reason) if reason.contains("not installed")),
        "{warnings:?}"
    );
}

on_both_backends!(
    reload_publishes_versions_only_when_content_changes,
    a_broken_manifest_publishes_nothing_and_names_its_key,
    grants_are_approved_per_rule_and_replaced_as_a_set,
    a_rule_is_checked_against_its_plugin_before_it_goes_live,
);
