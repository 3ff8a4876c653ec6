//! Before parsing: the bulk of a page that the parser need not see, cut out in one pass.
//!
//! On real news pages most bytes are inline scripts, styles, SVG icons, JSON state and
//! `<noscript>`/`<template>` copies of the page; none of them is ever article text, and
//! building a tree of them is most of the parsing cost. A light tokenizer (tags, comments,
//! raw-text elements with the HTML rules for where they end, quoted attribute values)
//! removes them, keeping JSON-LD scripts for the metadata. The same pass drops start tags
//! nested past [`MAX_NESTING`]: tree building is quadratic in nesting depth.

use memchr::memmem;
use std::borrow::Cow;

/// How deep elements may nest before further start tags are dropped (their text stays).
/// Real pages nest a few dozen deep.
pub(super) const MAX_NESTING: usize = 400;

/// Elements removed with their content (scripts only when they are not JSON-LD).
const DROPPED: &[&str] = &["script", "style", "noscript", "template", "svg"];

/// Elements that close themselves or are closed implicitly, and so do not deepen the page.
const NON_NESTING: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "br", "hr", "img", "input", "meta", "link",
    "area", "base", "col", "embed", "source", "track", "wbr", "param", "html", "head", "body",
];

/// Start tags that end SVG content in the HTML parser ("breakout" tags): an `<svg>` that
/// holds one is not cut out, since part of it is page content.
const SVG_BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The page without dropped elements, comments and over-deep start tags; borrowed when
/// nothing was cut.
pub(super) fn prune(content: &str) -> Cow<'_, str> {
    let mut tokens = Tokens::new(content);
    let mut cuts = Cuts::new(content);
    let mut open: Vec<&str> = Vec::new();
    // After one element of a kind failed to find its end, the rest of that kind stay:
    // searching again for each would be quadratic.
    let mut unclosed: Vec<&str> = Vec::new();
    while let Some(token) = tokens.next() {
        match token.kind {
            Kind::Comment => cuts.cut(token.start, token.end),
            Kind::End(name) => {
                if let Some(at) = open.iter().rposition(|n| n.eq_ignore_ascii_case(name)) {
                    open.truncate(at);
                }
            }
            Kind::Start { name, self_closing } => {
                let dropped = is_one_of(name, DROPPED)
                    && !(name.eq_ignore_ascii_case("script")
                        && is_json_ld(&content[token.start..token.end]))
                    && !unclosed.iter().any(|n| n.eq_ignore_ascii_case(name));
                if dropped {
                    // Only SVG honours `/>`; `<template/>` still opens a template.
                    if self_closing && name.eq_ignore_ascii_case("svg") {
                        cuts.cut(token.start, token.end);
                        continue;
                    }
                    match element_end(&tokens, name) {
                        Some(end) => {
                            cuts.cut(token.start, end);
                            tokens.at = end;
                            continue;
                        }
                        None => unclosed.push(name),
                    }
                }
                if self_closing || is_one_of(name, NON_NESTING) || is_raw_text(name) {
                    continue;
                }
                if open.len() >= MAX_NESTING {
                    cuts.cut(token.start, token.end);
                } else {
                    open.push(name);
                }
            }
            Kind::Other => {}
        }
    }
    cuts.finish()
}

/// Where the element whose start tag `tokens` just read ends (after its end tag), with
/// nested elements of the same name counted; `None` when it does not end.
fn element_end(tokens: &Tokens, name: &str) -> Option<usize> {
    let inner = tokens.clone();
    let raw = is_raw_text(name);
    let svg = name.eq_ignore_ascii_case("svg");
    let mut depth = 1usize;
    for token in inner {
        match token.kind {
            Kind::End(n) if n.eq_ignore_ascii_case(name) => {
                depth -= 1;
                if depth == 0 {
                    return Some(token.end);
                }
            }
            Kind::Start { name: n, .. } if svg && is_one_of(n, SVG_BREAKOUT) => return None,
            Kind::Start {
                name: n,
                self_closing: false,
            } if !raw && n.eq_ignore_ascii_case(name) => depth += 1,
            _ => {}
        }
    }
    // A raw-text element the page never closes holds the rest of the page.
    raw.then_some(tokens.text.len())
}

/// A `<script>` start tag that may be JSON-LD. A loose test: keeping a script by mistake
/// costs a little time, dropping JSON-LD would lose the metadata.
fn is_json_ld(start_tag: &str) -> bool {
    start_tag
        .as_bytes()
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"ld+json"))
}

