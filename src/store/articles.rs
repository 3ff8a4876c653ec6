//! Article reads: one by id, and keyset-paged lists by date or by full-text rank.

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, Row};
use tracing::instrument;

use super::query::{column_count, text, Conditions, ListAfter};
use super::rank::{bm25_for, ranked_page, windows_sql, Ties};
use super::search::{self, fts_query};
use super::{OptionalRow, Store, StoreResult};

/// An article as stored. `body` is `None` in lists, which never load it.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub id: String,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub published_key: String,
    /// JSON object: where each metadata field came from.
    pub provenance: String,
    pub ingested_at: String,
    pub body: Option<String>,
    pub quote_count: i64,
    pub entity_count: i64,
    /// bm25 rank when the list was a search (lower is better).
    pub rank: Option<f64>,
    /// With a search: the window of ranked matches the article was ranked in.
    pub rank_window: Option<i64>,
}

/// Filters of `GET /v1/articles`; dates are sortable keys (see `ingest::published_key`).
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub q: Option<String>,
    pub source: Option<String>,
    pub byline: Option<String>,
    /// Inclusive lower bound.
    pub published_after: Option<String>,
    /// Exclusive upper bound.
    pub published_before: Option<String>,
    /// Only articles naming this entity (by id).
    pub naming_entity: Option<String>,
}

impl ArticleRecord {
    /// Where a list that ended with this article resumes: its rank key under a search,
    /// its date key otherwise.
    pub fn resume_after(&self) -> ListAfter {
        ListAfter::resume(self.rank, self.rank_window, &self.published_key, &self.id)
    }
}

/// The columns [`article_from_row`] reads, as a macro so that constant statements can
/// be built from them with `concat!`.
macro_rules! columns {
    () => {
        "a.id, a.url, a.source, a.title, a.byline, a.published, a.published_key, a.provenance,
         a.ingested_at, a.quote_count, a.entity_count"
    };
}

const COLUMNS: &str = columns!();

/// [`COLUMNS`] and the body, by id: a constant, so a point read neither formats the
/// statement nor hashes a fresh string to find it in the statement cache.
const ARTICLE_BY_ID: &str = concat!(
    "SELECT ",
    columns!(),
    ", a.body FROM articles AS a WHERE a.id = ?1"
);

fn article_from_row(row: &Row<'_>, with_body: bool) -> rusqlite::Result<ArticleRecord> {
    Ok(ArticleRecord {
        id: row.get(0)?,
        url: row.get(1)?,
        source: row.get(2)?,
        title: row.get(3)?,
        byline: row.get(4)?,
        published: row.get(5)?,
        published_key: row.get(6)?,
        provenance: row.get(7)?,
        ingested_at: row.get(8)?,
        quote_count: row.get(9)?,
        entity_count: row.get(10)?,
        body: if with_body {
            Some(long_text(row, column_count(COLUMNS))?)
        } else {
            None
        },
        rank: None,
        rank_window: None,
    })
}

/// A long text column (an article's body) as a `String`, its UTF-8 checked with SIMD:
/// std's check, which `row.get` does, was a twentieth of a point read's CPU.
fn long_text(row: &Row<'_>, index: usize) -> rusqlite::Result<String> {
    let value = row.get_ref(index)?;
    let ValueRef::Text(bytes) = value else {
        let name = row.as_ref().column_name(index)?.to_owned();
        return Err(rusqlite::Error::InvalidColumnType(
            index,
            name,
            value.data_type(),
        ));
    };
    simdutf8::basic::from_utf8(bytes)
        .map(str::to_owned)
        // The slow check again, only for the error it describes.
        .or_else(|_| std::str::from_utf8(bytes).map(str::to_owned))
        .map_err(|e| rusqlite::Error::Utf8Error(index, e))
}

/// The weights of a search's matches in `articles_fts`'s title and body.
const TITLE_AND_BODY_WEIGHTS: [f64; 2] = [10.0, 1.0];

impl Store {
    #[instrument(skip_all)]
    pub fn article(&self, id: &str) -> StoreResult<ArticleRecord> {
        let conn = self.reader()?;
        let article = conn
            .prepare_cached(ARTICLE_BY_ID)?
            .query_row([id], |row| article_from_row(row, true))
            .found()?;
        Ok(article)
    }

