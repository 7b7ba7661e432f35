//! The `raw` part of every payload: all the callback's decrypted fields, for what the shared shape
//! does not cover.
//!
//! Kept as received rather than as a `serde_json::Map` of owned strings: for WeCom XML that is the
//! plaintext, written as JSON straight from the element tree when the event is stored (the only
//! time the server needs the fields as JSON) and built into a map only when someone asks for one.
//! A JSON callback keeps the object its mapping parsed anyway, shared by the events of a batch.

use std::sync::Arc;

use serde::ser::{Error as _, Serialize, Serializer};
use serde_json::{Map, Value};

use super::EventError;
use super::xml::{self, RootFields};

/// A callback's decrypted fields, written as one JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFields(Repr);

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// A WeCom XML plaintext that [`xml::parse`] accepted; read again when written, which yields
    /// the same tree since the parse depends on nothing but the text.
    Xml(Arc<str>),
    /// A JSON object (DingTalk, WeCom's JSON variant), as parsed for the mapping.
    Json(Arc<Map<String, Value>>),
}

impl RawFields {
    /// The fields of an XML `document` that [`xml::parse`] has accepted.
    pub(crate) fn xml(document: &str) -> Self {
        RawFields(Repr::Xml(document.into()))
    }

    /// The fields of a JSON callback.
    pub(crate) fn json(map: Map<String, Value>) -> Self {
        RawFields(Repr::Json(Arc::new(map)))
    }

    /// The fields as a JSON map, built on demand: what `serde_json::to_value` of the payload's
    /// `raw` would give, for code that wants to walk them rather than store them.
    pub fn to_map(&self) -> Result<Map<String, Value>, EventError> {
        match &self.0 {
            Repr::Json(map) => Ok(Map::clone(map)),
            Repr::Xml(document) => {
                let tree = xml::parse(document)?;
                match serde_json::to_value(RootFields(tree.root())) {
                    Ok(Value::Object(map)) => Ok(map),
                    _ => Err(EventError::NotAMap { reason: "an XML document whose fields do not form a JSON object" }),
                }
            }
        }
    }
}

impl Serialize for RawFields {
    /// The same JSON text as the map from [`to_map`](RawFields::to_map) would give (keys sorted,
    /// repeated XML elements as arrays), written without building that map.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Json(map) => map.serialize(serializer),
            Repr::Xml(document) => {
                let tree = xml::parse(document).map_err(S::Error::custom)?;
                RootFields(tree.root()).serialize(serializer)
            }
        }
    }
}
