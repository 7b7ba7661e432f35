//! WeCom's callback XML as a JSON field map, so both providers' mappings read fields the same way.
//!
//! Elements with only text become strings; elements with children become objects; repeated
//! siblings (`SpRecord`, `Details`, `Notifyer` in approval callbacks) become arrays. Attributes do
//! not occur in WeCom callbacks and are ignored. Nesting is capped so hostile input cannot grow
//! the stack or the work without bound.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::EventError;

/// Deeper than any WeCom callback (approval details are 4 levels under `<xml>`).
const MAX_DEPTH: usize = 16;

/// An element whose end tag has not been read yet.
struct Open<'a> {
    /// Its local name, already the key it will have in the parent's map.
    name: String,
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

/// An element name as a map key; names are UTF-8 because the document is a `&str`.
fn key(name: &[u8]) -> String {
    match std::str::from_utf8(name) {
        Ok(name) => name.to_owned(),
        Err(_) => String::from_utf8_lossy(name).into_owned(),
    }
}

/// Parses `<xml>…</xml>` into the map of its children.
///
/// One pass over quick-xml's borrowed events: text is not copied until its element closes, and
/// each element's map is built once and moved into its parent.
pub(crate) fn parse(plaintext: &str) -> Result<Map<String, Value>, EventError> {
    let mut reader = Reader::from_str(plaintext);
    let mut stack: Vec<Open<'_>> = Vec::with_capacity(8);
    let mut root: Option<Map<String, Value>> = None;
    let err = |reader: &Reader<&[u8]>, reason: String| EventError::Xml { position: reader.error_position(), reason };
    loop {
        let event = reader.read_event().map_err(|e| err(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(err(&reader, "content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(&reader, format!("nested deeper than {MAX_DEPTH} elements")));
                }
                let name = key(start.local_name().as_ref());
                stack.push(Open { name, children: Map::new(), text: Cow::Borrowed("") });
            }
            Event::Empty(empty) => match stack.last_mut() {
                Some(parent) => insert(&mut parent.children, key(empty.local_name().as_ref()), Value::String(String::new())),
                None if root.is_none() => root = Some(Map::new()),
                None => return Err(err(&reader, "content after the root element".into())),
            },
            Event::Text(text) => {
                let decoded = text.xml_content().map_err(|e| err(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(open) => open.push_text(decoded),
                    None if decoded.trim().is_empty() => {}
                    None => return Err(err(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(data) => {
                let decoded = data.decode().map_err(|e| err(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(open) => open.push_text(decoded),
                    None => return Err(err(&reader, "CDATA outside the root element".into())),
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(|e| err(&reader, e.to_string()))?;
                let resolved = quick_xml::escape::unescape(&format!("&{name};"))
                    .map_err(|e| err(&reader, e.to_string()))?
                    .into_owned();
                match stack.last_mut() {
                    Some(open) => open.push_text(Cow::Owned(resolved)),
                    None => return Err(err(&reader, "entity outside the root element".into())),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(err(&reader, "closing tag without an opening one".into()));
                };
                let value = if done.children.is_empty() {
                    Value::String(done.text.into_owned())
                } else {
                    Value::Object(done.children)
                };
                match stack.last_mut() {
                    Some(parent) => insert(&mut parent.children, done.name, value),
                    None => {
                        root = Some(match value {
                            Value::Object(map) => map,
                            // `<xml>text</xml>` or `<xml></xml>`: a root with no fields.
                            _ => Map::new(),
                        });
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
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
