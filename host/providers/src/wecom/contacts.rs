//! Contacts (通讯录): departments and members.
//!
//! Since 2022 new apps get no mobile, email, avatar or gender from `user/get` / `user/list`, and
//! new IPs of the address-book sync tool cannot call `user/list` or `department/list`; so every
//! sensitive field is optional, and `user/list_id` / `department/simplelist` are provided.

use serde::{Deserialize, Serialize};

use super::client::Client;
use crate::api::ApiError;

/// A department as returned by `department/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Department id; the root is 1.
    pub id: i64,
    /// Name (absent for third-party apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Parent id; 0 for the root.
    #[serde(default)]
    pub parentid: i64,
    /// Sort order; larger sorts first.
    #[serde(default)]
    pub order: u32,
    /// Userids of the department's leaders (left unchanged by an update when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub department_leader: Vec<String>,
}

/// A department as returned by `department/simplelist`: ids only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DepartmentRef {
    /// Department id.
    pub id: i64,
    /// Parent id.
    #[serde(default)]
    pub parentid: i64,
    /// Sort order.
    #[serde(default)]
    pub order: u32,
}

/// A department to create; `id` is chosen by WeCom when absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDepartment {
    /// Name, 1–32 characters.
    pub name: String,
    /// Parent department id.
    pub parentid: i64,
    /// English name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Sort order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    /// Explicit id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// A member. Everything but `userid` is optional: reads may omit sensitive fields, and updates
/// send only what is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The userid (unique, case-insensitive).
    pub userid: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Department ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Vec<i64>>,
    /// Sort order within each department, parallel to `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<u32>>,
    /// Leader flag per department, parallel to `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_leader_in_dept: Option<Vec<u8>>,
    /// Main department id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_department: Option<i64>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Mobile number (absent for new apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// `"1"` male, `"2"` female (a string on the wire; absent for new apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Email (absent for new apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Corporate mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_mail: Option<String>,
    /// Direct leaders' userids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_leader: Option<Vec<String>>,
    /// Alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Landline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    /// Avatar URL (absent for new apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// 1 activated, 2 disabled, 4 not activated, 5 exited (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// 1 enabled, 0 disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<i64>,
    /// Corp-independent id (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_userid: Option<String>,
}

/// A member as returned by `user/simplelist`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserBrief {
    /// The userid.
    pub userid: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Department ids.
    #[serde(default)]
    pub department: Vec<i64>,
}

/// One (member, department) row of `user/list_id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeptUser {
    /// The userid (or open_userid for third-party apps).
    #[serde(alias = "open_userid")]
    pub userid: String,
    /// The department.
    pub department: i64,
}

/// One page of `user/list_id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserIdPage {
    /// Rows of this page.
    #[serde(default)]
    pub dept_user: Vec<DeptUser>,
    /// Cursor of the next page; empty at the end.
    #[serde(default)]
    pub next_cursor: String,
}

#[derive(Deserialize)]
struct DepartmentList {
    #[serde(default)]
    department: Vec<Department>,
}

#[derive(Deserialize)]
struct DepartmentRefList {
    #[serde(default)]
    department_id: Vec<DepartmentRef>,
}

#[derive(Deserialize)]
struct Created {
    id: i64,
}

#[derive(Deserialize)]
struct UserList<T> {
    #[serde(default = "Vec::new")]
    userlist: Vec<T>,
}

#[derive(Serialize)]
struct ListIdRequest<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    cursor: &'a str,
    limit: u32,
}

/// Rows per `user/list_id` page: the documented maximum.
pub const LIST_ID_LIMIT: u32 = 10_000;

impl Client {
    /// `department/list`: the department `id` and its whole subtree (everything when `None`).
    pub async fn list_departments(&self, id: Option<i64>) -> Result<Vec<Department>, ApiError> {
        let mut req = self.get("department/list");
        if let Some(id) = id {
            req = req.query("id", id);
        }
        Ok(self.call::<DepartmentList>(req).await?.department)
    }

