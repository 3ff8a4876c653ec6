//! Stage 4: quotation marks paired into quotes, each with a kind.
//!
//! Placeholder: pairs curly double quotes and straight double quotes within a paragraph.

use super::{Quote, QuoteKind, Span};

pub fn find_quotes(body: &str, sentences: &[Span]) -> Vec<Quote> {
    let mut quotes = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in body.char_indices() {
        match (open, c) {
            (None, '“') | (None, '"') => open = Some((i + c.len_utf8(), c)),
            (Some((start, '“')), '”') | (Some((start, '"')), '"') => {
                let span = Span::new(start, i);
                let sentence = sentences
                    .iter()
                    .copied()
                    .find(|s| s.overlaps(span))
                    .unwrap_or(span);
                quotes.push(Quote {
                    text: body[span.range()].to_string(),
                    span,
                    kind: QuoteKind::Direct,
                    speaker: None,
                    cue: None,
                    cue_span: None,
                    sentence,
                });
                open = None;
            }
            (Some(_), '\n') => open = None,
            _ => {}
        }
    }
    quotes
}
