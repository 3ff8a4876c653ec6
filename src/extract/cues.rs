//! The words around a quote: a small tokenizer and the reporting-verb lexicon
//! (`said`, `remarked`, `according to`) that the quote and attribution stages share.
//!
//! The lexicon is hand-written for quotewire, every inflection spelt out; it was not
//! copied from any other project.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::Span;

/// Reporting verbs with all their inflections. Hand-written.
#[rustfmt::skip]
const REPORTING_VERBS: &[&str] = &[
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added",
    "adding", "remark", "remarks", "remarked", "remarking", "claim", "claims", "claimed",
    "claiming", "insist", "insists", "insisted", "insisting", "state", "states", "stated",
    "stating", "warn", "warns", "warned", "warning", "argue", "argues", "argued", "arguing",
    "note", "notes", "noted", "noting", "write", "writes", "wrote", "written", "writing", "tweet",
    "tweets", "tweeted", "tweeting", "post", "posts", "posted", "posting", "elaborate",
    "elaborates", "elaborated", "elaborating", "lambaste", "lambastes", "lambasted", "lambasting",
    "slam", "slams", "slammed", "slamming", "declare", "declares", "declared", "declaring",
    "explain", "explains", "explained", "explaining", "comment", "comments", "commented",
    "commenting", "reply", "replies", "replied", "replying", "respond", "responds", "responded",
    "responding", "answer", "answers", "answered", "answering", "ask", "asks", "asked", "asking",
    "acknowledge", "acknowledges", "acknowledged", "acknowledging", "admit", "admits", "admitted",
    "admitting", "announce", "announces", "announced", "announcing", "assert", "asserts",
    "asserted", "asserting", "confirm", "confirms", "confirmed", "confirming", "contend",
    "contends", "contended", "contending", "continue", "continues", "continued", "continuing",
    "deny", "denies", "denied", "denying", "describe", "describes", "described", "describing",
    "emphasize", "emphasizes", "emphasized", "emphasizing", "emphasise", "emphasises",
    "emphasised", "emphasising", "observe", "observes", "observed", "observing", "predict",
    "predicts", "predicted", "predicting", "promise", "promises", "promised", "promising",
    "recall", "recalls", "recalled", "recalling", "reiterate", "reiterates", "reiterated",
    "reiterating", "report", "reports", "reported", "reporting", "reveal", "reveals", "revealed",
    "revealing", "stress", "stresses", "stressed", "stressing", "suggest", "suggests", "suggested",
    "suggesting", "testify", "testifies", "testified", "testifying", "urge", "urges", "urged",
    "urging", "concede", "concedes", "conceded", "conceding", "conclude", "concludes", "concluded",
    "concluding", "complain", "complains", "complained", "complaining", "criticize", "criticizes",
    "criticized", "criticizing", "criticise", "criticises", "criticised", "criticising", "allege",
    "alleges", "alleged", "alleging", "highlight", "highlights", "highlighted", "highlighting",
    "portray", "portrays", "portrayed", "portraying", "characterize", "characterizes",
    "characterized", "characterizing", "characterise", "characterises", "characterised",
    "characterising", "recount", "recounts", "recounted", "recounting", "joke", "jokes", "joked",
    "joking", "quip", "quips", "quipped", "quipping", "shout", "shouts", "shouted", "shouting",
    "exclaim", "exclaims", "exclaimed", "exclaiming", "whisper", "whispers", "whispered",
    "whispering", "boast", "boasts", "boasted", "boasting", "counter", "counters", "countered",
    "countering", "caution", "cautions", "cautioned", "cautioning", "lament", "laments",
    "lamented", "lamenting", "mention", "mentions", "mentioned", "mentioning", "accuse", "accuses",
    "accused", "accusing", "blast", "blasts", "blasted", "blasting", "decry", "decries", "decried",
    "decrying", "condemn", "condemns", "condemned", "condemning", "denounce", "denounces",
    "denounced", "denouncing", "maintain", "maintains", "maintained", "maintaining", "pledge",
    "pledges", "pledged", "pledging", "vow", "vows", "vowed", "vowing", "demand", "demands",
    "demanded", "demanding", "propose", "proposes", "proposed", "proposing", "opine", "opines",
    "opined", "opining", "reason", "reasons", "reasoned", "reasoning", "recommend", "recommends",
    "recommended", "recommending", "charge", "charges", "charged", "charging", "call", "calls",
    "called", "calling", "dub", "dubs", "dubbed", "dubbing", "brand", "brands", "branded",
    "branding", "label", "labels", "labelled", "labeled", "labelling", "labeling", "agree",
    "agrees", "agreed", "agreeing", "disagree", "disagrees", "disagreed", "disagreeing", "point",
    "points", "pointed", "pointing", "hail", "hails", "hailed", "hailing", "praise", "praises",
    "praised", "praising", "welcome", "welcomes", "welcomed", "welcoming", "question", "questions",
    "questioned", "questioning", "wonder", "wonders", "wondered", "wondering", "advise", "advises",
    "advised", "advising", "inform", "informs", "informed", "informing", "assure", "assures",
    "assured", "assuring", "reassure", "reassures", "reassured", "reassuring", "threaten",
    "threatens", "threatened", "threatening", "plead", "pleads", "pleaded", "pled", "pleading",
    "read", "reads", "quote", "quotes", "quoted", "quoting", "cite", "cites", "cited", "citing",
];

