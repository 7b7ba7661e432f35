//! The organisation directory mirrored from each connection (departments, users, tags and their
//! memberships) and the bindings between ERP employees and provider users.
//!
//! Sync writes it; handlers read it through the `contacts` capability. A user and their
//! memberships are replaced together in one transaction, so readers never see a user without
//! departments halfway through a sync.

use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, Millis, StorageError, Store};

/// A department as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The provider's department id.
    pub dept_id: String,
    /// Parent department; `None` for the root.
    pub parent_id: Option<String>,
    /// Display name.
    pub name: String,
}

/// A user as the provider reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    /// The provider's user id (WeCom userid, DingTalk userid).
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Mobile number, when the app may see it.
    pub mobile: Option<String>,
    /// Email, when the app may see it.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Whether the account is active (not disabled or departed).
    pub active: bool,
    /// Departments the user belongs to.
    pub department_ids: Vec<String>,
    /// Tags the user carries.
    pub tag_ids: Vec<String>,
    /// Remaining provider fields.
    pub profile: serde_json::Value,
}

/// How an ERP employee is tied to a provider user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The ERP's employee id.
    pub erp_employee_id: String,
    /// The provider user id.
    pub user_id: String,
    /// What established the match (`mobile`, `email`, `manual`, a matcher plugin's name).
    pub matched_by: String,
}

