//! Turns a user's search text into an FTS5 query that can never be read as FTS5 syntax,
//! and ranks a window of matches by BM25 exactly as FTS5's `bm25()` would, at a cost
//! bounded by the window rather than by the number of matches in the archive.
//!
//! Each word becomes a double-quoted string token, so `"`, `*`, `NEAR(`, `AND`, a lone
//! `OR` or a column filter are searched as plain words (or dropped when they hold no
//! letter or digit), never parsed as operators.
//!
//! `bm25()` counts each phrase's matching rows by walking the phrase's whole doclist on
//! every query, so a common word cost seconds on a large archive. [`Bm25`] takes the
//! same figures from places that cost the same at any size: the row count and token
//! total from FTS5's "averages" record, each row's length from its `docsize` record, and
//! the phrase counts from [`DocFrequencies`], a cache that recounts a phrase only when
//! the index has changed and the count is older than [`RECOUNT_AFTER`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// The words of `text` as an FTS5 query (implicit AND of quoted terms), or `None` when
/// the text holds no word to search for.
pub fn fts_query(text: &str) -> Option<String> {
    let terms = phrases(text);
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The phrases of [`fts_query`], one quoted word each, in order: FTS5 numbers a query's
/// phrases the same way.
pub fn phrases(text: &str) -> Vec<String> {
    words(text).map(|w| format!("\"{w}\"")).collect()
}

/// Like [`fts_query`], with the last word as a prefix (for type-ahead).
pub fn fts_prefix_query(text: &str) -> Option<String> {
    let words: Vec<&str> = words(text).collect();
    let (last, rest) = words.split_last()?;
    let mut terms: Vec<String> = rest.iter().map(|w| format!("\"{w}\"")).collect();
    terms.push(format!("\"{last}\"*"));
    Some(terms.join(" "))
}

/// Runs of letters and digits: what the `unicode61` tokenizer would index anyway, so no
/// quote character can survive into the query.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// FTS5's BM25 constants (`fts5Bm25Function` in SQLite's fts5_aux.c).
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A phrase's row count is trusted while the index is unchanged, and for this long
/// after it changed: a busy writer would otherwise send every search back to counting.
pub const RECOUNT_AFTER: Duration = Duration::from_secs(30);

/// Beyond this many cached phrases the cache starts again (a bound on memory).
const MAX_CACHED_PHRASES: usize = 20_000;

/// The table-wide half of BM25 for one query: each phrase's IDF and the average row
/// length, computed as `bm25()` computes them.
#[derive(Debug, Clone)]
pub struct Bm25 {
    idf: Vec<f64>,
    average_length: f64,
}

impl Bm25 {
    /// From the row count, the token total of all columns and each phrase's row count.
    pub fn new(rows: i64, tokens: i64, phrase_rows: &[i64]) -> Bm25 {
        let idf = phrase_rows
            .iter()
            .map(|&hits| {
                let idf = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
                if idf <= 0.0 {
                    1e-6
                } else {
                    idf
                }
            })
            .collect();
        Bm25 {
            idf,
            average_length: tokens as f64 / rows as f64,
        }
    }

    /// A row's score as `bm25()` returns it (lower is better): `frequencies` holds each
    /// phrase's (column-weighted) number of instances in the row, `length` the row's
    /// token count over all columns.
    pub fn score(&self, frequencies: &[f64], length: i64) -> f64 {
        let length = length as f64;
        let mut score = 0.0;
        for (idf, &f) in self.idf.iter().zip(frequencies) {
            score +=
                idf * ((f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * length / self.average_length)));
        }
        -score
    }
}

