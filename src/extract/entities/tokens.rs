//! Words of the body as byte spans, with the facts name finding needs about each:
//! capitalisation, possessive `'s` cut off, `-led` style suffixes cut off, sentence starts.

use crate::extract::gazetteer;

/// One word of the body. `start..end` is the word without a possessive `'s` and without
/// a lower-case hyphen suffix ("U.S." in "U.S.-led", "NATO" in "NATO's").
#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Only spaces separate this word from the previous one (same clause, same paragraph).
    pub joined: bool,
    /// The word opens a sentence, a quotation or a paragraph: its capital proves nothing.
    pub initial: bool,
    pub possessive: bool,
    /// Starts with a capital, and is not a one-letter compound ("T-shirt", "X-ray").
    capitalised: bool,
}

impl Token {
    pub fn text(self, body: &str) -> &str {
        &body[self.start..self.end]
    }

    /// Starts with a capital, and is not a one-letter compound such as "T-shirt" or "X-ray".
    pub fn is_capitalised(self) -> bool {
        self.capitalised
    }

    pub fn is_numeric(self, body: &str) -> bool {
        self.text(body)
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    }
}

/// Abbreviations whose full stop belongs to the word.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Lt", "Gen", "Col", "Capt", "Sgt", "Adm",
    "Maj", "Rev", "St", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "Mt", "Ft",
];

/// Lower-case second halves of hyphen compounds that make an adjective of a name.
const HYPHEN_SUFFIXES: &[&str] = &[
    "led",
    "based",
    "backed",
    "born",
    "owned",
    "run",
    "made",
    "funded",
    "sponsored",
    "allied",
    "aligned",
    "friendly",
    "style",
    "like",
    "wide",
    "era",
    "bound",
    "linked",
    "affiliated",
    "centric",
    "related",
    "controlled",
    "dominated",
    "brokered",
    "bred",
    "educated",
    "trained",
    "listed",
    "registered",
    "headquartered",
    "focused",
    "specific",
    "only",
];

/// Plural nouns whose possessive is part of an organisation's name.
const GROUP_POSSESSIVES: &[&str] = &[
    "People", "Women", "Children", "Men", "Workers", "Veterans", "Citizens",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The character at byte `at` (a character boundary) and its length in bytes; most are ASCII.
fn char_at(body: &str, at: usize) -> (char, usize) {
    match body.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => (char::from(b), 1),
        _ => body
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(('\0', 1), |c| (c, c.len_utf8())),
    }
}

/// Whether a word spelled `text` starts with a capital and is no one-letter compound.
fn capitalised(text: &str) -> bool {
    let mut chars = text.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    let letter_compound = chars.next() == Some('-') && chars.next().is_some_and(char::is_lowercase);
    first_upper && !letter_compound
}

/// Characters that may sit inside a word when a letter or digit follows them.
fn is_inner_char(c: char) -> bool {
    matches!(c, '.' | '-' | '\'' | '’' | '&')
}

/// Splits the body into words.
pub fn tokenize(body: &str) -> Vec<Token> {
    let bytes = body.as_bytes();
    let mut tokens: Vec<Token> = Vec::with_capacity(body.len() / 5);
    let mut pieces = Vec::with_capacity(4);
    let mut prev_end = 0usize;
    let mut at = 0usize;
    while at < bytes.len() {
        let start = at;
        let (c, width) = char_at(body, start);
        at += width;
        if c == '&' && bytes.get(start + 1) == Some(&b' ') {
            // A free-standing "&" joins names ("Mary & Leigh Block Museum").
            let joined = !tokens.is_empty() && bytes[prev_end..start].iter().all(|&b| b == b' ');
            tokens.push(Token {
                start,
                end: start + 1,
                joined,
                initial: false,
                possessive: false,
                capitalised: false,
            });
            prev_end = start + 1;
            continue;
        }
        if !is_word_char(c) {
            continue;
        }
        // Whether the word has a possessive or hyphen to cut (see split_word).
        let mut marked = bytes[start] == 0xE2;
        let mut end = at;
        while end < bytes.len() {
            // Most characters of a word are ASCII letters and digits.
            if bytes[end].is_ascii_alphanumeric() {
                end += 1;
                continue;
            }
            let (c, width) = char_at(body, end);
            // Only a joiner needs the character after it (most characters are letters).
            let joins =
                is_word_char(c) || is_inner_char(c) && is_word_char(char_at(body, end + width).0);
            if !joins {
                break;
            }
            marked |= matches!(bytes[end], b'\'' | b'-' | 0xE2);
            end += width;
        }
        at = end;
        if bytes.get(end) == Some(&b'.') && is_abbreviation(&body[start..end]) {
            end += 1;
            at = end;
        }
        let gap = &body[prev_end..start];
        // Only spaces since the last word: the word may join it.
        let spaces_only = gap.bytes().all(|b| b == b' ');
        let first = tokens.is_empty();
        split_word(body, start, end, marked, &mut pieces);
        for &piece in &pieces {
            let gap_here = if piece.0 == start {
                gap
            } else {
                &body[piece.0 - 1..piece.0]
            };
            let prev = tokens.last().copied();
            let joined =
                !first && piece.0 == start && spaces_only && !prev.is_some_and(|p| p.possessive);
            // "in Washington D.C. The team": the stop ends both the abbreviation and the sentence.
            let after_stop = prev.is_some_and(|p| p.end > p.start && bytes[p.end - 1] == b'.')
                && piece.0 == start
                && gazetteer::is_non_name(&body[piece.0..piece.1].to_lowercase());
            let joined = joined && !after_stop;
            let initial =
                first && piece.0 == start || after_stop || opens_sentence(gap_here, prev.is_none());
            tokens.push(Token {
                start: piece.0,
                end: piece.1,
                joined,
                initial,
                possessive: piece.2,
                capitalised: capitalised(&body[piece.0..piece.1]),
            });
        }
        prev_end = end;
    }
    tokens
}

