//! Article reads: one by id, and keyset-paged lists by date or by full-text rank.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Row};
use tracing::instrument;

use super::query::{text, Conditions};
use super::search::fts_query;
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

/// Where the next page starts: after this item in the list's order.
#[derive(Debug, Clone, PartialEq)]
pub enum ArticleAfter {
    /// Newest first, then id descending.
    Date { published_key: String, id: String },
    /// Best bm25 rank first, then id descending.
    Rank { rank: f64, id: String },
}

const COLUMNS: &str =
    "a.id, a.url, a.source, a.title, a.byline, a.published, a.published_key, a.provenance,
     a.ingested_at, a.quote_count, a.entity_count";

fn article_from_row(
    row: &Row<'_>,
    with_body: bool,
    with_rank: bool,
) -> rusqlite::Result<ArticleRecord> {
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
        body: if with_body { Some(row.get(11)?) } else { None },
        rank: if with_rank { Some(row.get(11)?) } else { None },
    })
}

impl Store {
    #[instrument(skip_all)]
    pub fn article(&self, id: &str) -> StoreResult<ArticleRecord> {
        let conn = self.reader()?;
        let sql = format!("SELECT {COLUMNS}, a.body FROM articles AS a WHERE a.id = ?1");
        let article = conn
            .prepare_cached(&sql)?
            .query_row([id], |row| article_from_row(row, true, false))
            .found()?;
        Ok(article)
    }

    /// One page (at most `limit` items) of articles matching `filter`, after `after`.
    #[instrument(skip_all, fields(limit))]
    pub fn list_articles(
        &self,
        filter: &ArticleFilter,
        after: Option<&ArticleAfter>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleRecord>> {
        let mut cond = Conditions::default();
        cond.push_eq("a.source", filter.source.as_deref());
        cond.push_eq("a.byline", filter.byline.as_deref());
        if let Some(after) = &filter.published_after {
            cond.push("a.published_key >= ?", [text(after)]);
        }
        if let Some(before) = &filter.published_before {
            cond.push(
                "a.published_key <> '' AND a.published_key < ?",
                [text(before)],
            );
        }
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
                if let Some(ArticleAfter::Date { published_key, id }) = after {
                    cond.push(
                        "(a.published_key, a.id) < (?, ?)",
                        [text(published_key), text(id)],
                    );
                }
                let sql = format!(
                    "SELECT {COLUMNS} FROM articles AS a {} ORDER BY a.published_key DESC, a.id DESC LIMIT {limit}",
                    cond.where_sql()
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params_from_iter(cond.into_params()), |r| {
                    article_from_row(r, false, false)
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Some(q) => {
                let Some(fts) = fts_query(q) else {
                    return Ok(Vec::new());
                };
                let mut params = vec![Value::Text(fts)];
                let mut outer = String::new();
                if let Some(ArticleAfter::Rank { rank, id }) = after {
                    outer = "WHERE rank > ? OR (rank = ? AND id < ?)".to_owned();
                    params.extend([Value::Real(*rank), Value::Real(*rank), text(id)]);
                }
                let inner_where = cond.where_sql().replacen("WHERE", "AND", 1);
                let mut all = vec![params.remove(0)];
                all.extend(cond.into_params());
                all.extend(params);
                let sql = format!(
                    "SELECT * FROM (
                         SELECT {COLUMNS}, bm25(articles_fts, 10.0, 1.0) AS rank
                         FROM articles_fts JOIN articles AS a ON a.pk = articles_fts.rowid
                         WHERE articles_fts MATCH ? {inner_where}
                     ) {outer} ORDER BY rank, id DESC LIMIT {limit}"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows =
                    stmt.query_map(params_from_iter(all), |r| article_from_row(r, false, true))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
        }
    }
}