/// Forms that are also common nouns or adjectives ("a note", "the state", "his claims",
/// "the reported deaths"): they count as cues only when no determiner, possessive or
/// preposition stands right before them. Hand-written.
#[rustfmt::skip]
const NOUN_LIKE_FORMS: &[&str] = &[
    "state", "states", "note", "notes", "claim", "claims", "report", "reports", "reported",
    "stress", "call", "calls", "comment", "comments", "reply", "replies", "answer", "answers",
    "promise", "promises", "promising", "demand", "demands", "tweet", "tweets", "post", "posts",
    "joke", "jokes", "caution", "counter", "warning", "warnings", "reason", "reasons", "reasoning",
    "question", "questions", "point", "points", "label", "labels", "brand", "brands", "charge",
    "charges", "welcome", "welcoming", "quote", "quotes", "writing", "alleged", "written",
    "continued", "continuing", "read", "reads", "recount", "mention", "praise", "vow", "vows",
    "pledge", "pledges", "blast", "blasts", "hail", "plead", "lament", "demanding", "threatening",
    "reassuring", "questioning", "telling", "revealing", "inform",
];

/// Verbs that name or label rather than report speech: a quote after them is a term.
#[rustfmt::skip]
const NAMING_FORMS: &[&str] = &[
    "call", "calls", "called", "calling", "dub", "dubs", "dubbed", "dubbing", "brand", "brands",
    "branded", "branding", "label", "labels", "labelled", "labeled", "labelling", "labeling",
    "name", "names", "named", "naming", "title", "titled", "entitled", "so-called", "known",
    "nicknamed", "termed", "term", "word", "phrase", "slogan", "motto", "headline", "headlined",
];

/// Words that stand before a noun and so rule out a verb reading of the next word.
#[rustfmt::skip]
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these",
    "those", "of", "for", "in", "on", "with", "by", "at", "no", "any", "some", "every", "each",
    "another", "such", "whose", "which",
];

static CUE_FORMS: LazyLock<HashMap<&'static str, bool>> = LazyLock::new(|| {
    REPORTING_VERBS
        .iter()
        .map(|form| (*form, NOUN_LIKE_FORMS.contains(form)))
        .collect()
});

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Letters and digits, with inner `.`, `-`, `’`, `'` and `&` (`U.S.`, `al-Amr`, `don’t`).
    Word,
    /// One punctuation character (a quotation mark inside a quote is never a token).
    Punct(char),
    /// A whole quotation, marks included; the index is into the quote list.
    Quote(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

impl Token {
    pub fn is_word(self) -> bool {
        self.kind == TokenKind::Word
    }

    pub fn is_punct(self, c: char) -> bool {
        self.kind == TokenKind::Punct(c)
    }
}

/// Tokens of `body[range]`, with each quotation in `quotes` (a sorted list of
/// `(marks span, quote index)` wholly inside `range`) collapsed into one token.
pub(crate) fn tokenize(body: &str, range: Span, quotes: &[(Span, usize)]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut at = range.start;
    for &(marks, index) in quotes {
        if marks.start < at || marks.end > range.end {
            continue;
        }
        tokenize_plain(body, Span::new(at, marks.start), &mut out);
        out.push(Token {
            span: marks,
            kind: TokenKind::Quote(index),
        });
        at = marks.end;
    }
    tokenize_plain(body, Span::new(at, range.end), &mut out);
    out
}

fn tokenize_plain(body: &str, range: Span, out: &mut Vec<Token>) {
    if range.is_empty() {
        return;
    }
    let text = &body[range.range()];
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            let span = Span::new(range.start + i, range.start + i + c.len_utf8());
            out.push(Token {
                span,
                kind: TokenKind::Punct(c),
            });
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            let joins = matches!(d, '.' | '-' | '’' | '\'' | '&');
            let next_is_alnum = text[j + d.len_utf8()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if d.is_alphanumeric() || (joins && next_is_alnum) {
                end = j + d.len_utf8();
                chars.next();
            } else if d == '.' && text[i..end].contains('.') && end - i <= 12 {
                // The final period of a dotted acronym (`U.S.`) belongs to it.
                end = j + 1;
                chars.next();
                break;
            } else {
                break;
            }
        }
        out.push(Token {
            span: Span::new(range.start + i, range.start + end),
            kind: TokenKind::Word,
        });
    }
}

