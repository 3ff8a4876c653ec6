//! Stage 1 for plain text: the article a reader sees, from text copied off a web page.
//!
//! The text is cut into blocks (paragraphs, headings, list items); the header gives the
//! title, byline and date; page debris is dropped by general signals (lines repeated within
//! the page, credit and promotion vocabulary, widget and "read more" lines, a subscription
//! block at the end); a sentence split by a page break is joined again. The HTML cleaner
//! hands its blocks to the same debris filter and assembler.

use super::metadata;
use super::{CleanArticle, FieldSource, Metadata};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::sync::LazyLock;

/// What a block of text is in the page's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockKind {
    Paragraph,
    Heading,
    ListItem,
}

/// One paragraph, heading or list item, with its whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub text: String,
    pub kind: BlockKind,
}

impl Block {
    pub fn new(text: &str, kind: BlockKind) -> Block {
        Block {
            text: collapse_whitespace(text),
            kind,
        }
    }
}

/// Runs of whitespace as one space, none at either end.
pub(super) fn collapse_whitespace(text: &str) -> String {
    collapsed(text).into_owned()
}

/// [`collapse_whitespace`] without a copy when the text is collapsed already, as most
/// lines are.
pub(super) fn collapsed(text: &str) -> Cow<'_, str> {
    if is_collapsed(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// No whitespace but single spaces between words. A byte scan: only the lead bytes of
/// the non-ASCII whitespace characters (U+0085, U+00A0, U+1680, U+2000 block, U+3000)
/// are decoded.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ')
        || bytes.last() == Some(&b' ')
        || memchr::memmem::find(bytes, b"  ").is_some()
    {
        return false;
    }
    // Chunks without a control byte or a non-ASCII lead byte from 0xC2 up are skipped
    // whole; the test compiles to vector instructions.
    const CHUNK: usize = 32;
    let suspect = |b: u8| !(0x0E..0xC2).contains(&b);
    for (index, chunk) in bytes.chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            continue;
        }
        for (offset, &b) in chunk.iter().enumerate() {
            let at = index * CHUNK + offset;
            match b {
                b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => return false,
                0xC2 | 0xE1 | 0xE2 | 0xE3
                    if text[at..].chars().next().is_some_and(char::is_whitespace) =>
                {
                    return false
                }
                _ => {}
            }
        }
    }
    true
}

pub fn clean_text(content: &str) -> CleanArticle {
    let blocks = text_blocks(content);
    let (metadata, header_len, consumed) = read_header(&blocks);
    let body_blocks: Vec<Block> = blocks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !consumed.contains(i))
        .map(|(_, b)| b)
        .collect();
    let kept = drop_debris(body_blocks, header_len.saturating_sub(consumed.len()));
    CleanArticle {
        body: assemble(&kept),
        metadata,
    }
}

/// `*emphasis*`, `**strong**`: formatting, not words.
static MARKDOWN_EMPHASIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*{1,3}([^*\s](?:[^*\n]*[^*\s])?)\*{1,3}").expect("valid regex"));
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-*•·▪●◦‣+]|\d{1,3}[.)])\s+").expect("valid regex"));

/// Markdown formatting removed, link text kept.
fn strip_markdown(line: &str) -> Cow<'_, str> {
    let line = line.trim_start_matches('#').trim_start_matches('>').trim();
    if memchr::memchr2(b'[', b'*', line.as_bytes()).is_none() {
        return Cow::Borrowed(line);
    }
    let line = metadata::replace_markdown_links(line, true);
    let line = metadata::replace_markdown_links(&line, false).into_owned();
    if !line.contains('*') {
        return Cow::Owned(line);
    }
    Cow::Owned(MARKDOWN_EMPHASIS.replace_all(&line, "$1").into_owned())
}

/// Paragraphs are runs of lines between blank lines; when the text has no blank lines at
/// all, each line is a paragraph. List items are blocks of their own.
fn text_blocks(content: &str) -> Vec<Block> {
    let content = content.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = content.lines().map(str::trim).collect();
    let line_mode = !lines.iter().any(|l| l.is_empty());
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut current_kind = BlockKind::Paragraph;
    let flush = |current: &mut String, kind: BlockKind, blocks: &mut Vec<Block>| {
        let block = Block::new(current, kind);
        if block.text.chars().any(char::is_alphanumeric) {
            blocks.push(block);
        }
        current.clear();
    };
    for line in lines {
        if line.is_empty() {
            flush(&mut current, current_kind, &mut blocks);
            continue;
        }
        let heading = line.starts_with('#');
        let (kind, line) = match BULLET.find(line) {
            Some(m) => (BlockKind::ListItem, &line[m.end()..]),
            None if heading => (BlockKind::Heading, line),
            None => (BlockKind::Paragraph, line),
        };
        let line = strip_markdown(line);
        let credit_line = kind == BlockKind::Paragraph && is_short_credit(&collapsed(&line));
        if credit_line {
            // A caption with its credit on the next line: both are picture furniture.
            if !line_mode
                && current_kind == BlockKind::Paragraph
                && current.split_whitespace().count() <= 45
            {
                current.clear();
            }
            flush(&mut current, current_kind, &mut blocks);
            continue;
        }
        if line_mode || kind != BlockKind::Paragraph || current_kind != BlockKind::Paragraph {
            flush(&mut current, current_kind, &mut blocks);
        }
        current_kind = kind;
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&line);
    }
    flush(&mut current, current_kind, &mut blocks);
    blocks
}

