//! An event's payload: its shared shape, `corp_id` and `raw`, written as one JSON object in a
//! single pass.
//!
//! The payload stays typed until it is written, so the request path builds no `serde_json`
//! tree for it. Its JSON is the object the shape's fields, `corp_id` and `raw` would make in a
//! `serde_json::Map`: keys in sorted order, which is why the shapes declare their fields sorted
//! and the two common entries are slotted in between them as they are written.

use serde::ser::{Error as _, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

use super::raw::RawFields;
use super::shapes::{
    AgentEntered, ApprovalChange, ApprovalTaskChange, CheckIn, DepartmentChange, LocationReport, MenuAction, TagChange, TextMessage,
    UserChange,
};

/// What an event carries besides its kind, key and time.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The shared shape of the event's kind.
    pub shape: Shape,
    /// The tenant the callback belongs to (corp id), empty when the callback does not say.
    pub corp_id: String,
    /// Every decrypted field, for what the shape does not cover.
    pub raw: RawFields,
}

impl Payload {
    /// The payload as a JSON value, for code that reads fields rather than stores them.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// The shared shape of an event, one variant per shape of [`super::shapes`].
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// `*.contact.user.*`.
    UserChange(UserChange),
    /// `*.contact.department.*`.
    DepartmentChange(DepartmentChange),
    /// `wecom.contact.tag.updated`.
    TagChange(TagChange),
    /// `*.approval.instance.changed`.
    ApprovalChange(ApprovalChange),
    /// `dingtalk.approval.task.changed`.
    ApprovalTaskChange(ApprovalTaskChange),
    /// `wecom.menu.click`, `wecom.menu.view`.
    MenuAction(MenuAction),
    /// `wecom.agent.entered`.
    AgentEntered(AgentEntered),
    /// `wecom.location.reported`.
    LocationReport(LocationReport),
    /// `dingtalk.attendance.checked_in`.
    CheckIn(CheckIn),
    /// `wecom.message.text.received`.
    TextMessage(TextMessage),
    /// A kind without a shared shape (generic events, other messages, URL checks): the payload
    /// is `corp_id` and `raw` only.
    None,
}

/// `From` for every shape, and the shape's entries written into the payload's map.
macro_rules! shape_variants {
    ($($name:ident),* $(,)?) => {
        $(impl From<$name> for Shape {
            fn from(shape: $name) -> Self {
                Shape::$name(shape)
            }
        })*

        impl Serialize for Shape {
            /// The shape's own fields, without `corp_id` and `raw`.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Shape::$name(shape) => shape.serialize(serializer),)*
                    Shape::None => serializer.serialize_map(Some(0))?.end(),
                }
            }
        }

        impl Shape {
            fn write<M: SerializeMap>(&self, entries: Entries<'_, M>) -> Result<M::Ok, M::Error> {
                match self {
                    $(Shape::$name(shape) => shape.serialize(entries),)*
                    Shape::None => entries.finish(),
                }
            }
        }
    };
}

shape_variants!(
    UserChange,
    DepartmentChange,
    TagChange,
    ApprovalChange,
    ApprovalTaskChange,
    MenuAction,
    AgentEntered,
    LocationReport,
    CheckIn,
    TextMessage,
);

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let common = [("corp_id", Common::Text(&self.corp_id)), ("raw", Common::Raw(&self.raw))];
        let entries = Entries { map: serializer.serialize_map(None)?, pending: &common };
        self.shape.write(entries)
    }
}

/// An entry every payload has besides its shape's.
enum Common<'a> {
    /// `corp_id`.
    Text(&'a str),
    /// `raw`.
    Raw(&'a RawFields),
}

impl Serialize for Common<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Common::Text(text) => serializer.serialize_str(text),
            Common::Raw(raw) => raw.serialize(serializer),
        }
    }
}

/// Writes a shape struct's fields as entries of the payload's map, each common entry just before
/// the first field whose key sorts after it.
struct Entries<'a, M> {
    /// The payload's map, being written.
    map: M,
    /// Common entries not written yet, in key order.
    pending: &'a [(&'static str, Common<'a>)],
}

impl<M: SerializeMap> Entries<'_, M> {
    /// Writes the pending common entries whose keys sort before `key` (all of them for `None`).
    fn write_before(&mut self, key: Option<&str>) -> Result<(), M::Error> {
        while let Some(((name, value), rest)) = self.pending.split_first()
            && key.is_none_or(|key| *name < key)
        {
            self.map.serialize_entry(name, value)?;
            self.pending = rest;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<M::Ok, M::Error> {
        self.write_before(None)?;
        self.map.end()
    }
}

impl<M: SerializeMap> SerializeStruct for Entries<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), M::Error> {
        self.write_before(Some(key))?;
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.finish()
    }
}

/// What a shape that is not a struct gets; every shape is one.
const NOT_A_STRUCT: &str = "a payload shape must serialise as a struct";

/// The methods of [`Serializer`] for everything but a struct.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, M::Error> {
            Err(M::Error::custom(NOT_A_STRUCT))
        })*
    };
}

impl<'a, M: SerializeMap> Serializer for Entries<'a, M> {
    type Ok = M::Ok;
    type Error = M::Error;
    type SerializeSeq = Impossible<M::Ok, M::Error>;
    type SerializeTuple = Impossible<M::Ok, M::Error>;
    type SerializeTupleStruct = Impossible<M::Ok, M::Error>;
    type SerializeTupleVariant = Impossible<M::Ok, M::Error>;
    type SerializeMap = Impossible<M::Ok, M::Error>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<M::Ok, M::Error>;

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, M::Error> {
        Ok(self)
    }

    not_a_struct! {
        serialize_bool(bool) -> M::Ok;
        serialize_i8(i8) -> M::Ok;
        serialize_i16(i16) -> M::Ok;
        serialize_i32(i32) -> M::Ok;
        serialize_i64(i64) -> M::Ok;
        serialize_u8(u8) -> M::Ok;
        serialize_u16(u16) -> M::Ok;
        serialize_u32(u32) -> M::Ok;
        serialize_u64(u64) -> M::Ok;
        serialize_f32(f32) -> M::Ok;
        serialize_f64(f64) -> M::Ok;
        serialize_char(char) -> M::Ok;
        serialize_str(&str) -> M::Ok;
        serialize_bytes(&[u8]) -> M::Ok;
        serialize_none() -> M::Ok;
        serialize_unit() -> M::Ok;
        serialize_unit_struct(&'static str) -> M::Ok;
        serialize_unit_variant(&'static str, u32, &'static str) -> M::Ok;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _value: &T) -> Result<M::Ok, M::Error> {
        Err(M::Error::custom(NOT_A_STRUCT))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, _value: &T) -> Result<M::Ok, M::Error> {
        Err(M::Error::custom(NOT_A_STRUCT))
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<M::Ok, M::Error> {
        Err(M::Error::custom(NOT_A_STRUCT))
    }
}

#[cfg(test)]
#[path = "payload_tests.rs"]
mod tests;
