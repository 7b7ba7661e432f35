//! The `on` pattern of a rule: which event kinds it reacts to.
//!
//! Kinds are dotted (`erp.task.assigned`, `wecom.contact.user.created`), so a pattern is either an
//! exact kind, a prefix (`erp.task.*`), a suffix that spans providers (`*.contact.user.created`),
//! everything (`*`), or `schedule` for cron rules, which react only to their own ticks.

use std::fmt;

/// The kind of event a scheduler tick produces; only `on = "schedule"` rules see it.
pub const SCHEDULE_FIRED: &str = "schedule.fired";

/// A parsed `on` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventPattern {
    /// `*`: every event kind.
    Any,
    /// `erp.task.*`: kinds starting with `erp.task.` (the stored prefix keeps the dot).
    Prefix(String),
    /// `*.contact.user.created`: kinds ending with `.contact.user.created`.
    Suffix(String),
    /// An exact kind.
    Exact(String),
    /// `schedule`: the rule's own cron ticks.
    Schedule,
}

impl EventPattern {
    /// Parses a pattern, explaining what is wrong with a malformed one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(EventPattern::Any);
        }
        if text == "schedule" {
            return Ok(EventPattern::Schedule);
        }
        let segments: Vec<&str> = text.split('.').collect();
        let well_formed = segments.iter().all(|segment| {
            !segment.is_empty()
                && (*segment == "*"
                    || segment
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        });
        if text.is_empty() || !well_formed {
            return Err(format!(
                "`{text}` is not an event-kind pattern: use dotted segments of letters, digits, \
                 `_` and `-`, like `erp.task.assigned`, `erp.task.*`, `*.contact.user.created` or `*`"
            ));
        }
        let wildcards = segments.iter().filter(|s| **s == "*").count();
        match (wildcards, segments.first(), segments.last()) {
            (0, _, _) => Ok(EventPattern::Exact(text.to_owned())),
            (1, _, Some(&"*")) => Ok(EventPattern::Prefix(text[..text.len() - 1].to_owned())),
            (1, Some(&"*"), _) => Ok(EventPattern::Suffix(text[1..].to_owned())),
            _ => Err(format!(
                "`{text}`: `*` may stand only for the whole pattern, its first segment or its last"
            )),
        }
    }

    /// Whether an event of `kind` matches. Scheduler ticks match only [`EventPattern::Schedule`]
    /// (which rule a tick belongs to is decided by the matcher, from the tick's payload).
    pub fn matches(&self, kind: &str) -> bool {
        if kind == SCHEDULE_FIRED {
            return matches!(self, EventPattern::Schedule);
        }
        match self {
            EventPattern::Any => true,
            EventPattern::Prefix(prefix) => kind.len() > prefix.len() && kind.starts_with(prefix),
            EventPattern::Suffix(suffix) => kind.len() > suffix.len() && kind.ends_with(suffix),
            EventPattern::Exact(exact) => kind == exact,
            EventPattern::Schedule => false,
        }
    }
}

impl fmt::Display for EventPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventPattern::Any => f.write_str("*"),
            EventPattern::Prefix(prefix) => write!(f, "{prefix}*"),
            EventPattern::Suffix(suffix) => write!(f, "*{suffix}"),
            EventPattern::Exact(exact) => f.write_str(exact),
            EventPattern::Schedule => f.write_str("schedule"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> EventPattern {
        EventPattern::parse(text).unwrap()
    }

    #[test]
    fn exact_kinds_match_only_themselves() {
        let p = pattern("erp.task.assigned");
        assert!(p.matches("erp.task.assigned"));
        assert!(!p.matches("erp.task.assigned.late"));
        assert!(!p.matches("erp.task"));
    }

    #[test]
    fn a_trailing_star_matches_one_or_more_further_segments() {
        let p = pattern("erp.task.*");
        assert!(p.matches("erp.task.assigned"));
        assert!(p.matches("erp.task.assigned.late"));
        assert!(!p.matches("erp.task"));
        assert!(!p.matches("erp.taskforce.created"));
    }

    #[test]
    fn a_leading_star_matches_any_source() {
        let p = pattern("*.contact.user.created");
        assert!(p.matches("wecom.contact.user.created"));
        assert!(p.matches("dingtalk.contact.user.created"));
        assert!(!p.matches("contact.user.created"));
        assert!(!p.matches("wecom.contact.user.updated"));
    }

    #[test]
    fn star_matches_everything_but_scheduler_ticks() {
        let any = pattern("*");
        assert!(any.matches("erp.mention"));
        assert!(!any.matches(SCHEDULE_FIRED));
        assert!(!pattern("schedule.*").matches(SCHEDULE_FIRED));
        assert!(pattern("schedule").matches(SCHEDULE_FIRED));
        assert!(!pattern("schedule").matches("erp.mention"));
    }

    #[test]
    fn malformed_patterns_say_why() {
        for bad in [
            "",
            "erp..task",
            "erp.*.assigned",
            "*.*",
            "erp.task*",
            "erp task",
        ] {
            let err = EventPattern::parse(bad).unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
        }
    }

    #[test]
    fn displays_as_written() {
        for text in [
            "*",
            "schedule",
            "erp.task.*",
            "*.contact.user.created",
            "erp.mention",
        ] {
            assert_eq!(pattern(text).to_string(), text);
        }
    }
}
