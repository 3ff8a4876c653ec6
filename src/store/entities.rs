//! Entity keys and reads: one entity per (type, normalised canonical name) across the
//! whole archive, with the aliases and roles every article added.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Row};
use sha2::{Digest, Sha256};
use tracing::instrument;

use super::articles::{ArticleFilter, ArticleRecord};
use super::query::{column_count, text, Conditions};
use super::{OptionalRow, Store, StoreResult};

/// The form two names must share to be the same entity: case-folded, whitespace
/// collapsed, and dots dropped ("U.S." and "US" agree).
pub fn normalise_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The public id of an entity: `e_` + a hash of its type and normalised name, so the same
/// entity has the same id in every database.
pub fn entity_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\u{0}{}", normalise_name(name)).as_bytes());
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("e_{hex}")
}

/// An entity with what every article added to it.
#[derive(Debug, Clone)]
pub struct EntityRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    pub article_count: i64,
    pub mention_count: i64,
    pub quote_count: i64,
    /// Earliest and latest publication date of the articles naming it (single entity only).
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Normalised name, the `name` sort key.
    pub name_key: String,
}

/// An entity as named in one article: how often, and where.
#[derive(Debug, Clone)]
pub struct MentionRecord {
    pub entity: EntityRecord,
    pub mention_count: i64,
    /// Byte spans into the article body, in order.
    pub spans: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitySort {
    /// Most mentioned first, then id.
    Mentions,
    /// By normalised name, then id.
    Name,
}

#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub kind: Option<String>,
    /// Prefix of the name, of any word of it, or of an alias.
    pub q: Option<String>,
}

/// Where the next page of entities starts.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityAfter {
    Mentions { mention_count: i64, id: String },
    Name { name_key: String, id: String },
}

const COLUMNS: &str = "e.pk, e.id, e.name, e.type, e.article_count, e.mention_count, e.quote_count,
     e.name_key, e.aliases, e.roles";

fn entity_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, EntityRecord)> {
    Ok((
        row.get(0)?,
        EntityRecord {
            id: row.get(1)?,
            name: row.get(2)?,
            kind: row.get(3)?,
            article_count: row.get(4)?,
            mention_count: row.get(5)?,
            quote_count: row.get(6)?,
            name_key: row.get(7)?,
            aliases: sorted_list(row, 8)?,
            roles: sorted_list(row, 9)?,
            first_seen: None,
            last_seen: None,
        },
    ))
}

/// A JSON array of strings (an entity's aliases or roles, in the order stored), sorted
/// bytewise as SQLite's BINARY collation sorts.
fn sorted_list(row: &Row<'_>, column: usize) -> rusqlite::Result<Vec<String>> {
    let json = row.get_ref(column)?.as_str()?;
    let mut list: Vec<String> = serde_json::from_str(json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
    })?;
    list.sort_unstable();
    Ok(list)
}

impl Store {
    #[instrument(skip_all)]
    pub fn entity(&self, id: &str) -> StoreResult<EntityRecord> {
        let conn = self.reader()?;
        let sql = format!("SELECT {COLUMNS} FROM entities AS e WHERE e.id = ?1");
        let (pk, mut entity) = conn.query_row(&sql, [id], entity_from_row).found()?;
        let (first, last) = self.seen_range(&conn, pk)?;
        entity.first_seen = first;
        entity.last_seen = last;
        Ok(entity)
    }

    fn seen_range(
        &self,
        conn: &Connection,
        entity_pk: i64,
    ) -> StoreResult<(Option<String>, Option<String>)> {
        let pick = |order: &str| -> rusqlite::Result<Option<String>> {
            let sql = format!(
                "SELECT a.published FROM article_entities AS ae JOIN articles AS a ON a.pk = ae.article_pk
                 WHERE ae.entity_pk = ?1 AND a.published_key <> '' ORDER BY a.published_key {order} LIMIT 1"
            );
            match conn.query_row(&sql, [entity_pk], |r| r.get(0)) {
                Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
                other => other,
            }
        };
        Ok((pick("ASC")?, pick("DESC")?))
    }

