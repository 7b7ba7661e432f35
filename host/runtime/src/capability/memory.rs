//! In-memory backends for every live read: used by tests and by `worklink run`, where a handler
//! runs against a small seeded directory instead of a real tenant.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use super::CapError;
use super::approvals::ApprovalsBackend;
use super::attendance::AttendanceBackend;
use super::contacts::ContactsBackend;
use super::kv::KvBackend;
use crate::types::{
    ApprovalInstance, Binding, BindingKey, CheckIn, DayReport, Department, TimeRange, User,
    UserQuery,
};

/// The data an in-memory backend starts with; deserialisable so a JSON file can seed it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemorySeed {
    /// Directory users.
    pub users: Vec<User>,
    /// Departments.
    pub departments: Vec<Department>,
    /// ERP ↔ directory bindings.
    pub bindings: Vec<Binding>,
    /// Check-ins.
    pub check_ins: Vec<CheckIn>,
    /// Day reports.
    pub day_reports: Vec<DayReport>,
    /// Approval instances.
    pub approvals: Vec<ApprovalInstance>,
    /// Stored values by scope, then key.
    pub kv: BTreeMap<String, BTreeMap<String, String>>,
}

impl MemorySeed {
    /// A small demo organisation: two departments, three users and their ERP bindings. Enough
    /// for the shipped plugins to find an assignee or a manager.
    pub fn demo() -> Self {
        let user = |id: &str, name: &str, mobile: &str, employee_no: &str, dept: &str| User {
            id: id.into(),
            name: name.into(),
            mobile: Some(mobile.into()),
            email: Some(format!("{id}@example.com")),
            title: None,
            employee_no: Some(employee_no.into()),
            departments: vec![dept.into()],
            active: true,
        };
        let binding = |employee: &str, user: &str| Binding {
            employee_id: employee.into(),
            user_id: user.into(),
        };
        Self {
            users: vec![
                user("zhangsan", "张三", "13800000001", "E001", "2"),
                user("lisi", "李四", "13800000002", "E002", "2"),
                user("wangwu", "王五", "13800000003", "E003", "3"),
            ],
            departments: vec![
                Department {
                    id: "1".into(),
                    name: "总部".into(),
                    parent: None,
                },
                Department {
                    id: "2".into(),
                    name: "研发部".into(),
                    parent: Some("1".into()),
                },
                Department {
                    id: "3".into(),
                    name: "财务部".into(),
                    parent: Some("1".into()),
                },
            ],
            bindings: vec![
                binding("E001", "zhangsan"),
                binding("E002", "lisi"),
                binding("E003", "wangwu"),
            ],
            ..Self::default()
        }
    }
}

/// Every live-read backend over one in-memory seed. Values are cloned out, so a handler can never
/// hold a reference into the store.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    data: RwLock<MemorySeed>,
}

impl MemoryBackend {
    /// A backend holding `seed`.
    pub fn new(seed: MemorySeed) -> Self {
        Self {
            data: RwLock::new(seed),
        }
    }