/// Byte ranges cut out of the page, copied around lazily.
struct Cuts<'a> {
    text: &'a str,
    out: Option<String>,
    copied: usize,
}

impl<'a> Cuts<'a> {
    fn new(text: &'a str) -> Cuts<'a> {
        Cuts {
            text,
            out: None,
            copied: 0,
        }
    }

    fn cut(&mut self, start: usize, end: usize) {
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.text.len()));
        out.push_str(&self.text[self.copied..start]);
        self.copied = end;
    }

    fn finish(self) -> Cow<'a, str> {
        match self.out {
            None => Cow::Borrowed(self.text),
            Some(mut out) => {
                out.push_str(&self.text[self.copied..]);
                Cow::Owned(out)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    Start {
        name: &'a str,
        self_closing: bool,
    },
    End(&'a str),
    Comment,
    /// A doctype, a processing instruction or a bogus comment.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind<'a>,
    start: usize,
    end: usize,
}

/// Raw-text and escapable raw-text elements: their content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "noscript", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

fn is_raw_text(name: &str) -> bool {
    is_one_of(name, RAW_TEXT)
}

/// The tags and comments of a page in order; the content of raw-text elements is
/// stepped over, so the token after their start tag is their end tag.
#[derive(Clone)]
struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        Tokens { text, at: 0 }
    }
}

fn is_tag_name_end(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.text.as_bytes();
        loop {
            let start = self.at + memchr::memchr(b'<', bytes.get(self.at..)?)?;
            let rest = &bytes[start + 1..];
            if rest.starts_with(b"!--") {
                let end = comment_end(bytes, start);
                self.at = end;
                return Some(Token {
                    kind: Kind::Comment,
                    start,
                    end,
                });
            }
            let closing = rest.first() == Some(&b'/');
            let name_start = start + 1 + usize::from(closing);
            if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                if matches!(rest.first(), Some(b'!' | b'?')) || closing {
                    // `<!doctype>`, `<?xml>`, `</ >`: up to the next `>`.
                    let end = memchr::memchr(b'>', rest).map_or(bytes.len(), |i| start + i + 2);
                    self.at = end;
                    return Some(Token {
                        kind: Kind::Other,
                        start,
                        end,
                    });
                }
                self.at = start + 1;
                continue;
            }
            let name_end = bytes[name_start..]
                .iter()
                .position(|&b| is_tag_name_end(b))
                .map_or(bytes.len(), |i| name_start + i);
            let name = &self.text[name_start..name_end];
            if closing {
                let end = memchr::memchr(b'>', &bytes[name_end..])
                    .map_or(bytes.len(), |i| name_end + i + 1);
                self.at = end;
                return Some(Token {
                    kind: Kind::End(name),
                    start,
                    end,
                });
            }
            let end = start_tag_end(bytes, name_end);
            let self_closing = end >= 2 && bytes[end - 1] == b'>' && bytes[end - 2] == b'/';
            // HTML ignores `/>` on these, as the parser does.
            self.at = if name.eq_ignore_ascii_case("plaintext") {
                bytes.len()
            } else if name.eq_ignore_ascii_case("script") {
                script_end(bytes, end).unwrap_or(bytes.len())
            } else if is_raw_text(name) {
                end_tag(bytes, end, name.as_bytes()).unwrap_or(bytes.len())
            } else {
                end
            };
            return Some(Token {
                kind: Kind::Start { name, self_closing },
                start,
                end,
            });
        }
    }
}

/// After a comment opened at `start` (`<!--`): `<!-->` and `<!--->` end at once, others at
/// `-->` or `--!>`, an unclosed one at the end of the page.
fn comment_end(bytes: &[u8], start: usize) -> usize {
    let body = start + 4;
    if bytes.get(body) == Some(&b'>') {
        return body + 1;
    }
    if bytes.get(body..body + 2) == Some(b"->") {
        return body + 2;
    }
    let rest = &bytes[body.min(bytes.len())..];
    let close = memmem::find(rest, b"-->").map(|i| i + 3);
    let bang = memmem::find(rest, b"--!>").map(|i| i + 4);
    match (close, bang) {
        (Some(a), Some(b)) => body + a.min(b),
        (Some(a), None) | (None, Some(a)) => body + a,
        (None, None) => bytes.len(),
    }
}

