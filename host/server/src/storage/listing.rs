//! Read-only listings for the admin API and `/metrics`: executions with filters, the directory
//! of a connection, and queue depths. The repositories answer "this row"; these answer "which
//! rows", with keyset paging (`before` / `after` an id) so a page stays stable while rows are added.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::directory::{Binding, Department};
use super::executions::ExecutionStatus;
use super::{Millis, StorageError, Store};

/// The largest page any listing returns.
pub const MAX_PAGE: i64 = 500;

/// Which executions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only executions in this status.
    pub status: Option<ExecutionStatus>,
    /// Only executions of this rule (any version).
    pub rule: Option<String>,
    /// Only executions of this inbox event.
    pub event_id: Option<i64>,
    /// Only executions with a smaller id (the next page of a newest-first listing).
    pub before_id: Option<i64>,
    /// Page size, clamped to 1..=[`MAX_PAGE`].
    pub limit: i64,
}

/// One line of the execution history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExecutionSummary {
    /// Execution id.
    pub id: i64,
    /// The rule's name.
    pub rule: String,
    /// The rule version's number (1, 2, ...).
    pub rule_version: i64,
    /// The rule version's id.
    pub rule_version_id: i64,
    /// The inbox event it ran on.
    pub event_id: i64,
    /// That event's kind.
    pub event_kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `skipped`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Error of the last failed attempt.
    pub error: Option<String>,
    /// The execution this one replays.
    pub replay_of: Option<i64>,
    /// When it was queued.
    pub created_at: Millis,
    /// When its last attempt finished.
    pub finished_at: Option<Millis>,
}

/// A directory user as a listing shows it (memberships are on the single-user view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    /// The provider's user id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Mobile number, when the app may see it.
    pub mobile: Option<String>,
    /// Email, when the app may see it.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Whether the account is active.
    pub active: bool,
}

/// How many rows of one queue are in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDepth {
    /// `inbox`, `executions` or `outbox`.
    pub queue: &'static str,
    /// The status (`unmatched` for the inbox).
    pub status: String,
    /// Rows in that status.
    pub count: i64,
}

/// Every execution status, for turning a stored or requested name back into the enum.
const EXECUTION_STATUSES: [ExecutionStatus; 5] = [
    ExecutionStatus::Queued,
    ExecutionStatus::Running,
    ExecutionStatus::Succeeded,
    ExecutionStatus::Failed,
    ExecutionStatus::Skipped,
];

/// The execution status called `name`, if there is one.
pub fn execution_status(name: &str) -> Option<ExecutionStatus> {
    EXECUTION_STATUSES
        .into_iter()
        .find(|status| status.as_str() == name)
}

/// Which page of a connection's directory table to read.
struct KeysetPage<'a> {
    connection: &'a str,
    after: Option<&'a str>,
    limit: i64,
}

/// A requested page size, clamped to 1..=[`MAX_PAGE`].
fn page_size(limit: i64) -> i64 {
    limit.clamp(1, MAX_PAGE)
}

impl Store {
    /// Executions matching `filter`, newest first.
    pub async fn list_executions(
        &self,
        filter: &ExecutionFilter,
    ) -> Result<Vec<ExecutionSummary>, StorageError> {
        // Only the filters present become conditions, numbered in bind order: an untyped NULL
        // parameter (`$1 IS NULL OR ...`) is ambiguous to PostgreSQL.
        let mut conditions = Vec::new();
        let mut next = 0;
        let mut bind_param = || {
            next += 1;
            format!("${next}")
        };
        if filter.status.is_some() {
            conditions.push(format!("e.status = {}", bind_param()));
        }
        if filter.rule.is_some() {
            conditions.push(format!("v.rule_id = {}", bind_param()));
        }
        if filter.event_id.is_some() {
            conditions.push(format!("e.event_id = {}", bind_param()));
        }
        if filter.before_id.is_some() {
            conditions.push(format!("e.id < {}", bind_param()));
        }
        let limit = bind_param();
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT e.id, v.rule_id, v.version, e.rule_version_id, e.event_id, i.kind, e.status, e.attempts, \
                 e.error, e.replay_of, e.created_at, e.finished_at \
             FROM executions e \
             JOIN rule_versions v ON v.id = e.rule_version_id \
             JOIN inbox_events i ON i.id = e.event_id \
             {where_clause} ORDER BY e.id DESC LIMIT {limit}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(status) = filter.status {
            query = query.bind(status.as_str());
        }
        if let Some(rule) = &filter.rule {
            query = query.bind(rule.as_str());
        }
        if let Some(event_id) = filter.event_id {
            query = query.bind(event_id);
        }
        if let Some(before_id) = filter.before_id {
            query = query.bind(before_id);
        }
        query
            .bind(page_size(filter.limit))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(execution_summary)
            .collect()
    }

