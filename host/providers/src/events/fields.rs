//! Typed reads from a decrypted field map, tolerant of how each provider encodes a value: numbers
//! arrive as XML text, JSON numbers or JSON strings; lists as comma-separated text or JSON arrays.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::EventError;

/// How much of a bad value an error repeats.
const ECHO: usize = 64;

/// A view of one callback's fields (or of a nested element), with the raw event type for errors.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    event: &'a str,
}

fn invalid(field: &'static str, value: &Value, expected: &'static str) -> EventError {
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    EventError::InvalidField { field, value: shown.chars().take(ECHO).collect(), expected }
}

fn parse_int(field: &'static str, value: &Value) -> Result<i64, EventError> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| invalid(field, value, "an integer")),
        Value::String(s) => s.trim().parse().map_err(|_| invalid(field, value, "an integer")),
        _ => Err(invalid(field, value, "an integer")),
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, event: &'a str) -> Self {
        Self { map, event }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
    }

    /// A scalar as text; absent, empty and structured values are `None`.
    pub(crate) fn text(&self, field: &str) -> Option<String> {
        self.text_ref(field).map(Cow::into_owned)
    }

    /// Like [`text`](Self::text), borrowing string values: for fields that are only compared or
    /// may not be kept, so reading them copies nothing.
    pub(crate) fn text_ref(&self, field: &str) -> Option<Cow<'a, str>> {
        match self.get(field)? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
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
        let parsed = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        parsed.filter(|f: &f64| f.is_finite()).map(Some).ok_or_else(|| invalid(field, value, "a decimal number"))
    }

    /// Like [`float`](Self::float) but required.
    pub(crate) fn require_float(&self, field: &'static str) -> Result<f64, EventError> {
        self.float(field)?.ok_or_else(|| self.missing(field))
    }

    /// Text items of a comma-separated string or a JSON array; absent means empty.
    pub(crate) fn text_list(&self, field: &'static str) -> Result<Vec<String>, EventError> {
        match self.get(field) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(invalid(field, other, "a list of ids")),
                })
                .collect(),
            Some(Value::Number(n)) => Ok(vec![n.to_string()]),
            Some(other) => Err(invalid(field, other, "a list of ids")),
        }
    }

    /// Integer items of a comma-separated string or a JSON array; absent means `None`.
    pub(crate) fn int_list(&self, field: &'static str) -> Result<Option<Vec<i64>>, EventError> {
        let Some(value) = self.get(field) else { return Ok(None) };
        match value {
            Value::Array(items) => items.iter().map(|item| parse_int(field, item)).collect::<Result<_, _>>().map(Some),
            Value::Number(_) => parse_int(field, value).map(|n| Some(vec![n])),
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().map_err(|_| invalid(field, value, "comma-separated integers")))
                .collect::<Result<_, _>>()
                .map(Some),
            other => Err(invalid(field, other, "a list of integers")),
        }
    }

    /// A nested element or object.
    pub(crate) fn child(&self, field: &str) -> Option<Fields<'a>> {
        match self.map.get(field)? {
            Value::Object(map) => Some(Fields { map, event: self.event }),
            _ => None,
        }
    }

    /// A repeated element: one occurrence or an array of them; non-objects are skipped.
    pub(crate) fn children(&self, field: &str) -> Vec<Fields<'a>> {
        let as_fields = |v: &'a Value| match v {
            Value::Object(map) => Some(Fields { map, event: self.event }),
            _ => None,
        };
        match self.map.get(field) {
            Some(Value::Array(items)) => items.iter().filter_map(as_fields).collect(),
            Some(single) => as_fields(single).into_iter().collect(),
            None => Vec::new(),
        }
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
            assert_eq!(f.children("one").len(), 1);
            assert_eq!(f.children("many").iter().map(|c| c.text("k").unwrap()).collect::<Vec<_>>(), ["1", "2"]);
            assert_eq!(f.child("one").and_then(|c| c.text("k")), Some("v".into()));
            assert_eq!(f.text("g"), None);
        });
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
