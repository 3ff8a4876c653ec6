//! Stage 2: sentence boundaries over the cleaned body.
//!
//! Placeholder: splits at `.`, `!`, `?` followed by whitespace, and at paragraph breaks.

use super::Span;

pub fn sentences(body: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at_break = (matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_none_or(|c| c.is_ascii_whitespace()))
            || (b == b'\n' && bytes.get(i + 1) == Some(&b'\n'));
        if at_break {
            let end = if b == b'\n' { i } else { i + 1 };
            push_trimmed(body, start, end, &mut out);
            start = end;
        }
        i += 1;
    }
    push_trimmed(body, start, body.len(), &mut out);
    out
}

fn push_trimmed(body: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let text = &body[start..end];
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    if lead + trail < text.len() {
        out.push(Span::new(start + lead, end - trail));
    }
}
