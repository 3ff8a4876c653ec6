//! Stage 4: quotation marks paired into quotes, each with a kind (direct, partial, term).
//!
//! Marks pair within a paragraph: curly and straight double quotes, guillemets, and
//! single quotes where they open at a word start (an apostrophe inside or after a word,
//! `don’t`, `the ’30s`, `Jones’`, is not a mark). A quote still open at its paragraph's
//! end stops there, news style, and the next paragraph's opening mark continues it; when
//! the next paragraph does not reopen but closes, the quote runs on into it. A stray
//! mark never yields a span past its paragraph (or the one after), so nothing runs away.
//!
//! The kind comes from where the quote stands in its sentence: a statement standing as
//! its own clause (`“…,” she said`, `X said: “…”`) is direct; a fragment near a
//! reporting verb (`said Asia was a “promising land”`) is partial; anything else short,
//! title-cased or introduced by a naming word (`called`, `a term`) is a term.

use super::cues::{self, Token, TokenCache, TokenKind, Tokenised};
use super::{Quote, QuoteKind, Span};

/// Which kind of mark a character is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Double,
    Single,
    Guillemet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Open,
    Close,
    /// A straight mark whose direction the context does not settle.
    Either,
}

#[derive(Debug, Clone, Copy)]
struct OpenMark {
    family: Family,
    /// Byte offset of the mark itself.
    at: usize,
    /// Byte offset just after the mark, where the quoted text starts.
    text_start: usize,
}

/// A pair of marks (or an opening mark and its paragraph end).
#[derive(Debug, Clone, Copy)]
struct Pair {
    marks: Span,
    text: Span,
    /// How many quotes enclose this one.
    depth: usize,
    /// Continues the previous paragraph's unclosed quote.
    continues: bool,
}

/// Every quotation in `body`, in order of its opening mark, with its kind.
pub fn find_quotes(body: &str, sentences: &[Span]) -> Vec<Quote> {
    find_quotes_tokenised(body, sentences).0
}

/// [`find_quotes`], with the token lists it built for the attribution pass.
pub(crate) fn find_quotes_tokenised(body: &str, sentences: &[Span]) -> (Vec<Quote>, Tokenised) {
    let mut pairs = pair_marks(body);
    pairs.sort_by_key(|p| p.marks.start);
    let marks: Vec<(Span, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.marks, i))
        .collect();
    let mut cache = TokenCache::new(body, &marks);
    let mut quotes = Vec::with_capacity(pairs.len());
    for (index, pair) in pairs.iter().enumerate() {
        let sentence = sentence_around(sentences, pair.marks);
        let kind = classify(body, pair, index, sentence, &mut cache);
        quotes.push(Quote {
            text: pair.text.slice(body).to_string(),
            span: pair.text,
            kind,
            speaker: None,
            cue: None,
            cue_span: None,
            sentence,
        });
    }
    (quotes, cache.into_tokenised())
}

/// The span of a quote with its marks: one mark character on each side where present.
pub(crate) fn marks_span(body: &str, quote: &Quote) -> Span {
    let start = body[..quote.span.start]
        .chars()
        .next_back()
        .filter(|&c| is_mark(c))
        .map_or(quote.span.start, |c| quote.span.start - c.len_utf8());
    let end = body[quote.span.end..]
        .chars()
        .next()
        .filter(|&c| is_mark(c))
        .map_or(quote.span.end, |c| quote.span.end + c.len_utf8());
    Span::new(start, end)
}

/// Whether `quote` was left open at its paragraph's end.
pub(crate) fn is_unclosed(body: &str, quote: &Quote) -> bool {
    !body[quote.span.end..].starts_with(is_mark)
}

/// The union of the sentences a span touches; the span itself when it touches none.
pub(crate) fn sentence_around(sentences: &[Span], span: Span) -> Span {
    let first = sentences.partition_point(|s| s.end <= span.start);
    let touching = sentences[first..].iter().take_while(|s| s.start < span.end);
    touching.fold(span, |acc, s| {
        Span::new(acc.start.min(s.start), acc.end.max(s.end))
    })
}

fn is_mark(c: char) -> bool {
    matches!(c, '“' | '”' | '"' | '‘' | '’' | '\'' | '«' | '»' | '„')
}

fn is_opening_context(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || "([{—–-/“‘«:".contains(c))
}

fn is_closing_context(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || ",.;:!?)]}—–”’»…".contains(c))
}

