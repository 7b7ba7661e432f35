//! The live-read backends a rule's handler gets.
//!
//! - [`directory`]: `contacts` over the directory tables of the rule's connection (kept current
//!   by sync), so a lookup costs a query, not a provider API call.
//! - [`kv`]: `kv` over the kv table; writes are staged effects the outbox applies.
//! - [`attendance`], [`approvals`]: read live from the connection's provider through the
//!   server's [`Clients`], mapped to the runtime's neutral shapes.
//! - [`memo`]: directory reads shared by the runs of one worker batch.
//! - [`unavailable`]: what a handler gets when there is no connection or no provider client.

mod approvals;
mod attendance;
mod china_time;
mod directory;
mod kv;
mod memo;
mod unavailable;

use std::sync::Arc;

use worklink_providers::api::{ApiError, ErrorClass, Failure};
use worklink_runtime::capability::{Backends, CapError};

use crate::clients::{AppClient, Clients};
use crate::storage::Store;
use directory::StoreContacts;
use kv::StoreKv;
use unavailable::Unavailable;

pub use memo::DirectoryMemo;

/// The backends for a rule whose connection is `connection` (`None` when the server has no
/// connection), reading providers through `clients` when the server has them and sharing
/// directory reads through `memo` with the other runs of the same batch.
pub fn backends(
    store: &Store,
    clients: Option<&Arc<Clients>>,
    connection: Option<&str>,
    memo: &DirectoryMemo,
) -> Backends {
    let unavailable = || {
        Arc::new(Unavailable {
            connection: connection.map(str::to_owned),
        })
    };
    let kv = Arc::new(StoreKv {
        store: store.clone(),
    });
    let Some(connection) = connection else {
        let none = unavailable();
        return Backends {
            contacts: none.clone(),
            attendance: none.clone(),
            approvals: none,
            kv,
        };
    };
    let contacts = Arc::new(StoreContacts {
        store: store.clone(),
        connection: connection.to_owned(),
        memo: memo.clone(),
    });
    match clients {
        Some(clients) => {
            let provider = Arc::new(ProviderReads {
                clients: clients.clone(),
                connection: connection.to_owned(),
            });
            Backends {
                contacts,
                attendance: provider.clone(),
                approvals: provider,
                kv,
            }
        }
        None => {
            let none = unavailable();
            Backends {
                contacts,
                attendance: none.clone(),
                approvals: none,
                kv,
            }
        }
    }
}

/// Reads served by the provider of one connection.
struct ProviderReads {
    clients: Arc<Clients>,
    connection: String,
}

impl ProviderReads {
    fn app(&self) -> Result<&AppClient, CapError> {
        self.clients
            .app(&self.connection)
            .map_err(|e| CapError::Unavailable(e.to_string()))
    }
}

/// A provider failure as the handler sees it: a rejection with the provider's code, an
/// outage as `unavailable` (worth retrying), a request refused before sending as `invalid`.
fn provider_error(error: ApiError) -> CapError {
    match (&error.failure, error.class()) {
        (Failure::Invalid(detail), _) => CapError::Invalid(detail.clone()),
        (_, ErrorClass::Transient | ErrorClass::TokenInvalid) => {
            CapError::Unavailable(error.to_string())
        }
        (Failure::Rejected { .. }, ErrorClass::Permanent) => CapError::Provider {
            code: error.errcode().unwrap_or(-1),
            message: error.to_string(),
        },
        _ => CapError::Unavailable(error.to_string()),
    }
}
