//! Quote reads: one by id, and keyset-paged lists by date or by full-text rank, with the
//! speaker, the sentence and the article each quote stands in.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Row};
use tracing::instrument;

use super::entities::normalise_name;
use super::query::{text, Conditions};
use super::search::fts_query;
use super::{OptionalRow, Store, StoreResult};

/// A quote as stored, joined with its speaker and article.
#[derive(Debug, Clone)]
pub struct QuoteRecord {
    pub id: String,
    pub text: String,
    pub kind: String,
    /// The speaker entity's id, name and type, when the speaker is a known entity.
    pub speaker_id: Option<String>,
    pub speaker_type: Option<String>,
    /// The speaker's canonical name (also without an entity, when the extractor named one).
    pub speaker_name: Option<String>,
    /// The words naming the speaker at this quote, and their byte span in the body.
    pub speaker_mention: Option<(String, i64, i64)>,
    pub cue: Option<String>,
    pub cue_span: Option<(i64, i64)>,
    pub span: (i64, i64),
    pub sentence: String,
    pub sentence_span: (i64, i64),
    pub article_id: String,
    pub article_title: Option<String>,
    pub article_url: Option<String>,
    pub article_published: Option<String>,
    pub published_key: String,
    /// With a text search: bm25 rank (lower is better) and a snippet with `<mark>`s.
    pub rank: Option<f64>,
    pub snippet: Option<String>,
}

/// How the `speaker` filter names the speaker.
#[derive(Debug, Clone)]
pub enum SpeakerRef {
    EntityId(String),
    /// Matched case-insensitively against canonical names and aliases.
    Name(String),
}

/// Filters of the quote lists.
#[derive(Debug, Clone, Default)]
pub struct QuoteFilter {
    pub speaker: Option<SpeakerRef>,
    pub article_id: Option<String>,
    /// Kinds to include; empty means all.
    pub kinds: Vec<String>,
    pub q: Option<String>,
    pub published_after: Option<String>,
    pub published_before: Option<String>,
    /// Only quotes whose text mentions this entity (by id).
    pub about: Option<String>,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum QuoteAfter {
    /// Newest article first, then quote id ascending.
    Date { published_key: String, id: String },
    /// Best bm25 rank first, then quote id ascending.
    Rank { rank: f64, id: String },
}

/// Byte-exact slices of the body: SQLite's `substr` counts characters on text, bytes on blobs.
const COLUMNS: &str = "q.id, q.text, q.kind, e.id, e.type, coalesce(e.name, q.speaker_name),
     CASE WHEN q.speaker_start IS NULL THEN NULL
          ELSE CAST(substr(CAST(a.body AS BLOB), q.speaker_start + 1, q.speaker_end - q.speaker_start) AS TEXT) END,
     q.speaker_start, q.speaker_end, q.cue, q.cue_start, q.cue_end, q.span_start, q.span_end,
     CAST(substr(CAST(a.body AS BLOB), q.sentence_start + 1, q.sentence_end - q.sentence_start) AS TEXT),
     q.sentence_start, q.sentence_end, a.id, a.title, a.url, a.published, q.published_key";

const JOINS: &str =
    "JOIN articles AS a ON a.pk = q.article_pk LEFT JOIN entities AS e ON e.pk = q.speaker_pk";

fn quote_from_row(row: &Row<'_>, searched: bool) -> rusqlite::Result<QuoteRecord> {
    let mention_text: Option<String> = row.get(6)?;
    let mention_start: Option<i64> = row.get(7)?;
    let mention_end: Option<i64> = row.get(8)?;
    let cue_start: Option<i64> = row.get(10)?;
    let cue_end: Option<i64> = row.get(11)?;
    Ok(QuoteRecord {
        id: row.get(0)?,
        text: row.get(1)?,
        kind: row.get(2)?,
        speaker_id: row.get(3)?,
        speaker_type: row.get(4)?,
        speaker_name: row.get(5)?,
        speaker_mention: match (mention_text, mention_start, mention_end) {
            (Some(t), Some(s), Some(e)) => Some((t, s, e)),
            _ => None,
        },
        cue: row.get(9)?,
        cue_span: cue_start.zip(cue_end),
        span: (row.get(12)?, row.get(13)?),
        sentence: row.get::<_, Option<String>>(14)?.unwrap_or_default(),
        sentence_span: (row.get(15)?, row.get(16)?),
        article_id: row.get(17)?,
        article_title: row.get(18)?,
        article_url: row.get(19)?,
        article_published: row.get(20)?,
        published_key: row.get(21)?,
        rank: if searched { Some(row.get(22)?) } else { None },
        snippet: if searched { Some(row.get(23)?) } else { None },
    })
}

impl Store {
    #[instrument(skip_all)]
    pub fn quote(&self, id: &str) -> StoreResult<QuoteRecord> {
        let conn = self.reader()?;
        let sql = format!("SELECT {COLUMNS} FROM quotes AS q {JOINS} WHERE q.id = ?1");
        conn.query_row(&sql, [id], |row| quote_from_row(row, false))
            .found()
    }

