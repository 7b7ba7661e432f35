//! WeCom's callback XML as a JSON field map, so both providers' mappings read fields the same way.
//!
//! Elements with only text become strings; elements with children become objects; repeated
//! siblings (`SpRecord`, `Details`, `Notifyer` in approval callbacks) become arrays. Attributes do
//! not occur in WeCom callbacks and are ignored. Nesting is capped so hostile input cannot grow
//! the stack or the work without bound.

use std::borrow::Cow;

use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::EventError;
use super::xml_scan::{self, Scanner, Token};

/// Deeper than any WeCom callback (approval details are 4 levels under `<xml>`).
const MAX_DEPTH: usize = 16;

/// An element whose end tag has not been read yet.
struct Open<'a> {
    /// Its qualified name, which the end tag must repeat.
    name: &'a str,
    /// Its child elements so far.
    children: Map<String, Value>,
    /// Its text so far: borrowed from the document while it is one piece (the usual single text
    /// or CDATA node), copied only when pieces have to be joined or entities resolved.
    text: Cow<'a, str>,
}

impl<'a> Open<'a> {
    fn push_text(&mut self, piece: Cow<'a, str>) {
        if self.text.is_empty() {
            self.text = piece;
        } else {
            self.text.to_mut().push_str(&piece);
        }
    }
}

/// An element name as a map key: the local part, without a namespace prefix.
fn key(name: &str) -> String {
    name.split_once(':').map_or(name, |(_, local)| local).to_owned()
}

/// Parses `<xml>…</xml>` into the map of its children.
///
/// One pass over the document: names and text stay borrowed until their element closes, and
/// each element's map is built once and moved into its parent.
pub(crate) fn parse(plaintext: &str) -> Result<Map<String, Value>, EventError> {
    let mut scanner = Scanner::new(plaintext);
    // Elements whose end tag has not been read yet are `slots[..depth]`. Slots are reset where
    // they lie and never popped: building an element's state aside and copying it into the
    // vector showed up as the single most expensive line of the parse.
    let mut slots: Vec<Open<'_>> = Vec::with_capacity(8);
    let mut depth = 0;
    let mut root: Option<Map<String, Value>> = None;
    let err = |at: usize, reason: String| EventError::Xml { position: at as u64, reason };
    while let Some((at, token)) = scanner.next()? {
        match token {
            Token::Start(name) => {
                if root.is_some() {
                    return Err(err(at, "content after the root element".into()));
                }
                if depth >= MAX_DEPTH {
                    return Err(err(at, format!("nested deeper than {MAX_DEPTH} elements")));
                }
                match slots.get_mut(depth) {
                    // A reused slot's children and text were taken when its last element closed.
                    Some(slot) => slot.name = name,
                    None => slots.push(Open { name, children: Map::new(), text: Cow::Borrowed("") }),
                }
                depth += 1;
            }
            Token::Empty(name) => match slots[..depth].last_mut() {
                Some(parent) => insert(&mut parent.children, key(name), Value::String(String::new())),
                None if root.is_none() => root = Some(Map::new()),
                None => return Err(err(at, "content after the root element".into())),
            },
            Token::Text(raw) => match slots[..depth].last_mut() {
                Some(open) => open.push_text(xml_scan::text(raw, at)?),
                None if raw.trim().is_empty() => {}
                None => return Err(err(at, "text outside the root element".into())),
            },
            Token::CData(data) => match slots[..depth].last_mut() {
                Some(open) => open.push_text(Cow::Borrowed(data)),
                None => return Err(err(at, "CDATA outside the root element".into())),
            },
            Token::End(name) => {
                let Some(done) = depth.checked_sub(1).and_then(|d| slots.get_mut(d)) else {
                    return Err(err(at, "closing tag without an opening one".into()));
                };
                if done.name != name {
                    return Err(err(at, format!("expected </{}>, found </{name}>", done.name)));
                }
                let text = std::mem::replace(&mut done.text, Cow::Borrowed(""));
                let value = if done.children.is_empty() {
                    Value::String(text.into_owned())
                } else {
                    Value::Object(std::mem::take(&mut done.children))
                };
                depth -= 1;
                match slots[..depth].last_mut() {
                    Some(parent) => insert(&mut parent.children, key(name), value),
                    None => {
                        root = Some(match value {
                            Value::Object(map) => map,
                            // `<xml>text</xml>` or `<xml></xml>`: a root with no fields.
                            _ => Map::new(),
                        });
                    }
                }
            }
        }
    }
    if depth > 0 {
        return Err(EventError::Xml { position: plaintext.len() as u64, reason: "unclosed element at end of input".into() });
    }
    root.ok_or(EventError::NotAMap { reason: "no root element" })
}

/// Adds a child, turning a repeated name into an array in document order.
fn insert(map: &mut Map<String, Value>, name: String, value: Value) {
    match map.entry(name) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) => match slot.get_mut() {
            Value::Array(items) => items.push(value),
            existing => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_cdata_entities_nesting_and_repeats() {
        let map = parse(
            "<?xml version=\"1.0\"?>\n<xml><A><![CDATA[x<y]]></A>\n<B>1 &amp; 2 &#x4e2d;</B><C><D>d</D><E/></C><R>1</R><R>2</R><R>3</R></xml>",
        )
        .unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"A": "x<y", "B": "1 & 2 中", "C": {"D": "d", "E": ""}, "R": ["1", "2", "3"]})
        );
    }

    #[test]
    fn malformed_documents_are_typed_errors() {
        for bad in ["", "   ", "<xml><A></B></xml>", "<xml><A>", "</xml>", "<xml/><xml/>", "text", "<xml>&bogus;</xml>", "<xml></xml><x>"] {
            let got = parse(bad);
            assert!(matches!(got, Err(EventError::Xml { .. } | EventError::NotAMap { .. })), "{bad:?} → {got:?}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(&deep), Err(EventError::Xml { .. })));
    }
}
