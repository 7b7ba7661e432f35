//! Rules and their immutable versions.
//!
//! Publishing a rule stores a snapshot of its content (manifest and script) as a new version
//! identified by a content hash; executions reference the version they ran, so history stays
//! exact after the rule changes. Publishing identical content again returns the existing version.
//!
//! What a rule may do is decided by an admin, per rule and not per version: `enabled` and
//! `approved_grants` live on the rule, so approving a capability or switching a rule off applies
//! to whatever version is current.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use worklink_runtime::capability::Capability;

use super::{Millis, StorageError, Store};

/// One immutable snapshot of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVersion {
    /// Version id, referenced by executions.
    pub id: i64,
    /// The rule's name.
    pub rule_id: String,
    /// 1, 2, 3... per rule.
    pub version: i64,
    /// Hex SHA-256 of `content`.
    pub content_hash: String,
    /// The snapshot itself.
    pub content: String,
}

/// A rule as an admin sees it: its switch, its approvals and its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    /// The rule's name.
    pub name: String,
    /// Whether it runs at all.
    pub enabled: bool,
    /// Capabilities an admin approved; usable only where the manifest also requests them.
    pub approved_grants: Vec<Capability>,
    /// The version new events run against; `None` only for a rule that was never published.
    pub current_version: Option<RuleVersion>,
    /// When the rule last changed (publish, enable, approval).
    pub updated_at: Millis,
}

const COLUMNS: &str = "id, rule_id, version, content_hash, content";

/// The rule columns plus its current version's, for [`RuleRecord`]s.
const RECORD_QUERY: &str = "SELECT r.id AS name, r.enabled, r.approved_grants, r.updated_at, \
         v.id, v.rule_id, v.version, v.content_hash, v.content \
     FROM rules r LEFT JOIN rule_versions v ON v.id = r.current_version_id";

impl Store {
    /// Stores `content` as the current version of `rule_id` (creating the rule, disabled, if new).
    pub async fn publish_rule(
        &self,
        rule_id: &str,
        content: &str,
        now: Millis,
    ) -> Result<RuleVersion, StorageError> {
        let content_hash = hex::encode(Sha256::digest(content.as_bytes()));
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO rules (id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(rule_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let existing = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM rule_versions WHERE rule_id = $1 AND content_hash = $2"
        ))
        .bind(rule_id)
        .bind(content_hash.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let version = match existing {
            Some(row) => rule_version(&row)?,
            None => rule_version(
                &sqlx::query(&format!(
                    "INSERT INTO rule_versions (rule_id, version, content_hash, content, created_at) \
                     SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM rule_versions WHERE rule_id = $1 \
                     RETURNING {COLUMNS}"
                ))
                .bind(rule_id)
                .bind(content_hash.as_str())
                .bind(content)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?,
            )?,
        };
        sqlx::query("UPDATE rules SET current_version_id = $1, updated_at = $2 WHERE id = $3")
            .bind(version.id)
            .bind(now)
            .bind(rule_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Turns rule `rule_id` on or off.
    pub async fn set_rule_enabled(
        &self,
        rule_id: &str,
        enabled: bool,
        now: Millis,
    ) -> Result<(), StorageError> {
        let done = sqlx::query("UPDATE rules SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(now)
            .bind(rule_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!("rule `{rule_id}`")));
        }
        Ok(())
    }

    /// The current version of every enabled rule, by rule name.
    pub async fn enabled_rule_versions(&self) -> Result<Vec<RuleVersion>, StorageError> {
        sqlx::query(
            "SELECT v.id, v.rule_id, v.version, v.content_hash, v.content \
             FROM rules r JOIN rule_versions v ON v.id = r.current_version_id \
             WHERE r.enabled = 1 ORDER BY r.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(rule_version)
        .collect()
    }

    /// Every rule, by name.
    pub async fn list_rules(&self) -> Result<Vec<RuleRecord>, StorageError> {
        sqlx::query(&format!("{RECORD_QUERY} ORDER BY r.id"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rule_record)
            .collect()
    }

    /// Rule `name`, if it exists.
    pub async fn rule(&self, name: &str) -> Result<Option<RuleRecord>, StorageError> {
        sqlx::query(&format!("{RECORD_QUERY} WHERE r.id = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rule_record(&row))
            .transpose()
    }

    /// Sets the capabilities an admin approves for rule `name` to exactly `grants` (so approving
    /// fewer revokes the rest).
    pub async fn approve_rule_grants(
        &self,
        name: &str,
        grants: &[Capability],
        now: Millis,
    ) -> Result<(), StorageError> {
        let mut grants = grants.to_vec();
        grants.sort();
        grants.dedup();
        // A list of unit enum variants always serialises.
        let json = serde_json::to_string(&grants).unwrap_or_else(|_| "[]".to_owned());
        let done =
            sqlx::query("UPDATE rules SET approved_grants = $1, updated_at = $2 WHERE id = $3")
                .bind(json)
                .bind(now)
                .bind(name)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!("rule `{name}`")));
        }
        Ok(())
    }

    /// Rule version `id`.
    pub async fn rule_version(&self, id: i64) -> Result<Option<RuleVersion>, StorageError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM rule_versions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| rule_version(&row))
        .transpose()
    }
}

fn rule_record(row: &AnyRow) -> Result<RuleRecord, StorageError> {
    let grants: String = row.try_get("approved_grants")?;
    let version_id: Option<i64> = row.try_get("id")?;
    Ok(RuleRecord {
        name: row.try_get("name")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        approved_grants: serde_json::from_str(&grants).map_err(|_| StorageError::Corrupt {
            column: "rules.approved_grants",
            value: grants,
        })?,
        current_version: version_id.map(|_| rule_version(row)).transpose()?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn rule_version(row: &AnyRow) -> Result<RuleVersion, StorageError> {
    Ok(RuleVersion {
        id: row.try_get("id")?,
        rule_id: row.try_get("rule_id")?,
        version: row.try_get("version")?,
        content_hash: row.try_get("content_hash")?,
        content: row.try_get("content")?,
    })
}