/// Rows per phrase of an FTS5 table, counted once and reused (see the module docs).
#[derive(Default)]
pub struct DocFrequencies {
    counts: Mutex<HashMap<(&'static str, String), Counted>>,
}

struct Counted {
    rows: i64,
    /// The table's averages record when counted: it changes with every row added or
    /// removed, so an equal record means an unchanged index.
    averages: Vec<u8>,
    at: Instant,
}

impl DocFrequencies {
    /// The number of rows of `table` that `phrase` (one quoted word) matches.
    pub fn rows(
        &self,
        conn: &Connection,
        table: &'static str,
        phrase: &str,
        averages: &[u8],
    ) -> rusqlite::Result<i64> {
        let key = (table, phrase.to_owned());
        if let Some(counted) = self.lock().get(&key) {
            if counted.averages == averages || counted.at.elapsed() < RECOUNT_AFTER {
                return Ok(counted.rows);
            }
        }
        // Counted without the lock: a count of a common word takes a while.
        let rows = conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM {table} WHERE {table} MATCH ?1"
            ))?
            .query_row([phrase], |r| r.get(0))?;
        let mut counts = self.lock();
        if counts.len() >= MAX_CACHED_PHRASES {
            counts.clear();
        }
        counts.insert(
            key,
            Counted {
                rows,
                averages: averages.to_vec(),
                at: Instant::now(),
            },
        );
        Ok(rows)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(&'static str, String), Counted>> {
        // A panic mid-insert leaves at worst a missing entry: the map is still usable.
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The table-wide figures of `table` for a query of `phrases`: FTS5's averages record
/// (row count, then token total per column) and each phrase's row count.
pub fn bm25_for(
    conn: &Connection,
    table: &'static str,
    phrases: &[String],
    frequencies: &DocFrequencies,
) -> rusqlite::Result<Bm25> {
    let averages: Vec<u8> = conn
        .prepare_cached(&format!("SELECT block FROM {table}_data WHERE id = 1"))?
        .query_row([], |r| r.get(0))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(Vec::new()),
            e => Err(e),
        })?;
    let figures = fts5_varints(&averages);
    let rows = figures.first().copied().unwrap_or(0) as i64;
    let tokens = figures.iter().skip(1).sum::<u64>() as i64;
    let phrase_rows = phrases
        .iter()
        .map(|p| frequencies.rows(conn, table, p, &averages))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Bm25::new(rows.max(1), tokens, &phrase_rows))
}

/// The token count of a row over all its columns, from its FTS5 `docsize` record.
pub fn row_length(docsize: &[u8]) -> i64 {
    fts5_varints(docsize).iter().sum::<u64>() as i64
}

/// Instances of a phrase in one column, from `highlight()` output made with `\u{1}` as
/// the opening mark (minus any `\u{1}` the text held itself).
pub fn marked_instances(highlighted: &str, original: &str) -> f64 {
    let marks = |s: &str| s.bytes().filter(|&b| b == 1).count();
    marks(highlighted).saturating_sub(marks(original)) as f64
}

/// SQLite's variable-length integers, one after another, as FTS5 stores its records:
/// seven bits a byte, high bit set on all but the last, and a ninth byte of eight bits.
fn fts5_varints(mut bytes: &[u8]) -> Vec<u64> {
    let mut values = Vec::new();
    while !bytes.is_empty() {
        let mut value = 0u64;
        let mut used = 0;
        for (i, &byte) in bytes.iter().enumerate().take(9) {
            used = i + 1;
            if i == 8 {
                value = (value << 8) | u64::from(byte);
                break;
            }
            value = (value << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                break;
            }
        }
        values.push(value);
        bytes = &bytes[used..];
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_become_plain_terms() {
        assert_eq!(
            fts_query("NEAR(nato japan)").as_deref(),
            Some("\"NEAR\" \"nato\" \"japan\"")
        );
        assert_eq!(fts_query("OR").as_deref(), Some("\"OR\""));
        assert_eq!(
            fts_query("title:nato*").as_deref(),
            Some("\"title\" \"nato\"")
        );
    }

    #[test]
    fn text_without_words_is_no_query() {
        assert_eq!(fts_query("\" * ( ) -"), None);
        assert_eq!(fts_query(""), None);
    }

    #[test]
    fn prefix_marks_the_last_word() {
        assert_eq!(
            fts_prefix_query("Jens Stol").as_deref(),
            Some("\"Jens\" \"Stol\"*")
        );
    }

    #[test]
    fn multibyte_words_survive() {
        assert_eq!(
            fts_query("Ünïcode—東京").as_deref(),
            Some("\"Ünïcode\" \"東京\"")
        );
    }
}
