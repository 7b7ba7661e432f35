//! Random edits of callback text that keep it valid UTF-8, for the tests that compare two readings
//! of the same mutated input (scanner and quick-xml, element tree and field map).

use std::ops::Range;

use rand::Rng;
use rand::rngs::StdRng;

/// A random position in `doc` on a char boundary: the nearest one at or before a random byte.
pub(crate) fn random_boundary(rng: &mut StdRng, doc: &str) -> usize {
    let mut at = rng.random_range(0..=doc.len());
    while !doc.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The bytes from `at` (a char boundary) to `len` further, widened to the next char boundary and
/// cut at the end of `doc`.
pub(crate) fn stretch(doc: &str, at: usize, len: usize) -> Range<usize> {
    let mut end = (at + len).min(doc.len());
    while !doc.is_char_boundary(end) {
        end += 1;
    }
    at..end
}