    /// One page (at most `limit` items) of articles matching `filter`, after `after`.
    ///
    /// With `q`, matches are ranked by bm25 ([`TITLE_AND_BODY_WEIGHTS`]) in windows of
    /// [`RANKED_WINDOW`] matches, most recently stored first, as quotes are (see
    /// [`Store::list_quotes`]): ranking every match of a common word cost seconds.
    ///
    /// [`RANKED_WINDOW`]: super::rank::RANKED_WINDOW
    #[instrument(skip_all, fields(limit))]
    pub fn list_articles(
        &self,
        filter: &ArticleFilter,
        after: Option<&ListAfter>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleRecord>> {
        let mut cond = Conditions::default();
        cond.push_eq("a.source", filter.source.as_deref());
        cond.push_eq("a.byline", filter.byline.as_deref());
        cond.push_published_range(
            "a.published_key",
            filter.published_after.as_deref(),
            filter.published_before.as_deref(),
        );
        if let Some(entity) = &filter.naming_entity {
            cond.push(
                "a.pk IN (SELECT article_pk FROM article_entities
                          WHERE entity_pk = (SELECT pk FROM entities WHERE id = ?))",
                [text(entity)],
            );
        }
        let conn = self.reader()?;
        match &filter.q {
            None => {
                if let Some(ListAfter::Date { published_key, id }) = after {
                    // Not the row value `(a.published_key, a.id) < (?, ?)`: SQLite reads
                    // that as the end of a range of the descending index, and walked every
                    // entry before the cursor (a deep page cost what all pages before it
                    // did). Here the first term starts the range at the cursor's date.
                    cond.push(
                        "a.published_key <= ? AND (a.published_key < ? OR a.id < ?)",
                        [text(published_key), text(published_key), text(id)],
                    );
                }
                let sql = format!(
                    "SELECT {COLUMNS} FROM articles AS a {} ORDER BY a.published_key DESC, a.id DESC LIMIT {limit}",
                    cond.where_sql()
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params_from_iter(cond.into_params()), |r| {
                    article_from_row(r, false)
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Some(q) => {
                let Some(fts) = fts_query(q) else {
                    return Ok(Vec::new());
                };
                let bm25 = bm25_for(
                    &conn,
                    "articles_fts",
                    &search::phrases(q),
                    &self.inner.doc_frequencies,
                )?
                .weighted(&TITLE_AND_BODY_WEIGHTS);
                let sql = windows_sql("articles_fts", "articles", "a", &cond);
                let common = cond.into_params();
                // One read transaction: the page is chosen, then read, in one snapshot.
                let mut conn = conn;
                let conn = conn.transaction()?;
                let page = {
                    let mut stmt = conn.prepare_cached(&sql)?;
                    let after = ListAfter::ranked(after);
                    ranked_page(
                        &mut stmt,
                        &fts,
                        &common,
                        &bm25,
                        after,
                        Ties::IdDescending,
                        limit,
                    )?
                };
                let sql = format!("SELECT {COLUMNS} FROM articles AS a WHERE a.pk = ?1");
                let mut read = conn.prepare_cached(&sql)?;
                let mut records = Vec::with_capacity(page.len());
                for ranked in page {
                    let mut record = read.query_row([ranked.pk], |r| article_from_row(r, false))?;
                    record.rank = Some(ranked.rank);
                    record.rank_window = Some(ranked.window);
                    records.push(record);
                }
                Ok(records)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::rank::RANKED_WINDOW;

    /// Articles whose titles and bodies use the searched words a varying number of
    /// times, so that the title's weight (10) and the lengths decide the order.
    fn store_with_articles() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("a.db")).unwrap();
        let words = [
            "harbour", "harbours", "calm", "the", "storm", "quay", "ships",
        ];
        {
            let conn = store.writer();
            let mut state: u64 = 11;
            let mut next = move |n: u64| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                (state >> 33) % n
            };
            let mut phrase = |len: u64| {
                (0..len)
                    .map(|_| words[next(words.len() as u64) as usize])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            for i in 0..450 {
                let title = phrase(1 + i % 4);
                let body = phrase(5 + (i * 7) % 60);
                conn.execute(
                    "INSERT INTO articles (id, body_hash, title, body, ingested_at)
                     VALUES (?1, ?1, ?2, ?3, 'now')",
                    rusqlite::params![format!("a{i:04}"), title, body],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO articles_fts (rowid, title, body)
                 SELECT pk, coalesce(title, ''), body FROM articles;",
            )
            .unwrap();
        }
        (dir, store)
    }

    #[test]
    fn ranked_windows_order_and_score_as_fts5_bm25_does() {
        let (_dir, store) = store_with_articles();
        for q in ["harbour", "calm storm", "the"] {
            let conn = store.reader().unwrap();
            let mut stmt = conn
                .prepare(
                    "SELECT a.id, bm25(articles_fts, 10.0, 1.0) FROM articles_fts AS f
                     JOIN articles AS a ON a.pk = f.rowid
                     WHERE articles_fts MATCH ?1 ORDER BY f.rowid DESC",
                )
                .unwrap();
            let all: Vec<(String, f64)> = stmt
                .query_map([fts_query(q).unwrap()], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(all.len() > RANKED_WINDOW, "{q}: several windows");
            let expected: Vec<(String, f64)> = all
                .chunks(RANKED_WINDOW)
                .flat_map(|window| {
                    let mut window = window.to_vec();
                    window.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                    window
                })
                .collect();
            let filter = ArticleFilter {
                q: Some(q.to_owned()),
                ..ArticleFilter::default()
            };
            let mut served = Vec::new();
            let mut after = None;
            loop {
                let page = store.list_articles(&filter, after.as_ref(), 60).unwrap();
                let Some(last) = page.last() else { break };
                after = Some(ListAfter::Rank {
                    window: last.rank_window.unwrap(),
                    rank: last.rank.unwrap(),
                    id: last.id.clone(),
                });
                served.extend(page.into_iter().map(|a| (a.id, a.rank.unwrap())));
            }
            assert_eq!(served.len(), expected.len(), "{q}");
            for ((id, rank), (want_id, want_rank)) in served.iter().zip(&expected) {
                assert_eq!(id, want_id, "{q}");
                assert!(
                    (rank - want_rank).abs() <= 1e-9 * want_rank.abs().max(1.0),
                    "{q}: {id} ranked {rank}, bm25() says {want_rank}"
                );
            }
        }
    }
}
