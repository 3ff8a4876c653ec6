//! The write path: an article with its quotes, entities and mentions goes in (or out)
//! in one transaction, through the single writer connection.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use tracing::instrument;

use super::entities::{entity_id, normalise_name};
use super::{OptionalRow, Store, StoreError, StoreResult};
use crate::extract::{EntityKind, Extraction, Span};

/// An article ready to store: the extractor's output plus the keys ingest computed.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub id: String,
    pub url: Option<String>,
    /// Normalised URL; two articles with the same one are the same article.
    pub url_key: Option<String>,
    /// Hash of the whitespace-normalised body; the duplicate key when there is no URL.
    pub body_hash: String,
    /// Sortable UTC form of the publication date, `""` when unknown.
    pub published_key: String,
    /// RFC 3339 UTC.
    pub ingested_at: String,
    pub extraction: Extraction,
}

/// What became of one article given to [`Store::insert_articles`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored under this id.
    Created(String),
    /// Already stored (same URL, or same body without a URL) under this id; nothing written.
    Duplicate(String),
}

/// One entity of an article after merging the extractor's entities that share a key.
struct ArticleEntity {
    kind: EntityKind,
    name: String,
    aliases: BTreeSet<String>,
    roles: BTreeSet<String>,
    mentions: BTreeSet<(usize, usize)>,
}

