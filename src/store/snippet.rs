//! FTS5's `snippet()` for one column, computed in Rust from what a search has already
//! read: the row's phrase instances (from ranking), its length in tokens and its text.
//!
//! FTS5's own function fetched each row's text and length again with statements of its
//! own and ran the `porter` tokenizer over the text twice, a fifth of a quote search's
//! cost. This is a line-by-line port of `fts5SnippetFunction` in SQLite's fts5_aux.c
//! (3.53, the version rusqlite bundles) for a single column; a test in `quotes` holds it to
//! FTS5's output, so a new SQLite that changes `snippet()` fails that test. (SQLite's
//! code is in the public domain.)

use super::fts5::{Instance, Matches};

/// The arguments of `snippet()` after the column: the marks around each match, the
/// text that stands for what is left out, and the snippet's length in tokens.
pub struct Style<'a> {
    pub open: &'a str,
    pub close: &'a str,
    pub ellipsis: &'a str,
    pub tokens: usize,
}

/// What `snippet(table, column, open, close, ellipsis, tokens)` returns for a row whose
/// `column` holds `text`, split into tokens at `spans` (byte ranges, as the table's
/// tokenizer splits it), with `matches` and `column_size` tokens in that column.
pub fn snippet(
    text: &str,
    spans: &[(usize, usize)],
    matches: &Matches,
    column: usize,
    column_size: usize,
    style: &Style<'_>,
) -> String {
    let instances: Vec<Instance> = matches.instances().filter(|i| i.column == column).collect();
    let n_token = style.tokens as i64;
    let doc_size = column_size as i64;
    let scorer = Scorer {
        instances: &instances,
        matches,
        n_token,
        doc_size,
    };
    // Sentence starts only count when the text is longer than a snippet.
    let firsts = if doc_size > n_token {
        sentence_starts(text, spans)
    } else {
        Vec::new()
    };

    let (mut best_score, mut best_start) = (0, 0i64);
    for instance in &instances {
        let io = instance.offset as i64;
        if io > doc_size {
            // FTS5 reports corruption here; a snippet of what was scored will do.
            break;
        }
        let (score, adjusted) = scorer.score(io);
        if score > best_score {
            best_score = score;
            best_start = adjusted;
        }
        if !firsts.is_empty() {
            let mut jj = 0;
            while jj + 1 < firsts.len() && firsts[jj + 1] <= io {
                jj += 1;
            }
            if firsts[jj] < io {
                let bonus = if firsts[jj] == 0 { 120 } else { 100 };
                let score = scorer.score(firsts[jj]).0 + bonus;
                if score > best_score {
                    best_score = score;
                    best_start = firsts[jj];
                }
            }
        }
    }
    highlight(
        text, spans, matches, &instances, best_start, doc_size, style,
    )
}

/// The token numbers that begin a sentence: the first, and each one preceded by
/// whitespace before which stands a `.` or a `:` (`fts5SentenceFinderCb`).
fn sentence_starts(text: &str, spans: &[(usize, usize)]) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut firsts = Vec::new();
    for (position, &(start, _)) in spans.iter().enumerate() {
        if position == 0 {
            firsts.push(0);
            continue;
        }
        let before = &bytes[..start.min(bytes.len())];
        let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
        let skipped = before.iter().rev().take_while(|c| blank(c)).count();
        if skipped > 0
            && matches!(
                before.len().checked_sub(skipped + 1).map(|i| before[i]),
                Some(b'.' | b':')
            )
        {
            firsts.push(position as i64);
        }
    }
    firsts
}

/// `fts5SnippetScore`: how good a snippet starting at a token would be.
struct Scorer<'a> {
    instances: &'a [Instance],
    matches: &'a Matches,
    n_token: i64,
    doc_size: i64,
}

impl Scorer<'_> {
    /// The score of the `n_token` tokens from `position` (1,000 for each phrase found,
    /// 1 for each repeat), and where a snippet centred on what it found would start.
    fn score(&self, position: i64) -> (i64, i64) {
        let end = position + self.n_token;
        let mut seen = vec![false; self.matches.phrase_count()];
        let (mut score, mut first, mut last) = (0, -1i64, 0i64);
        for instance in self.instances {
            let offset = instance.offset as i64;
            if offset >= position && offset < end {
                let seen = seen.get_mut(instance.phrase);
                score += if seen.as_deref() == Some(&true) {
                    1
                } else {
                    1000
                };
                if let Some(seen) = seen {
                    *seen = true;
                }
                if first < 0 {
                    first = offset;
                }
                last = offset + self.matches.phrase_size(instance.phrase) as i64;
            }
        }
        let mut adjusted = first - (self.n_token - (last - first)) / 2;
        if adjusted + self.n_token > self.doc_size {
            adjusted = self.doc_size - self.n_token;
        }
        (score, adjusted.max(0))
    }
}