fn is_abbreviation(word: &str) -> bool {
    // "U.S" -> "U.S.", "D.C", a single initial "L", or a listed title.
    let dotted = word.contains('.') && word.split('.').all(|p| p.chars().count() == 1);
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    dotted || initial || ABBREVIATIONS.contains(&word)
}

/// Whether what lies between two words starts a new sentence or quotation; `first`: no
/// word comes before.
fn opens_sentence(gap: &str, first: bool) -> bool {
    // Byte by byte: of the marks, only "“" and "•" are not ASCII (E2 80 9C, E2 80 A2).
    let bytes = gap.as_bytes();
    let mark = bytes.iter().enumerate().any(|(i, &b)| match b {
        b'.' | b'!' | b'?' | b':' | b';' | b'\n' | b'"' | b'|' => true,
        0xE2 => matches!(bytes.get(i + 1..i + 3), Some([0x80, 0x9C | 0xA2])),
        _ => false,
    });
    // "- Item" bullets and "— Name" openers after a line break are caught above; a word
    // after an abbreviation that is not a title is not a sentence start.
    mark || first
}

/// Cuts possessive `'s` and hyphen suffixes off a word, and splits "Japan-NATO" into
/// its known parts. Returns `(start, end, possessive)` pieces. `marked`: the word has an
/// apostrophe, a hyphen or a character that may be a curly apostrophe.
fn split_word(
    body: &str,
    start: usize,
    end: usize,
    marked: bool,
    pieces: &mut Vec<(usize, usize, bool)>,
) {
    pieces.clear();
    let mut end = end;
    let mut possessive = false;
    let word = &body[start..end];
    // Most words have neither a possessive nor a hyphen: the scan that found the word decides.
    if !marked {
        pieces.push((start, end, false));
        return;
    }
    for suffix in ["'s", "’s", "'S", "’S"] {
        let Some(stem) = word.strip_suffix(suffix).filter(|s| !s.is_empty()) else {
            continue;
        };
        // "People's Army", "Women's Hospital": the possessive belongs to the name.
        if !GROUP_POSSESSIVES.contains(&stem) {
            end -= suffix.len();
            possessive = true;
            break;
        }
    }
    let word = &body[start..end];
    if !word.contains('-') {
        pieces.push((start, end, possessive));
        return;
    }
    if let Some(cut) = word.rfind('-') {
        let suffix = &word[cut + 1..];
        if HYPHEN_SUFFIXES.contains(&suffix) && cut > 0 {
            pieces.push((start, start + cut, possessive));
            return;
        }
    }
    if gazetteer::lookup(word).is_none() {
        let parts: Vec<&str> = word.split('-').collect();
        let all_known = parts.len() > 1
            && parts
                .iter()
                .all(|p| p.chars().next().is_some_and(char::is_uppercase))
            && parts.iter().all(|p| gazetteer::lookup(p).is_some());
        if all_known {
            let mut at = start;
            for part in parts {
                pieces.push((at, at + part.len(), false));
                at += part.len() + 1;
            }
            if let Some(last) = pieces.last_mut() {
                last.2 = possessive;
            }
            return;
        }
    }
    pieces.push((start, end, possessive));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(body: &str) -> Vec<&str> {
        tokenize(body).into_iter().map(|t| t.text(body)).collect()
    }

    #[test]
    fn dotted_abbreviations_keep_their_stops() {
        assert_eq!(
            words("the U.S. and the U.K. met"),
            ["the", "U.S.", "and", "the", "U.K.", "met"]
        );
        assert_eq!(words("Dr. Jones"), ["Dr.", "Jones"]);
    }

    #[test]
    fn possessives_and_led_suffixes_are_cut() {
        assert_eq!(words("NATO's plan"), ["NATO", "plan"]);
        assert_eq!(words("China’s role"), ["China", "role"]);
        assert_eq!(
            words("the U.S.-led alliance"),
            ["the", "U.S.", "led", "alliance"]
        );
        assert_eq!(words("a Moscow-based firm"), ["a", "Moscow", "firm"]);
        assert_eq!(words("Kim Jong-un"), ["Kim", "Jong-un"]);
        assert_eq!(
            words("the Japan-NATO pact"),
            ["the", "Japan", "NATO", "pact"]
        );
        assert_eq!(words("the Indo-Pacific"), ["the", "Indo-Pacific"]);
    }

    #[test]
    fn sentence_starts_and_joins() {
        let body = "He met Putin. Besides, “Since then";
        let t = tokenize(body);
        let initial: Vec<bool> = t.iter().map(|t| t.initial).collect();
        assert_eq!(initial, [true, false, false, true, true, false]);
        assert!(!t[4].joined, "a quotation mark breaks the run");
    }

    #[test]
    fn multibyte_text_slices_on_boundaries() {
        let body = "Gérald Darmanin in Zürich — 東京";
        for t in tokenize(body) {
            assert!(body.is_char_boundary(t.start) && body.is_char_boundary(t.end));
        }
        assert_eq!(words(body)[0], "Gérald");
    }
}
