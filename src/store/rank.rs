//! Ranks a window of full-text matches by BM25 exactly as FTS5's `bm25()` would, at a
//! cost bounded by the window rather than by the number of matches in the archive.
//!
//! `bm25()` counts each phrase's matching rows by walking the phrase's whole doclist on
//! every query, so a common word cost seconds on a large archive. Here the same figures
//! come from places that cost the same at any size: the row count and token total from
//! FTS5's "averages" record, each row's phrase instances from
//! [`PHRASE_INSTANCES`](super::fts5::PHRASE_INSTANCES) (an FTS5 auxiliary function that
//! reads them from the row's position lists, as `bm25()` does) and its length from FTS5's
//! `docsize` table, and each phrase's row count from
//! [`DocFrequencies`], a cache that recounts a phrase only when the index has changed and
//! the count is older than [`RECOUNT_AFTER`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Statement};

use super::fts5::{varints, Matches};
use super::query::Conditions;

/// How many matches of a search are ranked together: the newest this many matches not
/// yet served, by rowid (the order FTS5 reads them in without ranking).
pub const RANKED_WINDOW: usize = 200;

/// A match with its score, and the window (its newest rowid bound) it was ranked in.
pub struct Ranked {
    pub pk: i64,
    pub id: String,
    pub rank: f64,
    pub window: i64,
    /// The row's phrase instances, and its length in tokens by column (for snippets).
    pub matches: Matches,
    pub column_sizes: Vec<u64>,
}

/// Where a ranked list resumes: the window of the last item served, its rank and id.
pub struct ResumeAfter<'a> {
    pub window: i64,
    pub rank: f64,
    pub id: &'a str,
}

/// How equal ranks are ordered by id.
#[derive(Clone, Copy)]
pub enum Ties {
    IdAscending,
    IdDescending,
}

/// The statement [`ranked_page`] reads windows with: the newest [`RANKED_WINDOW`] matches
/// of the full-text table `fts_table` (`MATCH` the first parameter) with rowid at most the
/// second, newest first, each joined to its row of `table` (as `alias`, its `pk` the
/// rowid) for its `id` and for `conditions`, whose values are bound after those two.
///
/// A match's length is read from the `docsize` table in this statement: through FTS5's
/// `xColumnSize` it took a statement of its own per match (4% more per search).
pub(crate) fn windows_sql(
    fts_table: &str,
    table: &str,
    alias: &str,
    conditions: &Conditions,
) -> String {
    format!(
        "SELECT f.rowid, {alias}.id, d.sz, phrase_instances({fts_table})
         FROM {fts_table} AS f JOIN {table} AS {alias} ON {alias}.pk = f.rowid
           JOIN {fts_table}_docsize AS d ON d.id = f.rowid
         WHERE {fts_table} MATCH ? AND f.rowid <= ?{}
         ORDER BY f.rowid DESC LIMIT {RANKED_WINDOW}",
        conditions.and_sql()
    )
}

