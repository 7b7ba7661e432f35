//! The capability implementations behind the harness: grant check, then validation, then either a
//! read from the in-memory backends or a staged effect — the order the host uses.

use std::collections::BTreeMap;

use super::directory::Directory;
use super::effect::{Effect, LogLine};
use super::validate;
use crate::approvals::{ApprovalInstance, ApprovalRequest};
use crate::attendance::{CheckIn, DayReport};
use crate::contacts::{Binding, BindingKey, Department, User, UserQuery};
use crate::erp::Document;
use crate::log::Level;
use crate::messaging::{Message, Recipients, RobotPost};
use crate::types::{CapError, Capability, EffectId, TimeRange};

/// Everything one run can see and everything it did.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostState {
    /// Capabilities the plugin asked for in `describe`.
    pub(crate) requested: Vec<Capability>,
    /// Capabilities the rule grants.
    pub(crate) granted: Vec<Capability>,
    /// Capabilities whose backend is made to fail, and how.
    pub(crate) failures: Vec<(Capability, CapError)>,
    pub(crate) directory: Directory,
    pub(crate) kv: BTreeMap<String, String>,
    pub(crate) check_ins: Vec<CheckIn>,
    pub(crate) day_reports: Vec<DayReport>,
    pub(crate) approvals: BTreeMap<String, ApprovalInstance>,
    /// Robots configured in the host; empty means any name is accepted.
    pub(crate) robots: Vec<String>,
    pub(crate) effects: Vec<Effect>,
    pub(crate) logs: Vec<LogLine>,
}

