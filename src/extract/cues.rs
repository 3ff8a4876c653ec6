//! The words around a quote: a small tokenizer and the reporting-verb lexicon
//! (`said`, `remarked`, `according to`) that the quote and attribution stages share.
//!
//! The lexicon is hand-written for quotewire, every inflection spelt out; it was not
//! copied from any other project.

use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;
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
    "predicts", "predicted", "predicting", "promise", "promises", "promised",
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
    "nicknamed", "termed", "term", "terms", "word", "words", "phrase", "phrases", "slogan", "motto", "headline", "headlined",
];

/// Words that stand before a noun and so rule out a verb reading of the next word.
#[rustfmt::skip]
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these",
    "those", "of", "for", "in", "on", "with", "by", "at", "no", "any", "some", "every", "each",
    "another", "such", "whose", "which",
];

/// A set of words for quick membership tests (Fx-hashed: short keys, no untrusted
/// key choice, so no need for SipHash's flood resistance).
pub(crate) struct Lexicon(FxHashSet<&'static str>);

impl Lexicon {
    pub fn new(words: &[&'static str]) -> Self {
        Lexicon(words.iter().copied().collect())
    }

    /// Whether `word`, as written, is in the set.
    pub fn has(&self, word: &str) -> bool {
        self.0.contains(word)
    }

    /// Whether `word` in lowercase is in the set (of lowercase words); allocates only
    /// for a word with capitals.
    pub fn has_lowercased(&self, word: &str) -> bool {
        if !word.chars().any(char::is_uppercase) {
            return self.0.contains(word);
        }
        // An ASCII word is lowered on the stack.
        let mut buffer = [0u8; 32];
        if word.is_ascii() && word.len() <= buffer.len() {
            let lower = &mut buffer[..word.len()];
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            return std::str::from_utf8(lower).is_ok_and(|lower| self.0.contains(lower));
        }
        self.0.contains(word.to_lowercase().as_str())
    }
}

static NAMING: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(NAMING_FORMS));
static DETERMINER_WORDS: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(DETERMINERS));

static CUE_FORMS: LazyLock<FxHashMap<&'static str, bool>> = LazyLock::new(|| {
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

/// How far (in bytes) around a quote its context is read; bounds the work per quote so
/// that one endless sentence full of quotes still costs linear time.
pub(crate) const CONTEXT_REACH: usize = 600;

/// `range` narrowed to at most `reach` bytes either side of `core`, on char boundaries.
pub(crate) fn clamp_around(body: &str, range: Span, core: Span, reach: usize) -> Span {
    let mut start = range.start.max(core.start.saturating_sub(reach));
    let mut end = range.end.min(core.end.saturating_add(reach)).max(start);
    while !body.is_char_boundary(start) {
        start += 1;
    }
    while !body.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end.max(start))
}

/// Tokens of `body[range]` with each quotation among `marks` (sorted by start) that lies
/// wholly inside `range` collapsed into one token; one that starts inside an earlier
/// collapsed quotation stays inside it.
fn tokenize_with_quotes(body: &str, range: Span, marks: &[(Span, usize)]) -> Vec<Token> {
    let first = marks.partition_point(|(m, _)| m.start < range.start);
    let inside = marks[first..]
        .iter()
        .take_while(|(m, _)| m.start < range.end)
        .filter(|(m, _)| m.end <= range.end);
    // About one token per five bytes of news prose; saves the vector's regrowth.
    let mut out = Vec::with_capacity(range.len() / 5 + 4);
    let mut at = range.start;
    for &(quote, index) in inside {
        if quote.start < at {
            continue;
        }
        tokenize_plain(body, Span::new(at, quote.start), &mut out);
        out.push(Token {
            span: quote,
            kind: TokenKind::Quote(index),
        });
        at = quote.end;
    }
    tokenize_plain(body, Span::new(at, range.end), &mut out);
    out
}

/// The token lists of one pass over one body, each range tokenised once: the quote and
/// attribution passes read the same sentence for every quote in it, for the reported
/// speech before a quote and again for pronoun antecedents.
pub(crate) struct TokenCache<'a> {
    body: &'a str,
    marks: &'a [(Span, usize)],
    by_range: FxHashMap<Span, Rc<Vec<Token>>>,
}

