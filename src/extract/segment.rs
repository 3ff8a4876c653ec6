//! Stage 2: sentence boundaries over the cleaned body, as byte spans.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (with any closing quotation marks and
//! brackets that follow it, as in `.”`) when the next word starts a sentence, and always
//! at a line break. A period does not end a sentence after a title or month
//! abbreviation (`Mr.`, `Gen.`, `Jan.`), an initial (`John F. Kennedy`) or inside a
//! number (`3.5`); after a dotted acronym (`U.S.`) it does only when a word that
//! typically opens a sentence follows. The scan is one linear pass over the bytes.

use super::Span;

/// Abbreviations that never end a sentence: titles, ranks and months (lowercased,
/// without the period). Hand-written.
#[rustfmt::skip]
const NON_FINAL_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "gen", "lt", "col", "capt", "cpt", "cmdr", "maj", "sgt",
    "adm", "brig", "cpl", "pvt", "sen", "rep", "gov", "pres", "rev", "fr", "sr", "jr", "st", "hon",
    "amb", "supt", "insp", "det", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "vs", "approx", "vol", "fig", "dept", "univ", "mt", "ft", "ave", "blvd",
    "rd", "e.g", "i.e", "cf", "al",
];

/// Words that usually open a sentence; after an acronym (`U.S.`) or a company suffix
/// (`Inc.`) a period ends the sentence only when one of these follows. Hand-written.
#[rustfmt::skip]
const SENTENCE_OPENERS: &[&str] = &[
    "The", "A", "An", "It", "Its", "He", "She", "They", "We", "I", "You", "This", "That", "These",
    "Those", "There", "But", "And", "Or", "So", "Yet", "In", "On", "At", "As", "If", "When",
    "While", "After", "Before", "Since", "However", "Meanwhile", "Still", "His", "Her", "Their",
    "Our", "My", "Some", "Many", "Most", "No", "Not", "What", "Why", "How", "Who", "For", "From",
    "With", "By", "Under", "Last", "Next", "Earlier", "Later", "According", "Also", "Then",
];

/// Abbreviations that may end a sentence, decided like acronyms. Hand-written.
const AMBIGUOUS_ABBREVIATIONS: &[&str] =
    &["inc", "corp", "ltd", "co", "llc", "plc", "bros", "jr", "sr"];

/// Sentence spans over `body`, in order, trimmed of surrounding whitespace.
pub fn sentences(body: &str) -> Vec<Span> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while let Some(next) = next_candidate(bytes, i) {
        i = next;
        let b = bytes[i];
        if b == b'\n' {
            push_trimmed(body, start, i, &mut out);
            start = i + 1;
            i += 1;
            continue;
        }
        let terminator_len = match b {
            b'.' | b'!' | b'?' => 1,
            // U+2026 HORIZONTAL ELLIPSIS
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA6) => 3,
            _ => 0,
        };
        if terminator_len == 0 {
            i += 1;
            continue;
        }
        // Take in a run of terminators and any closing quotes and brackets.
        let mut end = i + terminator_len;
        while end < bytes.len() {
            let rest = &body[end..];
            let c = rest.chars().next().unwrap_or(' ');
            if matches!(
                c,
                '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | ')' | ']' | '»'
            ) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        if ends_sentence(body, i, b, end) {
            push_trimmed(body, start, end, &mut out);
            start = end;
        }
        i = end;
    }
    push_trimmed(body, start, body.len(), &mut out);
    out
}

/// The first byte at or after `from` that may end a sentence or a line (`\n . ! ?` or
/// the lead byte of `…`): vector searches skip the text between them.
fn next_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let common = memchr::memchr3(b'\n', b'.', b'?', rest);
    let rare = memchr::memchr2(b'!', 0xE2, &rest[..common.unwrap_or(rest.len())]);
    rare.or(common).map(|offset| from + offset)
}