/// Whether the word at `tokens[i]` is a reporting verb here. `"according"` counts
/// when `"to"` follows it.
pub(crate) fn is_cue(body: &str, tokens: &[Token], i: usize) -> bool {
    let token = tokens[i];
    if !token.is_word() {
        return false;
    }
    let word = token.span.slice(body);
    if !word.starts_with(|c: char| c.is_lowercase()) {
        return false;
    }
    if word == "according" {
        return next_word_is(body, tokens, i, "to");
    }
    // `continued to shun`, `pointed to`: these speak only when a clause or a quote follows.
    if word.starts_with("continu") || word.starts_with("point") {
        let next = tokens.get(i + 1);
        let introduces = next.is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::Punct(',' | ':' | '.') | TokenKind::Quote(_)
            ) || (t.is_word() && matches!(t.span.slice(body), "that" | "out"))
        });
        if !introduces {
            return false;
        }
    }
    match CUE_FORMS.get(word) {
        None => false,
        Some(false) => true,
        Some(true) => {
            let before = i.checked_sub(1).map(|j| tokens[j]);
            !before.is_some_and(|t| {
                t.is_word() && DETERMINERS.contains(&t.span.slice(body).to_lowercase().as_str())
            })
        }
    }
}

/// Whether the word at `tokens[i]` names or labels (`called`, `dubbed`, `a term`).
pub(crate) fn is_naming_word(body: &str, token: Token) -> bool {
    token.is_word() && NAMING_FORMS.contains(&token.span.slice(body).to_lowercase().as_str())
}

pub(crate) fn next_word_is(body: &str, tokens: &[Token], i: usize, word: &str) -> bool {
    tokens
        .get(i + 1)
        .is_some_and(|t| t.is_word() && t.span.slice(body).eq_ignore_ascii_case(word))
}

pub(crate) fn word_is(body: &str, token: Token, word: &str) -> bool {
    token.is_word() && token.span.slice(body).eq_ignore_ascii_case(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(body: &str) -> Vec<&str> {
        tokenize(body, Span::new(0, body.len()), &[])
            .iter()
            .map(|t| t.span.slice(body))
            .collect()
    }

    #[test]
    fn tokens_keep_acronyms_hyphens_and_apostrophes_whole() {
        assert_eq!(
            words("U.S.-led al-Amr’s don't, Smith."),
            ["U.S.", "-", "led", "al-Amr’s", "don't", ",", "Smith", "."]
        );
        assert_eq!(words("the U.S. said"), ["the", "U.S.", "said"]);
    }

    #[test]
    fn quotes_collapse_into_one_token() {
        let body = "“Yes,” she said.";
        let marks = Span::new(0, "“Yes,”".len());
        let tokens = tokenize(body, Span::new(0, body.len()), &[(marks, 7)]);
        assert_eq!(tokens[0].kind, TokenKind::Quote(7));
        assert_eq!(tokens[1].span.slice(body), "she");
    }

    #[test]
    fn noun_homographs_are_cues_only_without_a_determiner() {
        let cue_at = |body: &str, word: &str| {
            let tokens = tokenize(body, Span::new(0, body.len()), &[]);
            let i = tokens
                .iter()
                .position(|t| t.span.slice(body) == word)
                .unwrap();
            is_cue(body, &tokens, i)
        };
        assert!(cue_at("He notes that", "notes"));
        assert!(!cue_at("the notes that", "notes"));
        assert!(!cue_at("the United States said", "States"));
        assert!(cue_at("according to Reuters", "according"));
        assert!(!cue_at("according as", "according"));
        assert!(cue_at("Smith elaborated", "elaborated"));
    }
}