/// Words in a block's text, whose whitespace is already collapsed to single spaces.
pub(super) fn word_count(text: &str) -> usize {
    if text.is_empty() {
        0
    } else {
        memchr::memchr_iter(b' ', text.as_bytes()).count() + 1
    }
}

/// Whether the text ends a sentence (closing quotes and brackets aside).
pub(super) fn ends_sentence(text: &str) -> bool {
    let trimmed = text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '*')
    });
    trimmed.ends_with(['.', '!', '?', '…', ':', ';'])
}

/// A full sentence or more of running text.
pub(super) fn is_prose(text: &str) -> bool {
    let words = word_count(text);
    (words >= 12 && ends_sentence(text)) || words >= 40
}

fn is_headline_shaped(block: &Block) -> bool {
    let words = word_count(&block.text);
    block.kind != BlockKind::ListItem
        && (3..=30).contains(&words)
        && block.text.len() <= 300
        && !block
            .text
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '”' | '’' | ')' | '»')
            })
            .ends_with(['.', ':', ',', ';'])
}

/// The header: title, byline and date from the blocks before the first prose paragraph.
/// Returns the metadata, the header's length in blocks and the blocks it used up.
fn read_header(blocks: &[Block]) -> (Metadata, usize, Vec<usize>) {
    let mut metadata = Metadata::default();
    let mut consumed = Vec::new();
    let mut updated: Option<String> = None;
    let header_len = blocks
        .iter()
        .take(12)
        .take_while(|b| !is_prose(&b.text))
        .count();
    // A single block is the article itself, never its headline.
    let title_allowed = blocks.len() > 1;
    let mut title_candidates = Vec::new();
    for (i, block) in blocks.iter().enumerate().take(header_len) {
        let text = block.text.as_str();
        if let Some(line) = metadata::byline_line(text) {
            if metadata.byline.is_none() {
                metadata.byline = Some(line.names);
                metadata.provenance.byline = Some(FieldSource::BylineLine);
            }
            if metadata.published.is_none() {
                if let Some(date) = line.date {
                    metadata.published = Some(date);
                    metadata.provenance.published = Some(FieldSource::BylineLine);
                }
            }
            if metadata.source.is_none() {
                if let Some(organisation) = line.organisation {
                    metadata.source = Some(organisation);
                    metadata.provenance.source = Some(FieldSource::BylineLine);
                }
            }
            consumed.push(i);
        } else if let Some(date) = metadata::date_line(text) {
            if metadata::is_update_line(text) {
                updated.get_or_insert(date);
            } else if metadata.published.is_none() {
                metadata.published = Some(date);
                metadata.provenance.published = Some(FieldSource::Text);
            }
            consumed.push(i);
        } else if title_allowed && is_headline_shaped(block) {
            title_candidates.push(i);
        }
    }
    // A short name in capitals above the headline is the site's or the section's name.
    let name_like = |i: &usize| {
        let text = &blocks[*i].text;
        word_count(text) <= 4 && text.split(' ').all(|w| !w.starts_with(char::is_lowercase))
    };
    let title = title_candidates
        .iter()
        .find(|i| !name_like(i))
        .or(title_candidates.first());
    if let Some(&i) = title {
        metadata.title = Some(blocks[i].text.clone());
        metadata.provenance.title = Some(FieldSource::Text);
        consumed.push(i);
    }
    if metadata.published.is_none() {
        if let Some(date) = updated {
            metadata.published = Some(date);
            metadata.provenance.published = Some(FieldSource::Text);
        }
    }
    (metadata, header_len, consumed)
}

/// What must follow a [`Keywords`] phrase for it to count.
#[derive(Debug, Clone, Copy)]
enum After {
    Anything,
    /// An ASCII word boundary.
    Boundary,
    /// Optional whitespace, then a colon (`Photo:`, `Image :`).
    Colon,
}

