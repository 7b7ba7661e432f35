//! Who an app message goes to. Both providers address users, departments or everyone; WeCom also
//! has tags. Each client joins the lists with its own separator (`|` or `,`).

/// The recipients of an app message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// User ids.
    pub users: Vec<String>,
    /// Department ids.
    pub departments: Vec<String>,
    /// Tag ids (WeCom only).
    pub tags: Vec<String>,
    /// Everyone in the app's visible range; the lists are then ignored.
    pub all: bool,
}

impl Recipients {
    /// Everyone in the app's visible range.
    pub fn all() -> Self {
        Recipients {
            all: true,
            ..Self::default()
        }
    }

    /// The given users.
    pub fn users<S: Into<String>>(users: impl IntoIterator<Item = S>) -> Self {
        Recipients {
            users: users.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// The given departments.
    pub fn departments<S: Into<String>>(departments: impl IntoIterator<Item = S>) -> Self {
        Recipients {
            departments: departments.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// The given tags.
    pub fn tags<S: Into<String>>(tags: impl IntoIterator<Item = S>) -> Self {
        Recipients {
            tags: tags.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// True when nobody is addressed.
    pub fn is_empty(&self) -> bool {
        !self.all && self.users.is_empty() && self.departments.is_empty() && self.tags.is_empty()
    }

    /// Checks the provider's per-call list limits; the error says which list is too long.
    pub fn check(&self, max_users: usize, max_lists: usize) -> Result<(), String> {
        if self.is_empty() {
            return Err("no recipients: give users, departments, tags or all".into());
        }
        let lists = [
            ("users", &self.users, max_users),
            ("departments", &self.departments, max_lists),
            ("tags", &self.tags, max_lists),
        ];
        for (name, list, max) in lists {
            if list.len() > max {
                return Err(format!(
                    "{} {name} given, at most {max} per message",
                    list.len()
                ));
            }
        }
        Ok(())
    }
}

/// Splits a provider's `a|b|c` list; an absent or empty string means none.
pub fn split_list(list: Option<&str>, separator: char) -> Vec<String> {
    list.unwrap_or_default()
        .split(separator)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_recipients_are_refused() {
        assert!(
            Recipients::default()
                .check(10, 10)
                .unwrap_err()
                .contains("no recipients")
        );
        assert!(Recipients::all().check(10, 10).is_ok());
    }

    #[test]
    fn list_limits_name_the_list() {
        let r = Recipients::tags((0..3).map(|i| i.to_string()));
        assert_eq!(
            r.check(10, 2).unwrap_err(),
            "3 tags given, at most 2 per message"
        );
    }

    #[test]
    fn split_list_handles_empty() {
        assert_eq!(split_list(Some("a|b"), '|'), vec!["a", "b"]);
        assert!(split_list(Some(""), '|').is_empty());
        assert!(split_list(None, '|').is_empty());
    }
}
