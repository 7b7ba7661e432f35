//! Placeholder lists for statements that touch many rows at once.
//!
//! A statement is the unit of cost here: on SQLite each one is a round trip to the connection's
//! own thread, on PostgreSQL one to the server. Workers that claim, complete and deliver rows in
//! batches write one multi-row `VALUES` list or one `IN (...)` list per batch instead of one
//! statement per row. Both backends number parameters `$1, $2, ...`; these helpers write the
//! numbers so the SQL and the binds cannot drift apart.

use std::fmt::Write as _;

/// Rows per statement, whatever the batch: keeps every statement far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters with the widest row written here (nine values).
pub(super) const MAX_ROWS: usize = 500;

/// The most values a row written through these helpers has (a completed execution).
const WIDEST_ROW: usize = 9;

const _: () = assert!(
    MAX_ROWS * WIDEST_ROW + 8 < 32_766,
    "a batch must fit SQLite's bind limit"
);

/// `($first, $first+1, ..., $first+per_row-1<tail>), (...)` for `rows` rows of `per_row`
/// parameters each; `tail` (e.g. `, 'queued', $1`) ends every row with the same values.
pub(super) fn values_rows(rows: usize, per_row: usize, first: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(rows * per_row * 5);
    let mut next = first;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..per_row {
            if column > 0 {
                sql.push_str(", ");
            }
            // Writing into a String cannot fail.
            let _ = write!(sql, "${next}");
            next += 1;
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// `($first, $first+1, ..., $first+n-1)`, the list of an `IN` test.
pub(super) fn in_list(n: usize, first: usize) -> String {
    values_rows(1, n, first, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_number_their_parameters_in_order_after_the_shared_ones() {
        assert_eq!(values_rows(2, 3, 2, ""), "($2, $3, $4), ($5, $6, $7)");
        assert_eq!(values_rows(1, 1, 1, ""), "($1)");
    }

    #[test]
    fn a_tail_ends_every_row() {
        assert_eq!(values_rows(2, 1, 2, ", $1"), "($2, $1), ($3, $1)");
    }

    #[test]
    fn in_lists_are_one_parenthesised_row() {
        assert_eq!(in_list(3, 4), "($4, $5, $6)");
    }
}
