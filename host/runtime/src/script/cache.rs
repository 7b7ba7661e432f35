//! A bounded cache of compiled ASTs, keyed by the hash of what was compiled.
//!
//! Parsing is the expensive part of running a small script, and the same rule text runs for
//! every matching event, so each distinct text is compiled once. Keying by content hash (not by
//! rule name) means an edited rule is simply a new entry and can never run stale code; the bound
//! keeps a host whose rules are edited all day from growing without limit. The cache is small
//! (hundreds of entries) and misses are rare, so evicting by a linear scan for the least recently
//! used entry is simpler than a linked LRU list and costs nothing that matters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rhai::AST;
use sha2::{Digest, Sha256};

/// What a cached AST was compiled as; the same text means different things in each mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A handler script: statements and function definitions.
    Script,
    /// A `when` condition: one expression.
    Condition,
}

/// SHA-256 of a compiled text and its mode.
pub(crate) type Key = [u8; 32];

/// Computes the cache key of `text` compiled in `mode`.
pub(crate) fn key(mode: Mode, text: &str) -> Key {
    let tag: &[u8] = match mode {
        Mode::Script => b"script\0",
        Mode::Condition => b"condition\0",
    };
    Sha256::new()
        .chain_update(tag)
        .chain_update(text.as_bytes())
        .finalize()
        .into()
}

/// A cached AST with the tick of its last use.
struct Entry {
    /// The compiled AST, shared with every script handle made from it.
    ast: Arc<AST>,
    /// Value of [`AstCache::clock`] when this entry was last inserted or read.
    last_used: u64,
}

/// Cached ASTs and the use counter that orders them.
struct Inner {
    /// Entries by key.
    entries: HashMap<Key, Entry>,
    /// Incremented on every lookup; a logical clock for recency.
    clock: u64,
}

/// A thread-safe bounded map from content hash to compiled AST.
pub(crate) struct AstCache {
    /// Maximum number of entries (at least 1).
    capacity: usize,
    /// The entries, behind a lock held only for a map operation.
    inner: Mutex<Inner>,
}

impl AstCache {
    /// Creates an empty cache holding at most `capacity` ASTs (a capacity of 0 is treated as 1).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                clock: 0,
            }),
        }
    }

    /// Returns the AST stored under `key`, marking it as recently used.
    pub(crate) fn get(&self, key: &Key) -> Option<Arc<AST>> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(key)?;
        entry.last_used = now;
        Some(entry.ast.clone())
    }

    /// Stores `ast` under `key`, evicting the least recently used entry when full, and returns
    /// the AST now cached under `key` (an earlier one if another thread got there first).
    pub(crate) fn insert(&self, key: Key, ast: Arc<AST>) -> Arc<AST> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.clock += 1;
        let now = inner.clock;
        if let Some(entry) = inner.entries.get_mut(&key) {
            entry.last_used = now;
            return entry.ast.clone();
        }
        if inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        inner.entries.insert(
            key,
            Entry {
                ast: ast.clone(),
                last_used: now,
            },
        );
        ast
    }

    /// Number of cached ASTs.
    pub(crate) fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ast() -> Arc<AST> {
        Arc::new(AST::empty())
    }

    #[test]
    fn the_same_text_in_another_mode_is_another_key() {
        assert_eq!(key(Mode::Script, "1"), key(Mode::Script, "1"));
        assert_ne!(key(Mode::Script, "1"), key(Mode::Condition, "1"));
        assert_ne!(key(Mode::Script, "1"), key(Mode::Script, "2"));
    }

    #[test]
    fn a_second_insert_of_a_key_keeps_the_first_ast() {
        let cache = AstCache::new(4);
        let first = ast();
        cache.insert(key(Mode::Script, "a"), first.clone());
        let kept = cache.insert(key(Mode::Script, "a"), ast());
        assert!(Arc::ptr_eq(&kept, &first));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_full_cache_evicts_the_least_recently_used_entry() {
        let cache = AstCache::new(2);
        let (a, b, c) = (
            key(Mode::Script, "a"),
            key(Mode::Script, "b"),
            key(Mode::Script, "c"),
        );
        cache.insert(a, ast());
        cache.insert(b, ast());
        assert!(cache.get(&a).is_some()); // `b` is now the least recently used
        cache.insert(c, ast());
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&a).is_some());
        assert!(cache.get(&b).is_none());
        assert!(cache.get(&c).is_some());
    }
}