/// The end of a start tag whose name ends at `from`: the first `>` outside a quoted
/// attribute value; the end of the page when there is none.
fn start_tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            b'=' => {
                let mut j = i + 1;
                while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                match bytes.get(j) {
                    Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[j + 1..]) {
                        Some(k) => i = j + 1 + k + 1,
                        None => return bytes.len(),
                    },
                    _ => i = j,
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Whether `</name` followed by a tag-name delimiter starts at `at`.
fn is_end_tag_at(bytes: &[u8], at: usize, name: &[u8]) -> bool {
    bytes.get(at..at + 2) == Some(b"</")
        && bytes
            .get(at + 2..at + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && bytes
            .get(at + 2 + name.len())
            .is_none_or(|&b| is_tag_name_end(b))
}

/// Where the raw text from `from` on ends: the start of `</name>`.
fn end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let finder = memmem::Finder::new(b"</");
    let mut i = from;
    while let Some(offset) = finder.find(bytes.get(i..)?) {
        let at = i + offset;
        if is_end_tag_at(bytes, at, name) {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// Where a script's text from `from` on ends, by the HTML tokenizer's script states: a
/// `</script>` inside `<!-- <script> ... -->` does not end it.
fn script_end(bytes: &[u8], from: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut i = from;
    loop {
        let offset = memchr::memchr2(b'<', b'-', bytes.get(i..)?)?;
        let at = i + offset;
        i = at + 1;
        if bytes[at] == b'-' {
            if state != State::Data && bytes.get(at..at + 3) == Some(b"-->") {
                state = State::Data;
                i = at + 3;
            }
            continue;
        }
        match state {
            State::Data if bytes.get(at..at + 4) == Some(b"<!--") => {
                state = State::Escaped;
                // The comment's own dashes may close it: `<!-->`.
                i = at + 2;
            }
            State::Data | State::Escaped if is_end_tag_at(bytes, at, b"script") => return Some(at),
            State::Escaped if is_start_tag_at(bytes, at, b"script") => {
                state = State::DoubleEscaped;
            }
            State::DoubleEscaped if is_end_tag_at(bytes, at, b"script") => {
                state = State::Escaped;
            }
            _ => {}
        }
    }
}

fn is_start_tag_at(bytes: &[u8], at: usize, name: &[u8]) -> bool {
    bytes.get(at) == Some(&b'<')
        && bytes
            .get(at + 1..at + 1 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && bytes
            .get(at + 1 + name.len())
            .is_some_and(|&b| is_tag_name_end(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_svg_and_comments_go_json_ld_stays() {
        let page = concat!(
            "<html><head><script>var a = '<p>x</p>';</script><style>p{}</style>",
            "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script></head>",
            "<body><!-- a comment --><p>One<svg viewBox=\"0 0 1 1\"><path d=\"M0\"/><svg></svg></svg> two</p>",
            "<noscript><img src=x></noscript><template><p>later</p></template><p>three</p></body></html>"
        );
        assert_eq!(
            prune(page),
            concat!(
                "<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script></head>",
                "<body><p>One two</p><p>three</p></body></html>"
            )
        );
    }

    #[test]
    fn raw_text_ends_only_at_its_own_end_tag() {
        // A `>` in a quoted attribute, `</scripts>` and `</script>` in an escaped comment
        // are all inside the script.
        let page = concat!(
            "<p>a</p><script data-x=\"1>2\">if (a</scripts) { x = '<!-- <script> </script> -->'; }</script>",
            "<p>b</p><textarea><script></textarea><p>c</p>"
        );
        assert_eq!(
            prune(page),
            "<p>a</p><p>b</p><textarea><script></textarea><p>c</p>"
        );
    }

    #[test]
    fn unclosed_elements_and_svg_with_page_content_stay() {
        let svg_with_text = "<svg><p>Story text</p></svg>";
        assert_eq!(prune(svg_with_text), svg_with_text);
        let unclosed = "<template><p>text";
        assert_eq!(prune(unclosed), unclosed);
        assert_eq!(prune("<p>a<script>var x"), "<p>a");
        assert_eq!(prune("<p>a<!-- never closed"), "<p>a");
        assert_eq!(prune("<p>a<!--><p>b"), "<p>a<p>b");
    }

    #[test]
    fn a_page_with_nothing_to_cut_is_borrowed() {
        assert!(matches!(
            prune("<html><body><p>Text &amp; more</p></body></html>"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn start_tags_past_the_nesting_limit_are_dropped() {
        let page = "<div>".repeat(MAX_NESTING + 10) + "<p>deep</p>";
        let pruned = prune(&page);
        assert_eq!(pruned.matches("<div>").count(), MAX_NESTING);
        assert!(pruned.ends_with("<p>deep</p>"));
    }
}
