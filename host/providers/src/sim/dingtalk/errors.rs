//! DingTalk's error codes and its two envelopes.
//!
//! The legacy oapi (`oapi.dingtalk.com`) answers HTTP 200 with `{"errcode":N,"errmsg":"...",
//! "request_id":"..."}` and wraps successful data in `result`. The v1.0 API (`api.dingtalk.com/
//! v1.0/...`) answers an HTTP 4xx with `{"code":"...","message":"...","requestid":"..."}`. The
//! numeric codes follow the reference (§B1), where DingTalk reuses WeCom-style numbers for the
//! directory (60003 department not found, 60121 user not found, …); codes the reference marks
//! unverified are used as documented there. This is the only file that knows DingTalk's codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::dialect::{Dialect, Failure, merged};
use crate::sim::directory::DirectoryError;
use crate::sim::tokens::TokenError;

/// A DingTalk error answer, renderable in either envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DingTalkError {
    /// oapi errcode.
    pub errcode: i64,
    /// Human-readable message (both envelopes).
    pub errmsg: String,
    /// v1.0 HTTP status.
    pub status: u16,
    /// v1.0 string code.
    pub code: &'static str,
    /// Whether to render the v1.0 envelope.
    pub v1: bool,
}

/// What oapi and v1.0 handlers return.
pub type Reply = Result<Json<Value>, DingTalkError>;

impl DingTalkError {
    /// An oapi error with DingTalk's usual message for `errcode`.
    pub fn new(errcode: i64) -> Self {
        let (status, code) = v1_code(errcode);
        DingTalkError {
            errcode,
            errmsg: message(errcode).to_owned(),
            status,
            code,
            v1: false,
        }
    }

    /// An error with a detail appended to the usual message.
    pub fn with(errcode: i64, detail: impl std::fmt::Display) -> Self {
        let mut err = DingTalkError::new(errcode);
        err.errmsg = format!("{}: {detail}", err.errmsg);
        err
    }

    /// The same error in the v1.0 envelope.
    pub fn v1(mut self) -> Self {
        self.v1 = true;
        self
    }
}

/// The v1.0 (HTTP status, code) for an oapi errcode.
fn v1_code(errcode: i64) -> (u16, &'static str) {
    match errcode {
        40014 | 41001 | 42001 => (401, "InvalidAuthentication"),
        40089 => (400, "invalidClientIdOrSecret"),
        60020 => (403, "Forbidden.AccessDenied.IpNotInWhiteList"),
        90018 => (403, "Forbidden.AccessDenied.QpsLimitForApi"),
        60003 | 60121 | 40078 => (404, "resource.not.found"),
        -1 => (500, "ServiceUnavailable"),
        _ => (400, "InvalidParameter"),
    }
}

impl IntoResponse for DingTalkError {
    fn into_response(self) -> Response {
        if self.v1 {
            let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
            let body =
                json!({"code": self.code, "message": self.errmsg, "requestid": request_id()});
            (status, Json(body)).into_response()
        } else {
            Json(
                json!({"errcode": self.errcode, "errmsg": self.errmsg, "request_id": request_id()}),
            )
            .into_response()
        }
    }
}

/// A request id like DingTalk's (opaque, unique enough to tell answers apart in logs).
pub fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("sim{:013x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

impl From<Failure> for DingTalkError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Token(TokenError::Missing) => DingTalkError::new(41001),
            Failure::Token(TokenError::Invalid) => DingTalkError::new(40014),
            Failure::Token(TokenError::Expired) => DingTalkError::new(42001),
            Failure::IpBlocked => DingTalkError::new(60020),
            Failure::RateLimited => DingTalkError::new(90018),
            Failure::Injected(code) => DingTalkError::new(code),
            Failure::BadBody(detail) | Failure::BadParam(detail) => {
                DingTalkError::with(400002, detail)
            }
            Failure::Directory(err) => err.into(),
        }
    }
}