/// Overlapping instances merged into one run of tokens (`CInstIter`): the current run's
/// first and last token, -1 when none is left.
struct Runs<'a> {
    instances: &'a [Instance],
    matches: &'a Matches,
    next: usize,
    start: i64,
    end: i64,
}

impl<'a> Runs<'a> {
    fn new(instances: &'a [Instance], matches: &'a Matches) -> Runs<'a> {
        let mut runs = Runs {
            instances,
            matches,
            next: 0,
            start: -1,
            end: -1,
        };
        runs.advance();
        runs
    }

    fn advance(&mut self) {
        self.start = -1;
        self.end = -1;
        while let Some(instance) = self.instances.get(self.next) {
            let offset = instance.offset as i64;
            let end = offset - 1 + self.matches.phrase_size(instance.phrase) as i64;
            if self.start < 0 {
                self.start = offset;
                self.end = end;
            } else if offset <= self.end {
                self.end = self.end.max(end);
            } else {
                break;
            }
            self.next += 1;
        }
    }
}

/// The tokens `start..start + tokens` of the text with their runs marked, the text's
/// ends or the ellipsis around them (`fts5HighlightCb` and the end of
/// `fts5SnippetFunction`).
fn highlight(
    text: &str,
    spans: &[(usize, usize)],
    matches: &Matches,
    instances: &[Instance],
    start: i64,
    doc_size: i64,
    style: &Style<'_>,
) -> String {
    let bytes = text.as_bytes();
    let slice = |from: usize, to: usize| bytes.get(from..to).unwrap_or_default();
    let range_end = start + style.tokens as i64 - 1;
    let mut out = Vec::with_capacity(text.len() + 32);
    if start > 0 {
        append(&mut out, style.ellipsis.as_bytes());
    }
    let mut runs = Runs::new(instances, matches);
    while runs.start >= 0 && runs.start < start {
        runs.advance();
    }
    let (mut copied, mut open) = (0usize, false);
    for (position, &(token_start, token_end)) in spans.iter().enumerate() {
        let position = position as i64;
        if position < start || position > range_end {
            continue;
        }
        if start != 0 && position == start {
            copied = token_start;
        }
        if open && (position <= runs.start || runs.start < 0) && token_start > copied {
            append(&mut out, style.close.as_bytes());
            open = false;
        }
        if position == runs.start && !open {
            append(&mut out, slice(copied, token_start));
            append(&mut out, style.open.as_bytes());
            copied = token_start;
            open = true;
        }
        if position == runs.end {
            if !open {
                append(&mut out, style.open.as_bytes());
                open = true;
            }
            append(&mut out, slice(copied, token_end));
            copied = token_end;
            runs.advance();
        }
        if position == range_end {
            if open {
                if runs.start >= 0 && position >= runs.start {
                    append(&mut out, slice(copied, token_end));
                    copied = token_end;
                }
                append(&mut out, style.close.as_bytes());
                open = false;
            }
            append(&mut out, slice(copied, token_end));
            copied = token_end;
        }
    }
    if open {
        append(&mut out, style.close.as_bytes());
    }
    if range_end >= doc_size - 1 {
        append(&mut out, slice(copied, bytes.len()));
    } else {
        append(&mut out, style.ellipsis.as_bytes());
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends as FTS5's `%.*s` does: up to the first NUL byte.
fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    let end = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    out.extend_from_slice(&bytes[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(words: &[u32]) -> Matches {
        Matches::from_blob(
            &words
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect::<Vec<u8>>(),
        )
    }

    const STYLE: Style<'static> = Style {
        open: "[",
        close: "]",
        ellipsis: "…",
        tokens: 3,
    };

    #[test]
    fn a_match_is_marked_in_a_window_of_tokens_with_ellipses() {
        let text = "one two three four five six";
        let spans = [(0, 3), (4, 7), (8, 13), (14, 18), (19, 23), (24, 27)];
        // One phrase of one token, at token 3 ("four").
        let got = snippet(text, &spans, &matches(&[1, 1, 0, 0, 3]), 0, 6, &STYLE);
        assert_eq!(got, "…three [four] five…");
    }

    #[test]
    fn inconsistent_figures_give_a_snippet_not_a_panic() {
        let text = "a b";
        let spans = [(0, 1), (2, 3), (7, 99)];
        for words in [
            &[1, 1, 0, 0, 40][..],
            &[1, 1, 5, 0, 1],
            &[u32::MAX, 1, 0, 0, 0],
            &[1, 0, 0, 0, 1],
            &[],
        ] {
            for size in [0, 2, 1_000] {
                let _ = snippet(text, &spans, &matches(words), 0, size, &STYLE);
                let _ = snippet("", &[], &matches(words), 0, size, &STYLE);
            }
        }
    }
}
