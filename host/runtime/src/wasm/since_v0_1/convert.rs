//! Conversions between the 0.1 generated types and the runtime's own types. Plain field moves:
//! the records mirror each other by design, and typed conversions keep a renamed field a compile
//! error instead of a silent mismatch.

use super::exports::worklink::plugin::handler as wit_handler;
use super::worklink::plugin::{approvals, attendance, contacts, erp, log, messaging, types as wit};
use crate::capability::{CapError, Capability};
use crate::types;

impl From<CapError> for wit::CapError {
    fn from(e: CapError) -> Self {
        match e {
            CapError::Denied(m) => wit::CapError::Denied(m),
            CapError::Invalid(m) => wit::CapError::Invalid(m),
            CapError::NotFound(m) => wit::CapError::NotFound(m),
            CapError::Provider { code, message } => {
                wit::CapError::Provider(wit::ProviderError { code, message })
            }
            CapError::Unavailable(m) => wit::CapError::Unavailable(m),
        }
    }
}

/// By value: an invocation owns its event, so the strings move instead of being copied.
impl From<types::Event> for wit::Event {
    fn from(e: types::Event) -> Self {
        wit::Event {
            payload: e.payload.to_string(),
            id: e.id,
            kind: e.kind,
            source: e.source,
            occurred_at: e.occurred_at,
        }
    }
}

impl From<wit::Capability> for Capability {
    fn from(c: wit::Capability) -> Self {
        match c {
            wit::Capability::Messaging => Capability::Messaging,
            wit::Capability::Contacts => Capability::Contacts,
            wit::Capability::Attendance => Capability::Attendance,
            wit::Capability::Approvals => Capability::Approvals,
            wit::Capability::Erp => Capability::Erp,
            wit::Capability::Kv => Capability::Kv,
            wit::Capability::Log => Capability::Log,
        }
    }
}

/// Plugin info, with the config schema parsed; the error names what is wrong with it.
pub(crate) fn plugin_info(info: wit::PluginInfo) -> Result<types::PluginInfo, String> {
    let config_schema = match info.config_schema.trim() {
        "" => None,
        text => Some(
            serde_json::from_str(text).map_err(|e| format!("config schema is not JSON: {e}"))?,
        ),
    };
    Ok(types::PluginInfo {
        name: info.name,
        version: info.version,
        description: info.description,
        handles: info.handles,
        capabilities: info
            .capabilities
            .into_iter()
            .map(Capability::from)
            .collect(),
        config_schema,
    })
}

impl From<wit_handler::HandlerError> for types::HandlerError {
    fn from(e: wit_handler::HandlerError) -> Self {
        types::HandlerError {
            code: e.code,
            message: e.message,
            retryable: e.retryable,
        }
    }
}

impl From<log::Level> for types::LogLevel {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Trace => types::LogLevel::Trace,
            log::Level::Debug => types::LogLevel::Debug,
            log::Level::Info => types::LogLevel::Info,
            log::Level::Warn => types::LogLevel::Warn,
            log::Level::Error => types::LogLevel::Error,
        }
    }
}

impl From<messaging::Recipients> for types::Recipients {
    fn from(r: messaging::Recipients) -> Self {
        types::Recipients {
            users: r.users,
            departments: r.departments,
            tags: r.tags,
            all: r.all,
        }
    }
}

impl From<messaging::Message> for types::Message {
    fn from(m: messaging::Message) -> Self {
        match m {
            messaging::Message::Text(content) => types::Message::Text { content },
            messaging::Message::Markdown(content) => types::Message::Markdown { content },
            messaging::Message::TextCard(c) => types::Message::TextCard(types::TextCard {
                title: c.title,
                description: c.description,
                url: c.url,
                button_text: c.button_text,
            }),
            messaging::Message::News(articles) => types::Message::News {
                articles: articles
                    .into_iter()
                    .map(|a| types::Article {
                        title: a.title,
                        description: a.description,
                        url: a.url,
                        picture_url: a.picture_url,
                    })
                    .collect(),
            },
        }
    }
}

impl From<messaging::RobotPost> for types::RobotPost {
    fn from(p: messaging::RobotPost) -> Self {
        types::RobotPost {
            robot: p.robot,
            message: p.message.into(),
            mentions: p.mentions,
            mention_all: p.mention_all,
        }
    }
}

impl From<types::User> for contacts::User {
    fn from(u: types::User) -> Self {
        contacts::User {
            id: u.id,
            name: u.name,
            mobile: u.mobile,
            email: u.email,
            title: u.title,
            employee_no: u.employee_no,
            departments: u.departments,
            active: u.active,
        }
    }
}