impl From<DirectoryError> for DingTalkError {
    fn from(err: DirectoryError) -> Self {
        let code = match &err {
            DirectoryError::DepartmentNotFound(_) => 60003,
            DirectoryError::ParentNotFound(_) => 60004,
            DirectoryError::DepartmentHasMembers(_) => 60005,
            DirectoryError::DepartmentHasChildren(_) => 60006,
            DirectoryError::RootDepartment => 60007,
            DirectoryError::DepartmentExists(_) => 60008,
            DirectoryError::InvalidDepartmentName(_) => 60009,
            DirectoryError::CircularParent(_) => 60010,
            DirectoryError::UserNotFound(_) => 60121,
            DirectoryError::UserExists(_) => 60102,
            DirectoryError::InvalidUserId(_)
            | DirectoryError::InvalidUserName(_)
            | DirectoryError::NoContact => 400002,
            DirectoryError::MobileExists(_) => 60104,
            DirectoryError::TagNotFound(_) | DirectoryError::TagExists(_) => 400002,
        };
        DingTalkError::with(code, err)
    }
}

/// DingTalk's message for an errcode.
pub fn message(errcode: i64) -> &'static str {
    match errcode {
        -1 => "系统繁忙",
        0 => "ok",
        40014 => "不合法的access_token",
        40078 => "不存在的临时授权码",
        40089 => "不合法的corpid或corpsecret",
        41001 => "缺少access_token参数",
        42001 => "access_token超时",
        60003 => "部门不存在",
        60004 => "父部门不存在",
        60005 => "不允许删除有成员的部门",
        60006 => "不允许删除有子部门的部门",
        60007 => "不允许删除根部门",
        60008 => "父部门下该部门名称已存在",
        60009 => "部门名称含有非法字符",
        60010 => "部门存在循环关系",
        60020 => "访问ip不在白名单之中",
        60102 => "UserID在公司中已存在",
        60104 => "手机号码在公司中已存在",
        60121 => "找不到该用户",
        90018 => "调用频率超过限制",
        300001 => "token is not exist",
        310000 => "sign not match",
        400002 => "无效的参数",
        410100 => "send too fast, exceed 20 times per minute",
        853001 => "timestamp格式不正确",
        853002 => "timestamp与服务器时间相差超过1分钟",
        853003 => "accessKey不正确",
        853004 => "签名不匹配",
        _ => "error",
    }
}

/// The DingTalk [`Dialect`]: oapi envelope, or v1.0 for paths under `/v1.0/`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DingTalkDialect;

impl Dialect for DingTalkDialect {
    fn reject(&self, path: &str, failure: &Failure) -> Response {
        let err = DingTalkError::from(failure.clone());
        if path.starts_with("/v1.0/") {
            err.v1()
        } else {
            err
        }
        .into_response()
    }
}

/// An oapi success answer with `result` (omitted when `Value::Null`).
pub fn ok_result(result: Value) -> Json<Value> {
    let mut body = json!({"errcode": 0, "errmsg": "ok", "request_id": request_id()});
    if !result.is_null() {
        body["result"] = result;
    }
    Json(body)
}

/// An oapi success answer with top-level fields instead of `result` (asyncsend_v2, attendance).
pub fn ok_fields(fields: Value) -> Json<Value> {
    Json(merged(
        json!({"errcode": 0, "errmsg": "ok", "request_id": request_id()}),
        fields,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_map_to_both_envelopes() {
        let err = DingTalkError::from(Failure::Token(TokenError::Expired));
        assert_eq!(
            (err.errcode, err.status, err.code),
            (42001, 401, "InvalidAuthentication")
        );
        let err = DingTalkError::from(Failure::Directory(DirectoryError::DepartmentNotFound(3)));
        assert_eq!(err.errcode, 60003);
        assert_eq!(DingTalkError::from(Failure::RateLimited).errcode, 90018);
    }
}
