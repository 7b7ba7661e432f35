//! Comparable forms of mobile numbers and e-mail addresses: ERPs and directories write the same
//! number as `+86 138-0013-8000`, `8613800138000` or `13800138000`.

use worklink_sdk::prelude::*;

/// Digits only, without the mainland China country code; `None` when nothing is left.
pub fn mobile(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix("86") {
        Some(rest) if digits.len() == 13 => rest.to_string(),
        _ => digits,
    };
    (!national.is_empty()).then_some(national)
}

/// Trimmed and lowercased; `None` when it has no `@`.
pub fn email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    email.contains('@').then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_in_every_spelling_compare_equal() {
        for raw in [
            "+86 138-0013-8000",
            "8613800138000",
            "138 0013 8000",
            "13800138000",
        ] {
            assert_eq!(mobile(raw).as_deref(), Some("13800138000"), "{raw}");
        }
        assert_eq!(mobile("+1 (555) 010-9999").as_deref(), Some("15550109999"));
        assert_eq!(mobile(" - "), None);
    }

    #[test]
    fn emails_ignore_case_and_spaces() {
        assert_eq!(
            email(" Li.Si@Example.COM ").as_deref(),
            Some("li.si@example.com")
        );
        assert_eq!(email("not an address"), None);
    }
}
