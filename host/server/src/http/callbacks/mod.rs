//! Provider callbacks: verify, decrypt, normalise, write to the inbox, answer — nothing slower.
//!
//! WeCom retries after 5 s and DingTalk wants its answer within 1.5 s, so the request path only
//! runs the providers' ingest function and one insert per event; rules run later, woken by the
//! inbox bell. Both providers share [`receive`]; what differs (query shape, which ingest function,
//! the acknowledgement, DingTalk's URL check) is the [`CallbackApi`] of each module.
//!
//! A duplicate (the provider retrying a callback we already stored) is acknowledged like a new
//! one: the provider must stop retrying. A callback that fails verification stores nothing and
//! gets a 4xx naming the reason.

pub mod dingtalk;
pub mod wecom;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use worklink_providers::crypto::{CallbackCrypto, CryptoError};
use worklink_providers::events::ProviderEvent;
use worklink_providers::events::ingest::IngestError;

use super::AppState;
use super::error::AppError;
use super::metrics::IngestOutcome;
use crate::config::{Config, Provider};
use crate::storage::inbox::{InboxInsert, NewEvent};
use crate::storage::now_millis;

/// The providers crate's request path for one provider.
pub type IngestFn<Q> = fn(&CallbackCrypto, &Q, &[u8]) -> Result<Vec<ProviderEvent>, IngestError>;

/// What differs between the WeCom and DingTalk callback endpoints.
pub trait CallbackApi {
    /// Which provider's connections this endpoint serves.
    const PROVIDER: Provider;
    /// The signed query string.
    type Query;
    /// Verifies, decrypts and normalises one request (the providers crate's ingest function).
    const INGEST: IngestFn<Self::Query>;
    /// The answer that tells the provider the callback arrived.
    fn acknowledge(crypto: &CallbackCrypto) -> Response;
    /// Whether `event` only checks that the URL answers (stored nowhere).
    fn is_url_check(_event: &ProviderEvent) -> bool {
        false
    }
}

/// Every configured connection's callback crypto, built once at start.
#[derive(Debug, Clone, Default)]
pub struct CallbackKeys(Arc<HashMap<String, (Provider, CallbackCrypto)>>);

impl CallbackKeys {
    /// Builds the crypto of every connection in `config` (token, AES key, receive id).
    pub fn from_config(config: &Config) -> Result<Self, CryptoError> {
        let mut keys = HashMap::with_capacity(config.connections.len());
        for connection in &config.connections {
            let crypto = CallbackCrypto::new(
                connection.callback_token.expose(),
                connection.callback_aes_key.expose(),
                connection.receive_id(),
            )?;
            keys.insert(connection.name.clone(), (connection.provider(), crypto));
        }
        Ok(CallbackKeys(Arc::new(keys)))
    }

    /// The crypto of connection `name`, if it is a connection of `provider`.
    pub fn get(&self, provider: Provider, name: &str) -> Result<&CallbackCrypto, AppError> {
        match self.0.get(name) {
            Some((p, crypto)) if *p == provider => Ok(crypto),
            _ => Err(AppError::UnknownConnection {
                provider: provider.as_str(),
                name: name.to_owned(),
            }),
        }
    }
}

/// Counts and logs a refused callback and turns it into its 4xx answer. The error names what
/// failed (signature, receive id, parse position), never the token or the key.
pub fn rejected(
    state: &AppState,
    provider: Provider,
    connection: &str,
    err: IngestError,
) -> AppError {
    let provider = provider.as_str();
    state
        .metrics
        .count_ingest(provider, IngestOutcome::Rejected);
    tracing::warn!(provider, connection, error = %err, "callback rejected");
    AppError::Callback(err)
}

/// The shared request path of both providers' event POSTs.
pub async fn receive<P: CallbackApi>(
    state: &AppState,
    connection: &str,
    query: &P::Query,
    body: &Bytes,
) -> Result<Response, AppError> {
    let crypto = state.callbacks.get(P::PROVIDER, connection)?;
    let provider = P::PROVIDER.as_str();
    let events = (P::INGEST)(crypto, query, body)
        .map_err(|err| rejected(state, P::PROVIDER, connection, err))?;
    let received_at = now_millis();
    let mut stored = false;
    for event in events.into_iter().filter(|event| !P::is_url_check(event)) {
        let new = NewEvent {
            source: connection.to_owned(),
            dedup_key: event.dedup_key,
            kind: event.kind,
            occurred_at: event.occurred_at_ms,
            payload: event.payload,
        };
        let outcome = match state.store.insert_event(&new, received_at).await? {
            InboxInsert::Inserted(_) => {
                stored = true;
                IngestOutcome::Stored
            }
            InboxInsert::Duplicate(_) => IngestOutcome::Duplicate,
        };
        state.metrics.count_ingest(provider, outcome);
    }
    if stored {
        state.wake.inbox.notify_one();
    }
    Ok(P::acknowledge(crypto))
}