/// Phrases that start at an ASCII word boundary, matched ASCII case-insensitively by one
/// Aho-Corasick automaton: the same answers as a case-insensitive alternation of
/// literals, at a small part of its start-up cost (building such a regular expression
/// costs millions of instructions).
struct Keywords {
    automaton: AhoCorasick,
    after: Vec<After>,
}

impl Keywords {
    fn new(entries: &[(&str, After)]) -> Keywords {
        // A DFA: a few hundred thousand instructions more to build than an NFA, once,
        // and each block of every article is looked through at a fraction of the cost.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(entries.iter().map(|(phrase, _)| phrase))
            .expect("valid keywords");
        Keywords {
            automaton,
            after: entries.iter().map(|(_, after)| *after).collect(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let word = |i: usize| {
            bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        };
        let boundary = |i: usize| (i > 0 && word(i - 1)) != word(i);
        // Most blocks hold no phrase at all: the plain search (with its prefilter) says so
        // without the overlapping walk below.
        if !self.automaton.is_match(text) {
            return false;
        }
        // Overlapping: any phrase at any position whose boundaries hold is a match.
        self.automaton.find_overlapping_iter(text).any(|m| {
            boundary(m.start())
                && match self.after[m.pattern().as_usize()] {
                    After::Anything => true,
                    After::Boundary => boundary(m.end()),
                    After::Colon => text[m.end()..].trim_start().starts_with(':'),
                }
        })
    }
}

/// Photo and image credits: agencies, stock libraries, "Photo:" labels.
static CREDIT: LazyLock<Keywords> = LazyLock::new(|| {
    use After::{Anything, Boundary, Colon};
    Keywords::new(&[
        ("getty", Anything),
        ("istock", Anything),
        ("shutterstock", Anything),
        ("alamy", Anything),
        ("ap photo", Anything),
        ("afp photo", Anything),
        ("reuters/", Anything),
        ("/reuters", Anything),
        ("/ap", Boundary),
        ("/afp", Boundary),
        ("epa-efe", Anything),
        ("associated press photo", Anything),
        ("photo credit", Anything),
        ("image credit", Anything),
        ("courtesy of", Anything),
        ("pool photo", Anything),
        ("file photo", Anything),
        ("photograph", Colon),
        ("photographer", Colon),
        ("photo", Colon),
        ("image", Colon),
        ("credit", Colon),
        ("illustration", Colon),
        ("picture", Colon),
        ("video", Colon),
        ("source", Colon),
    ])
});

/// A caption that ends with its credit: "... at the summit. Image: Jane Doe."
static TRAILING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s.(])(?i:image|photo|photograph|video|illustration|credit|file photo)s?\s*(?i:credit)?\s*:\s*\p{Lu}[^:]{0,60}$")
        .expect("valid regex")
});

/// "Reporting by ...; Editing by ...": the agency's credit line at the end of a story.
static STAFF_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:additional )?(?:reporting|editing|writing|compiled|research|graphics|produced|fact-checking) by ")
        .expect("valid regex")
});

/// A short line that is nothing but a picture credit.
fn is_short_credit(text: &str) -> bool {
    word_count(text) <= 14 && !is_prose(text) && CREDIT.is_match(text)
}

fn is_credit(text: &str) -> bool {
    let words = word_count(text);
    if is_short_credit(text) || (words <= 40 && STAFF_CREDIT.is_match(text)) {
        return true;
    }
    // The credit stands in the last few dozen characters.
    let mut tail_start = text.len().saturating_sub(100);
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    words <= 90 && text[tail_start..].contains(':') && TRAILING_CREDIT.is_match(&text[tail_start..])
}

/// Subscription, newsletter, account and promotion vocabulary, each phrase whole words
/// (the `©` sign is looked for apart).
static PROMOTION: LazyLock<Keywords> = LazyLock::new(|| {
    Keywords::new(
        &[
            "subscribe",
            "subscriber",
            "subscribers",
            "subscription",
            "sign up",
            "sign-up",
            "newsletter",
            "newsletters",
            "inbox",
            "cancel anytime",
            "free trial",
            "unlimited access",
            "digital access",
            "money-back",
            "money back",
            "login",
            "log in",
            "register now",
            "create an account",
            "download our app",
            "download the app",
            "follow us",
            "support our journalism",
            "support independent journalism",
            "donate",
            "become a member",
            "become a subscriber",
            "become a patron",
            "already a subscriber",
            "what's included",
            "what\u{2019}s included",
            "sponsored content",
            "paid content",
            "privacy policy",
            "terms of use",
            "terms of service",
            "cookie",
            "cookies",
            "all rights reserved",
            "copyright",
            "per month",
            "per year",
            "ad-free",
            "ad free",
            "click here",
            "may not be published",
            "may not be reproduced",
            "may not be copied",
            "redistributed",
        ]
        .map(|phrase| (phrase, After::Boundary)),
    )
});