/// One page (at most `limit`) of matches, best rank first within windows of
/// [`RANKED_WINDOW`] matches, newest window first, resuming after `after`.
///
/// `windows` is a prepared [`windows_sql`] statement; its parameters are the match
/// expression `fts`, the rowid bound, then `filters`.
pub fn ranked_page(
    windows: &mut Statement<'_>,
    fts: &str,
    filters: &[Value],
    bm25: &Bm25,
    after: Option<ResumeAfter<'_>>,
    ties: Ties,
    limit: usize,
) -> rusqlite::Result<Vec<Ranked>> {
    let by_id = |a: &str, b: &str| match ties {
        Ties::IdAscending => a.cmp(b),
        Ties::IdDescending => b.cmp(a),
    };
    let (mut top, mut last) = match after {
        Some(after) => (after.window, Some((after.rank, after.id.to_owned()))),
        None => (i64::MAX, None),
    };
    // A window's matches, scored, in rowid order (newest first).
    let mut window_below = |top: i64| -> rusqlite::Result<Vec<Ranked>> {
        let mut params = vec![Value::Text(fts.to_owned()), Value::Integer(top)];
        params.extend(filters.iter().cloned());
        windows
            .query_map(params_from_iter(params), |r| {
                let column_sizes = varints(r.get_ref(2)?.as_blob_or_null()?.unwrap_or_default());
                let length = column_sizes.iter().sum::<u64>() as f64;
                let matches =
                    Matches::from_blob(r.get_ref(3)?.as_blob_or_null()?.unwrap_or_default());
                Ok(Ranked {
                    pk: r.get(0)?,
                    id: r.get(1)?,
                    rank: bm25.score_row(&matches, length),
                    window: top,
                    matches,
                    column_sizes,
                })
            })?
            .collect()
    };
    let mut page = Vec::with_capacity(limit);
    loop {
        let mut window = window_below(top)?;
        let full = window.len() == RANKED_WINDOW;
        let bottom = window.last().map(|m| m.pk);
        // Ids are unique, so the order is total and an unstable sort gives the same.
        window.sort_unstable_by(|a, b| a.rank.total_cmp(&b.rank).then_with(|| by_id(&a.id, &b.id)));
        let unserved = window.into_iter().filter(|r| match &last {
            None => true,
            Some((rank, id)) => r
                .rank
                .total_cmp(rank)
                .then_with(|| by_id(&r.id, id))
                .is_gt(),
        });
        page.extend(unserved.take(limit - page.len()));
        match bottom {
            Some(bottom) if full && page.len() < limit => {
                top = bottom - 1;
                last = None;
            }
            _ => return Ok(page),
        }
    }
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
/// length, computed as `bm25()` computes them, and the columns' weights as `bm25()`
/// takes them (1 for each column past the end).
#[derive(Debug, Clone)]
pub struct Bm25 {
    idf: Vec<f64>,
    average_length: f64,
    weights: Vec<f64>,
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
            weights: Vec::new(),
        }
    }

    /// The same, with a weight for each column (`bm25(table, 10.0, 1.0)`).
    pub fn weighted(self, weights: &[f64]) -> Bm25 {
        Bm25 {
            weights: weights.to_vec(),
            ..self
        }
    }

    /// A row's score as `bm25()` returns it (lower is better): `frequencies` holds each
    /// phrase's (column-weighted) number of instances in the row, `length` the row's
    /// token count over all columns.
    pub fn score(&self, frequencies: &[f64], length: f64) -> f64 {
        let mut score = 0.0;
        for (idf, &f) in self.idf.iter().zip(frequencies) {
            score +=
                idf * ((f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * length / self.average_length)));
        }
        -score
    }

    /// The score of a row with these `matches` and `length`, its instances weighed by
    /// column.
    pub fn score_row(&self, matches: &Matches, length: f64) -> f64 {
        self.score(&matches.frequencies(&self.weights), length)
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
    let figures = varints(&averages);
    let rows = figures.first().copied().unwrap_or(0) as i64;
    let tokens = figures.iter().skip(1).sum::<u64>() as i64;
    let phrase_rows = phrases
        .iter()
        .map(|p| frequencies.rows(conn, table, p, &averages))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Bm25::new(rows.max(1), tokens, &phrase_rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_in_most_rows_keeps_a_tiny_positive_weight() {
        let common = Bm25::new(10, 100, &[9]);
        assert!(common.score(&[1.0], 10.0) < 0.0);
        let rare = Bm25::new(10, 100, &[1]);
        assert!(rare.score(&[1.0], 10.0) < common.score(&[1.0], 10.0));
        assert!(rare.score(&[2.0], 10.0) < rare.score(&[1.0], 10.0));
        assert!(rare.score(&[1.0], 5.0) < rare.score(&[1.0], 20.0));
    }
}
