//! WeCom's errcodes and its error envelope `{"errcode":N,"errmsg":"..."}` (always HTTP 200).
//!
//! Codes and messages from the reference (§A1, §A2, WxCpErrorMsgEnum). This is the only place
//! that knows WeCom's numbers; handlers raise [`Failure`]s or call [`WeComError::new`] with a code
//! listed here.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::dialect::{Dialect, Failure, merged};
use crate::sim::directory::DirectoryError;
use crate::sim::tokens::TokenError;

/// A WeCom error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeComError {
    /// The errcode.
    pub errcode: i64,
    /// The errmsg (WeCom appends a hint URL; the simulator keeps the text part).
    pub errmsg: String,
}

/// What WeCom's handlers return.
pub type Reply = Result<Json<Value>, WeComError>;

impl WeComError {
    /// An error with WeCom's usual message for `errcode`.
    pub fn new(errcode: i64) -> Self {
        WeComError {
            errcode,
            errmsg: message(errcode).to_owned(),
        }
    }

    /// An error with a specific message (e.g. naming the bad parameter).
    pub fn with(errcode: i64, detail: impl std::fmt::Display) -> Self {
        WeComError {
            errcode,
            errmsg: format!("{}, {detail}", message(errcode)),
        }
    }
}

impl IntoResponse for WeComError {
    fn into_response(self) -> Response {
        Json(json!({"errcode": self.errcode, "errmsg": self.errmsg})).into_response()
    }
}

impl From<Failure> for WeComError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Token(TokenError::Missing) => WeComError::new(41001),
            Failure::Token(TokenError::Invalid) => WeComError::new(40014),
            Failure::Token(TokenError::Expired) => WeComError::new(42001),
            Failure::IpBlocked => WeComError::new(60020),
            Failure::RateLimited => WeComError::new(45009),
            Failure::Injected(code) => WeComError::new(code),
            Failure::BadBody(detail) => WeComError::with(47001, detail),
            Failure::BadParam(detail) => WeComError::with(40058, detail),
            Failure::Directory(err) => directory(&err),
        }
    }
}

impl From<DirectoryError> for WeComError {
    fn from(err: DirectoryError) -> Self {
        directory(&err)
    }
}

fn directory(err: &DirectoryError) -> WeComError {
    let code = match err {
        DirectoryError::DepartmentNotFound(_) => 60123,
        DirectoryError::ParentNotFound(_) => 60004,
        DirectoryError::DepartmentHasMembers(_) => 60005,
        DirectoryError::DepartmentHasChildren(_) => 60006,
        DirectoryError::RootDepartment => 60007,
        DirectoryError::DepartmentExists(_) => 60008,
        DirectoryError::InvalidDepartmentName(_) => 60009,
        DirectoryError::CircularParent(_) => 60010,
        DirectoryError::UserNotFound(_) => 60111,
        DirectoryError::UserExists(_) => 60102,
        DirectoryError::InvalidUserId(_) => 60103,
        DirectoryError::InvalidUserName(_) => 60112,
        DirectoryError::MobileExists(_) => 60104,
        DirectoryError::NoContact => 60129,
        DirectoryError::TagNotFound(_) => 40068,
        DirectoryError::TagExists(_) => 40071,
    };
    WeComError::with(code, err)
}

/// WeCom's message for an errcode.
pub fn message(errcode: i64) -> &'static str {
    match errcode {
        -1 => "system busy",
        0 => "ok",
        40001 => "invalid credential",
        40008 => "invalid message type",
        40013 => "invalid corpid",
        40014 => "invalid access_token",
        40029 => "invalid code",
        40056 => "invalid agentid",
        40058 => "invalid Parameter",
        40068 => "invalid tagid",
        40071 => "invalid tagname, already exists",
        40091 => "invalid secret",
        41001 => "access_token missing",
        41002 => "corpid missing",
        41004 => "corpsecret missing",
        42001 => "access_token expired",
        44004 => "empty content",
        45002 => "content size out of limit",
        45009 => "api freq out of limit",
        45033 => "api concurrent out of limit",
        47001 => "data format error",
        48002 => "api forbidden",
        60004 => "parent department not found",
        60005 => "department contains users",
        60006 => "department contains sub-departments",
        60007 => "not allow to delete root department",
        60008 => "department existed",
        60009 => "invalid department name",
        60010 => "department cycle",
        60020 => "not allow to access from your ip",
        60102 => "userid existed",
        60103 => "invalid mobile or userid",
        60104 => "mobile existed",
        60111 => "userid not found",
        60112 => "invalid username",
        60123 => "invalid party id",
        60129 => "mobile and email can not be both empty",
        81013 => "user & party & tag all invalid",
        84014 => "invalid user ticket",
        93000 => "invalid webhook url",
        _ => "error",
    }
}

/// The WeCom [`Dialect`].
#[derive(Debug, Clone, Copy, Default)]
pub struct WeComDialect;

impl Dialect for WeComDialect {
    fn reject(&self, _path: &str, failure: &Failure) -> Response {
        WeComError::from(failure.clone()).into_response()
    }
}

/// A success answer: `errcode` 0, `errmsg` (`ok`, `created`, `updated`, `deleted`) and `fields`.
pub fn ok_with(errmsg: &str, fields: Value) -> Json<Value> {
    Json(merged(json!({"errcode": 0, "errmsg": errmsg}), fields))
}

/// A success answer with errmsg `ok`.
pub fn ok(fields: Value) -> Json<Value> {
    ok_with("ok", fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_failures_map_to_the_documented_codes() {
        let code = |f: Failure| WeComError::from(f).errcode;
        assert_eq!(code(TokenError::Missing.into()), 41001);
        assert_eq!(code(TokenError::Invalid.into()), 40014);
        assert_eq!(code(TokenError::Expired.into()), 42001);
        assert_eq!(code(Failure::IpBlocked), 60020);
        assert_eq!(code(Failure::RateLimited), 45009);
        assert_eq!(code(DirectoryError::UserNotFound("x".into()).into()), 60111);
        assert_eq!(code(DirectoryError::DepartmentNotFound(9).into()), 60123);
    }

    #[test]
    fn success_envelope_keeps_fields() {
        let Json(body) = ok_with("created", json!({"id": 5}));
        assert_eq!(body, json!({"errcode": 0, "errmsg": "created", "id": 5}));
    }
}