const IMPERATIVE_STARTS: &[&str] = &[
    "subscribe",
    "sign",
    "get",
    "join",
    "download",
    "follow",
    "support",
    "donate",
    "click",
    "tap",
    "register",
    "log",
    "become",
    "try",
    "start",
    "unlock",
    "already",
    "want",
    "enjoy",
    "discover",
    "don't",
    "don’t",
    "receive",
    "read",
    "listen",
    "watch",
];

fn is_promotion(text: &str) -> bool {
    let words = word_count(text);
    // Past 40 words only a © makes a promotion: the story's paragraphs skip the scan.
    let copyright_sign = text.contains('©');
    if !copyright_sign && (words > 40 || !PROMOTION.is_match(text)) {
        return false;
    }
    let first = text.split_whitespace().next().unwrap_or("").to_lowercase();
    let imperative = IMPERATIVE_STARTS
        .contains(&first.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’'));
    (words <= 12 && !is_prose(text))
        || (imperative && words <= 35)
        || copyright_sign
        || (words <= 40 && LEGAL_NOTICE.is_match(text))
}

/// A rights notice: the page's, never the story's.
static LEGAL_NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)all rights reserved|may not be (?:published|reproduced|copied|redistributed)")
        .expect("valid regex")
});

/// Share and comment widgets and navigation words: a line that is nothing but one of
/// these (in any ASCII case), with an optional `.`, `!` or `:` after it. Compared as
/// strings: as alternatives of a case-insensitive expression they cost millions of
/// instructions to build.
#[rustfmt::skip]
const WIDGET_LINES: &[&str] = &[
    "share", "share this", "share this article", "share this story", "share this page",
    "tweet", "email", "e-mail", "print", "comment", "comments", "leave a comment",
    "view comments", "show comments", "copy link", "link copied", "listen",
    "listen to this article", "advertisement", "advertising", "ad", "skip to content",
    "skip to main content", "skip advertisement", "close", "menu", "search", "home", "save",
    "save article", "gift article", "facebook", "twitter", "x", "whatsapp", "linkedin",
    "reddit", "pinterest", "telegram", "show more", "load more", "continue reading",
    "back to top", "next article", "previous article", "view gallery", "see all", "expand",
    "play", "pause", "watch", "story continues below", "article continues below",
    "story continues below advertisement", "article continues below advertisement",
    "continue reading below",
];

/// Widget lines with a variable part: "Share on X", "12 comments", "5 min read".
static WIDGET_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(share on \w+|[0-9]+ comments?|[0-9]+\s+min(?:ute)?s?\s+read|reading time.*|toggle .*|advertisement\W+(?:scroll|story) .*|scroll to continue.*)[.!:]?$",
    )
    .expect("valid regex")
});

/// No line in [`WIDGET_LINES`] or [`RELATED_HEADINGS`] is longer: the story's paragraphs
/// skip the lists.
const LONGEST_LISTED_LINE: usize = 40;

fn is_widget(text: &str) -> bool {
    let bare = text.strip_suffix(['.', '!', ':']).unwrap_or(text);
    (bare.len() <= LONGEST_LISTED_LINE
        && WIDGET_LINES
            .iter()
            .any(|line| line.eq_ignore_ascii_case(text) || line.eq_ignore_ascii_case(bare)))
        || WIDGET_PATTERN.is_match(text)
}

/// Headings of lists of other stories: the whole line (in any ASCII case), with optional
/// spaces and a colon after it.
#[rustfmt::skip]
const RELATED_HEADINGS: &[&str] = &[
    "read more", "related", "related article", "related articles", "related stories",
    "related content", "related coverage", "related topics", "related news", "related links",
    "more stories", "more on this story", "more on this topic", "most read", "most popular",
    "most viewed", "most shared", "trending", "trending now", "trending stories",
    "recommended", "recommended for you", "recommended stories", "recommended reading",
    "you may also like", "you might also like", "you may also be interested in",
    "you might also be interested in", "see also", "also read", "read next", "up next",
    "top stories", "latest news", "latest stories", "editor's picks", "editor’s picks",
    "popular now", "what to read next", "further reading",
];

/// "More from <the site or section>".
static MORE_FROM_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^more from .{1,40}\s*:?$").expect("valid regex"));

fn is_related_heading(text: &str) -> bool {
    let bare = text.strip_suffix(':').unwrap_or(text).trim_end();
    (bare.len() <= LONGEST_LISTED_LINE
        && RELATED_HEADINGS
            .iter()
            .any(|heading| heading.eq_ignore_ascii_case(bare)))
        || MORE_FROM_HEADING.is_match(text)
}