    /// One page (at most `limit` items) of quotes matching `filter`, after `after`.
    #[instrument(skip_all, fields(limit))]
    pub fn list_quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<&QuoteAfter>,
        limit: usize,
    ) -> StoreResult<Vec<QuoteRecord>> {
        let mut cond = Conditions::default();
        match &filter.speaker {
            Some(SpeakerRef::EntityId(id)) => cond.push(
                "q.speaker_pk = (SELECT pk FROM entities WHERE id = ?)",
                [text(id)],
            ),
            Some(SpeakerRef::Name(name)) => {
                let key = normalise_name(name);
                cond.push(
                    "(q.speaker_pk IN (SELECT pk FROM entities WHERE name_key = ?
                                       UNION SELECT entity_pk FROM entity_aliases WHERE alias_key = ?)
                      OR (q.speaker_pk IS NULL AND lower(q.speaker_name) = lower(?)))",
                    [text(&key), text(&key), text(name.trim())],
                );
            }
            None => {}
        }
        cond.push_eq("a.id", filter.article_id.as_deref());
        if !filter.kinds.is_empty() {
            let marks = vec!["?"; filter.kinds.len()].join(", ");
            cond.push(
                &format!("q.kind IN ({marks})"),
                filter.kinds.iter().map(|k| text(k)),
            );
        }
        if let Some(after) = &filter.published_after {
            cond.push("q.published_key >= ?", [text(after)]);
        }
        if let Some(before) = &filter.published_before {
            cond.push(
                "q.published_key <> '' AND q.published_key < ?",
                [text(before)],
            );
        }
        if let Some(entity) = &filter.about {
            cond.push(
                "EXISTS (SELECT 1 FROM mentions AS m
                         WHERE m.article_pk = q.article_pk
                           AND m.entity_pk = (SELECT pk FROM entities WHERE id = ?)
                           AND m.start >= q.span_start AND m.end <= q.span_end)",
                [text(entity)],
            );
        }
        let conn = self.reader()?;
        match &filter.q {
            None => {
                if let Some(QuoteAfter::Date { published_key, id }) = after {
                    cond.push(
                        "(q.published_key < ? OR (q.published_key = ? AND q.id > ?))",
                        [text(published_key), text(published_key), text(id)],
                    );
                }
                let sql = format!(
                    "SELECT {COLUMNS} FROM quotes AS q {JOINS} {} ORDER BY q.published_key DESC, q.id LIMIT {limit}",
                    cond.where_sql()
                );
                let mut stmt = conn.prepare(&sql)?;
                let rows = stmt.query_map(params_from_iter(cond.into_params()), |r| {
                    quote_from_row(r, false)
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Some(q) => {
                let Some(fts) = fts_query(q) else {
                    return Ok(Vec::new());
                };
                let inner_where = cond.where_sql().replacen("WHERE", "AND", 1);
                let mut params = vec![Value::Text(fts)];
                params.extend(cond.into_params());
                let mut outer = String::new();
                if let Some(QuoteAfter::Rank { rank, id }) = after {
                    outer = "WHERE rank > ? OR (rank = ? AND qid > ?)".to_owned();
                    params.extend([Value::Real(*rank), Value::Real(*rank), text(id)]);
                }
                let sql = format!(
                    "SELECT * FROM (
                         SELECT {COLUMNS}, bm25(quotes_fts) AS rank,
                                snippet(quotes_fts, 0, '<mark>', '</mark>', '…', 16) AS snippet, q.id AS qid
                         FROM quotes_fts JOIN quotes AS q ON q.pk = quotes_fts.rowid {JOINS}
                         WHERE quotes_fts MATCH ? {inner_where}
                     ) {outer} ORDER BY rank, qid LIMIT {limit}"
                );
                let mut stmt = conn.prepare(&sql)?;
                let rows = stmt.query_map(params_from_iter(params), |r| quote_from_row(r, true))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
        }
    }
}
