//! Cursor paging as both services do it: an opaque cursor, a page size, and a "next" marker that
//! is empty (WeCom) or absent with `has_more=false` (DingTalk) at the end.

/// One page of `items` starting at `offset`; the second value is the next offset, if any remain.
pub fn page<T: Clone>(items: &[T], offset: usize, size: usize) -> (Vec<T>, Option<usize>) {
    let start = offset.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then_some(end);
    (items[start..end].to_vec(), next)
}

/// An opaque cursor for an offset (WeCom cursors are strings the client must not interpret).
pub fn encode_cursor(offset: usize) -> String {
    format!("c{offset:08x}")
}

/// The offset behind a cursor from [`encode_cursor`]; `None` if it was not one of ours.
pub fn decode_cursor(cursor: &str) -> Option<usize> {
    let hex = cursor.strip_prefix('c')?;
    usize::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_everything_once() {
        let items: Vec<u32> = (0..25).collect();
        let mut seen = Vec::new();
        let mut offset = Some(0);
        while let Some(at) = offset {
            let (chunk, next) = page(&items, at, 10);
            assert!(chunk.len() <= 10);
            seen.extend(chunk);
            offset = next;
        }
        assert_eq!(seen, items);
        assert_eq!(page(&items, 20, 10).1, None);
        assert_eq!(page(&items, 99, 10), (vec![], None));
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(12345)), Some(12345));
        assert_eq!(decode_cursor("garbage"), None);
        assert_eq!(decode_cursor("czz"), None);
    }
}
