//! Typed reads from a decrypted callback's fields, tolerant of how each provider encodes a value:
//! numbers arrive as XML text, JSON numbers or JSON strings; lists as comma-separated text, JSON
//! arrays or repeated XML elements.
//!
//! The fields are either a JSON object (DingTalk, WeCom's JSON variant) or WeCom's XML element tree
//! read in place ([`Element`]); both answer alike, the XML as the equivalent JSON object would.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::EventError;
use super::xml::{self, Element};

/// How much of a bad value an error repeats.
const ECHO: usize = 64;

/// A view of one callback's fields (or of a nested element), with the raw event type for errors.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    /// The object holding the fields.
    object: Object<'a>,
    /// The raw event type, named in errors.
    event: &'a str,
}

/// Where the fields live.
#[derive(Clone, Copy)]
enum Object<'a> {
    /// A JSON object.
    Json(&'a Map<String, Value>),
    /// An XML element with children.
    Xml(Element<'a>),
}

/// One field's value, from either kind of object.
#[derive(Clone, Copy)]
enum Found<'a> {
    /// A JSON value.
    Json(&'a Value),
    /// An XML element's text, children or repeats.
    Xml(xml::Field<'a>),
}

impl<'a> Found<'a> {
    /// The value when it is a string.
    fn as_str(self) -> Option<&'a str> {
        match self {
            Found::Json(Value::String(s)) => Some(s),
            Found::Xml(xml::Field::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The items of an array (a JSON array, repeated XML elements); `None` for anything else.
    fn items(self) -> Option<Vec<Found<'a>>> {
        match self {
            Found::Json(Value::Array(items)) => Some(items.iter().map(Found::Json).collect()),
            Found::Xml(xml::Field::Repeated(repeated)) => Some(repeated.items().map(|e| Found::Xml(e.value())).collect()),
            _ => None,
        }
    }

    /// The value as an error shows it: a string as it is, anything else as JSON.
    fn shown(self) -> String {
        match (self.as_str(), self) {
            (Some(s), _) => s.to_owned(),
            (None, Found::Json(other)) => other.to_string(),
            // An element tree always serialises; an empty echo is the harmless answer if one did not.
            (None, Found::Xml(field)) => serde_json::to_string(&field).unwrap_or_default(),
        }
    }
}

fn invalid(field: &'static str, value: Found<'_>, expected: &'static str) -> EventError {
    EventError::InvalidField { field, value: value.shown().chars().take(ECHO).collect(), expected }
}

fn parse_int(field: &'static str, value: Found<'_>) -> Result<i64, EventError> {
    let parsed = match (value, value.as_str()) {
        (_, Some(s)) => s.trim().parse().ok(),
        (Found::Json(Value::Number(n)), None) => n.as_i64(),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(field, value, "an integer"))
}

impl<'a> Fields<'a> {
    /// The fields of a JSON object.
    pub(crate) fn new(map: &'a Map<String, Value>, event: &'a str) -> Self {
        Self { object: Object::Json(map), event }
    }

    /// The fields of an XML element (the children of `<xml>`, or of a nested element).
    pub(crate) fn xml(element: Element<'a>, event: &'a str) -> Self {
        Self { object: Object::Xml(element), event }
    }

    /// The same fields, with errors naming `event` (the raw type, once it is known).
    pub(crate) fn for_event(self, event: &'a str) -> Self {
        Self { event, ..self }
    }

    /// The field as stored, whatever it holds.
    fn lookup(&self, field: &'a str) -> Option<Found<'a>> {
        match self.object {
            Object::Json(map) => map.get(field).map(Found::Json),
            Object::Xml(element) => element.get(field).map(Found::Xml),
        }
    }

    /// The field unless absent, `null` or empty text.
    fn get(&self, field: &'a str) -> Option<Found<'a>> {
        self.lookup(field).filter(|v| !matches!(v, Found::Json(Value::Null)) && v.as_str() != Some(""))
    }

    /// A scalar as text; absent, empty and structured values are `None`.
    pub(crate) fn text(&self, field: &'a str) -> Option<String> {
        self.text_ref(field).map(Cow::into_owned)
    }

    /// Like [`text`](Self::text), borrowing string values: for fields that are only compared or
    /// may not be kept, so reading them copies nothing.
    pub(crate) fn text_ref(&self, field: &'a str) -> Option<Cow<'a, str>> {
        let value = self.get(field)?;
        match (value.as_str(), value) {
            (Some(s), _) => Some(Cow::Borrowed(s)),
            (None, Found::Json(Value::Number(n))) => Some(Cow::Owned(n.to_string())),
            (None, Found::Json(Value::Bool(b))) => Some(Cow::Owned(b.to_string())),
            _ => None,
        }
    }

    /// Like [`text`](Self::text) but required.
    pub(crate) fn require_text(&self, field: &'static str) -> Result<String, EventError> {
        self.text(field).ok_or_else(|| self.missing(field))
    }

    /// An integer given as a number or numeric text.
    pub(crate) fn int(&self, field: &'static str) -> Result<Option<i64>, EventError> {
        self.get(field).map(|v| parse_int(field, v)).transpose()
    }

    /// Like [`int`](Self::int) but required.
    pub(crate) fn require_int(&self, field: &'static str) -> Result<i64, EventError> {
        self.int(field)?.ok_or_else(|| self.missing(field))
    }

    /// A decimal given as a number or text (coordinates).
    pub(crate) fn float(&self, field: &'static str) -> Result<Option<f64>, EventError> {
        let Some(value) = self.get(field) else { return Ok(None) };
        let parsed = match (value.as_str(), value) {
            (Some(s), _) => s.trim().parse().ok(),
            (None, Found::Json(Value::Number(n))) => n.as_f64(),
            _ => None,
        };
        parsed.filter(|f: &f64| f.is_finite()).map(Some).ok_or_else(|| invalid(field, value, "a decimal number"))
    }

    /// Like [`float`](Self::float) but required.
    pub(crate) fn require_float(&self, field: &'static str) -> Result<f64, EventError> {
        self.float(field)?.ok_or_else(|| self.missing(field))
    }

    /// Text items of a comma-separated string or an array; absent means empty.
    pub(crate) fn text_list(&self, field: &'static str) -> Result<Vec<String>, EventError> {
        let Some(value) = self.get(field) else { return Ok(Vec::new()) };
        if let Some(s) = value.as_str() {
            return Ok(s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect());
        }
        if let Some(items) = value.items() {
            return items
                .into_iter()
                .map(|item| match (item.as_str(), item) {
                    (Some(s), _) => Ok(s.to_owned()),
                    (None, Found::Json(Value::Number(n))) => Ok(n.to_string()),
                    _ => Err(invalid(field, item, "a list of ids")),
                })
                .collect();
        }
        match value {
            Found::Json(Value::Number(n)) => Ok(vec![n.to_string()]),
            other => Err(invalid(field, other, "a list of ids")),
        }
    }

    /// Integer items of a comma-separated string or an array; absent means `None`.
    pub(crate) fn int_list(&self, field: &'static str) -> Result<Option<Vec<i64>>, EventError> {
        let Some(value) = self.get(field) else { return Ok(None) };
        if let Some(s) = value.as_str() {
            return s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().map_err(|_| invalid(field, value, "comma-separated integers")))
                .collect::<Result<_, _>>()
                .map(Some);
        }
        if let Some(items) = value.items() {
            return items.into_iter().map(|item| parse_int(field, item)).collect::<Result<_, _>>().map(Some);
        }
        match value {
            Found::Json(Value::Number(_)) => parse_int(field, value).map(|n| Some(vec![n])),
            other => Err(invalid(field, other, "a list of integers")),
        }
    }

    /// A nested element or object.
    pub(crate) fn child(&self, field: &'a str) -> Option<Fields<'a>> {
        let object = match self.lookup(field)? {
            Found::Json(Value::Object(map)) => Object::Json(map),
            Found::Xml(xml::Field::Object(element)) => Object::Xml(element),
            _ => return None,
        };
        Some(Fields { object, event: self.event })
    }

    /// A repeated element: one occurrence or an array of them; non-objects are skipped.
    pub(crate) fn children(&self, field: &'a str) -> impl Iterator<Item = Fields<'a>> {
        let event = self.event;
        let (json, xml): (&'a [Value], _) = match self.object {
            Object::Json(map) => match map.get(field) {
                Some(Value::Array(items)) => (items, None),
                Some(single) => (std::slice::from_ref(single), None),
                None => (&[], None),
            },
            Object::Xml(element) => (&[], Some(element.named(field).filter(Element::is_object))),
        };
        let json = json.iter().filter_map(Value::as_object).map(Object::Json);
        json.chain(xml.into_iter().flatten().map(Object::Xml)).map(move |object| Fields { object, event })
    }

    fn missing(&self, field: &'static str) -> EventError {
        EventError::MissingField { event: self.event.to_owned(), field }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with<T>(value: Value, f: impl FnOnce(Fields<'_>) -> T) -> T {
        let map = value.as_object().unwrap().clone();
        f(Fields::new(&map, "test_event"))
    }

    #[test]
    fn integers_from_text_numbers_and_lists() {
        with(json!({"a": "42", "b": 7, "c": "1, 2,3", "d": [4, "5"], "e": "x", "f": ""}), |f| {
            assert_eq!(f.int("a"), Ok(Some(42)));
            assert_eq!(f.require_int("b"), Ok(7));
            assert_eq!(f.int_list("c"), Ok(Some(vec![1, 2, 3])));
            assert_eq!(f.int_list("d"), Ok(Some(vec![4, 5])));
            assert_eq!(f.int_list("f"), Ok(None));
            assert!(matches!(f.int("e"), Err(EventError::InvalidField { field: "e", .. })));
            assert_eq!(f.require_int("f"), Err(EventError::MissingField { event: "test_event".into(), field: "f" }));
        });
    }

    #[test]
    fn text_lists_and_children() {
        with(json!({"u": ["a", 1], "s": "x,y", "one": {"k": "v"}, "many": [{"k": "1"}, "junk", {"k": "2"}], "g": {"x": 1}}), |f| {
            assert_eq!(f.text_list("u").unwrap(), ["a", "1"]);
            assert_eq!(f.text_list("s").unwrap(), ["x", "y"]);
            assert_eq!(f.text_list("none").unwrap(), Vec::<String>::new());
            assert!(f.text_list("g").is_err());
            assert_eq!(f.children("one").count(), 1);
            assert_eq!(f.children("many").map(|c| c.text("k").unwrap()).collect::<Vec<_>>(), ["1", "2"]);
            assert_eq!(f.child("one").and_then(|c| c.text("k")), Some("v".into()));
            assert_eq!(f.text("g"), None);
        });
    }

    #[test]
    fn xml_elements_read_like_their_json_map() {
        let doc = "<xml><a>42</a><b> 7 </b><c>1, 2,3</c><d>4</d><d>5</d><e>x</e><f></f><g><k>v</k></g><h><k>1</k></h><h>junk</h>\
<h><k>2</k></h><i>30.1</i><j>NaN</j><l>a</l><l><m/></l><n><k>3</k></n><n/></xml>";
        let tree = xml::parse(doc).unwrap();
        let map = xml::tests::map_of(doc).unwrap();
        let (xml, json) = (Fields::xml(tree.root(), "t"), Fields::new(&map, "t"));
        let keys = |f: Option<Fields<'_>>| f.map(|f| f.text("k"));
        let all_keys = |fs: &mut dyn Iterator<Item = Fields<'_>>| fs.map(|f| f.text("k")).collect::<Vec<_>>();
        for name in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "l", "m", "n", "absent"] {
            assert_eq!(xml.text(name), json.text(name), "{name}");
            assert_eq!(xml.int(name), json.int(name), "{name}");
            assert_eq!(xml.float(name), json.float(name), "{name}");
            assert_eq!(xml.text_list(name), json.text_list(name), "{name}");
            assert_eq!(xml.int_list(name), json.int_list(name), "{name}");
            assert_eq!(keys(xml.child(name)), keys(json.child(name)), "{name}");
            assert_eq!(all_keys(&mut xml.children(name)), all_keys(&mut json.children(name)), "{name}");
        }
        assert_eq!(xml.int_list("d"), Ok(Some(vec![4, 5])));
        assert!(matches!(xml.int("h"), Err(EventError::InvalidField { value, .. }) if value.starts_with(r#"[{"k":"1"},"junk""#)));
    }

    #[test]
    fn floats_reject_non_finite() {
        with(json!({"a": "30.1", "b": "NaN", "c": 1.5}), |f| {
            assert_eq!(f.float("a"), Ok(Some(30.1)));
            assert_eq!(f.float("c"), Ok(Some(1.5)));
            assert!(f.float("b").is_err());
            assert_eq!(f.require_float("c"), Ok(1.5));
            assert_eq!(f.require_float("d"), Err(EventError::MissingField { event: "test_event".into(), field: "d" }));
        });
    }
}
