//! `contacts` over the directory tables of one connection, kept current by sync: a lookup
//! costs a query, not a provider API call, and works while the provider is unreachable.

use worklink_runtime::capability::CapError;
use worklink_runtime::capability::contacts::ContactsBackend;
use worklink_runtime::types::{Binding, BindingKey, Department, User, UserQuery};

use super::DirectoryMemo;
use crate::storage::directory_lookup::UserSearch;
use crate::storage::directory::DirectoryUser;
use crate::storage::{StorageError, Store};

/// A database failure, as the handler sees it: worth retrying later.
fn unavailable(err: StorageError) -> CapError {
    CapError::Unavailable(format!("directory store: {err}"))
}

/// A stored directory user as the capability returns it, with the ERP employee id of its binding
/// as `employee_no`.
fn from_stored(stored: DirectoryUser, employee_no: Option<String>) -> User {
    User {
        id: stored.user_id,
        name: stored.name,
        mobile: stored.mobile,
        email: stored.email,
        title: stored.title,
        employee_no,
        departments: stored.department_ids,
        active: stored.active,
    }
}

/// `contacts` over the directory tables of one connection.
pub(super) struct StoreContacts {
    /// The store.
    pub store: Store,
    /// The connection whose directory is read.
    pub connection: String,
    /// Users and bindings already read by the batch this run belongs to.
    pub memo: DirectoryMemo,
}

impl StoreContacts {
    /// User `id` as the capability returns it, with the ERP employee id of its binding as
    /// `employee_no`; `None` when the directory has no such user.
    async fn user(&self, id: &str) -> Result<Option<User>, CapError> {
        if let Some(known) = self.memo.user(&self.connection, id) {
            return Ok(known);
        }
        let found = self
            .store
            .bound_directory_user(&self.connection, id)
            .await
            .map_err(unavailable)?;
        let user = found.map(|(stored, employee_no)| from_stored(stored, employee_no));
        self.memo.remember_user(&self.connection, id, user.clone());
        Ok(user)
    }

    async fn users(&self, ids: Vec<String>) -> Result<Vec<User>, CapError> {
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            users.extend(self.user(&id).await?);
        }
        Ok(users)
    }
}

#[async_trait::async_trait]
impl ContactsBackend for StoreContacts {
    async fn get_user(&self, id: &str) -> Result<User, CapError> {
        self.user(id).await?.ok_or_else(|| {
            CapError::NotFound(format!("user `{id}` in connection `{}`", self.connection))
        })
    }

    async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, CapError> {
        // The employee number lives in the bindings; every other criterion in the users table.
        let ids = match &query.employee_no {
            Some(employee) => self
                .store
                .binding_for_employee(&self.connection, employee)
                .await
                .map_err(unavailable)?
                .map(|binding| vec![binding.user_id])
                .unwrap_or_default(),
            None => self
                .store
                .find_directory_users(
                    &self.connection,
                    UserSearch {
                        name: query.name.as_deref(),
                        mobile: query.mobile.as_deref(),
                        email: query.email.as_deref(),
                    },
                )
                .await
                .map_err(unavailable)?,
        };
        let users = self.users(ids).await?;
        Ok(users.into_iter().filter(|u| query.matches(u)).collect())
    }

    async fn get_department(&self, id: &str) -> Result<Department, CapError> {
        let department = self
            .store
            .directory_department(&self.connection, id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| {
                CapError::NotFound(format!(
                    "department `{id}` in connection `{}`",
                    self.connection
                ))
            })?;
        Ok(Department {
            id: department.dept_id,
            name: department.name,
            parent: department.parent_id,
        })
    }

    async fn department_members(
        &self,
        department: &str,
        recursive: bool,
    ) -> Result<Vec<User>, CapError> {
        self.get_department(department).await?;
        let mut departments = vec![department.to_owned()];
        if recursive {
            // Breadth-first down the tree; `departments` doubles as the visited list, so a
            // malformed tree with a cycle still ends.
            let mut next = 0;
            while next < departments.len() {
                let children = self
                    .store
                    .child_departments(&self.connection, &departments[next])
                    .await
                    .map_err(unavailable)?;
                for child in children {
                    if !departments.contains(&child) {
                        departments.push(child);
                    }
                }
                next += 1;
            }
        }
        let mut ids = Vec::new();
        for dept in &departments {
            for id in self
                .store
                .department_members(&self.connection, dept)
                .await
                .map_err(unavailable)?
            {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        self.users(ids).await
    }

    async fn resolve_binding(&self, key: &BindingKey) -> Result<Option<Binding>, CapError> {
        if let Some(known) = self.memo.binding(&self.connection, key) {
            return Ok(known);
        }
        let stored = match key {
            BindingKey::Employee(id) => self.store.binding_for_employee(&self.connection, id).await,
            BindingKey::User(id) => self.store.binding_for_user(&self.connection, id).await,
        }
        .map_err(unavailable)?;
        let binding = stored.map(|b| Binding {
            employee_id: b.erp_employee_id,
            user_id: b.user_id,
        });
        self.memo
            .remember_binding(&self.connection, key, binding.clone());
        Ok(binding)
    }

    async fn bound_user(&self, employee_id: &str) -> Result<Option<User>, CapError> {
        let key = BindingKey::Employee(employee_id.to_owned());
        if let Some(known) = self.memo.binding(&self.connection, &key) {
            return match known {
                Some(binding) => self.user(&binding.user_id).await,
                None => Ok(None),
            };
        }
        let Some(stored) = self
            .store
            .employee_directory_user(&self.connection, employee_id)
            .await
            .map_err(unavailable)?
        else {
            // Not remembered: "no binding" and "bound user gone" look alike here, and a later
            // `resolve_binding` in this batch must still see a binding that exists.
            return Ok(None);
        };
        let found = from_stored(stored, Some(employee_id.to_owned()));
        let binding = Binding {
            employee_id: employee_id.to_owned(),
            user_id: found.id.clone(),
        };
        self.memo
            .remember_binding(&self.connection, &key, Some(binding));
        self.memo
            .remember_user(&self.connection, &found.id, Some(found.clone()));
        Ok(Some(found))
    }
}