/// The token lists a [`TokenCache`] built, handed from the quote pass to the attribution
/// pass so that an article's sentences are tokenised once.
pub(crate) struct Tokenised {
    marks: Vec<(Span, usize)>,
    by_range: FxHashMap<Span, Rc<Vec<Token>>>,
}

impl<'a> TokenCache<'a> {
    /// A cache over `body` with the quotations `marks` (sorted by start) collapsed.
    pub fn new(body: &'a str, marks: &'a [(Span, usize)]) -> Self {
        TokenCache {
            body,
            marks,
            by_range: FxHashMap::default(),
        }
    }

    /// The quotations collapsed, as given to [`TokenCache::new`].
    pub fn marks(&self) -> &'a [(Span, usize)] {
        self.marks
    }

    /// A cache over `body` with `marks` that starts from what an `earlier` cache over the
    /// same body tokenised, when that cache collapsed the same quotations.
    pub fn resume(body: &'a str, marks: &'a [(Span, usize)], earlier: Option<Tokenised>) -> Self {
        let by_range = earlier
            .filter(|e| e.marks == marks)
            .map(|e| e.by_range)
            .unwrap_or_default();
        TokenCache {
            body,
            marks,
            by_range,
        }
    }

    /// What this cache tokenised, for a later pass over the same body.
    pub fn into_tokenised(self) -> Tokenised {
        Tokenised {
            marks: self.marks.to_vec(),
            by_range: self.by_range,
        }
    }

    /// The tokens of `body[range]`, exactly as [`tokenize_with_quotes`] gives them.
    pub fn tokens(&mut self, range: Span) -> Rc<Vec<Token>> {
        let (body, marks) = (self.body, self.marks);
        Rc::clone(
            self.by_range
                .entry(range)
                .or_insert_with(|| Rc::new(tokenize_with_quotes(body, range, marks))),
        )
    }
}

