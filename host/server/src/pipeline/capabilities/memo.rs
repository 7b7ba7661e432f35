//! Directory reads shared by the executions of one worker batch.
//!
//! A batch's executions are claimed together and run side by side in a few milliseconds; the
//! directory they read is whatever sync last wrote, and a sync landing halfway through the batch
//! could be seen by some and not others anyway. So within a batch, the first read of a user or a
//! binding answers every later one: a burst of events for the same people (one approver's
//! queue, one assignee's tasks) costs one query per person instead of one per event. Nothing
//! outlives the batch, so no read is ever staler than the batch itself. Failed reads are not
//! kept: the next execution tries again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use worklink_runtime::types::{Binding, BindingKey, User};

/// What one batch has read so far, per connection. Cheap to clone: clones share the memo.
#[derive(Debug, Clone, Default)]
pub struct DirectoryMemo {
    inner: Arc<Mutex<Reads>>,
}

/// The reads themselves; `None` answers remember that nothing was there.
#[derive(Debug, Default)]
struct Reads {
    /// Users by (connection, user id).
    users: HashMap<(String, String), Option<User>>,
    /// Bindings by (connection, side asked, id).
    bindings: HashMap<(String, &'static str, String), Option<Binding>>,
}

/// A binding key as a map key (the runtime's key type is not hashable).
fn binding_key(connection: &str, key: &BindingKey) -> (String, &'static str, String) {
    let (side, id) = match key {
        BindingKey::Employee(id) => ("employee", id),
        BindingKey::User(id) => ("user", id),
    };
    (connection.to_owned(), side, id.clone())
}

impl DirectoryMemo {
    fn reads(&self) -> std::sync::MutexGuard<'_, Reads> {
        // A panic while holding the lock cannot leave the maps half-written in a way that
        // matters: every entry is inserted whole.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// User `id` of `connection`, if read before in this batch.
    pub(super) fn user(&self, connection: &str, id: &str) -> Option<Option<User>> {
        self.reads()
            .users
            .get(&(connection.to_owned(), id.to_owned()))
            .cloned()
    }

    /// Remembers what reading user `id` of `connection` gave.
    pub(super) fn remember_user(&self, connection: &str, id: &str, user: Option<User>) {
        self.reads()
            .users
            .insert((connection.to_owned(), id.to_owned()), user);
    }

    /// The binding for `key` in `connection`, if read before in this batch.
    pub(super) fn binding(&self, connection: &str, key: &BindingKey) -> Option<Option<Binding>> {
        self.reads()
            .bindings
            .get(&binding_key(connection, key))
            .cloned()
    }

    /// Remembers what resolving `key` in `connection` gave.
    pub(super) fn remember_binding(
        &self,
        connection: &str,
        key: &BindingKey,
        binding: Option<Binding>,
    ) {
        self.reads()
            .bindings
            .insert(binding_key(connection, key), binding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User {
            id: id.into(),
            name: "张三".into(),
            mobile: None,
            email: None,
            title: None,
            employee_no: Some("E001".into()),
            departments: vec!["1".into()],
            active: true,
        }
    }

    #[test]
    fn reads_are_kept_per_connection_and_shared_by_clones() {
        let memo = DirectoryMemo::default();
        let other = memo.clone();
        assert_eq!(memo.user("acme", "zhangsan"), None, "nothing read yet");
        memo.remember_user("acme", "zhangsan", Some(user("zhangsan")));
        memo.remember_user("acme", "ghost", None);
        assert_eq!(other.user("acme", "zhangsan"), Some(Some(user("zhangsan"))));
        assert_eq!(
            other.user("acme", "ghost"),
            Some(None),
            "absence is remembered"
        );
        assert_eq!(other.user("ding", "zhangsan"), None, "another connection");
    }

    #[test]
    fn bindings_are_keyed_by_which_side_was_asked() {
        let memo = DirectoryMemo::default();
        let binding = Binding {
            employee_id: "E001".into(),
            user_id: "zhangsan".into(),
        };
        memo.remember_binding(
            "acme",
            &BindingKey::Employee("E001".into()),
            Some(binding.clone()),
        );
        assert_eq!(
            memo.binding("acme", &BindingKey::Employee("E001".into())),
            Some(Some(binding))
        );
        assert_eq!(memo.binding("acme", &BindingKey::User("E001".into())), None);
    }
}
