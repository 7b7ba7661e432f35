//! The library half of the `worklink` binary: everything the subcommands share.
//!
//! A tour of the layout:
//! - [`config`]: `worklink.toml` — parsed strictly, secrets resolved from `env:NAME` and held in a
//!   redacting newtype, every error naming the file, the key path and the reason.
//! - [`storage`]: the database (SQLite by default, PostgreSQL for several replicas): migrations per
//!   backend, the inbox, executions, the outbox, tokens, the directory, rules, kv and API keys, with
//!   secrets encrypted at rest.
//! - [`wake`]: the bells one pipeline stage rings for the next.

pub mod clients;
pub mod config;
pub mod delivery;
pub mod http;
pub mod pipeline;
pub mod rules;
pub mod schedule;
pub mod storage;
pub mod sync;
pub mod wake;