impl Store {
    /// Stores each article with its quotes and mentions, all in one transaction. One
    /// failure loses only that article.
    ///
    /// The batch is first written without savepoints: a savepoint per article makes FTS5
    /// flush its pending index at every article, which was a fifth of the time of a bulk
    /// load. Only when some article fails is the batch rolled back and written again with
    /// a savepoint per article, so that the failure is isolated.
    #[instrument(skip_all, fields(count = articles.len()))]
    pub fn insert_articles(
        &self,
        articles: &[NewArticle],
    ) -> StoreResult<Vec<StoreResult<InsertOutcome>>> {
        let mut conn = self.writer();
        {
            let tx = begin_write(&mut conn)?;
            let indexed = IndexedUpTo::read(&tx)?;
            let mut ids = ulid::Generator::new();
            let mut outcomes = Vec::with_capacity(articles.len());
            let mut failed = false;
            for article in articles {
                match insert_one(&tx, article, &mut ids) {
                    Ok(outcome) => outcomes.push(Ok(outcome)),
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            if !failed {
                indexed.index_new_rows(&tx)?;
                tx.commit()?;
                return Ok(outcomes);
            }
            // Dropping the transaction rolls the whole batch back.
        }
        let mut tx = begin_write(&mut conn)?;
        let indexed = IndexedUpTo::read(&tx)?;
        let mut ids = ulid::Generator::new();
        let mut outcomes = Vec::with_capacity(articles.len());
        for article in articles {
            let savepoint = tx.savepoint()?;
            let outcome = insert_one(&savepoint, article, &mut ids);
            // A savepoint dropped uncommitted rolls back: a failed article leaves nothing.
            if outcome.is_ok() {
                savepoint.commit()?;
            }
            outcomes.push(outcome);
        }
        indexed.index_new_rows(&tx)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Merges each full-text index into one segment, after a bulk load. Every batch
    /// leaves a segment behind, and a search (and above all a snippet's seek to one row)
    /// walks every segment: on 10,000 articles loaded in batches, a snippet cost 0.6 ms
    /// before and 0.03 ms after. Takes seconds on a large archive; readers go on meanwhile.
    #[instrument(skip_all)]
    pub fn optimize_search(&self) -> StoreResult<()> {
        let conn = self.writer();
        conn.execute_batch(
            "INSERT INTO articles_fts (articles_fts) VALUES ('optimize');
             INSERT INTO quotes_fts (quotes_fts) VALUES ('optimize');
             PRAGMA optimize;",
        )?;
        Ok(())
    }

    /// Deletes the article, its quotes and mentions, updates its entities' counts and
    /// drops entities no article names any more, in one transaction.
    #[instrument(skip_all)]
    pub fn delete_article(&self, id: &str) -> StoreResult<()> {
        let mut conn = self.writer();
        let tx = begin_write(&mut conn)?;
        let article_pk: i64 = tx
            .query_row("SELECT pk FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .found()?;
        tx.execute(
            "UPDATE entities SET
                 article_count = entities.article_count - 1,
                 mention_count = entities.mention_count - ae.mention_count
             FROM article_entities AS ae
             WHERE ae.article_pk = ?1 AND ae.entity_pk = entities.pk",
            [article_pk],
        )?;
        tx.execute(
            "UPDATE entities SET quote_count = entities.quote_count - q.n
             FROM (SELECT speaker_pk, count(*) AS n FROM quotes
                   WHERE article_pk = ?1 AND speaker_pk IS NOT NULL GROUP BY speaker_pk) AS q
             WHERE q.speaker_pk = entities.pk",
            [article_pk],
        )?;
        let touched: Vec<i64> = {
            let mut stmt =
                tx.prepare("SELECT entity_pk FROM article_entities WHERE article_pk = ?1")?;
            let rows = stmt.query_map([article_pk], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // Explicit deletes rather than ON DELETE CASCADE, so the FTS triggers fire.
        tx.execute("DELETE FROM quotes WHERE article_pk = ?1", [article_pk])?;
        tx.execute("DELETE FROM mentions WHERE article_pk = ?1", [article_pk])?;
        tx.execute(
            "DELETE FROM article_entities WHERE article_pk = ?1",
            [article_pk],
        )?;
        tx.execute("DELETE FROM articles WHERE pk = ?1", [article_pk])?;
        let mut orphan = tx.prepare("DELETE FROM entities WHERE pk = ?1 AND article_count <= 0")?;
        for entity_pk in touched {
            orphan.execute([entity_pk])?;
        }
        drop(orphan);
        tx.commit()?;
        Ok(())
    }
}

/// The highest article and quote pks before a batch: every row above them is new and
/// goes into the full-text indexes in one statement per table.
struct IndexedUpTo {
    article_pk: i64,
    quote_pk: i64,
}

impl IndexedUpTo {
    fn read(conn: &Connection) -> StoreResult<IndexedUpTo> {
        let max = |table: &str| -> rusqlite::Result<i64> {
            conn.prepare_cached(&format!("SELECT coalesce(max(pk), 0) FROM {table}"))?
                .query_row([], |r| r.get(0))
        };
        Ok(IndexedUpTo {
            article_pk: max("articles")?,
            quote_pk: max("quotes")?,
        })
    }

    fn index_new_rows(&self, tx: &Connection) -> StoreResult<()> {
        tx.prepare_cached(
            "INSERT INTO articles_fts (rowid, title, body)
             SELECT pk, coalesce(title, ''), body FROM articles WHERE pk > ?1",
        )?
        .execute([self.article_pk])?;
        tx.prepare_cached(
            "INSERT INTO quotes_fts (rowid, text) SELECT pk, text FROM quotes WHERE pk > ?1",
        )?
        .execute([self.quote_pk])?;
        Ok(())
    }
}

/// `BEGIN IMMEDIATE`: the write lock is taken at the start, waiting out another process's
/// write (`busy_timeout`). A deferred transaction that reads first and then writes gets
/// SQLITE_BUSY at once, without waiting, when another process committed in between.
fn begin_write(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}

fn insert_one(
    tx: &Connection,
    article: &NewArticle,
    ids: &mut ulid::Generator,
) -> StoreResult<InsertOutcome> {
    if let Some(existing) = find_duplicate(tx, article)? {
        return Ok(InsertOutcome::Duplicate(existing));
    }
    let x = &article.extraction;
    let (groups, group_of) = group_entities(x);
    let provenance =
        serde_json::to_string(&x.provenance).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO articles (id, url, url_key, body_hash, source, title, byline, published,
                               published_key, provenance, body, ingested_at, quote_count, entity_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
            article.id,
            article.url,
            article.url_key,
            article.body_hash,
            x.source,
            x.title,
            x.byline,
            x.published,
            article.published_key,
            provenance,
            x.body,
            article.ingested_at,
            x.quotes.len() as i64,
            groups.len() as i64,
        ])?;
    let article_pk = tx.last_insert_rowid();

    let mut entity_pks = Vec::with_capacity(groups.len());
    for group in &groups {
        entity_pks.push(upsert_entity(
            tx,
            article_pk,
            &article.published_key,
            group,
        )?);
    }

    let mut insert_quote = tx.prepare_cached(
        "INSERT INTO quotes (id, article_pk, ordinal, published_key, text, kind, speaker_pk, speaker_name,
                             speaker_start, speaker_end, cue, cue_start, cue_end,
                             span_start, span_end, sentence_start, sentence_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut quotes_by_speaker: HashMap<i64, i64> = HashMap::new();
    for (ordinal, quote) in x.quotes.iter().enumerate() {
        let speaker = quote.speaker.as_ref();
        let speaker_pk = speaker
            .and_then(|s| s.entity)
            .and_then(|e| group_of.get(e).copied())
            .map(|g| entity_pks[g]);
        if let Some(pk) = speaker_pk {
            *quotes_by_speaker.entry(pk).or_default() += 1;
        }
        let id = ids
            .generate()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        insert_quote.execute(params![
            format!("q_{}", id.to_string().to_ascii_lowercase()),
            article_pk,
            ordinal as i64,
            article.published_key,
            quote.text,
            quote.kind.as_str(),
            speaker_pk,
            speaker.map(|s| s.name.as_str()),
            speaker.map(|s| s.mention.start as i64),
            speaker.map(|s| s.mention.end as i64),
            quote.cue,
            quote.cue_span.map(|s| s.start as i64),
            quote.cue_span.map(|s| s.end as i64),
            quote.span.start as i64,
            quote.span.end as i64,
            quote.sentence.start as i64,
            quote.sentence.end as i64,
        ])?;
    }
    let mut count_quotes =
        tx.prepare_cached("UPDATE entities SET quote_count = quote_count + ?2 WHERE pk = ?1")?;
    for (pk, n) in quotes_by_speaker {
        count_quotes.execute([pk, n])?;
    }
    Ok(InsertOutcome::Created(article.id.clone()))
}

fn find_duplicate(tx: &Connection, article: &NewArticle) -> StoreResult<Option<String>> {
    let existing = match &article.url_key {
        Some(url_key) => tx
            .prepare_cached("SELECT id FROM articles WHERE url_key = ?1")?
            .query_row([url_key], |r| r.get(0))
            .optional()?,
        None => tx
            .prepare_cached("SELECT id FROM articles WHERE body_hash = ?1 ORDER BY pk LIMIT 1")?
            .query_row([&article.body_hash], |r| r.get(0))
            .optional()?,
    };
    Ok(existing)
}

/// Merges the extractor's entities that share a store key (type and normalised name):
/// returns the merged entities and, for each extracted entity, its merged index.
fn group_entities(x: &Extraction) -> (Vec<ArticleEntity>, Vec<usize>) {
    let mut groups: Vec<ArticleEntity> = Vec::new();
    let mut by_key: HashMap<(EntityKind, String), usize> = HashMap::new();
    let mut group_of = Vec::with_capacity(x.entities.len());
    for entity in &x.entities {
        let key = (entity.kind, normalise_name(&entity.name));
        let index = *by_key.entry(key).or_insert_with(|| {
            groups.push(ArticleEntity {
                kind: entity.kind,
                name: entity.name.trim().to_owned(),
                aliases: BTreeSet::new(),
                roles: BTreeSet::new(),
                mentions: BTreeSet::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[index];
        group.aliases.extend(
            entity
                .aliases
                .iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty()),
        );
        if entity.name.trim() != group.name {
            group.aliases.insert(entity.name.trim().to_owned());
        }
        group.roles.extend(
            entity
                .roles
                .iter()
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
        );
        group.mentions.extend(
            entity
                .mentions
                .iter()
                .filter(|s| valid_span(&x.body, **s))
                .map(|s| (s.start, s.end)),
        );
        group_of.push(index);
    }
    (groups, group_of)
}

/// Spans come from the extractor, which promises char boundaries; the store checks anyway
/// rather than keep a span that would break a client slicing the body.
fn valid_span(body: &str, span: Span) -> bool {
    span.start <= span.end && body.get(span.range()).is_some()
}

/// A normalised name from each of its word starts to its end: the keys a prefix search
/// of any word of the name finds it by (see `entity_words` in migration 002).
fn word_suffixes(key: &str) -> impl Iterator<Item = &str> {
    std::iter::once(0)
        .chain(key.match_indices(' ').map(|(i, _)| i + 1))
        .map(move |start| &key[start..])
        .filter(|suffix| !suffix.is_empty())
}

/// Finds or creates the entity by its unique key (so concurrent ingests converge on one
/// row), adds this article's aliases, roles, mentions and counts; returns its pk.
fn upsert_entity(
    tx: &Connection,
    article_pk: i64,
    published_key: &str,
    e: &ArticleEntity,
) -> StoreResult<i64> {
    let kind = e.kind.as_str();
    let name_key = normalise_name(&e.name);
    let mentions = e.mentions.len() as i64;
    let entity_pk: i64 = tx
        .prepare_cached(
            "INSERT INTO entities (id, type, name, name_key, article_count, mention_count)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)
         ON CONFLICT (type, name_key) DO UPDATE SET
             article_count = article_count + 1,
             mention_count = mention_count + excluded.mention_count
         RETURNING pk",
        )?
        .query_row(
            params![entity_id(kind, &e.name), kind, e.name, name_key, mentions],
            |r| r.get(0),
        )?;

    let mut alias = tx.prepare_cached(
        "INSERT INTO entity_aliases (entity_pk, alias_key, alias) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?;
    let mut word = tx.prepare_cached(
        "INSERT INTO entity_words (entity_pk, word_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for suffix in word_suffixes(&name_key) {
        word.execute(params![entity_pk, suffix])?;
    }
    for a in &e.aliases {
        let key = normalise_name(a);
        if key != name_key {
            alias.execute(params![entity_pk, key, a])?;
            for suffix in word_suffixes(&key) {
                word.execute(params![entity_pk, suffix])?;
            }
        }
    }
    let mut role = tx.prepare_cached(
        "INSERT INTO entity_roles (entity_pk, role_key, role) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for r in &e.roles {
        role.execute(params![entity_pk, normalise_name(r), r])?;
    }
    tx.prepare_cached(
        "INSERT INTO article_entities (article_pk, entity_pk, mention_count, published_key) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![article_pk, entity_pk, mentions, published_key])?;
    let mut mention = tx.prepare_cached(
        "INSERT INTO mentions (article_pk, entity_pk, start, end) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )?;
    for (start, end) in &e.mentions {
        mention.execute(params![article_pk, entity_pk, *start as i64, *end as i64])?;
    }
    Ok(entity_pk)
}