impl HostState {
    /// requested ∧ granted (with the host's wording), then any simulated backend failure.
    fn allow(&self, capability: Capability) -> Result<(), CapError> {
        let name = capability.name();
        if !self.requested.contains(&capability) {
            return Err(CapError::Denied(format!(
                "capability `{name}` was not requested by the plugin"
            )));
        }
        if !self.granted.contains(&capability) {
            return Err(CapError::Denied(format!(
                "capability `{name}` is not granted to this rule"
            )));
        }
        match self.failures.iter().find(|(c, _)| *c == capability) {
            Some((_, error)) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn stage(&mut self, make: impl FnOnce(EffectId) -> Effect) -> EffectId {
        let id = format!("effect-{}", self.effects.len() + 1);
        self.effects.push(make(id.clone()));
        id
    }

    pub(crate) fn send(
        &mut self,
        to: &Recipients,
        message: &Message,
    ) -> Result<EffectId, CapError> {
        self.allow(Capability::Messaging)?;
        validate::recipients(to)?;
        validate::message(message, 2048)?;
        Ok(self.stage(|id| Effect::Message {
            id,
            to: to.clone(),
            message: message.clone(),
        }))
    }

    pub(crate) fn post_robot(&mut self, post: &RobotPost) -> Result<EffectId, CapError> {
        self.allow(Capability::Messaging)?;
        validate::robot_post(post)?;
        if !self.robots.is_empty() && !self.robots.contains(&post.robot) {
            return Err(CapError::NotFound(format!("robot `{}`", post.robot)));
        }
        Ok(self.stage(|id| Effect::RobotPost {
            id,
            post: post.clone(),
        }))
    }

    pub(crate) fn get_user(&mut self, id: &str) -> Result<User, CapError> {
        self.allow(Capability::Contacts)?;
        self.directory.user(id)
    }

    pub(crate) fn find_users(&mut self, query: &UserQuery) -> Result<Vec<User>, CapError> {
        self.allow(Capability::Contacts)?;
        self.directory.find(query)
    }

    pub(crate) fn get_department(&mut self, id: &str) -> Result<Department, CapError> {
        self.allow(Capability::Contacts)?;
        self.directory.department(id)
    }

    pub(crate) fn department_members(
        &mut self,
        id: &str,
        recursive: bool,
    ) -> Result<Vec<User>, CapError> {
        self.allow(Capability::Contacts)?;
        self.directory.members(id, recursive)
    }

    pub(crate) fn resolve_binding(
        &mut self,
        key: &BindingKey,
    ) -> Result<Option<Binding>, CapError> {
        self.allow(Capability::Contacts)?;
        Ok(self.directory.binding(key))
    }

    pub(crate) fn bound_user(&mut self, employee_id: &str) -> Result<Option<User>, CapError> {
        self.allow(Capability::Contacts)?;
        validate::employee_id(employee_id)?;
        Ok(self.directory.bound_user(employee_id))
    }

    pub(crate) fn check_ins(
        &mut self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<CheckIn>, CapError> {
        self.allow(Capability::Attendance)?;
        validate::attendance_query(users, range)?;
        let in_range = |at: i64| range.start <= at && at < range.end;
        Ok(self
            .check_ins
            .iter()
            .filter(|c| users.contains(&c.user_id) && in_range(c.at))
            .cloned()
            .collect())
    }

    /// Day reports whose day (`YYYY-MM-DD`, UTC) overlaps `range`.
    pub(crate) fn day_reports(
        &mut self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<DayReport>, CapError> {
        self.allow(Capability::Attendance)?;
        validate::attendance_query(users, range)?;
        let (first, last) = (utc_day(range.start), utc_day(range.end - 1));
        Ok(self
            .day_reports
            .iter()
            .filter(|r| users.contains(&r.user_id) && first <= r.day && r.day <= last)
            .cloned()
            .collect())
    }

    pub(crate) fn get_instance(&mut self, id: &str) -> Result<ApprovalInstance, CapError> {
        self.allow(Capability::Approvals)?;
        self.approvals
            .get(id)
            .cloned()
            .ok_or_else(|| CapError::NotFound(format!("approval instance `{id}`")))
    }

    pub(crate) fn submit(&mut self, request: &ApprovalRequest) -> Result<EffectId, CapError> {
        self.allow(Capability::Approvals)?;
        validate::approval_request(request)?;
        Ok(self.stage(|id| Effect::ApprovalSubmit {
            id,
            request: request.clone(),
        }))
    }

    pub(crate) fn erp_post(&mut self, document: &Document) -> Result<EffectId, CapError> {
        self.allow(Capability::Erp)?;
        validate::document(document)?;
        Ok(self.stage(|id| Effect::ErpPost {
            id,
            document: document.clone(),
        }))
    }

    pub(crate) fn kv_get(&mut self, key: &str) -> Result<Option<String>, CapError> {
        self.allow(Capability::Kv)?;
        validate::kv_key(key)?;
        Ok(self.kv.get(key).cloned())
    }

    /// Staged like every write, and visible to later `kv_get`s of the same run.
    pub(crate) fn kv_set(&mut self, key: &str, value: &str) -> Result<EffectId, CapError> {
        self.allow(Capability::Kv)?;
        validate::kv_key(key)?;
        self.kv.insert(key.to_string(), value.to_string());
        Ok(self.stage(|id| Effect::KvSet {
            id,
            key: key.into(),
            value: value.into(),
        }))
    }

    /// Dropped silently without the `log` grant, as the host does.
    pub(crate) fn log(&mut self, level: Level, message: &str) {
        if self.allow(Capability::Log).is_ok() {
            self.logs.push(LogLine {
                level,
                message: message.to_string(),
            });
        }
    }
}

/// `YYYY-MM-DD` of a unix-millisecond instant in UTC (civil-from-days, Howard Hinnant's
/// algorithm; hand-written to keep the SDK free of a date crate).
fn utc_day(unix_ms: i64) -> String {
    let days = unix_ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_days_of_known_instants() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(1_795_219_199_999), "2026-11-20");
        assert_eq!(utc_day(-1), "1969-12-31");
    }

    #[test]
    fn denial_says_which_side_is_missing() {
        let mut state = HostState {
            requested: vec![Capability::Kv],
            ..HostState::default()
        };
        assert_eq!(
            state.kv_get("k"),
            Err(CapError::Denied(
                "capability `kv` is not granted to this rule".into()
            ))
        );
        assert_eq!(
            state.get_user("u"),
            Err(CapError::Denied(
                "capability `contacts` was not requested by the plugin".into()
            ))
        );
    }

    #[test]
    fn kv_sets_are_staged_and_visible() {
        let mut state = HostState {
            requested: vec![Capability::Kv],
            granted: vec![Capability::Kv],
            ..HostState::default()
        };
        assert_eq!(state.kv_set("k", "v").unwrap(), "effect-1");
        assert_eq!(state.kv_get("k").unwrap().as_deref(), Some("v"));
        assert!(matches!(&state.effects[..], [Effect::KvSet { key, .. }] if key == "k"));
    }
}
