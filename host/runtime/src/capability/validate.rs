//! Small checks shared by the write validators, so every capability words its `invalid` errors
//! the same way ("`field` ...").

use super::CapError;

/// Fails when `value` is blank.
pub(crate) fn non_empty(field: &str, value: &str) -> Result<(), CapError> {
    if value.trim().is_empty() {
        return Err(CapError::Invalid(format!("`{field}` must not be empty")));
    }
    Ok(())
}

/// Fails when `value` is longer than `max` bytes (provider limits are in bytes of UTF-8).
pub(crate) fn max_bytes(field: &str, value: &str, max: usize) -> Result<(), CapError> {
    if value.len() > max {
        return Err(CapError::Invalid(format!(
            "`{field}` is {} bytes, at most {max} allowed",
            value.len()
        )));
    }
    Ok(())
}

/// Fails when a list has more than `max` items.
pub(crate) fn max_items<T>(field: &str, items: &[T], max: usize) -> Result<(), CapError> {
    if items.len() > max {
        return Err(CapError::Invalid(format!(
            "`{field}` has {} items, at most {max} allowed",
            items.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field() {
        assert!(non_empty("title", "x").is_ok());
        assert_eq!(
            non_empty("title", " "),
            Err(CapError::Invalid("`title` must not be empty".into()))
        );
        assert!(max_bytes("text", "好", 3).is_ok());
        assert!(
            max_bytes("text", "好", 2)
                .unwrap_err()
                .to_string()
                .contains("`text` is 3 bytes")
        );
        assert!(
            max_items("users", &[1, 2], 1)
                .unwrap_err()
                .to_string()
                .contains("`users` has 2 items")
        );
    }
}