impl Store {
    /// Inserts or updates a department of `connection`.
    pub async fn upsert_department(
        &self,
        connection: &str,
        department: &Department,
        now: Millis,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO departments (connection, dept_id, parent_id, name, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (connection, dept_id) DO UPDATE SET parent_id = excluded.parent_id, \
                 name = excluded.name, updated_at = excluded.updated_at",
        )
        .bind(connection)
        .bind(department.dept_id.as_str())
        .bind(department.parent_id.as_deref())
        .bind(department.name.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Inserts or updates a tag of `connection`.
    pub async fn upsert_tag(
        &self,
        connection: &str,
        tag_id: &str,
        name: &str,
        now: Millis,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO tags (connection, tag_id, name, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (connection, tag_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        )
        .bind(connection)
        .bind(tag_id)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Inserts or updates a user of `connection` and replaces their memberships.
    pub async fn upsert_user(
        &self,
        connection: &str,
        user: &DirectoryUser,
        now: Millis,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (connection, user_id, name, mobile, email, title, active, profile, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (connection, user_id) DO UPDATE SET name = excluded.name, mobile = excluded.mobile, \
                 email = excluded.email, title = excluded.title, active = excluded.active, \
                 profile = excluded.profile, updated_at = excluded.updated_at",
        )
        .bind(connection)
        .bind(user.user_id.as_str())
        .bind(user.name.as_str())
        .bind(user.mobile.as_deref())
        .bind(user.email.as_deref())
        .bind(user.title.as_deref())
        .bind(i64::from(user.active))
        .bind(user.profile.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (table, column, ids) in [
            ("user_departments", "dept_id", &user.department_ids),
            ("user_tags", "tag_id", &user.tag_ids),
        ] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE connection = $1 AND user_id = $2"
            ))
            .bind(connection)
            .bind(user.user_id.as_str())
            .execute(&mut *tx)
            .await?;
            for id in ids {
                sqlx::query(&format!(
                    "INSERT INTO {table} (connection, user_id, {column}) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
                ))
                .bind(connection)
                .bind(user.user_id.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// User `user_id` of `connection`, with memberships.
    pub async fn directory_user(
        &self,
        connection: &str,
        user_id: &str,
    ) -> Result<Option<DirectoryUser>, StorageError> {
        Ok(self
            .bound_directory_user(connection, user_id)
            .await?
            .map(|(user, _)| user))
    }

    /// User `user_id` of `connection` with memberships, and the ERP employee bound to it (a user
    /// has at most one) — one query for all of it, since a handler looking a user up is on
    /// every event's path.
    pub async fn bound_directory_user(
        &self,
        connection: &str,
        user_id: &str,
    ) -> Result<Option<(DirectoryUser, Option<String>)>, StorageError> {
        self.directory_user_with_binding(
            "(SELECT b.erp_employee_id FROM bindings b \
                 WHERE b.connection = u.connection AND b.user_id = u.user_id)",
            "users u WHERE u.connection = $1 AND u.user_id = $2",
            connection,
            user_id,
        )
        .await
    }

    /// The user ERP employee `employee_id` of `connection` is bound to, with memberships — the
    /// binding and the user in one query. `None` when the employee is unbound or the bound user
    /// is not in the directory.
    pub async fn employee_directory_user(
        &self,
        connection: &str,
        employee_id: &str,
    ) -> Result<Option<DirectoryUser>, StorageError> {
        let found = self
            .directory_user_with_binding(
                "b.erp_employee_id",
                "bindings b JOIN users u ON u.connection = b.connection AND u.user_id = b.user_id \
                 WHERE b.connection = $1 AND b.erp_employee_id = $2",
                connection,
                employee_id,
            )
            .await?;
        Ok(found.map(|(user, _)| user))
    }

    /// One user row with its memberships and `employee` (an SQL expression for the bound ERP
    /// employee id), read `FROM {from_where}` with `$1` the connection and `$2` the key.
    async fn directory_user_with_binding(
        &self,
        employee: &str,
        from_where: &str,
        connection: &str,
        key: &str,
    ) -> Result<Option<(DirectoryUser, Option<String>)>, StorageError> {
        let sql = format!(
            "SELECT u.user_id, u.name, u.mobile, u.email, u.title, u.active, u.profile, \
                 {departments} AS department_ids, {tags} AS tag_ids, \
                 {employee} AS erp_employee_id \
             FROM {from_where}",
            departments = members_json(self.backend, "user_departments", "dept_id"),
            tags = members_json(self.backend, "user_tags", "tag_id"),
        );
        let Some(row) = sqlx::query(&sql)
            .bind(connection)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let user = DirectoryUser {
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            mobile: row.try_get("mobile")?,
            email: row.try_get("email")?,
            title: row.try_get("title")?,
            active: row.try_get::<i64, _>("active")? != 0,
            department_ids: json_column(&row, "department_ids", "user_departments.dept_id")?,
            tag_ids: json_column(&row, "tag_ids", "user_tags.tag_id")?,
            profile: json_column(&row, "profile", "users.profile")?,
        };
        Ok(Some((user, row.try_get("erp_employee_id")?)))
    }

    /// Ids of the active users directly in department `dept_id`.
    pub async fn department_members(
        &self,
        connection: &str,
        dept_id: &str,
    ) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT u.user_id FROM user_departments d \
             JOIN users u ON u.connection = d.connection AND u.user_id = d.user_id \
             WHERE d.connection = $1 AND d.dept_id = $2 AND u.active = 1 ORDER BY u.user_id",
        )
        .bind(connection)
        .bind(dept_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ties ERP employee `binding.erp_employee_id` to a provider user, replacing an earlier
    /// binding of that employee.
    pub async fn bind_employee(
        &self,
        connection: &str,
        binding: &Binding,
        now: Millis,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO bindings (connection, erp_employee_id, user_id, matched_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (connection, erp_employee_id) DO UPDATE SET user_id = excluded.user_id, \
                 matched_by = excluded.matched_by, created_at = excluded.created_at",
        )
        .bind(connection)
        .bind(binding.erp_employee_id.as_str())
        .bind(binding.user_id.as_str())
        .bind(binding.matched_by.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The binding of ERP employee `erp_employee_id`.
    pub async fn binding_for_employee(
        &self,
        connection: &str,
        erp_employee_id: &str,
    ) -> Result<Option<Binding>, StorageError> {
        self.binding_where("erp_employee_id", connection, erp_employee_id)
            .await
    }

    /// The binding of provider user `user_id`.
    pub async fn binding_for_user(
        &self,
        connection: &str,
        user_id: &str,
    ) -> Result<Option<Binding>, StorageError> {
        self.binding_where("user_id", connection, user_id).await
    }

    async fn binding_where(
        &self,
        column: &str,
        connection: &str,
        value: &str,
    ) -> Result<Option<Binding>, StorageError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT erp_employee_id, user_id, matched_by FROM bindings WHERE connection = $1 AND {column} = $2"
        ))
        .bind(connection)
        .bind(value)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Binding {
            erp_employee_id: row.try_get("erp_employee_id")?,
            user_id: row.try_get("user_id")?,
            matched_by: row.try_get("matched_by")?,
        }))
    }
}

/// A correlated sub-select giving the user's `column` values of membership `table` as a JSON
/// array of strings, sorted. The two backends spell the aggregate differently.
fn members_json(backend: Backend, table: &str, column: &str) -> String {
    let aggregate = match backend {
        Backend::Sqlite => format!("json_group_array({column} ORDER BY {column})"),
        Backend::Postgres => format!("COALESCE(json_agg({column} ORDER BY {column}), '[]')::text"),
    };
    format!(
        "(SELECT {aggregate} FROM {table} m \
             WHERE m.connection = u.connection AND m.user_id = u.user_id)"
    )
}

/// Column `name` of `row`, a JSON text, decoded; `column` names it in the error if it is not
/// what was stored.
fn json_column<T: DeserializeOwned>(
    row: &AnyRow,
    name: &str,
    column: &'static str,
) -> Result<T, StorageError> {
    let text: String = row.try_get(name)?;
    serde_json::from_str(&text).map_err(|_| StorageError::Corrupt {
        column,
        value: text,
    })
}
