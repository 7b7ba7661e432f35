//! Typed client for the WeCom (企业微信) server API, `qyapi.weixin.qq.com/cgi-bin`.
//!
//! One [`Client`] per app (corp id + app secret): each secret has its own token. One file per API
//! area; every call goes through the shared [`Caller`](crate::api::Caller), so token refresh,
//! retries and error reporting behave the same everywhere.

mod approval;
mod attendance;
mod client;
mod contacts;
mod menu;
mod message;
mod oauth;
mod robot;
mod tags;
mod workbench;

pub use approval::{
    ApplyEvent, Applyer, ApprovalDetail, ApprovalFilter, ApprovalNode, ApprovalTemplate,
};
pub use attendance::{CheckinKind, CheckinOption, CheckinRecord, DayReport};
pub use client::{Client, WeComConfig};
pub use contacts::{
    Department, DepartmentRef, DeptUser, LIST_ID_LIMIT, NewDepartment, User, UserBrief, UserIdPage,
};
pub use menu::{Button, Menu, MenuError, MenuProblem, MenuPushError};
pub use message::{AppMessage, Article, SendResult};
pub use oauth::{LoginIdentity, OAuthScope, SensitiveDetail};
pub use robot::{Robot, RobotMessage};
pub use tags::{Tag, TagMembersResult};
pub use workbench::{WorkbenchItem, WorkbenchTemplate};