/// Whether the terminator at `at` (whose run, closing marks included, ends at `end`)
/// closes a sentence.
fn ends_sentence(body: &str, at: usize, terminator: u8, end: usize) -> bool {
    let after = &body[end..];
    // Mid-token (`3.5`, `example.com`, `U.S.-led`): not a boundary.
    let Some(first) = after.chars().next() else {
        return true;
    };
    if !first.is_whitespace() {
        return false;
    }
    let next_word = after.trim_start_matches([' ', '\t']);
    if next_word.starts_with('\n') || next_word.is_empty() {
        return true;
    }
    let next_char = next_word.chars().next().unwrap_or(' ');
    let starts_sentence = next_char.is_uppercase()
        || next_char.is_ascii_digit()
        || matches!(
            next_char,
            '“' | '"' | '‘' | '\'' | '(' | '[' | '«' | '—' | '-'
        );
    if !starts_sentence {
        return false;
    }
    if terminator != b'.' || end != at + 1 {
        return true;
    }
    let word = word_before(body, at);
    let lower = word.to_lowercase();
    if NON_FINAL_ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    let is_dotted_acronym =
        word.contains('.') && word.chars().filter(|c| c.is_alphabetic()).count() <= 4;
    if is_initial {
        return false;
    }
    if is_dotted_acronym || AMBIGUOUS_ABBREVIATIONS.contains(&lower.as_str()) {
        let opener: String = next_word
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect();
        return SENTENCE_OPENERS.contains(&opener.as_str()) || !next_char.is_alphabetic();
    }
    true
}

/// The word (letters and inner periods) ending just before byte `at`.
fn word_before(body: &str, at: usize) -> &str {
    let head = &body[..at];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &head[start..]
}

fn push_trimmed(body: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let text = &body[start..end];
    let lead = text.len() - text.trim_start().len();
    let trail = text.len() - text.trim_end().len();
    if lead + trail < text.len() {
        out.push(Span::new(start + lead, end - trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(body: &str) -> Vec<&str> {
        sentences(body).into_iter().map(|s| s.slice(body)).collect()
    }

    #[test]
    fn splits_at_terminators_before_a_capital() {
        assert_eq!(
            split("It rained. Then it stopped! Why? No one knows."),
            ["It rained.", "Then it stopped!", "Why?", "No one knows."]
        );
    }

    #[test]
    fn keeps_titles_initials_months_and_decimals_inside() {
        assert_eq!(
            split("Mr. Smith met Gen. Lee on Jan. 5 in Washington. Growth was 3.5 percent."),
            [
                "Mr. Smith met Gen. Lee on Jan. 5 in Washington.",
                "Growth was 3.5 percent."
            ]
        );
        assert_eq!(
            split("John F. Kennedy spoke. He left."),
            ["John F. Kennedy spoke.", "He left."]
        );
    }

    #[test]
    fn dotted_acronyms_end_a_sentence_only_before_an_opener() {
        assert_eq!(
            split("He met U.S. President Joe Biden. It went well."),
            ["He met U.S. President Joe Biden.", "It went well."]
        );
        assert_eq!(
            split("They flew to the U.S. The trip was long."),
            ["They flew to the U.S.", "The trip was long."]
        );
    }

    #[test]
    fn closing_quote_after_the_period_belongs_to_the_sentence() {
        assert_eq!(
            split("“We will win.” She smiled. “Maybe,” he said."),
            ["“We will win.”", "She smiled.", "“Maybe,” he said."]
        );
        assert_eq!(split("“Really?” she asked."), ["“Really?” she asked."]);
    }

    #[test]
    fn paragraph_breaks_end_sentences() {
        assert_eq!(
            split("A headline\n\nFirst paragraph ends without a period\n\nNext."),
            [
                "A headline",
                "First paragraph ends without a period",
                "Next."
            ]
        );
    }

    #[test]
    fn spans_slice_multibyte_text() {
        let body = "Zürich’s mayor — Corine Mauch — said “ça va.” Très bien…  Ende.";
        for span in sentences(body) {
            assert!(!span.slice(body).is_empty());
        }
        assert_eq!(split(body).last(), Some(&"Ende."));
    }
}