fn tokenize_plain(body: &str, range: Span, out: &mut Vec<Token>) {
    if range.is_empty() {
        return;
    }
    let text = &body[range.range()];
    let bytes = text.as_bytes();
    let char_at = |at: usize| match bytes.get(at) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => text.get(at..).and_then(|rest| rest.chars().next()),
    };
    let mut at = 0;
    while let Some(c) = char_at(at) {
        let i = at;
        at += c.len_utf8();
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(Token {
                span: Span::new(range.start + i, range.start + at),
                kind: TokenKind::Punct(c),
            });
            continue;
        }
        let mut dotted = false;
        loop {
            // ASCII letters and digits, the bulk of a word, without decoding.
            while bytes.get(at).is_some_and(u8::is_ascii_alphanumeric) {
                at += 1;
            }
            let Some(d) = char_at(at) else {
                break;
            };
            let joins_before_alnum = || {
                matches!(d, '.' | '-' | '’' | '\'' | '&')
                    && char_at(at + d.len_utf8()).is_some_and(char::is_alphanumeric)
            };
            if d.is_alphanumeric() || joins_before_alnum() {
                dotted |= d == '.';
                at += d.len_utf8();
            } else {
                if d == '.' && dotted && at - i <= 12 {
                    // The final period of a dotted acronym (`U.S.`) belongs to it.
                    at += 1;
                }
                break;
            }
        }
        out.push(Token {
            span: Span::new(range.start + i, range.start + at),
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
    // No cue is shorter than three letters; `a`, `of`, `to` are a good share of the words.
    if word.len() < 3 || !word.starts_with(|c: char| c.is_lowercase()) {
        return false;
    }
    if word == "according" {
        return next_word_is(body, tokens, i, "to");
    }
    // `issued a statement`, `released a press release`
    if matches!(
        word,
        "issued" | "issues" | "released" | "releases" | "published"
    ) {
        let object = tokens
            .get(i + 2)
            .filter(|t| t.is_word())
            .map(|t| t.span.slice(body));
        let article = next_word_is(body, tokens, i, "a") || next_word_is(body, tokens, i, "the");
        return article
            && object
                .is_some_and(|o| matches!(o, "statement" | "press" | "message" | "communique"));
    }
    let Some(&noun_like) = CUE_FORMS.get(word) else {
        return false;
    };
    let before = i.checked_sub(1).map(|j| tokens[j]);
    let before_word = before.filter(|t| t.is_word()).map(|t| t.span.slice(body));
    let next = tokens.get(i + 1);
    // A clause, a colon or a quotation right after the verb.
    let introduces = next.is_some_and(|t| {
        matches!(t.kind, TokenKind::Punct(':') | TokenKind::Quote(_))
            || (t.is_word() && matches!(t.span.slice(body), "that" | "out"))
            || (t.is_punct(',')
                && tokens
                    .get(i + 2)
                    .is_some_and(|n| matches!(n.kind, TokenKind::Quote(_))))
    });
    // `continued to shun`, `pointed to`: these speak only when they introduce something.
    // `, Putin continued, the …`: a parenthetical reporting clause also counts.
    let parenthetical = next.is_some_and(|t| matches!(t.kind, TokenKind::Punct(',' | '.')))
        && before_word.is_some_and(|w| {
            w.starts_with(|c: char| c.is_uppercase()) || SUBJECT_PRONOUNS.contains(&w)
        });
    if (word.starts_with("continu") || word.starts_with("point")) && !introduces && !parenthetical {
        return false;
    }
    // `has been told to prepare`: the one told is not the speaker.
    let passive = before_word.is_some_and(|w| BE_FORMS.contains(&w));
    if passive && next_word_is(body, tokens, i, "to") {
        return false;
    }
    if noun_like && before_word.is_some_and(|w| DETERMINER_WORDS.has_lowercased(w)) {
        return false;
    }
    if !noun_like || introduces {
        return true;
    }
    // A noun homograph (`asylum claim`, `the report`) is a verb only after a subject-like
    // word: a pronoun or name, an auxiliary or adverb, `and`, `who`.
    before_word.is_some_and(|w| {
        !DETERMINER_WORDS.has_lowercased(w)
            && (w.starts_with(|c: char| c.is_uppercase())
                || SUBJECT_LIKE.contains(&w)
                || (w.ends_with("ly") && w.len() > 4))
    })
}

/// Pronouns that can be the subject of a reporting verb.
const SUBJECT_PRONOUNS: &[&str] = &["he", "she", "it", "they", "we", "i"];

/// Forms of "be" that make a passive (`was told`).
const BE_FORMS: &[&str] = &["be", "been", "being", "is", "are", "was", "were"];

/// Words after which a noun homograph reads as a verb (`she notes`, `and claimed`).
#[rustfmt::skip]
const SUBJECT_LIKE: &[&str] = &[
    "he", "she", "it", "they", "we", "i", "you", "who", "and", "also", "has", "have", "had",
    "will", "would", "to", "later", "then", "again", "further", "previously", "once", "not",
    "never", "has", "was", "were", "is", "are", "officials", "spokesman", "spokeswoman",
    "spokesperson", "statement", "report", "letter", "government", "ministry", "agency",
];

/// Whether the word at `tokens[i]` names or labels (`called`, `dubbed`, `a term`).
pub(crate) fn is_naming_word(body: &str, token: Token) -> bool {
    token.is_word() && NAMING.has_lowercased(token.span.slice(body))
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
        tokenize_with_quotes(body, Span::new(0, body.len()), &[])
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
        let tokens = tokenize_with_quotes(body, Span::new(0, body.len()), &[(marks, 7)]);
        assert_eq!(tokens[0].kind, TokenKind::Quote(7));
        assert_eq!(tokens[1].span.slice(body), "she");
    }

    #[test]
    fn a_quote_collapses_only_in_ranges_that_hold_it_whole() {
        let body = "He said “Yes, no.” Then left.";
        let quote = Span::new(body.find('“').unwrap(), body.find(" Then").unwrap());
        let marks = [(quote, 0)];
        let mut cache = TokenCache::new(body, &marks);
        let whole = cache.tokens(Span::new(0, body.len()));
        assert_eq!(whole[2].kind, TokenKind::Quote(0));
        assert_eq!(whole.len(), 6);
        // A range that cuts the quotation reads its words as plain text.
        let cut = cache.tokens(Span::new(0, quote.start + "“Yes".len()));
        assert_eq!(cut.len(), 4);
        assert_eq!(cut[3].span.slice(body), "Yes");
        assert!(Rc::ptr_eq(&whole, &cache.tokens(Span::new(0, body.len()))));
    }

    #[test]
    fn noun_homographs_are_cues_only_without_a_determiner() {
        let cue_at = |body: &str, word: &str| {
            let tokens = tokenize_with_quotes(body, Span::new(0, body.len()), &[]);
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
