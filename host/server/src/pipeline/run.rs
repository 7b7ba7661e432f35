//! The pipeline's loops: one matcher and N workers, until cancelled.
//!
//! Each stage polls (another replica may have written the row that is now due) and listens to
//! its bell (this process wrote it): the matcher rings `executions` when it queues work, a worker
//! rings `outbox` when it commits effects, and a worker that found work rings `executions` again
//! so an idle colleague joins in while the queue lasts.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::Pipeline;
use crate::storage::Backend;
use crate::wake::{Wakeups, idle};

impl Pipeline {
    /// Runs the matcher and `workers` workers until `cancel` fires. On SQLite, executions a
    /// killed process left running are requeued first (one process owns a SQLite file); on
    /// PostgreSQL their leases expire instead.
    pub async fn run(self: Arc<Self>, workers: usize, wake: Wakeups, cancel: CancellationToken) {
        if self.store.backend() == Backend::Sqlite {
            match self.store.requeue_running_executions(self.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(executions = n, "requeued executions left running"),
                Err(error) => tracing::error!(%error, "cannot requeue executions left running"),
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(self.clone().match_loop(wake.clone(), cancel.clone()));
        let tag = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        for n in 0..workers.max(1) {
            let worker = format!("worker-{tag}-{n}");
            tasks.spawn(self.clone().work_loop(worker, wake.clone(), cancel.clone()));
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn match_loop(self: Arc<Self>, wake: Wakeups, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            let full_batch = match self.match_pending().await {
                Ok(report) => {
                    if report.executions > 0 {
                        wake.executions.notify_one();
                    }
                    report.events as i64 >= self.options.match_batch
                }
                Err(error) => {
                    tracing::warn!(%error, "matching inbox events failed");
                    false
                }
            };
            if !full_batch {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = idle(&wake.inbox, self.options.poll) => {}
                }
            }
        }
    }

    async fn work_loop(self: Arc<Self>, worker: String, wake: Wakeups, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            match self.run_batch(&worker, self.options.execution_batch).await {
                Ok(reports) if !reports.is_empty() => {
                    wake.executions.notify_one();
                    if reports.iter().any(|report| report.effects > 0) {
                        wake.outbox.notify_one();
                    }
                }
                Ok(_) => {
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = idle(&wake.executions, self.options.poll) => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(%worker, %error, "running an execution failed");
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        _ = idle(&wake.executions, self.options.poll) => {}
                    }
                }
            }
        }
    }
}