    /// One page of entities matching `filter` in `sort` order, after `after`.
    #[instrument(skip_all, fields(limit))]
    pub fn list_entities(
        &self,
        filter: &EntityFilter,
        sort: EntitySort,
        after: Option<&EntityAfter>,
        limit: usize,
    ) -> StoreResult<Vec<EntityRecord>> {
        let mut cond = Conditions::default();
        cond.push_eq("e.type", filter.kind.as_deref());
        if let Some(q) = filter
            .q
            .as_deref()
            .map(normalise_name)
            .filter(|q| !q.is_empty())
        {
            // Every word start of every name and alias is a key in `entity_words`, so a
            // prefix of any of them is one index range: [q, q + the last code point).
            cond.push(
                "e.pk IN (SELECT entity_pk FROM entity_words WHERE word_key >= ? AND word_key < ?)",
                [text(&q), text(&format!("{q}{}", char::MAX))],
            );
        }
        let order = match (sort, after) {
            (EntitySort::Mentions, Some(EntityAfter::Mentions { mention_count, id })) => {
                cond.push(
                    "(e.mention_count < ? OR (e.mention_count = ? AND e.id > ?))",
                    [
                        Value::Integer(*mention_count),
                        Value::Integer(*mention_count),
                        text(id),
                    ],
                );
                "e.mention_count DESC, e.id"
            }
            (EntitySort::Name, Some(EntityAfter::Name { name_key, id })) => {
                cond.push("(e.name_key, e.id) > (?, ?)", [text(name_key), text(id)]);
                "e.name_key, e.id"
            }
            (EntitySort::Mentions, _) => "e.mention_count DESC, e.id",
            (EntitySort::Name, _) => "e.name_key, e.id",
        };
        let conn = self.reader()?;
        let sql = format!(
            "SELECT {COLUMNS} FROM entities AS e {} ORDER BY {order} LIMIT {limit}",
            cond.where_sql()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(cond.into_params()), |row| {
                entity_from_row(row).map(|(_, entity)| entity)
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The entities an article names, most mentioned first, with their spans.
    /// `NotFound` when the article does not exist.
    #[instrument(skip_all)]
    pub fn article_entities(&self, article_id: &str) -> StoreResult<Vec<MentionRecord>> {
        let conn = self.reader()?;
        let article_pk: i64 = conn
            .query_row("SELECT pk FROM articles WHERE id = ?1", [article_id], |r| {
                r.get(0)
            })
            .found()?;
        let sql = format!(
            "SELECT {COLUMNS}, ae.mention_count FROM article_entities AS ae JOIN entities AS e ON e.pk = ae.entity_pk
             WHERE ae.article_pk = ?1 ORDER BY ae.mention_count DESC, e.name_key, e.id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut counts = Vec::new();
        let rows: Vec<(i64, EntityRecord)> = stmt
            .query_map([article_pk], |r| {
                counts.push(r.get::<_, i64>(column_count(COLUMNS))?);
                entity_from_row(r)
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut spans: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT entity_pk, start, end FROM mentions WHERE article_pk = ?1 ORDER BY start, end",
        )?;
        let mut mention_rows = stmt.query([article_pk])?;
        while let Some(row) = mention_rows.next()? {
            spans
                .entry(row.get(0)?)
                .or_default()
                .push((row.get(1)?, row.get(2)?));
        }
        Ok(rows
            .into_iter()
            .zip(counts)
            .map(|((pk, entity), mention_count)| MentionRecord {
                spans: spans.remove(&pk).unwrap_or_default(),
                entity,
                mention_count,
            })
            .collect())
    }

    /// One page of the articles naming an entity, newest first; `NotFound` for an unknown entity.
    #[instrument(skip_all, fields(limit))]
    pub fn entity_articles(
        &self,
        entity_id: &str,
        after: Option<&super::ListAfter>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleRecord>> {
        self.reader()?
            .query_row("SELECT pk FROM entities WHERE id = ?1", [entity_id], |r| {
                r.get::<_, i64>(0)
            })
            .found()?;
        let filter = ArticleFilter {
            naming_entity: Some(entity_id.to_owned()),
            ..ArticleFilter::default()
        };
        self.list_articles(&filter, after, limit)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_in_case_space_and_dots_share_a_key() {
        assert_eq!(normalise_name("  Jens   STOLTENBERG "), "jens stoltenberg");
        assert_eq!(normalise_name("U.S."), normalise_name("us"));
    }

    #[test]
    fn entity_ids_are_stable_and_typed() {
        assert_eq!(
            entity_id("person", "Jens Stoltenberg"),
            entity_id("person", "jens  stoltenberg")
        );
        assert_ne!(
            entity_id("person", "Jordan"),
            entity_id("location", "Jordan")
        );
        assert!(entity_id("person", "X").starts_with("e_"));
    }
}