/// What the character `c` at a position with neighbours `prev` and `next` is as a mark.
fn classify_mark(c: char, prev: Option<char>, next: Option<char>) -> Option<(Family, Direction)> {
    if !is_mark(c) {
        return None;
    }
    let opening = is_opening_context(prev);
    let closing = is_closing_context(next);
    match c {
        // A curly mark typed the wrong way round (`decision.“ However`) goes by its context.
        '“' | '„' if closing && !opening => Some((Family::Double, Direction::Either)),
        '”' if opening && !closing => Some((Family::Double, Direction::Either)),
        '“' | '„' => Some((Family::Double, Direction::Open)),
        '”' => Some((Family::Double, Direction::Close)),
        '«' => Some((Family::Guillemet, Direction::Open)),
        '»' => Some((Family::Guillemet, Direction::Close)),
        '"' => Some((
            Family::Double,
            match (opening, closing) {
                (true, false) => Direction::Open,
                (false, true) => Direction::Close,
                _ => Direction::Either,
            },
        )),
        '‘' | '\'' | '’' => {
            let starts_word =
                next.is_some_and(|n| n.is_alphabetic() || matches!(n, '[' | '.' | '…'));
            if opening && starts_word && c != '’' {
                Some((Family::Single, Direction::Open))
            } else if closing && prev.is_some_and(|p| !p.is_whitespace()) {
                Some((Family::Single, Direction::Close))
            } else {
                None // an apostrophe
            }
        }
        _ => None,
    }
}

/// Byte ranges of the paragraphs (runs of text between line breaks), blank ones left out.
fn paragraph_spans(body: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in body.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            out.push(Span::new(start + lead, start + lead + trimmed.len()));
        }
        start += line.len() + 1;
    }
    out
}

/// Every quotation-mark character in `text`: `(offset, mark, char before, char after)`.
/// Scans bytes and decodes only where a mark can start, which keeps the pass cheap.
fn marks_in(text: &str) -> impl Iterator<Item = (usize, char, Option<char>, Option<char>)> + '_ {
    // `"` and `'`, or the lead byte of `“ ” ‘ ’ „` (E2) and `« »` (C2), found by vector
    // searches; every one of them starts a character.
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let rest = bytes.get(from..)?;
        let common = memchr::memchr3(b'"', b'\'', 0xE2, rest);
        let rare = memchr::memchr(0xC2, &rest[..common.unwrap_or(rest.len())]);
        let i = from + rare.or(common)?;
        from = i + 1;
        let c = text[i..].chars().next()?;
        if !is_mark(c) {
            continue;
        }
        let prev = text[..i].chars().next_back();
        let next = text[i + c.len_utf8()..].chars().next();
        return Some((i, c, prev, next));
    })
}

fn opens_with(body: &str, paragraph: Span, family: Family) -> bool {
    let mut chars = paragraph.slice(body).chars();
    let (first, second) = (chars.next(), chars.next());
    first
        .and_then(|c| classify_mark(c, None, second))
        .is_some_and(|(f, d)| f == family && d != Direction::Close)
}

/// Whether `paragraph` closes a mark of `family` before it opens one.
fn closes_before_opening(body: &str, paragraph: Span, family: Family) -> bool {
    marks_in(paragraph.slice(body))
        .filter_map(|(_, c, prev, next)| classify_mark(c, prev, next))
        .find(|&(f, _)| f == family)
        .is_some_and(|(_, d)| d == Direction::Close)
}

