//! Stage 5: who said each quote, and with which cue verb.
//!
//! Placeholder: attributes nothing.

use super::entities::EntityTable;
use super::{Quote, Span};

pub fn attribute(
    _body: &str,
    _sentences: &[Span],
    _quotes: &mut [Quote],
    _table: &mut EntityTable,
) {
}
