//! The library half of the `worklink` binary: everything the subcommands share.
//!
//! A tour of the layout:
//! - [`config`]: `worklink.toml` — parsed strictly, secrets resolved from `env:NAME` and held in a
//!   redacting newtype, every error naming the file, the key path and the reason.
//! - [`storage`]: the database (SQLite by default, PostgreSQL for several replicas): migrations per
//!   backend, the inbox, executions, the outbox, tokens, the directory, rules, kv and API keys, with
//!   secrets encrypted at rest.
//! - [`rules`]: rule manifests on disk, published as immutable versions.
//! - [`pipeline`]: matching inbox events to rules, running handlers, committing their effects.
//! - [`clients`]: the WeCom and DingTalk clients per configured connection.
//! - [`delivery`]: the outbox relay delivering effects to providers, robots and the ERP.
//! - [`sync`]: the directory sync; [`schedule`]: cron rules.
//! - [`http`]: callbacks, the ERP events API, the admin API and health/metrics.
//! - [`app`]: all of the above started together as one server; [`dev`]: that server against
//!   simulated tenants, for `worklink dev`.
//! - [`wake`]: the bells one pipeline stage rings for the next.

pub mod app;
pub mod clients;
pub mod config;
pub mod delivery;
pub mod dev;
pub mod http;
pub mod pipeline;
pub mod rules;
pub mod schedule;
pub mod storage;
pub mod sync;
pub mod wake;
