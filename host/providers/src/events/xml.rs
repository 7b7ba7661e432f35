//! WeCom's callback XML as a tree of elements borrowed from the plaintext, read with the same
//! meaning as a JSON field map so both providers' mappings read fields the same way.
//!
//! Elements with only text are strings; elements with children are objects; repeated siblings
//! (`SpRecord`, `Details`, `Notifyer` in approval callbacks) are arrays in document order.
//! Attributes do not occur in WeCom callbacks and are ignored. Nesting is capped so hostile input
//! cannot grow the stack or the work without bound.
//!
//! The tree is one vector of nodes in document order, each node knowing where its subtree ends;
//! names and text stay borrowed from the plaintext. That is what makes the callback path cheap:
//! the mapping reads a handful of fields from it, and the same tree written as JSON
//! ([`Element`]'s `Serialize`, keys sorted and repeats grouped like a `serde_json::Map`) is the
//! event's `raw` field without a map of owned strings ever being built.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::EventError;
use super::xml_scan::{self, Scanner, Token};

/// Deeper than any WeCom callback (approval details are 4 levels under `<xml>`).
const MAX_DEPTH: usize = 16;

/// One element of the document.
#[derive(Debug)]
struct Node<'a> {
    /// Its qualified name, which the end tag must repeat.
    name: &'a str,
    /// The name as a field key: the local part, without a namespace prefix.
    key: &'a str,
    /// Its text: borrowed from the document while it is one piece (the usual single text or
    /// CDATA node), copied only when pieces have to be joined or entities resolved. Ignored once
    /// the element has children, as a JSON object has no text.
    text: Cow<'a, str>,
    /// The index just past its subtree: its children are the nodes from its own index + 1 up to
    /// here, each followed by its own subtree.
    end: usize,
}

impl<'a> Node<'a> {
    /// An element named `name` whose subtree ends at `end` (0 while it is open).
    fn new(name: &'a str, end: usize) -> Self {
        let key = memchr::memchr(b':', name.as_bytes()).map_or(name, |colon| &name[colon + 1..]);
        Node { name, key, text: Cow::Borrowed(""), end }
    }

    fn push_text(&mut self, piece: Cow<'a, str>) {
        if self.text.is_empty() {
            self.text = piece;
        } else {
            self.text.to_mut().push_str(&piece);
        }
    }
}

/// Whether two names are equal. Names are a few bytes long: comparing them in place is cheaper
/// than the call to `memcmp` that `==` makes, and most unequal names differ in length or first
/// byte.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.first() == b.first() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A parsed `<xml>…</xml>` document; [`root`](Self::root) is its field map.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    /// Document order; the root element is the first.
    nodes: Vec<Node<'a>>,
}

impl<'a> Tree<'a> {
    /// The root element, whose children are the callback's fields.
    pub(crate) fn root(&self) -> Element<'_> {
        Element { tree: self, index: 0 }
    }
}

/// Parses `<xml>…</xml>` into its element tree.
///
/// One pass over the document: names and text stay borrowed, and each element is one entry of
/// one vector.
pub(crate) fn parse(plaintext: &str) -> Result<Tree<'_>, EventError> {
    let mut scanner = Scanner::new(plaintext);
    let mut nodes: Vec<Node<'_>> = Vec::with_capacity(48);
    // Indices of the elements whose end tag has not been read yet.
    let mut open = [0usize; MAX_DEPTH];
    let mut depth = 0usize;
    let mut root_done = false;
    let err = |at: usize, reason: String| EventError::Xml { position: at as u64, reason };
    loop {
        // Most tokens after a text are the end tag of the element just read: checking for exactly
        // `</name>` compares its name once instead of scanning it and then comparing it.
        if let Some(top) = depth.checked_sub(1)
            && scanner.close(nodes[open[top]].name)
        {
            nodes[open[top]].end = nodes.len();
            depth = top;
            root_done |= depth == 0;
            continue;
        }
        let Some((at, token)) = scanner.next()? else { break };
        match token {
            Token::Start(name) => {
                if root_done {
                    return Err(err(at, "content after the root element".into()));
                }
                if depth >= MAX_DEPTH {
                    return Err(err(at, format!("nested deeper than {MAX_DEPTH} elements")));
                }
                open[depth] = nodes.len();
                nodes.push(Node::new(name, 0));
                depth += 1;
            }
            Token::Empty(name) => {
                if depth == 0 && root_done {
                    return Err(err(at, "content after the root element".into()));
                }
                let end = nodes.len() + 1;
                nodes.push(Node::new(name, end));
                root_done |= depth == 0;
            }
            Token::Text(raw) => match depth.checked_sub(1) {
                Some(top) => nodes[open[top]].push_text(xml_scan::text(raw, at)?),
                None if raw.trim().is_empty() => {}
                None => return Err(err(at, "text outside the root element".into())),
            },
            Token::CData(data) => match depth.checked_sub(1) {
                Some(top) => nodes[open[top]].push_text(Cow::Borrowed(data)),
                None => return Err(err(at, "CDATA outside the root element".into())),
            },
            Token::End(name) => {
                let Some(top) = depth.checked_sub(1) else {
                    return Err(err(at, "closing tag without an opening one".into()));
                };
                let end = nodes.len();
                let done = &mut nodes[open[top]];
                if !same(done.name, name) {
                    return Err(err(at, format!("expected </{}>, found </{name}>", done.name)));
                }
                done.end = end;
                depth = top;
                root_done |= depth == 0;
            }
        }
    }
    if depth > 0 {
        return Err(EventError::Xml { position: plaintext.len() as u64, reason: "unclosed element at end of input".into() });
    }
    if nodes.is_empty() {
        return Err(EventError::NotAMap { reason: "no root element" });
    }
    Ok(Tree { nodes })
}

