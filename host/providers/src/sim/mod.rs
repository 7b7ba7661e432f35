//! Faithful simulators of WeCom (企业微信) and DingTalk (钉钉).
//!
//! They exist for two reasons: `worklink sim` / `worklink dev` let people try Worklink without a
//! real tenant, and the API clients are tested against them. Both uses need the simulators to
//! behave like the real services as documented (token lifetimes, errcode envelopes, paging, limits,
//! silent throttles, signed and encrypted callbacks), not like whatever our own clients expect.
//!
//! Layout: everything the two services share lives here, once — the seeded [`tenant`] generator,
//! the mutable [`directory`], the [`clock`], [`tokens`], [`faults`], the [`recorder`], the send
//! [`throttle`], [`attendance`] punches, [`approvals`], [`oauth`] codes, the [`callbacks`] emitter
//! and the request [`guard`] that applies the knobs of [`controls`]. The [`wecom`] and [`dingtalk`]
//! folders hold only what differs: paths, JSON shapes, error codes and callback envelopes.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use worklink_providers::sim::{self, SimConfig, wecom::WeComSim};
//! let sim = WeComSim::new(SimConfig { seed: 7, users: 40, departments: 6 });
//! let running = sim::serve(sim.router(), "127.0.0.1:0".parse().unwrap()).await?;
//! let creds = sim.credentials();
//! // GET {running.base_url}/cgi-bin/gettoken?corpid={creds.corp_id}&corpsecret=...
//! sim.controls().set_ip_blocked(true); // every call now answers 60020
//! # Ok(()) }
//! ```

pub mod approvals;
pub mod attendance;
pub mod calendar;
pub mod callbacks;
pub mod clock;
pub mod control_api;
pub mod controls;
pub mod dialect;
pub mod dingtalk;
pub mod directory;
pub mod faults;
pub mod guard;
pub mod messaging;
pub mod oauth;
pub mod paging;
pub mod recorder;
pub mod robot;
mod serve;
pub mod tenant;
#[cfg(test)]
mod test_client;
pub mod throttle;
pub mod tokens;
pub mod wecom;

pub use controls::Controls;
pub use serve::{RunningSim, serve};

/// What tenant to generate. The same seed always yields the same tenant, credentials included, so
/// tests and demos are reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// Seed of the generator (departments, users, tags, credentials, punches).
    pub seed: u64,
    /// Number of members to generate.
    pub users: usize,
    /// Number of departments to generate, the root (id 1) included.
    pub departments: usize,
}

impl Default for SimConfig {
    /// A small company: big enough to page through, small enough to read.
    fn default() -> Self {
        SimConfig {
            seed: 1,
            users: 50,
            departments: 8,
        }
    }
}
