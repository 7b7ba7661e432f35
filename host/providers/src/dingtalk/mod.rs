//! Typed client for DingTalk (钉钉): the legacy `oapi.dingtalk.com` API for contacts, attendance,
//! work notifications and approvals, and `api.dingtalk.com/v1.0` where the legacy endpoints are
//! deprecated (OAuth2 login, robot group messages).
//!
//! One [`Client`] per app (app key + app secret). The legacy and v1.0 hosts accept the same app
//! access token (query parameter vs `x-acs-dingtalk-access-token` header), so one token serves
//! both. Every call goes through the shared [`Caller`](crate::api::Caller).

mod approval;
mod attendance;
mod chat;
mod client;
mod contacts;
mod login;
mod message;
mod robot;

pub use approval::{FormValue, NewProcessInstance, ProcessInstance};
pub use attendance::AttendanceRecord;
pub use chat::RobotGroupMessage;
pub use client::{Client, DingTalkConfig};
pub use contacts::{Department, User, UserPage};
pub use login::{InAppUser, SnsUser, UserProfile, UserToken};
pub use message::{ActionCard, Message, SendProgress, SendResult};
pub use robot::{Robot, RobotMessage};
