//! Contacts: sub-departments and members of a department (cursor paged), one member's detail.

use serde::{Deserialize, Serialize};

use super::client::Client;
use crate::api::ApiError;

/// Members per `topapi/v2/user/list` page: the documented maximum.
const PAGE_SIZE: u32 = 100;

/// A department.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Department {
    /// Department id; the root is 1.
    pub dept_id: i64,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Parent id.
    #[serde(default)]
    pub parent_id: i64,
}

/// A member. Sensitive fields may be absent, depending on the app's permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    /// The userid.
    pub userid: String,
    /// Cross-organisation id.
    #[serde(default)]
    pub unionid: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Mobile number.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Organisation email.
    #[serde(default)]
    pub org_email: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Employee number.
    #[serde(default)]
    pub job_number: Option<String>,
    /// Department ids.
    #[serde(default)]
    pub dept_id_list: Vec<i64>,
    /// Whether the account is activated.
    #[serde(default)]
    pub active: Option<bool>,
    /// Whether the member leads their department.
    #[serde(default)]
    pub leader: Option<bool>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// The member's manager.
    #[serde(default)]
    pub manager_userid: Option<String>,
}

/// One page of `topapi/v2/user/list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserPage {
    /// Members of this page.
    #[serde(default)]
    pub list: Vec<User>,
    /// Whether more pages follow.
    #[serde(default)]
    pub has_more: bool,
    /// Cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<i64>,
}

#[derive(Serialize)]
struct ListSub {
    dept_id: i64,
    language: &'static str,
}

#[derive(Serialize)]
struct ListUsers {
    dept_id: i64,
    cursor: i64,
    size: u32,
    language: &'static str,
}

#[derive(Serialize)]
struct GetUser<'a> {
    userid: &'a str,
    language: &'static str,
}

impl Client {
    /// `topapi/v2/department/listsub`: the direct sub-departments of `dept_id` (1 = root).
    pub async fn list_departments(&self, dept_id: i64) -> Result<Vec<Department>, ApiError> {
        let body = ListSub {
            dept_id,
            language: "zh_CN",
        };
        self.call_result(self.oapi_post("/topapi/v2/department/listsub", &body))
            .await
    }

    /// One page of `topapi/v2/user/list`; start with cursor 0.
    pub async fn list_users_page(
        &self,
        dept_id: i64,
        cursor: i64,
        size: u32,
    ) -> Result<UserPage, ApiError> {
        let path = "/topapi/v2/user/list";
        if !(1..=PAGE_SIZE).contains(&size) {
            return Err(self.invalid(path, format!("size {size} outside 1..={PAGE_SIZE}")));
        }
        let body = ListUsers {
            dept_id,
            cursor,
            size,
            language: "zh_CN",
        };
        self.call_result(self.oapi_post(path, &body)).await
    }

    /// Every member of department `dept_id`, following the cursor to the end.
    pub async fn list_users(&self, dept_id: i64) -> Result<Vec<User>, ApiError> {
        let mut users = Vec::new();
        let mut cursor = 0;
        loop {
            let page = self.list_users_page(dept_id, cursor, PAGE_SIZE).await?;
            users.extend(page.list);
            match page.next_cursor {
                Some(next) if page.has_more && next != cursor => cursor = next,
                _ => return Ok(users),
            }
        }
    }

    /// `topapi/v2/user/get`.
    pub async fn get_user(&self, userid: &str) -> Result<User, ApiError> {
        let body = GetUser {
            userid,
            language: "zh_CN",
        };
        self.call_result(self.oapi_post("/topapi/v2/user/get", &body))
            .await
    }
}
