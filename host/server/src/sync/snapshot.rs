//! Reading a connection's whole directory from its provider: the one place where WeCom and
//! DingTalk differ for sync.
//!
//! - WeCom lists every department in one call and each department's members with full detail;
//!   tags come from `tag/list` (their member lists are not read, so users carry no tags).
//! - DingTalk lists sub-departments one level at a time (walked breadth first from the root,
//!   which `listsub` never returns itself) and members page by page; it has no tags.
//!
//! A failure to list departments fails the sync. A failure to list one department's members
//! only marks the snapshot incomplete: what was read is still written, but nobody is marked
//! inactive on the strength of a partial read.

use std::collections::{BTreeMap, VecDeque};

use worklink_providers::api::ApiError;
use worklink_providers::{dingtalk, wecom};

use crate::clients::AppClient;
use crate::clients::app::DINGTALK_ROOT;
use crate::storage::directory::{Department, DirectoryUser};

/// A connection's directory as read from the provider.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every department read.
    pub departments: Vec<Department>,
    /// Every user read, once each, by user id.
    pub users: BTreeMap<String, DirectoryUser>,
    /// Tags as (id, name).
    pub tags: Vec<(String, String)>,
    /// Whether every member list was read; only then are missing users gone.
    pub complete: bool,
}

/// Reads the directory of the connection `app` belongs to.
pub async fn read(app: &AppClient) -> Result<Snapshot, ApiError> {
    match app {
        AppClient::WeCom(client) => read_wecom(client).await,
        AppClient::DingTalk(client) => read_dingtalk(client).await,
    }
}

async fn read_wecom(client: &wecom::Client) -> Result<Snapshot, ApiError> {
    let mut snapshot = Snapshot {
        complete: true,
        ..Snapshot::default()
    };
    let departments = client.list_departments(None).await?;
    for department in &departments {
        match client.list_users(department.id).await {
            Ok(users) => {
                for user in users {
                    snapshot.users.insert(user.userid.clone(), wecom_user(user));
                }
            }
            Err(err) => snapshot.partial(department.id, &err),
        }
    }
    snapshot.departments = departments
        .into_iter()
        .map(|d| Department {
            dept_id: d.id.to_string(),
            parent_id: (d.parentid != 0).then(|| d.parentid.to_string()),
            name: d.name.unwrap_or_default(),
        })
        .collect();
    snapshot.tags = client
        .list_tags()
        .await?
        .into_iter()
        .map(|tag| (tag.tagid.to_string(), tag.tagname))
        .collect();
    Ok(snapshot)
}

async fn read_dingtalk(client: &dingtalk::Client) -> Result<Snapshot, ApiError> {
    let mut snapshot = Snapshot {
        complete: true,
        ..Snapshot::default()
    };
    let mut pending = VecDeque::from([DINGTALK_ROOT]);
    while let Some(parent) = pending.pop_front() {
        for child in client.list_departments(parent).await? {
            pending.push_back(child.dept_id);
            snapshot.departments.push(Department {
                dept_id: child.dept_id.to_string(),
                parent_id: Some(child.parent_id.to_string()),
                name: child.name,
            });
        }
        match client.list_users(parent).await {
            Ok(users) => {
                for user in users {
                    snapshot
                        .users
                        .insert(user.userid.clone(), dingtalk_user(user));
                }
            }
            Err(err) => snapshot.partial(parent, &err),
        }
    }
    Ok(snapshot)
}

impl Snapshot {
    fn partial(&mut self, department: i64, err: &ApiError) {
        tracing::warn!(department, error = %err, "listing a department's members failed; sync is partial");
        self.complete = false;
    }
}

/// A WeCom member: active unless disabled (status 2, `enable` 0) or departed (status 5).
fn wecom_user(user: wecom::User) -> DirectoryUser {
    let active = !matches!(user.status, Some(2 | 5)) && user.enable != Some(0);
    DirectoryUser {
        user_id: user.userid.clone(),
        name: user.name.clone().unwrap_or_default(),
        mobile: user.mobile.clone().filter(|m| !m.is_empty()),
        email: user.email.clone().filter(|e| !e.is_empty()),
        title: user.position.clone().filter(|p| !p.is_empty()),
        active,
        department_ids: ids(user.department.iter().flatten()),
        tag_ids: Vec::new(),
        profile: serde_json::to_value(&user).unwrap_or_default(),
    }
}

/// A DingTalk member: active unless the service says otherwise.
fn dingtalk_user(user: dingtalk::User) -> DirectoryUser {
    DirectoryUser {
        user_id: user.userid.clone(),
        name: user.name.clone(),
        mobile: user.mobile.clone().filter(|m| !m.is_empty()),
        email: user
            .email
            .clone()
            .or_else(|| user.org_email.clone())
            .filter(|e| !e.is_empty()),
        title: user.title.clone().filter(|t| !t.is_empty()),
        active: user.active.unwrap_or(true),
        department_ids: ids(&user.dept_id_list),
        tag_ids: Vec::new(),
        profile: serde_json::json!({
            "unionid": user.unionid,
            "job_number": user.job_number,
            "leader": user.leader,
            "manager_userid": user.manager_userid,
            "avatar": user.avatar,
        }),
    }
}

fn ids<'a>(ids: impl IntoIterator<Item = &'a i64>) -> Vec<String> {
    ids.into_iter().map(i64::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wecom_disabled_and_departed_members_are_inactive() {
        let user = |status, enable| wecom::User {
            userid: "zhangsan".into(),
            name: Some("张三".into()),
            department: Some(vec![1, 4]),
            status,
            enable,
            ..wecom::User::default()
        };
        let active = wecom_user(user(Some(1), Some(1)));
        assert!(active.active);
        assert_eq!(active.department_ids, ["1", "4"]);
        assert!(
            wecom_user(user(Some(4), None)).active,
            "invited, not yet joined"
        );
        assert!(!wecom_user(user(Some(2), None)).active);
        assert!(!wecom_user(user(Some(5), None)).active);
        assert!(!wecom_user(user(None, Some(0))).active);
    }

    #[test]
    fn dingtalk_members_keep_their_departments_and_fall_back_to_the_org_email() {
        let user = dingtalk_user(dingtalk::User {
            userid: "lisi".into(),
            name: "李四".into(),
            org_email: Some("lisi@corp.example".into()),
            dept_id_list: vec![1, 7],
            ..dingtalk::User::default()
        });
        assert!(user.active);
        assert_eq!(user.email.as_deref(), Some("lisi@corp.example"));
        assert_eq!(user.department_ids, ["1", "7"]);
    }
}
