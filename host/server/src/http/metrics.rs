//! `GET /metrics`: Prometheus exposition (OpenMetrics text) of the ingest counters kept in memory
//! and of the queue depths, read from the database at each scrape so every replica reports the
//! shared queues as they are, not as it last saw them.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::AppState;
use super::error::{AppError, ErrorBody};

/// The content type of the OpenMetrics text format, which Prometheus scrapes natively.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What happened to one incoming event.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Written to the inbox.
    Stored,
    /// Already in the inbox (a provider retry, a repeated client id); acknowledged, not stored.
    Duplicate,
    /// Refused (signature, receive id, malformed body); nothing stored.
    Rejected,
}

impl IngestOutcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestOutcome::Stored => "stored",
            IngestOutcome::Duplicate => "duplicate",
            IngestOutcome::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestLabels {
    source: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
    status: String,
}

/// Counters kept by this process since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    ingest: Family<IngestLabels, Counter>,
}

impl Metrics {
    /// Counts one event from `source` (`wecom`, `dingtalk`, `erp`) with `outcome`.
    pub fn count_ingest(&self, source: &'static str, outcome: IngestOutcome) {
        self.ingest
            .get_or_create(&IngestLabels {
                source,
                outcome: outcome.as_str(),
            })
            .inc();
    }
}

/// Serves the ingest counters and the queue depths.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "OpenMetrics text", body = String, content_type = "application/openmetrics-text"),
        (status = 500, description = "The database could not be read", body = ErrorBody),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, AppError> {
    let depths = Family::<QueueLabels, Gauge>::default();
    for depth in state.store.queue_depths().await? {
        depths
            .get_or_create(&QueueLabels {
                queue: depth.queue,
                status: depth.status,
            })
            .set(depth.count);
    }
    let mut registry = Registry::with_prefix("worklink");
    registry.register(
        "ingest_events",
        "Incoming events by source and outcome",
        state.metrics.ingest.clone(),
    );
    registry.register(
        "queue_depth",
        "Rows per queue and status, read from the database",
        depths,
    );
    let mut text = String::new();
    // Writing into a String cannot fail; a formatting error would be a bug in the encoder.
    prometheus_client::encoding::text::encode(&mut text, &registry)
        .map_err(|_| AppError::Unavailable("metrics could not be encoded".into()))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}