    /// `department/simplelist`: ids of the department `id` and its subtree.
    pub async fn list_department_ids(
        &self,
        id: Option<i64>,
    ) -> Result<Vec<DepartmentRef>, ApiError> {
        let mut req = self.get("department/simplelist");
        if let Some(id) = id {
            req = req.query("id", id);
        }
        Ok(self.call::<DepartmentRefList>(req).await?.department_id)
    }

    /// `department/create`; returns the new id.
    pub async fn create_department(&self, department: &NewDepartment) -> Result<i64, ApiError> {
        Ok(self
            .call::<Created>(self.post("department/create", department))
            .await?
            .id)
    }

    /// `department/update`: changes the fields that are set.
    pub async fn update_department(&self, department: &Department) -> Result<(), ApiError> {
        self.send(self.post("department/update", department)).await
    }

    /// `department/delete`: the department must have no members and no sub-departments.
    pub async fn delete_department(&self, id: i64) -> Result<(), ApiError> {
        self.send(self.get("department/delete").query("id", id))
            .await
    }

    /// `user/get`.
    pub async fn get_user(&self, userid: &str) -> Result<User, ApiError> {
        self.call(self.get("user/get").query("userid", userid))
            .await
    }

    /// `user/list`: members of a department with details.
    pub async fn list_users(&self, department_id: i64) -> Result<Vec<User>, ApiError> {
        let req = self.get("user/list").query("department_id", department_id);
        Ok(self.call::<UserList<User>>(req).await?.userlist)
    }

    /// `user/simplelist`: userids and names of a department's members.
    pub async fn list_users_brief(&self, department_id: i64) -> Result<Vec<UserBrief>, ApiError> {
        let req = self
            .get("user/simplelist")
            .query("department_id", department_id);
        Ok(self.call::<UserList<UserBrief>>(req).await?.userlist)
    }

    /// One page of `user/list_id`; pass an empty cursor for the first page.
    pub async fn list_user_ids_page(
        &self,
        cursor: &str,
        limit: u32,
    ) -> Result<UserIdPage, ApiError> {
        if !(1..=LIST_ID_LIMIT).contains(&limit) {
            let detail = format!("limit {limit} outside 1..={LIST_ID_LIMIT}");
            return Err(self.invalid("user/list_id", detail));
        }
        self.call(self.post("user/list_id", &ListIdRequest { cursor, limit }))
            .await
    }

    /// Every (member, department) row of `user/list_id`, following the cursor to the end;
    /// `page_size` rows per call (at most 10 000, the fewest calls).
    pub async fn list_user_ids(&self, page_size: u32) -> Result<Vec<DeptUser>, ApiError> {
        let mut rows = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = self.list_user_ids_page(&cursor, page_size).await?;
            rows.extend(page.dept_user);
            if page.next_cursor.is_empty() || page.next_cursor == cursor {
                return Ok(rows);
            }
            cursor = page.next_cursor;
        }
    }

    /// `user/create` (address-book sync secret only).
    pub async fn create_user(&self, user: &User) -> Result<(), ApiError> {
        self.send(self.post("user/create", user)).await
    }

    /// `user/update`: changes the fields that are set.
    pub async fn update_user(&self, user: &User) -> Result<(), ApiError> {
        self.send(self.post("user/update", user)).await
    }

    /// `user/delete`.
    pub async fn delete_user(&self, userid: &str) -> Result<(), ApiError> {
        self.send(self.get("user/delete").query("userid", userid))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_without_sensitive_fields_parses() {
        let user: User =
            serde_json::from_str(r#"{"userid":"zhangsan","name":"张三","department":[1]}"#)
                .unwrap();
        assert_eq!(user.mobile, None);
        assert_eq!(user.department, Some(vec![1]));
    }

    #[test]
    fn update_sends_only_set_fields() {
        let user = User {
            userid: "u1".into(),
            position: Some("CEO".into()),
            ..User::default()
        };
        assert_eq!(
            serde_json::to_string(&user).unwrap(),
            r#"{"userid":"u1","position":"CEO"}"#
        );
    }
}