    /// Stores `value` under `scope`/`key`, as the outbox does when it applies a staged kv set.
    pub fn put(&self, scope: &str, key: &str, value: &str) {
        self.write()
            .kv
            .entry(scope.into())
            .or_default()
            .insert(key.into(), value.into());
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, MemorySeed> {
        // A panic while holding the lock cannot leave the plain data half-written in a way that
        // matters for a test store, so a poisoned lock is simply reused.
        self.data
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, MemorySeed> {
        self.data
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn not_found(what: &str, id: &str) -> CapError {
    CapError::NotFound(format!("{what} `{id}`"))
}

#[async_trait::async_trait]
impl ContactsBackend for MemoryBackend {
    async fn get_user(&self, id: &str) -> Result<User, CapError> {
        self.read()
            .users
            .iter()
            .find(|u| u.id == id)
            .cloned()
            .ok_or_else(|| not_found("user", id))
    }

    async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, CapError> {
        Ok(self
            .read()
            .users
            .iter()
            .filter(|u| query.matches(u))
            .cloned()
            .collect())
    }

    async fn get_department(&self, id: &str) -> Result<Department, CapError> {
        self.read()
            .departments
            .iter()
            .find(|d| d.id == id)
            .cloned()
            .ok_or_else(|| not_found("department", id))
    }

    async fn department_members(
        &self,
        department: &str,
        recursive: bool,
    ) -> Result<Vec<User>, CapError> {
        let data = self.read();
        if !data.departments.iter().any(|d| d.id == department) {
            return Err(not_found("department", department));
        }
        let mut wanted = vec![department.to_string()];
        if recursive {
            // Breadth-first over the parent links; the seed is small, so a linear scan per level
            // is fine.
            let mut next = 0;
            while next < wanted.len() {
                let parent = wanted[next].clone();
                wanted.extend(
                    data.departments
                        .iter()
                        .filter(|d| d.parent.as_deref() == Some(parent.as_str()))
                        .map(|d| d.id.clone()),
                );
                next += 1;
            }
        }
        Ok(data
            .users
            .iter()
            .filter(|u| u.departments.iter().any(|d| wanted.contains(d)))
            .cloned()
            .collect())
    }

    async fn resolve_binding(&self, key: &BindingKey) -> Result<Option<Binding>, CapError> {
        Ok(self
            .read()
            .bindings
            .iter()
            .find(|b| match key {
                BindingKey::Employee(id) => &b.employee_id == id,
                BindingKey::User(id) => &b.user_id == id,
            })
            .cloned())
    }

    async fn bound_user(&self, employee_id: &str) -> Result<Option<User>, CapError> {
        let data = self.read();
        Ok(data
            .bindings
            .iter()
            .find(|b| b.employee_id == employee_id)
            .and_then(|b| data.users.iter().find(|u| u.id == b.user_id))
            .cloned())
    }
}

#[async_trait::async_trait]
impl AttendanceBackend for MemoryBackend {
    async fn check_ins(
        &self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<CheckIn>, CapError> {
        let mut found: Vec<CheckIn> = self
            .read()
            .check_ins
            .iter()
            .filter(|c| users.contains(&c.user_id) && range.contains(c.at))
            .cloned()
            .collect();
        found.sort_by_key(|c| c.at);
        Ok(found)
    }

    async fn day_reports(
        &self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<DayReport>, CapError> {
        Ok(self
            .read()
            .day_reports
            .iter()
            .filter(|r| {
                users.contains(&r.user_id) && r.first_in.is_none_or(|at| range.contains(at))
            })
            .cloned()
            .collect())
    }
}

#[async_trait::async_trait]
impl ApprovalsBackend for MemoryBackend {
    async fn get_instance(&self, id: &str) -> Result<ApprovalInstance, CapError> {
        self.read()
            .approvals
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or_else(|| not_found("approval instance", id))
    }
}

#[async_trait::async_trait]
impl KvBackend for MemoryBackend {
    async fn get(&self, scope: &str, key: &str) -> Result<Option<String>, CapError> {
        Ok(self.read().kv.get(scope).and_then(|m| m.get(key)).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> MemoryBackend {
        MemoryBackend::new(MemorySeed::demo())
    }

    #[tokio::test]
    async fn finds_demo_users_and_bindings() {
        let store = demo();
        assert_eq!(store.get_user("lisi").await.unwrap().name, "李四");
        assert!(matches!(
            store.get_user("nobody").await,
            Err(CapError::NotFound(_))
        ));
        let found = store
            .find_users(&UserQuery {
                employee_no: Some("E003".into()),
                ..Default::default()
            })
            .await;
        assert_eq!(found.unwrap()[0].id, "wangwu");
        let binding = store
            .resolve_binding(&BindingKey::Employee("E001".into()))
            .await
            .unwrap();
        assert_eq!(binding.unwrap().user_id, "zhangsan");
    }

    /// The memory backend's single read and the trait's two-read default agree, including on
    /// a binding whose user has left the directory.
    #[tokio::test]
    async fn bound_user_matches_the_two_read_default() {
        /// Delegates the required reads and keeps the trait's default `bound_user`.
        struct TwoReads(MemoryBackend);
        #[async_trait::async_trait]
        impl ContactsBackend for TwoReads {
            async fn get_user(&self, id: &str) -> Result<User, CapError> {
                self.0.get_user(id).await
            }
            async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, CapError> {
                self.0.find_users(query).await
            }
            async fn get_department(&self, id: &str) -> Result<Department, CapError> {
                self.0.get_department(id).await
            }
            async fn department_members(&self, d: &str, r: bool) -> Result<Vec<User>, CapError> {
                self.0.department_members(d, r).await
            }
            async fn resolve_binding(&self, key: &BindingKey) -> Result<Option<Binding>, CapError> {
                self.0.resolve_binding(key).await
            }
        }
        let mut seed = MemorySeed::demo();
        seed.bindings.push(Binding {
            employee_id: "E900".into(),
            user_id: "departed".into(),
        });
        let one_read = MemoryBackend::new(seed.clone());
        let two_reads = TwoReads(MemoryBackend::new(seed));
        for (employee, expected) in [("E002", Some("lisi")), ("E404", None), ("E900", None)] {
            let single = one_read.bound_user(employee).await.unwrap();
            let double = two_reads.bound_user(employee).await.unwrap();
            assert_eq!(single.as_ref().map(|u| u.id.as_str()), expected, "{employee}");
            assert_eq!(single, double, "{employee}");
        }
    }

    #[tokio::test]
    async fn department_members_can_recurse() {
        let store = demo();
        assert!(
            store
                .department_members("1", false)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.department_members("1", true).await.unwrap().len(), 3);
        assert_eq!(store.department_members("2", false).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn kv_is_scoped() {
        let store = demo();
        store.put("a", "k", "1");
        assert_eq!(store.get("a", "k").await.unwrap().as_deref(), Some("1"));
        assert_eq!(store.get("b", "k").await.unwrap(), None);
    }
}