/// "Read more: Another headline", "RELATED: ..." inserted between paragraphs.
static INLINE_RELATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(read more|also read|read also|related|see also|more|watch|listen|recommended|must read)\s*[:|»>-]\s*\S")
        .expect("valid regex")
});

static URL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // An ASCII `\w` in the top-level domain: the Unicode class is most of the cost of
    // building the expression.
    Regex::new(r"(?i)^(?:https?://|www\.)\S*$|^\S+@\S+\.(?-u:\w)+$").expect("valid regex")
});

/// Normalised form for spotting a line the page repeats.
fn repeat_key(text: &str) -> u64 {
    // FNV-1a over the letters and digits, ASCII folded, other characters kept as they are:
    // no allocation per block, one table look-up per byte.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        match REPEAT_KEY_BYTE[usize::from(b)] {
            0 => hash,
            folded => (hash ^ u64::from(folded)).wrapping_mul(0x0100_0000_01b3),
        }
    })
}

/// Each byte as [`repeat_key`] hashes it: ASCII letters lowered, digits and non-ASCII
/// bytes as they are, 0 for the ASCII punctuation, spaces and controls it skips.
static REPEAT_KEY_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || byte >= 0x80 {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Whether a block is page furniture whatever its neighbours (`promotion`: whether it is
/// a promotion, which the caller knows already).
fn is_furniture(text: &str, promotion: bool) -> bool {
    if promotion {
        return true;
    }
    let words = word_count(text);
    // Widgets, links and bylines are short lines; the line-shaped patterns only run there.
    let short_line = words <= 20
        && (is_widget(text)
            || INLINE_RELATED.is_match(text)
            || URL_LINE.is_match(text)
            || metadata::byline_line(text).is_some()
            || metadata::date_line(text).is_some());
    short_line || is_credit(text)
}

/// Drops page debris; `header_len` leading blocks are the rest of the page header, where
/// short lines that are not sentences (a section name, "5 min read") are furniture too.
pub(super) fn drop_debris(blocks: Vec<Block>, header_len: usize) -> Vec<Block> {
    let mut counts: FxHashMap<u64, usize> = FxHashMap::default();
    let keys: Vec<u64> = blocks.iter().map(|b| repeat_key(&b.text)).collect();
    for key in &keys {
        *counts.entry(*key).or_default() += 1;
    }
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let promotion: Vec<bool> = blocks.iter().map(|b| is_promotion(&b.text)).collect();
    let furniture: Vec<bool> = blocks
        .iter()
        .zip(&promotion)
        .map(|(b, p)| is_furniture(&b.text, *p))
        .collect();
    let mut keep = vec![true; blocks.len()];
    for (i, block) in blocks.iter().enumerate() {
        let text = block.text.as_str();
        let repeated = counts.get(&keys[i]).copied().unwrap_or(0) > 1;
        let first_time = seen.insert(keys[i]);
        keep[i] = if furniture[i] {
            false
        } else if repeated {
            // A repeated sentence is a pull quote: keep it once; a repeated short line
            // is a running header or footer.
            first_time && is_prose(text)
        } else {
            !(i < header_len && word_count(text) <= 6 && !ends_sentence(text))
        };
    }
    drop_related_lists(&blocks, &mut keep);
    drop_promotion_tail(&blocks, &promotion, &furniture, &mut keep);
    blocks
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(b, _)| b)
        .collect()
}

/// A "Related" or "Read more" heading and the headline-shaped lines that follow it.
fn drop_related_lists(blocks: &[Block], keep: &mut [bool]) {
    let mut i = 0;
    while i < blocks.len() {
        if is_related_heading(&blocks[i].text) {
            keep[i] = false;
            let mut j = i + 1;
            while j < blocks.len()
                && !is_prose(&blocks[j].text)
                && word_count(&blocks[j].text) <= 25
            {
                keep[j] = false;
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
}

/// A subscription or promotion block at the end: from a promotion line in the second half
/// of the page on, when most of what follows is promotion, lists or furniture, down to the
/// last block (a story ends with its own words, a promotion block with more promotion).
fn drop_promotion_tail(
    blocks: &[Block],
    promotion: &[bool],
    furniture: &[bool],
    keep: &mut [bool],
) {
    let n = blocks.len();
    let promo_like: Vec<bool> = (0..n)
        .map(|i| blocks[i].kind == BlockKind::ListItem || promotion[i] || furniture[i])
        .collect();
    for start in n / 2..n {
        if !promotion[start] {
            continue;
        }
        let rest = n - start;
        let promo = promo_like[start..].iter().filter(|p| **p).count();
        if promo_like[n - 1] && promo * 2 >= rest {
            keep[start..].iter_mut().for_each(|k| *k = false);
            return;
        }
    }
}

/// The body: blocks joined by blank lines; a paragraph that stops mid-sentence continues
/// into the next one when that starts in lower case (a page break or an inserted credit
/// had split the sentence).
pub(super) fn assemble(blocks: &[Block]) -> String {
    let mut body = String::new();
    let mut previous: Option<&Block> = None;
    for block in blocks {
        let continues = previous.is_some_and(|p| {
            p.kind == BlockKind::Paragraph
                && block.kind == BlockKind::Paragraph
                && !ends_sentence(&p.text)
                && block.text.chars().next().is_some_and(char::is_lowercase)
        });
        if !body.is_empty() {
            body.push_str(if continues { " " } else { "\n\n" });
        }
        body.push_str(&block.text);
        previous = Some(block);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_gives_title_byline_and_date() {
        let text = "Politics\n\nBy Jane Doe and John Roe\n\nSenate passes the budget after a long night\n\nPublished 3:04 PM EDT, Mon May 8, 2023\n\nThe Senate passed the budget early on Monday after a debate that lasted through the night.\n";
        let clean = clean_text(text);
        assert_eq!(
            clean.metadata.title.as_deref(),
            Some("Senate passes the budget after a long night")
        );
        assert_eq!(clean.metadata.byline.as_deref(), Some("Jane Doe, John Roe"));
        assert_eq!(
            clean.metadata.published.as_deref(),
            Some("2023-05-08T15:04:00-04:00")
        );
        assert_eq!(clean.body, "The Senate passed the budget early on Monday after a debate that lasted through the night.");
    }

    #[test]
    fn a_site_name_above_the_headline_is_not_the_title() {
        let text = "The Daily Planet\n\nWorld\n\nFloods force thousands from their homes in the north\n\n\
            Heavy rain over the weekend forced thousands of people from their homes across the northern region.";
        let clean = clean_text(text);
        assert_eq!(
            clean.metadata.title.as_deref(),
            Some("Floods force thousands from their homes in the north")
        );
        assert!(clean.body.starts_with("Heavy rain"), "{}", clean.body);
    }

    #[test]
    fn a_sentence_split_by_a_credit_is_joined() {
        let text = "A headline for the story here\n\nThe minister was cited as saying so by the national\n\nJane Doe/Getty Images\n\nnews agency on Friday.\n\nShe said more later, and the talks went on for days without an agreement in sight.";
        let clean = clean_text(text);
        assert!(
            clean.body.starts_with(
                "The minister was cited as saying so by the national news agency on Friday.\n\n"
            ),
            "{}",
            clean.body
        );
    }

    #[test]
    fn a_newsletter_line_inside_the_article_is_dropped_and_the_rest_kept() {
        let mut text = String::from("A headline for the story here\n\n");
        for i in 0..6 {
            text.push_str(&format!(
                "Paragraph {i} of the story says something that matters to readers today.\n\n"
            ));
            if i == 2 {
                text.push_str("Sign up for our morning newsletter\n\n");
            }
        }
        let clean = clean_text(&text);
        assert!(!clean.body.contains("newsletter"));
        assert!(clean.body.contains("Paragraph 5 of the story"));
    }

    #[test]
    fn a_news_site_copy_loses_its_widgets_captions_and_promotions() {
        let text = "Politics\n\nSenate passes stopgap bill hours before shutdown deadline\n\nBy Jane Doe and John Roe, CNN\n\n\
            Updated 11:52 PM EDT, Sat September 30, 2023\n\nPublished 3:04 PM EDT, Sat September 30, 2023\n\nLink Copied!\n\n\
            The Senate on Saturday night passed a stopgap bill to keep the government funded for 45 days.\n\n\
            Sen. Mitch McConnell speaks to reporters at the US Capitol on September 28, 2023.\nDrew Angerer/Getty Images\n\n\
            The bill passed 88 to 9.\n\nRead more: What a government shutdown would mean for you\n\n\
            The House had approved the measure earlier in the day in a surprise vote.\n\nSign up for our free newsletter\n\n\
            Get the day's top stories delivered to your inbox.\n\nThe measure does not include new aid for Ukraine.\n";
        let clean = clean_text(text);
        assert_eq!(
            clean.metadata.published.as_deref(),
            Some("2023-09-30T15:04:00-04:00")
        );
        assert_eq!(
            clean.body,
            "The Senate on Saturday night passed a stopgap bill to keep the government funded for 45 days.\n\n\
             The bill passed 88 to 9.\n\nThe House had approved the measure earlier in the day in a surprise vote.\n\n\
             The measure does not include new aid for Ukraine."
        );
    }

    #[test]
    fn glued_date_and_agency_credit_lines() {
        let text = "Oil prices rise as supply concerns outweigh demand worries\n\nBy Ann Poe and Lee Roe\n\n\
            October 4, 20238:12 AM UTCUpdated 2 hours ago\n\n\
            LONDON, Oct 4 - Oil prices rose on Wednesday as supply concerns outweighed worries about demand.\n\n\
            Reporting by Ann Poe in London and Lee Roe in Washington; Editing by Jan Neel\n";
        let clean = clean_text(text);
        assert_eq!(
            clean.metadata.published.as_deref(),
            Some("2023-10-04T08:12:00+00:00")
        );
        assert_eq!(clean.metadata.byline.as_deref(), Some("Ann Poe, Lee Roe"));
        assert_eq!(clean.body, "LONDON, Oct 4 - Oil prices rose on Wednesday as supply concerns outweighed worries about demand.");
    }

    #[test]
    fn wire_boilerplate_and_ad_markers_are_dropped() {
        let text = "A headline for the story here\n\nThe council met on Monday and agreed to the plan after a long debate.\n\n\
            Story continues below advertisement\n\nThe plan will cost four million and take two years to finish in full.\n\n\
            Copyright 2023 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.\n";
        let clean = clean_text(text);
        assert_eq!(
            clean.body,
            "The council met on Monday and agreed to the plan after a long debate.\n\n\
             The plan will cost four million and take two years to finish in full."
        );
    }

    #[test]
    fn emphasis_markers_go_and_link_text_stays() {
        let clean = clean_text("Title of the piece is here\n\nAccording to *Nikkei Asia* and [the agency](https://x.y), the plan is going ahead as announced.");
        assert_eq!(
            clean.body,
            "According to Nikkei Asia and the agency, the plan is going ahead as announced."
        );
    }

    #[test]
    fn credit_phrases_match_as_the_case_insensitive_alternation_did() {
        // The expression the keyword automaton replaced, kept here as the reference.
        let reference = Regex::new(
            r"(?i)(?-u:\b)(getty|istock(?:photo)?|shutterstock|alamy|ap photo|afp photo|reuters/|/reuters|/ap(?-u:\b)|/afp(?-u:\b)|epa-efe|associated press photo|photo credit|image credit|courtesy of|pool photo|file photo|photograph(?:er)?\s*:|photo\s*:|image\s*:|credit\s*:|illustration\s*:|picture\s*:|video\s*:|source\s*:)",
        )
        .expect("valid regex");
        let samples = [
            "Photo: Jane Doe",
            "PHOTO : Jane Doe",
            "photograph:",
            "Photographer :",
            "Photographers: none",
            "Smith/Reuters",
            "Smith /Reuters",
            "Jane Roe/AP",
            "Jane Roe/APx",
            "Jane Roe /AP",
            "x/AFP.",
            "Getty Images",
            "forgetty",
            "iStockphoto",
            "Courtesy of the family",
            "Image credit John",
            "video\u{a0}: the clip",
            "photos: none",
            "Source",
            "Source:",
            "resource: none",
            "é/ap",
            "_photo: x",
            "credits: x",
            "REUTERS/Jane Roe",
            "EPA-EFE/Jane Roe",
            "",
            "The minister said the photo was taken in May.",
        ];
        for text in samples {
            assert_eq!(CREDIT.is_match(text), reference.is_match(text), "{text:?}");
        }
    }

    #[test]
    fn promotion_phrases_match_as_the_case_insensitive_alternation_did() {
        // The expression the keyword automaton replaced, kept here as the reference.
        let reference = Regex::new(
            r"(?i)(?-u:\b)(subscribe|subscribers?|subscription|sign up|sign-up|newsletters?|inbox|cancel anytime|free trial|unlimited access|digital access|money[- ]back|log ?in|register now|create an account|download (?:our|the) app|follow us|support (?:our|independent) journalism|donate|become a (?:member|subscriber|patron)|already a subscriber|what['’]s included|sponsored content|paid content|privacy policy|terms of (?:use|service)|cookies?|all rights reserved|copyright|per (?:month|year)|ad[- ]free|click here|may not be (?:published|reproduced|copied)|redistributed)(?-u:\b)|©",
        )
        .expect("valid regex");
        let samples = [
            "Subscribe now",
            "SUBSCRIBERS only",
            "subscribers-only",
            "Subscribed",
            "unsubscribe",
            "Sign up for our newsletter",
            "sign-up",
            "signup",
            "Log in",
            "LOGIN",
            "logins",
            "blog in",
            "Money back guarantee",
            "money-back",
            "What’s included:",
            "what's included",
            "Cookie policy",
            "cookies.",
            "Terms of Service",
            "© 2023 Example",
            "x©y",
            "All rights reserved.",
            "It may not be copied.",
            "redistributed_",
            "é-donate",
            "Download the app",
            "per month",
            "permonth",
            "",
            "The minister said the newsletters were late.",
        ];
        for text in samples {
            let copyright_sign = text.contains('©');
            assert_eq!(
                copyright_sign || PROMOTION.is_match(text),
                reference.is_match(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn markdown_links_and_pictures_go_as_the_expressions_took_them() {
        // The expressions the byte scan replaced, kept here as the reference.
        let link = Regex::new(r"\[([^\]\n]*)\]\([^)\n]*\)").expect("valid regex");
        let picture = Regex::new(r"!\[[^\]\n]*\]\([^)\n]*\)").expect("valid regex");
        let samples = [
            "See [the report](https://x.y/a) and [this](b).",
            "![A photo](https://x.y/p.jpg) Caption [link](u)",
            "[a [b](c)",
            "[a]\n(b)",
            "[a](b\n) [c](d)",
            "[a] (b)",
            "[](",
            "![](x)![y](z)",
            "!![a](b)",
            "[é](ü) ß",
            "[a](b)c)",
            "]([",
            "",
            "No links at all.",
        ];
        for text in samples {
            assert_eq!(
                metadata::replace_markdown_links(text, false),
                link.replace_all(text, "$1"),
                "{text:?}"
            );
            assert_eq!(
                metadata::replace_markdown_links(text, true),
                picture.replace_all(text, ""),
                "{text:?}"
            );
        }
    }

    #[test]
    fn widget_lines_and_related_headings_match_as_the_expressions_did() {
        // The expressions the string lists replaced, kept here as the reference.
        let widget = Regex::new(WIDGET_REFERENCE).expect("valid regex");
        let related = Regex::new(RELATED_REFERENCE).expect("valid regex");
        let samples = [
            "Share",
            "SHARE THIS ARTICLE",
            "Share this story.",
            "Share on Facebook",
            "Share on",
            "share this page!",
            "Tweet",
            "E-mail:",
            "12 comments",
            "1 comment",
            "Comments",
            "5 min read",
            "5  minutes read",
            "Reading time: 4 minutes",
            "Toggle menu",
            "X",
            "x.",
            "Advertisement",
            "ADVERTISEMENT - SCROLL TO CONTINUE",
            "Advertisement: story continues",
            "Story continues below advertisement",
            "Article continues below",
            "Skip to main content",
            "Skip to content.",
            "Scroll to continue with content",
            "Watch",
            "Watch:",
            "watch it",
            "Read more",
            "READ MORE:",
            "Related :",
            "Related  ",
            "Related: ",
            "Related articles",
            "More from Example News",
            "More from",
            "More from a site whose name is far too long to be one",
            "Most read",
            "Trending now:",
            "You might also be interested in",
            "Editor’s picks",
            "Editor's Picks:",
            "Further reading",
            "Related coverage of the summit",
            "",
            ".",
            ":",
            "The minister said she would share the report.",
        ];
        let longest = WIDGET_LINES
            .iter()
            .chain(RELATED_HEADINGS)
            .map(|l| l.len())
            .max();
        assert!(longest <= Some(LONGEST_LISTED_LINE));
        for text in samples {
            assert_eq!(is_widget(text), widget.is_match(text), "widget {text:?}");
            assert_eq!(
                is_related_heading(text),
                related.is_match(text),
                "related {text:?}"
            );
        }
    }

    const WIDGET_REFERENCE: &str = r"(?i)^(share|share this|share this (?:article|story|page)|share on \w+|tweet|email|e-mail|print|comments?|[0-9]+ comments?|leave a comment|view comments|show comments|copy link|link copied|listen|listen to this article|advertisement|advertising|ad|skip to (?:main )?content|skip advertisement|close|menu|search|home|save|save article|gift article|facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|show more|load more|continue reading|back to top|next article|previous article|[0-9]+\s+min(?:ute)?s?\s+read|reading time.*|view gallery|see all|expand|play|pause|watch|toggle .*|(?:story|article) continues below(?: advertisement)?|continue reading below|advertisement\W+(?:scroll|story) .*|scroll to continue.*)[.!:]?$";
    const RELATED_REFERENCE: &str = r"(?i)^(read more|related|related (?:articles?|stories|content|coverage|topics|news|links)|more stories|more from .{1,40}|more on this (?:story|topic)|most (?:read|popular|viewed|shared)|trending(?: now| stories)?|recommended(?: for you| stories| reading)?|you (?:may|might) also (?:like|be interested in)|see also|also read|read next|up next|top stories|latest (?:news|stories)|editor['’]s picks|popular now|what to read next|further reading)\s*:?$";
}
