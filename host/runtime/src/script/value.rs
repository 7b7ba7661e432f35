//! Events and JSON as Rhai values, converted directly.
//!
//! Every `when` evaluation and every handler run starts by turning the event into a Rhai map, so
//! this is the hot path of condition evaluation. `rhai::serde::to_dynamic` gets there through
//! the generic serde data model (a serializer state machine per value); walking the
//! `serde_json::Value` tree directly builds the same maps and arrays with far less work, which is
//! why this small conversion is written out here instead of delegated.

use rhai::{Array, Dynamic, Map};

use crate::types::Event;

/// The event as a map shaped like the WIT `event` record, with the payload as a nested map.
pub(crate) fn event(event: &Event) -> Dynamic {
    let mut map = Map::new();
    map.insert("id".into(), event.id.clone().into());
    map.insert("kind".into(), event.kind.clone().into());
    map.insert("source".into(), event.source.clone().into());
    map.insert("occurred_at".into(), event.occurred_at.into());
    map.insert("payload".into(), json(&event.payload));
    map.into()
}

/// A JSON value as a Rhai value: objects become maps, arrays arrays, integers `i64` (or `f64`
/// beyond its range, as Rhai has no wider integer), `null` becomes `()`.
pub(crate) fn json(value: &serde_json::Value) -> Dynamic {
    match value {
        serde_json::Value::Null => Dynamic::UNIT,
        serde_json::Value::Bool(b) => (*b).into(),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or(f64::NAN).into(),
        },
        serde_json::Value::String(s) => s.clone().into(),
        serde_json::Value::Array(items) => items.iter().map(json).collect::<Array>().into(),
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| (k.as_str().into(), json(v)))
            .collect::<Map>()
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_same_value_as_the_serde_conversion() {
        let event = Event {
            id: "e1".into(),
            kind: "erp.order.created".into(),
            source: "erp".into(),
            occurred_at: 1_700_000_000_000,
            payload: serde_json::json!({
                "amount": 1500, "rate": 0.5, "big": u64::MAX, "vip": true, "note": null,
                "customer": {"tags": ["vip", "north"], "name": "Acme"}
            }),
        };
        let direct: serde_json::Value = rhai::serde::from_dynamic(&super::event(&event)).unwrap();
        let via_serde: serde_json::Value =
            rhai::serde::from_dynamic(&rhai::serde::to_dynamic(&event).unwrap()).unwrap();
        assert_eq!(direct, via_serde);
        assert_eq!(direct["payload"]["customer"]["tags"][1], "north");
    }
}