    /// The departments of `connection`, by id.
    pub async fn list_departments(
        &self,
        connection: &str,
    ) -> Result<Vec<Department>, StorageError> {
        sqlx::query("SELECT dept_id, parent_id, name FROM departments WHERE connection = $1 ORDER BY dept_id")
            .bind(connection)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(Department {
                    dept_id: row.try_get("dept_id")?,
                    parent_id: row.try_get("parent_id")?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Up to `limit` users of `connection` with ids after `after`, by id.
    pub async fn list_users(
        &self,
        connection: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserSummary>, StorageError> {
        let page = KeysetPage {
            connection,
            after,
            limit,
        };
        self.keyset_page(
            "user_id, name, mobile, email, title, active",
            "users",
            "user_id",
            page,
            |row| {
                Ok(UserSummary {
                    user_id: row.try_get("user_id")?,
                    name: row.try_get("name")?,
                    mobile: row.try_get("mobile")?,
                    email: row.try_get("email")?,
                    title: row.try_get("title")?,
                    active: row.try_get::<i64, _>("active")? != 0,
                })
            },
        )
        .await
    }

    /// Up to `limit` bindings of `connection` with ERP employee ids after `after`, by that id.
    pub async fn list_bindings(
        &self,
        connection: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Binding>, StorageError> {
        let page = KeysetPage {
            connection,
            after,
            limit,
        };
        self.keyset_page(
            "erp_employee_id, user_id, matched_by",
            "bindings",
            "erp_employee_id",
            page,
            |row| {
                Ok(Binding {
                    erp_employee_id: row.try_get("erp_employee_id")?,
                    user_id: row.try_get("user_id")?,
                    matched_by: row.try_get("matched_by")?,
                })
            },
        )
        .await
    }

    /// One page of a per-connection directory table, ordered by its text key `key`.
    async fn keyset_page<T>(
        &self,
        columns: &str,
        table: &str,
        key: &str,
        page: KeysetPage<'_>,
        read: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM {table} WHERE connection = $1 AND {key} > $2 ORDER BY {key} LIMIT $3"
        ))
        .bind(page.connection)
        .bind(page.after.unwrap_or(""))
        .bind(page_size(page.limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(read).collect::<Result<_, _>>()?)
    }

    /// Rows per status of the inbox (unmatched only), executions and outbox.
    pub async fn queue_depths(&self) -> Result<Vec<QueueDepth>, StorageError> {
        let unmatched: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM inbox_events WHERE matched_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        let mut depths = vec![QueueDepth {
            queue: "inbox",
            status: "unmatched".to_owned(),
            count: unmatched,
        }];
        for queue in ["executions", "outbox"] {
            let rows = sqlx::query(&format!(
                "SELECT status, COUNT(*) AS n FROM {queue} GROUP BY status ORDER BY status"
            ))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                depths.push(QueueDepth {
                    queue,
                    status: row.try_get("status")?,
                    count: row.try_get("n")?,
                });
            }
        }
        Ok(depths)
    }
}

fn execution_summary(row: &AnyRow) -> Result<ExecutionSummary, StorageError> {
    Ok(ExecutionSummary {
        id: row.try_get("id")?,
        rule: row.try_get("rule_id")?,
        rule_version: row.try_get("version")?,
        rule_version_id: row.try_get("rule_version_id")?,
        event_id: row.try_get("event_id")?,
        event_kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        error: row.try_get("error")?,
        replay_of: row.try_get("replay_of")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_name_maps_back() {
        for status in EXECUTION_STATUSES {
            assert_eq!(execution_status(status.as_str()), Some(status));
        }
        assert_eq!(execution_status("done"), None);
    }

    #[test]
    fn pages_are_clamped() {
        assert_eq!(page_size(0), 1);
        assert_eq!(page_size(-5), 1);
        assert_eq!(page_size(50), 50);
        assert_eq!(page_size(10_000), MAX_PAGE);
    }
}
