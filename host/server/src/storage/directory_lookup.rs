//! Directory reads the `contacts` capability needs beyond what sync uses: a department by id, its
//! sub-departments, and users by name, mobile or e-mail.

use sqlx::Row;

use super::directory::Department;
use super::{StorageError, Store};

/// Exact-match criteria for [`Store::find_directory_users`]; every present field must match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserSearch<'a> {
    /// Display name.
    pub name: Option<&'a str>,
    /// Mobile number.
    pub mobile: Option<&'a str>,
    /// E-mail.
    pub email: Option<&'a str>,
}

/// Most users one search returns: a search is for finding a person, not for listing the
/// directory.
pub const MAX_SEARCH_RESULTS: i64 = 100;

impl Store {
    /// Department `dept_id` of `connection`.
    pub async fn directory_department(
        &self,
        connection: &str,
        dept_id: &str,
    ) -> Result<Option<Department>, StorageError> {
        sqlx::query(
            "SELECT dept_id, parent_id, name FROM departments WHERE connection = $1 AND dept_id = $2",
        )
        .bind(connection)
        .bind(dept_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| {
            Ok(Department {
                dept_id: row.try_get("dept_id")?,
                parent_id: row.try_get("parent_id")?,
                name: row.try_get("name")?,
            })
        })
        .transpose()
    }

    /// Ids of the departments directly under `dept_id`.
    pub async fn child_departments(
        &self,
        connection: &str,
        dept_id: &str,
    ) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT dept_id FROM departments WHERE connection = $1 AND parent_id = $2 ORDER BY dept_id",
        )
        .bind(connection)
        .bind(dept_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ids of the users of `connection` matching every criterion of `search` (at most
    /// [`MAX_SEARCH_RESULTS`]); an empty search finds nobody.
    pub async fn find_directory_users(
        &self,
        connection: &str,
        search: UserSearch<'_>,
    ) -> Result<Vec<String>, StorageError> {
        let criteria = [
            ("name", search.name),
            ("mobile", search.mobile),
            ("email", search.email),
        ];
        let present: Vec<(&str, &str)> = criteria
            .iter()
            .filter_map(|(column, value)| value.map(|v| (*column, v)))
            .collect();
        if present.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from("SELECT user_id FROM users WHERE connection = $1");
        for (n, (column, _)) in present.iter().enumerate() {
            sql.push_str(&format!(" AND {column} = ${}", n + 2));
        }
        sql.push_str(&format!(" ORDER BY user_id LIMIT {MAX_SEARCH_RESULTS}"));
        let mut query = sqlx::query_scalar(&sql).bind(connection);
        for (_, value) in &present {
            query = query.bind(*value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
