//! Rust mirrors of the WIT records in `wit/worklink.wit`.
//!
//! Both sandboxes (wasm plugins and Rhai scripts) and the server speak these types, so a rule can
//! move between a script and a plugin without changing meaning. They are serde-serialisable with
//! snake_case field names: that is the shape Rhai maps, CLI JSON and stored effects use.

mod approvals;
mod attendance;
mod contacts;
mod erp;
mod event;
mod messaging;
mod plugin;

pub use approvals::{ApprovalInstance, ApprovalRequest, ApprovalStatus, FormField};
pub use attendance::{CheckIn, CheckKind, CheckResult, DayReport, TimeRange};
pub use contacts::{Binding, BindingKey, Department, User, UserQuery};
pub use erp::ErpDocument;
pub use event::{Event, EventError};
pub use messaging::{Article, Message, Recipients, RobotPost, TextCard};
pub use plugin::{HandlerError, LogLevel, PluginInfo, kind_matches};