fn pair_marks(body: &str) -> Vec<Pair> {
    let paragraphs = paragraph_spans(body);
    let mut pairs = Vec::new();
    let mut carried: Option<OpenMark> = None;
    let mut previous_unclosed = false;
    for (pi, &paragraph) in paragraphs.iter().enumerate() {
        let mut stack: Vec<OpenMark> = carried.take().into_iter().collect();
        let continues_quote = previous_unclosed && stack.is_empty();
        previous_unclosed = false;
        for (offset, c, prev, next) in marks_in(paragraph.slice(body)) {
            let at = paragraph.start + offset;
            let Some((family, direction)) = classify_mark(c, prev, next) else {
                continue;
            };
            let open_index = stack.iter().rposition(|o| o.family == family);
            let direction = match (direction, open_index) {
                (Direction::Either, Some(_)) => Direction::Close,
                (Direction::Either, None) => Direction::Open,
                // A straight double mark that closes nothing opens instead.
                (Direction::Close, None) if c == '"' => Direction::Open,
                (d, _) => d,
            };
            match (direction, open_index) {
                (Direction::Open, _) => {
                    // Double marks do not nest in each other: an earlier unclosed one was stray.
                    if let (Family::Double | Family::Guillemet, Some(i)) = (family, open_index) {
                        stack.truncate(i);
                    }
                    stack.push(OpenMark {
                        family,
                        at,
                        text_start: at + c.len_utf8(),
                    });
                }
                (Direction::Close, Some(i)) => {
                    let open = stack[i];
                    stack.truncate(i);
                    pairs.push(Pair {
                        marks: Span::new(open.at, at + c.len_utf8()),
                        text: Span::new(open.text_start, at),
                        depth: i,
                        continues: continues_quote && open.at == paragraph.start,
                    });
                }
                _ => {} // a closing mark with nothing open: stray
            }
        }
        // The outermost quote still open at the paragraph's end.
        let Some(&outer) = stack.iter().find(|o| o.family != Family::Single) else {
            continue;
        };
        let next = paragraphs.get(pi + 1).copied();
        let runs_on = next.is_some_and(|n| {
            !opens_with(body, n, outer.family) && closes_before_opening(body, n, outer.family)
        }) && outer.at >= paragraph.start;
        if runs_on {
            carried = Some(outer);
        } else if outer.text_start < paragraph.end {
            pairs.push(Pair {
                marks: Span::new(outer.at, paragraph.end),
                text: Span::new(outer.text_start, paragraph.end),
                depth: 0,
                continues: continues_quote && outer.at == paragraph.start,
            });
            previous_unclosed = true;
        }
    }
    pairs
}

/// Verbs that give something a name; what they quote is a label, not speech. (`called`
/// is left out: `called the ruling “dangerous”` is usually a speaker's word.)
const LABELLING_VERBS: &[&str] = &[
    "dubbed",
    "dubs",
    "named",
    "titled",
    "entitled",
    "labelled",
    "labeled",
    "branded",
    "nicknamed",
    "termed",
    "christened",
];

/// What the quoted words are made of.
struct Shape {
    words: usize,
    starts_upper: bool,
    /// Ends with `.`, `!` or `?` (before any closing comma), or holds a sentence break.
    sentence_like: bool,
    /// Every word of four letters or more is capitalised ("Indo-Pacific Strategy").
    title_like: bool,
}

fn shape(text: &str) -> Shape {
    let words = text
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '’' | '\'')))
        .filter(|w| w.chars().any(char::is_alphanumeric));
    let capitalised = |w: &str| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    let (mut count, mut first_capitalised, mut long_all_capitalised) = (0, false, true);
    for word in words {
        if count == 0 {
            first_capitalised = capitalised(word);
        }
        if !capitalised(word) && word.chars().count() >= 4 {
            long_all_capitalised = false;
        }
        count += 1;
    }
    let first_letter = text
        .chars()
        .find(|c| c.is_alphanumeric() || matches!(c, '[' | '…'));
    let starts_upper = first_letter.is_some_and(|c| c.is_uppercase() || matches!(c, '[' | '…'));
    let trimmed = text.trim_end_matches([',', ' ', '\u{a0}']);
    let sentence_like = trimmed.ends_with(['.', '!', '?', '…'])
        || text.contains(". ")
        || text.contains("? ")
        || text.contains("! ");
    let title_like = count > 0 && long_all_capitalised && first_capitalised;
    Shape {
        words: count,
        starts_upper,
        sentence_like,
        title_like,
    }
}

/// How far before the quote the nearest reporting verb stands, in tokens.
fn cue_distance_before(body: &str, tokens: &[Token], quote_at: usize) -> Option<usize> {
    (0..quote_at)
        .rev()
        .find(|&i| cues::is_cue(body, tokens, i))
        .map(|i| quote_at - i - 1)
}

/// Whether a reporting clause follows the quote (`, she said`, `, said Smith`).
fn cue_follows(body: &str, tokens: &[Token], quote_at: usize) -> bool {
    let mut i = quote_at + 1;
    while tokens
        .get(i)
        .is_some_and(|t| matches!(t.kind, TokenKind::Punct(',' | '—' | '–' | '!' | '?' | '-')))
    {
        i += 1;
    }
    let limit = (i + 8).min(tokens.len());
    (i..limit)
        .take_while(|&j| {
            !matches!(
                tokens[j].kind,
                TokenKind::Punct('.' | ';' | '!' | '?') | TokenKind::Quote(_)
            )
        })
        .any(|j| cues::is_cue(body, tokens, j))
}

