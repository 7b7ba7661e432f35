//! Which capabilities an invocation may use: requested by the handler ∧ granted to the rule.
//!
//! A plugin declares what it needs in `describe()`; the admin grants capabilities to the rule.
//! Only the intersection is usable, so neither a greedy plugin nor a generous admin alone opens a
//! capability.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::CapError;

/// A capability; the string names equal the WIT interface names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// App messages and robot posts.
    Messaging,
    /// The organisation directory.
    Contacts,
    /// Check-ins and day reports.
    Attendance,
    /// Approval instances.
    Approvals,
    /// Documents posted to the ERP.
    Erp,
    /// Plugin-scoped storage.
    Kv,
    /// Lines in the execution log.
    Log,
}

impl Capability {
    /// Every capability, in WIT order.
    pub const ALL: [Capability; 7] = [
        Capability::Messaging,
        Capability::Contacts,
        Capability::Attendance,
        Capability::Approvals,
        Capability::Erp,
        Capability::Kv,
        Capability::Log,
    ];

    /// The WIT interface name.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Messaging => "messaging",
            Capability::Contacts => "contacts",
            Capability::Attendance => "attendance",
            Capability::Approvals => "approvals",
            Capability::Erp => "erp",
            Capability::Kv => "kv",
            Capability::Log => "log",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A capability name that is not one of the WIT interfaces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown capability `{0}` (expected one of: messaging, contacts, attendance, approvals, erp, kv, log)"
)]
pub struct UnknownCapability(pub String);

impl FromStr for Capability {
    type Err = UnknownCapability;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownCapability(s.to_string()))
    }
}

/// The effective grants of one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    /// What the handler asked for.
    requested: BTreeSet<Capability>,
    /// What the rule grants.
    granted: BTreeSet<Capability>,
}

impl Grants {
    /// Grants from what the handler requested and what the rule granted.
    pub fn new(
        requested: impl IntoIterator<Item = Capability>,
        granted: impl IntoIterator<Item = Capability>,
    ) -> Self {
        Self {
            requested: requested.into_iter().collect(),
            granted: granted.into_iter().collect(),
        }
    }

    /// Whether `cap` is both requested and granted.
    pub fn allows(&self, cap: Capability) -> bool {
        self.requested.contains(&cap) && self.granted.contains(&cap)
    }

    /// `Ok` when `cap` is usable, else a [`CapError::Denied`] saying which half is missing.
    pub fn check(&self, cap: Capability) -> Result<(), CapError> {
        match (self.requested.contains(&cap), self.granted.contains(&cap)) {
            (true, true) => Ok(()),
            (false, _) => Err(CapError::Denied(format!(
                "capability `{cap}` was not requested by the plugin"
            ))),
            (true, false) => Err(CapError::Denied(format!(
                "capability `{cap}` is not granted to this rule"
            ))),
        }
    }

    /// The usable capabilities, in WIT order.
    pub fn effective(&self) -> Vec<Capability> {
        self.requested
            .intersection(&self.granted)
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for cap in Capability::ALL {
            assert_eq!(cap.name().parse::<Capability>().unwrap(), cap);
            assert_eq!(serde_json::to_value(cap).unwrap(), cap.name());
        }
        assert!("network".parse::<Capability>().is_err());
    }

    #[test]
    fn only_the_intersection_is_allowed() {
        let grants = Grants::new(
            [Capability::Messaging, Capability::Kv],
            [Capability::Messaging, Capability::Erp],
        );
        assert!(grants.check(Capability::Messaging).is_ok());
        assert_eq!(grants.effective(), vec![Capability::Messaging]);
        let not_granted = grants.check(Capability::Kv).unwrap_err();
        assert!(
            not_granted.to_string().contains("not granted"),
            "{not_granted}"
        );
        let not_requested = grants.check(Capability::Erp).unwrap_err();
        assert!(
            not_requested.to_string().contains("not requested"),
            "{not_requested}"
        );
        assert!(matches!(
            grants.check(Capability::Log),
            Err(CapError::Denied(_))
        ));
    }
}