impl From<types::Department> for contacts::Department {
    fn from(d: types::Department) -> Self {
        contacts::Department {
            id: d.id,
            name: d.name,
            parent: d.parent,
        }
    }
}

impl From<contacts::UserQuery> for types::UserQuery {
    fn from(q: contacts::UserQuery) -> Self {
        types::UserQuery {
            name: q.name,
            mobile: q.mobile,
            email: q.email,
            employee_no: q.employee_no,
        }
    }
}

impl From<contacts::BindingKey> for types::BindingKey {
    fn from(k: contacts::BindingKey) -> Self {
        match k {
            contacts::BindingKey::Employee(id) => types::BindingKey::Employee(id),
            contacts::BindingKey::User(id) => types::BindingKey::User(id),
        }
    }
}

impl From<types::Binding> for contacts::Binding {
    fn from(b: types::Binding) -> Self {
        contacts::Binding {
            employee_id: b.employee_id,
            user_id: b.user_id,
        }
    }
}

impl From<wit::TimeRange> for types::TimeRange {
    fn from(r: wit::TimeRange) -> Self {
        types::TimeRange {
            start: r.start,
            end: r.end,
        }
    }
}

impl From<types::CheckIn> for attendance::CheckIn {
    fn from(c: types::CheckIn) -> Self {
        attendance::CheckIn {
            user_id: c.user_id,
            at: c.at,
            kind: match c.kind {
                types::CheckKind::OnDuty => attendance::CheckKind::OnDuty,
                types::CheckKind::OffDuty => attendance::CheckKind::OffDuty,
            },
            status: match c.status {
                types::CheckResult::Normal => attendance::CheckResult::Normal,
                types::CheckResult::Late => attendance::CheckResult::Late,
                types::CheckResult::Early => attendance::CheckResult::Early,
                types::CheckResult::Outside => attendance::CheckResult::Outside,
                types::CheckResult::NotSigned => attendance::CheckResult::NotSigned,
            },
            location: c.location,
        }
    }
}

impl From<types::DayReport> for attendance::DayReport {
    fn from(r: types::DayReport) -> Self {
        attendance::DayReport {
            user_id: r.user_id,
            day: r.day,
            first_in: r.first_in,
            last_out: r.last_out,
            work_minutes: r.work_minutes,
            late_minutes: r.late_minutes,
            early_minutes: r.early_minutes,
            absent: r.absent,
        }
    }
}

impl From<types::FormField> for approvals::FormField {
    fn from(f: types::FormField) -> Self {
        approvals::FormField {
            name: f.name,
            value: f.value,
        }
    }
}

impl From<approvals::FormField> for types::FormField {
    fn from(f: approvals::FormField) -> Self {
        types::FormField {
            name: f.name,
            value: f.value,
        }
    }
}

impl From<types::ApprovalInstance> for approvals::ApprovalInstance {
    fn from(a: types::ApprovalInstance) -> Self {
        approvals::ApprovalInstance {
            id: a.id,
            template: a.template,
            title: a.title,
            applicant: a.applicant,
            status: match a.status {
                types::ApprovalStatus::Pending => approvals::ApprovalStatus::Pending,
                types::ApprovalStatus::Approved => approvals::ApprovalStatus::Approved,
                types::ApprovalStatus::Rejected => approvals::ApprovalStatus::Rejected,
                types::ApprovalStatus::Canceled => approvals::ApprovalStatus::Canceled,
            },
            fields: a.fields.into_iter().map(Into::into).collect(),
            created_at: a.created_at,
            finished_at: a.finished_at,
        }
    }
}

impl From<approvals::ApprovalRequest> for types::ApprovalRequest {
    fn from(r: approvals::ApprovalRequest) -> Self {
        types::ApprovalRequest {
            template: r.template,
            applicant: r.applicant,
            fields: r.fields.into_iter().map(Into::into).collect(),
            approvers: r.approvers,
            cc: r.cc,
        }
    }
}

impl TryFrom<erp::Document> for types::ErpDocument {
    type Error = CapError;

    fn try_from(d: erp::Document) -> Result<Self, CapError> {
        let body = serde_json::from_str(&d.body)
            .map_err(|e| CapError::Invalid(format!("`body` is not JSON: {e}")))?;
        Ok(types::ErpDocument {
            kind: d.kind,
            idempotency_key: d.idempotency_key,
            body,
        })
    }
}