fn classify(
    body: &str,
    pair: &Pair,
    index: usize,
    sentence: Span,
    cache: &mut TokenCache,
) -> QuoteKind {
    if pair.depth > 0 {
        return QuoteKind::Term;
    }
    if pair.continues {
        return QuoteKind::Direct;
    }
    let context = cues::clamp_around(body, sentence, pair.marks, cues::CONTEXT_REACH);
    let tokens = cache.tokens(context);
    let Some(at) = tokens
        .iter()
        .position(|t| t.kind == TokenKind::Quote(index))
    else {
        return QuoteKind::Term;
    };
    let shape = shape(pair.text.slice(body));
    let before = &tokens[..at];
    let at_start = !before.iter().any(|t| t.is_word());
    let last_before = before.last().copied();
    let colon_before = last_before.is_some_and(|t| t.is_punct(':'));
    let comma_before = last_before.is_some_and(|t| t.is_punct(','));
    let that_before = last_before.is_some_and(|t| cues::word_is(body, t, "that"));
    let cue_before = cue_distance_before(body, &tokens, at);
    let cue_after = cue_follows(body, &tokens, at);

    let named_before = before
        .iter()
        .rev()
        .find(|t| {
            !(cues::word_is(body, **t, "the")
                || cues::word_is(body, **t, "a")
                || cues::word_is(body, **t, "as"))
        })
        .is_some_and(|t| cues::is_naming_word(body, *t));
    let named_after = tokens[at + 1..]
        .iter()
        .filter(|t| t.is_word())
        .take(2)
        .any(|t| cues::is_naming_word(body, *t));
    // `dubbed the conflict: “Scientology vs. the Internet”`: the nearest verb labels.
    let labelled = cue_before.is_some_and(|d| {
        let verb = tokens[at - d - 1].span.slice(body);
        LABELLING_VERBS.contains(&verb)
    });
    // `The “History” section`: a capitalised label inside a noun phrase.
    let determiner_before = last_before.is_some_and(|t| {
        ["the", "The", "a", "A", "an", "its", "their", "his", "her"].contains(&t.span.slice(body))
    });
    let noun_after = tokens.get(at + 1).is_some_and(|t| {
        t.is_word()
            && t.span.slice(body).starts_with(|c: char| c.is_lowercase())
            && !cues::is_cue(body, &tokens, at + 1)
    });
    let label_in_phrase = shape.title_like && shape.words <= 4 && determiner_before && noun_after;
    if named_before || labelled || label_in_phrase || (named_after && !cue_after) {
        return QuoteKind::Term;
    }
    if shape.title_like
        && shape.words <= 6
        && !cue_after
        && !colon_before
        && !(at_start && shape.sentence_like)
    {
        return QuoteKind::Term;
    }

    // `“Sensitive document found on street” — CBC.ca, August 15, 2008`: a cited headline.
    let dash_after = tokens
        .get(at + 1)
        .is_some_and(|t| matches!(t.kind, TokenKind::Punct('—' | '–' | '-')));
    let unpunctuated = !pair
        .text
        .slice(body)
        .trim_end()
        .ends_with(['.', ',', '!', '?', '…', ':', ';']);
    if at_start && dash_after && unpunctuated && !cue_after {
        return QuoteKind::Term;
    }
    // `“Much worse.”` standing as a sentence of its own is speech, however short.
    if at_start && shape.starts_upper && pair.text.slice(body).trim_end().ends_with(['.', '!', '?'])
    {
        return QuoteKind::Direct;
    }
    let clause_like = shape.words >= 3 && (shape.starts_upper || at_start);
    if clause_like && !that_before {
        let introduced = colon_before || (comma_before && cue_before.is_some_and(|d| d <= 6));
        if at_start || introduced || (cue_after && (shape.starts_upper || shape.sentence_like)) {
            return QuoteKind::Direct;
        }
        if shape.starts_upper && shape.words >= 4 && shape.sentence_like {
            return QuoteKind::Direct;
        }
    }
    // `Heald said although …, “nobody has looked at these together”`: a clause after a
    // comma that a reporting verb earlier in the sentence governs.
    let governed = comma_before && cue_before.is_some() && shape.words >= 3;
    if cue_before.is_some_and(|d| d <= 10) || cue_after || governed {
        return QuoteKind::Partial;
    }
    if shape.starts_upper && shape.words >= 6 {
        return QuoteKind::Direct;
    }
    QuoteKind::Term
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::segment;

    fn quotes(body: &str) -> Vec<(String, QuoteKind)> {
        let sentences = segment::sentences(body);
        find_quotes(body, &sentences)
            .into_iter()
            .map(|q| (q.text, q.kind))
            .collect()
    }

    fn texts(body: &str) -> Vec<String> {
        quotes(body).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn pairs_curly_and_straight_double_quotes() {
        assert_eq!(
            texts("“One two three,” she said. He said \"four five six.\""),
            ["One two three,", "four five six."]
        );
    }

    #[test]
    fn apostrophes_are_not_quotation_marks() {
        let body = "He said “we don’t know what Jones’ team did in the ’30s,” and left.";
        assert_eq!(
            texts(body),
            ["we don’t know what Jones’ team did in the ’30s,"]
        );
        assert!(texts("It's the boys' club and the '90s.").is_empty());
    }

    #[test]
    fn single_quotes_used_as_quotation_marks() {
        assert_eq!(
            texts("Afghan team honored for 'courageous achievement' at a contest"),
            ["courageous achievement"]
        );
        assert_eq!(texts("‘We will win,’ he said."), ["We will win,"]);
    }

    #[test]
    fn nested_quotes_are_terms_inside_the_outer_quote() {
        let found = quotes("“They called it ‘a disaster’ today,” she said.");
        assert_eq!(
            found[0],
            (
                "They called it ‘a disaster’ today,".to_string(),
                QuoteKind::Direct
            )
        );
        assert_eq!(found[1], ("a disaster".to_string(), QuoteKind::Term));
    }

    #[test]
    fn a_quote_over_several_paragraphs_ends_at_each_paragraph() {
        let body = "“First part of the statement goes here.\n\n“Second part follows,” he said.";
        let found = quotes(body);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "First part of the statement goes here.");
        assert_eq!(
            found[1],
            ("Second part follows,".to_string(), QuoteKind::Direct)
        );
    }

    #[test]
    fn a_quote_split_by_a_paragraph_break_without_a_new_mark_runs_on() {
        let body = "He said: “The first half\n\nand the second half.” Then he left.";
        assert_eq!(texts(body), ["The first half\n\nand the second half."]);
    }

    #[test]
    fn unbalanced_marks_never_run_past_their_paragraph() {
        let body = "A stray “mark here and more words\n\nNext paragraph “closed one” ends.\n\n” stray close";
        for (text, _) in quotes(body) {
            assert!(!text.contains("Next paragraph"), "{text}");
        }
        assert!(texts(body).contains(&"closed one".to_string()));
    }

    #[test]
    fn kinds_follow_how_the_quote_stands_in_its_sentence() {
        let body = "“We will never give up on this,” she said. \
                    Mao said Asia was a “promising land for cooperation.” \
                    The bloc has regional “partners” in Asia. \
                    Qin claimed the “Indo-Pacific Strategy” is an “attempt to gang up.” \
                    He said: “Our aim is peace.” \
                    Japan wants a “free and open Indo-Pacific,” a term coined by Abe.";
        assert_eq!(
            quotes(body),
            [
                (
                    "We will never give up on this,".to_string(),
                    QuoteKind::Direct
                ),
                (
                    "promising land for cooperation.".to_string(),
                    QuoteKind::Partial
                ),
                ("partners".to_string(), QuoteKind::Term),
                ("Indo-Pacific Strategy".to_string(), QuoteKind::Term),
                ("attempt to gang up.".to_string(), QuoteKind::Partial),
                ("Our aim is peace.".to_string(), QuoteKind::Direct),
                ("free and open Indo-Pacific,".to_string(), QuoteKind::Term),
            ]
        );
    }

    #[test]
    fn cited_headlines_labels_and_passive_orders_are_terms() {
        let body = "“Sensitive document found on rainy street” — CBC.ca, August 15, 2008\n\n\
                    It added the words “and Emergency” to the name.\n\n\
                    The army has been told to prepare a “quasi-state of war” today.\n\n\
                    Checks will continue, and officials will scrap the interview to “streamline” it.\n\n\
                    Ingram dubbed the conflict: “Scientology vs. the Internet, part XVII”.\n\n\
                    The “History” section of the site explains the incident.";
        for (text, kind) in quotes(body) {
            assert_eq!(kind, QuoteKind::Term, "{text}");
        }
    }

    #[test]
    fn spans_slice_the_body_on_char_boundaries() {
        let body = "«Ça va très bien», dit-il. “Zürich’s ‘Bahnhof’ is große,” she said. \"Ünïcödé";
        for q in find_quotes(body, &segment::sentences(body)) {
            assert_eq!(&body[q.span.range()], q.text);
            assert!(marks_span(body, &q).contains(q.span));
        }
    }
}