/// One element of a [`Tree`]: an object when it has children, a string otherwise.
#[derive(Clone, Copy)]
pub(crate) struct Element<'t> {
    /// The document it belongs to.
    tree: &'t Tree<'t>,
    /// Its position in the document's nodes.
    index: usize,
}

/// What one field of an element holds, as a JSON map would hold it.
#[derive(Clone, Copy)]
pub(crate) enum Field<'t> {
    /// An element without children: its text.
    Text(&'t str),
    /// An element with children.
    Object(Element<'t>),
    /// Two or more siblings of the same name, in document order.
    Repeated(Repeated<'t>),
}

/// The siblings named `key` under `parent`, of which there are at least two.
#[derive(Clone, Copy)]
pub(crate) struct Repeated<'t> {
    /// The element they are fields of.
    parent: Element<'t>,
    /// Their shared name.
    key: &'t str,
}

impl<'t> Element<'t> {
    fn node(&self) -> &'t Node<'t> {
        &self.tree.nodes[self.index]
    }

    /// Whether it has child elements, which makes it an object.
    pub(crate) fn is_object(&self) -> bool {
        self.node().end > self.index + 1
    }

    /// Its children in document order.
    fn children(self) -> impl Iterator<Item = Element<'t>> {
        let tree = self.tree;
        let end = self.node().end;
        let inside = move |i: usize| Some(i).filter(|&i| i < end);
        std::iter::successors(inside(self.index + 1), move |&i| inside(tree.nodes[i].end)).map(move |index| Element { tree, index })
    }

    /// Its children named `key`, in document order.
    pub(crate) fn named(self, key: &'t str) -> impl Iterator<Item = Element<'t>> {
        self.children().filter(move |child| same(child.node().key, key))
    }

    /// The field `key`, as a map lookup would find it.
    pub(crate) fn get(self, key: &'t str) -> Option<Field<'t>> {
        let mut named = self.named(key);
        let first = named.next()?;
        Some(if named.next().is_some() { Field::Repeated(Repeated { parent: self, key }) } else { first.value() })
    }

    /// What this element is as a field value.
    pub(crate) fn value(self) -> Field<'t> {
        if self.is_object() { Field::Object(self) } else { Field::Text(&self.node().text) }
    }
}

impl<'t> Repeated<'t> {
    /// The siblings, in document order.
    pub(crate) fn items(self) -> impl Iterator<Item = Element<'t>> {
        self.parent.named(self.key)
    }
}

impl Serialize for Element<'_> {
    /// An element with children as a JSON object whose keys come out sorted with repeated
    /// names grouped into arrays (document order kept within a group), exactly as a
    /// `serde_json::Map` built from the same fields would serialise; a text element as a string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.is_object() {
            return serializer.serialize_str(&self.node().text);
        }
        let mut children: Vec<(&str, Element<'_>)> = self.children().map(|child| (child.node().key, child)).collect();
        // Stable: siblings of one name keep their document order.
        children.sort_by(|a, b| a.0.cmp(b.0));
        let mut map = serializer.serialize_map(None)?;
        let mut rest = children.as_slice();
        while let Some(&(key, first)) = rest.first() {
            let count = rest.iter().take_while(|(k, _)| *k == key).count();
            if count == 1 {
                map.serialize_entry(key, &first)?;
            } else {
                map.serialize_entry(key, &Repeated { parent: *self, key })?;
            }
            rest = &rest[count..];
        }
        map.end()
    }
}

impl Serialize for Repeated<'_> {
    /// As a JSON array of the siblings.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for item in self.items() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Text(text) => serializer.serialize_str(text),
            Field::Object(element) => element.serialize(serializer),
            Field::Repeated(repeated) => repeated.serialize(serializer),
        }
    }
}

/// The root as a JSON object: its fields, or none when it has only text (`<xml>text</xml>`).
pub(crate) struct RootFields<'t>(pub(crate) Element<'t>);

impl Serialize for RootFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_object() { self.0.serialize(serializer) } else { serializer.serialize_map(Some(0))?.end() }
    }
}

#[cfg(test)]
#[path = "xml_tests.rs"]
pub(crate) mod tests;
