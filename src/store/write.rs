//! The write path: an article with its quotes, entities and mentions goes in (or out)
//! in one transaction, through the single writer connection.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{LazyLock, MutexGuard};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension};
use tracing::instrument;

use super::entities::{entity_id, normalise_name};
use super::{OptionalRow, Store, StoreError, StoreResult, WRITER_CACHE_KIB};
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

/// One entity of an article after merging the extractor's entities that share a key,
/// with every key the store needs normalised.
struct ArticleEntity {
    kind: EntityKind,
    name: String,
    name_key: String,
    /// `(alias_key, alias)` for each alias whose key differs from `name_key`, first
    /// spelling (in sort order) of each key.
    aliases: Vec<(String, String)>,
    /// `(role_key, role)`, first spelling of each key.
    roles: Vec<(String, String)>,
    /// `(start, end)` byte offsets, sorted and distinct.
    mentions: Vec<(i64, i64)>,
}

/// Entities the writer connection has stored or found, remembered across batches so that
/// an article naming a known entity costs no lookup and no `INSERT ... ON CONFLICT` per
/// alias, role and word. Trusted only while no other connection has committed
/// (`PRAGMA data_version`) and nothing this connection wrote was rolled back.
#[derive(Default)]
pub(super) struct EntityCache {
    data_version: Option<i64>,
    entities: HashMap<(EntityKind, String), KnownEntity>,
}

/// An entity known to be stored, with the alias and role keys known to be stored for it
/// (the words of its name and of each alias go in with them).
struct KnownEntity {
    pk: i64,
    alias_keys: HashSet<String>,
    role_keys: HashSet<String>,
}

/// Enough entities for any archive's working set; past it the cache starts again, so its
/// memory stays bounded whatever the size of the corpus.
const MAX_CACHED_ENTITIES: usize = 100_000;

impl EntityCache {
    pub(super) fn clear(&mut self) {
        self.data_version = None;
        self.entities.clear();
    }

    /// Called inside each write transaction, before any write: forgets everything when
    /// another connection has committed since the last batch.
    fn revalidate(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let version: i64 = tx
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if self.data_version != Some(version) || self.entities.len() > MAX_CACHED_ENTITIES {
            self.entities.clear();
        }
        self.data_version = Some(version);
        Ok(())
    }
}

/// Additions to an entity's counts, summed over a batch and written once per entity.
#[derive(Debug, Default, Clone, Copy)]
struct CountDelta {
    articles: i64,
    mentions: i64,
    quotes: i64,
}

/// One write transaction's state: the entity cache, quote ids, and the count additions
/// not yet written.
struct Batch<'c> {
    cache: &'c mut EntityCache,
    ids: ulid::Generator,
    counts: HashMap<i64, CountDelta>,
    indexed: IndexedUpTo,
}

impl<'c> Batch<'c> {
    fn begin(tx: &Connection, cache: &'c mut EntityCache) -> StoreResult<Batch<'c>> {
        cache.revalidate(tx)?;
        Ok(Batch {
            cache,
            ids: ulid::Generator::new(),
            counts: HashMap::new(),
            indexed: IndexedUpTo::read(tx)?,
        })
    }

    /// Stores one article; its count additions join the batch's only when it succeeds.
    fn insert(&mut self, tx: &Connection, article: &NewArticle) -> StoreResult<InsertOutcome> {
        let mut counts = Vec::new();
        let outcome = insert_one(tx, article, self.cache, &mut self.ids, &mut counts);
        match &outcome {
            Ok(_) => {
                for (pk, delta) in counts {
                    let total = self.counts.entry(pk).or_default();
                    total.articles += delta.articles;
                    total.mentions += delta.mentions;
                    total.quotes += delta.quotes;
                }
            }
            // What the article wrote is rolled back, entities it created included.
            Err(_) => self.cache.clear(),
        }
        outcome
    }

    /// Writes the summed counts and indexes the new rows for full-text search.
    fn finish(self, tx: &Connection) -> StoreResult<()> {
        let mut update = tx.prepare_cached(
            "UPDATE entities SET article_count = article_count + ?2,
                                 mention_count = mention_count + ?3,
                                 quote_count = quote_count + ?4
             WHERE pk = ?1",
        )?;
        let mut counts: Vec<_> = self.counts.into_iter().collect();
        counts.sort_unstable_by_key(|(pk, _)| *pk);
        for (pk, d) in counts {
            update.execute([pk, d.articles, d.mentions, d.quotes])?;
        }
        self.indexed.index_new_rows(tx)
    }
}

impl Store {
    fn entity_cache(&self) -> MutexGuard<'_, EntityCache> {
        // The cache is cleared whenever a write fails, so a panic leaves nothing to trust
        // less than after any failure: clear it and go on.
        self.inner.entity_cache.lock().unwrap_or_else(|poisoned| {
            let mut cache = poisoned.into_inner();
            cache.clear();
            cache
        })
    }

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
        let mut cache = self.entity_cache();
        // Foreign keys are not enforced while a batch is written: every pk the batch
        // writes is one it has just inserted, or found under the write lock, so the
        // checks find nothing; and with them, each multi-row INSERT needs a statement
        // journal (SQLite cannot halt one part-way otherwise). Both cost a third of the
        // writer's time. `PRAGMA foreign_key_check` in the crash test keeps this honest.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let written = write_batch(&mut conn, &mut cache, articles);
        let enforced = conn.pragma_update(None, "foreign_keys", "ON");
        if written.is_err() {
            cache.clear();
        }
        let written = written?;
        enforced?;
        Ok(written)
    }

    /// Settings of the writer connection for a bulk load, kept until the returned guard
    /// is finished or dropped (see [`BulkLoad`]). Into an archive without quotes (a first
    /// load), the indexes in random key order are also set aside until the end.
    pub fn bulk_load(&self) -> StoreResult<BulkLoad<'_>> {
        let mut conn = self.writer();
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        conn.pragma_update(None, "wal_autocheckpoint", BULK_WAL_PAGES)?;
        let first_load: bool =
            conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM quotes)", [], |r| r.get(0))?;
        if first_load {
            defer_indexes(&mut conn)?;
        }
        Ok(BulkLoad {
            store: self,
            finished: false,
        })
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
        // The delete may drop entities the cache holds.
        self.entity_cache().clear();
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

/// Page cache of the writer during a bulk load: the indexes a batch touches all over
/// (quotes by date and by speaker) stay in memory between batches.
const BULK_CACHE_KIB: i64 = 65_536;
/// Page cache (and so sort memory) while the indexes a first load set aside are built.
const INDEX_BUILD_CACHE_KIB: i64 = 8_192;
/// WAL pages between checkpoints during a bulk load (256 MiB), where SQLite's default is
/// 1,000 (4 MiB). Each checkpoint copies every page written since the last one into the
/// database file and syncs both files; a page that many batches rewrite (an index leaf)
/// is then copied once rather than once per 4 MiB, and there are far fewer syncs.
const BULK_WAL_PAGES: i64 = 65_536;

/// The writer's bulk-load settings, in force until [`BulkLoad::finish`] (or drop): a
/// larger page cache, rarer checkpoints and, on a first load, the indexes of
/// [`DEFERRED_INDEXES`] set aside. Durability is what it always is (WAL,
/// `synchronous = NORMAL`): a committed batch survives the process being killed, and a
/// power cut loses at most the batches since the last sync, never the database. The WAL
/// may grow to 256 MiB meanwhile. A load killed part-way gets its indexes back when the
/// database is next opened.
pub struct BulkLoad<'s> {
    store: &'s Store,
    finished: bool,
}

impl BulkLoad<'_> {
    /// Builds the indexes set aside, restores the settings and folds the WAL into the
    /// database.
    pub fn finish(mut self) -> StoreResult<()> {
        self.finished = true;
        self.restore()
    }

    fn restore(&self) -> StoreResult<()> {
        let mut conn = self.store.writer();
        // Each sort that builds an index takes as much memory as the page cache: a small
        // one while they run keeps the peak of a load (146 MB with the usual cache on
        // 100,000 articles) well under what the load itself takes.
        conn.pragma_update(None, "cache_size", -INDEX_BUILD_CACHE_KIB)?;
        restore_deferred_indexes(&mut conn)?;
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        conn.pragma_update(None, "wal_autocheckpoint", 1000)?;
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

impl Drop for BulkLoad<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Err(e) = self.restore() {
            tracing::warn!(error = %e, "cannot restore the writer's settings after a bulk load");
        }
    }
}

/// Indexes whose keys arrive in random order during a load (dates, speakers, entities of
/// every article), so that each row inserted dirties a different page and every batch
/// rewrote most of them: on 100,000 articles, 22 GB written for a 1.9 GB database. A
/// first load drops them and builds each at its end in one sort. Every one of them
/// serves reads only; the write path never uses them.
const DEFERRED_INDEXES: [&str; 5] = [
    "quotes_by_published",
    "quotes_by_speaker",
    "quotes_by_unresolved_speaker",
    "article_entities_by_entity",
    "mentions_by_entity",
];

/// Drops the [`DEFERRED_INDEXES`] that exist, keeping their definitions in
/// `deferred_indexes` (migration 004) until [`restore_deferred_indexes`] builds them again.
fn defer_indexes(conn: &mut Connection) -> StoreResult<()> {
    let tx = begin_write(conn)?;
    for name in DEFERRED_INDEXES {
        let sql: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            tx.execute(
                "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?1, ?2)",
                [name, &sql],
            )?;
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Builds every index a bulk load set aside, if any: at the end of the load, or when a
/// database whose load was killed part-way is opened again.
pub(super) fn restore_deferred_indexes(conn: &mut Connection) -> StoreResult<()> {
    let pending: Vec<(String, String)> = {
        let mut stmt = conn.prepare("SELECT name, sql FROM deferred_indexes ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if pending.is_empty() {
        return Ok(());
    }
    // The sort of a large index spills to temporary files rather than to memory (the
    // writer's usual `temp_store`), so that memory stays bounded.
    conn.pragma_update(None, "temp_store", "FILE")?;
    let built = (|| -> StoreResult<()> {
        let tx = begin_write(conn)?;
        for (name, sql) in &pending {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1)",
                [name],
                |r| r.get(0),
            )?;
            if !exists {
                tx.execute_batch(sql)?;
            }
            tx.execute("DELETE FROM deferred_indexes WHERE name = ?1", [name])?;
        }
        tx.commit()?;
        Ok(())
    })();
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    built
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

    fn index_new_rows(self, tx: &Connection) -> StoreResult<()> {
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

/// The writes of [`Store::insert_articles`], on the writer connection.
fn write_batch(
    conn: &mut Connection,
    cache: &mut EntityCache,
    articles: &[NewArticle],
) -> StoreResult<Vec<StoreResult<InsertOutcome>>> {
    {
        let tx = begin_write(conn)?;
        let mut batch = Batch::begin(&tx, cache)?;
        let mut outcomes = Vec::with_capacity(articles.len());
        for article in articles {
            match batch.insert(&tx, article) {
                Ok(outcome) => outcomes.push(Ok(outcome)),
                Err(_) => break,
            }
        }
        if outcomes.len() == articles.len() {
            batch.finish(&tx)?;
            tx.commit()?;
            return Ok(outcomes);
        }
        // Dropping the transaction rolls the whole batch back (the failed article
        // cleared the cache).
    }
    let mut tx = begin_write(conn)?;
    let mut batch = Batch::begin(&tx, cache)?;
    let mut outcomes = Vec::with_capacity(articles.len());
    for article in articles {
        let savepoint = tx.savepoint()?;
        let outcome = batch.insert(&savepoint, article);
        // A savepoint dropped uncommitted rolls back: a failed article leaves nothing.
        if outcome.is_ok() {
            savepoint.commit()?;
        }
        outcomes.push(outcome);
    }
    batch.finish(&tx)?;
    tx.commit()?;
    Ok(outcomes)
}

/// `BEGIN IMMEDIATE`: the write lock is taken at the start, waiting out another process's
/// write (`busy_timeout`). A deferred transaction that reads first and then writes gets
/// SQLITE_BUSY at once, without waiting, when another process committed in between.
fn begin_write(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}

/// Multi-row `INSERT`s of a table: rows go in by chunks of 32, 16, ... 1 rows, so that
/// an article's mentions or quotes cost a few statements rather than one each, with at
/// most six statements per table in the connection's cache.
///
/// The statements say `OR FAIL`: a failing row stops the statement where it is instead
/// of undoing it, which spares SQLite a statement journal (a copy of every page the
/// statement touches); the article's own rollback undoes the rest.
struct MultiRowInsert {
    /// The statement for each of [`CHUNK_ROWS`], in order.
    sql: Vec<String>,
}

const CHUNK_ROWS: [usize; 6] = [32, 16, 8, 4, 2, 1];

impl MultiRowInsert {
    fn new(into: &str, columns: usize) -> MultiRowInsert {
        let row = format!("({})", vec!["?"; columns].join(", "));
        let sql = CHUNK_ROWS
            .iter()
            .map(|&n| format!("{into} VALUES {}", vec![row.as_str(); n].join(", ")))
            .collect();
        MultiRowInsert { sql }
    }

    fn insert<const N: usize>(
        &self,
        tx: &Connection,
        rows: &[[ToSqlOutput<'_>; N]],
    ) -> rusqlite::Result<()> {
        let mut rest = rows;
        while !rest.is_empty() {
            let (size, sql) = CHUNK_ROWS
                .iter()
                .zip(&self.sql)
                .find(|(&n, _)| n <= rest.len())
                .expect("a chunk of one row fits any rest");
            let (chunk, tail) = rest.split_at(*size);
            let mut statement = tx.prepare_cached(sql)?;
            for (i, value) in chunk.iter().flatten().enumerate() {
                statement.raw_bind_parameter(i + 1, value)?;
            }
            statement.raw_execute()?;
            rest = tail;
        }
        Ok(())
    }
}

static INSERT_QUOTES: LazyLock<MultiRowInsert> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR FAIL INTO quotes (id, article_pk, ordinal, published_key, text, kind, speaker_pk,
                             speaker_name, speaker_start, speaker_end, cue, cue_start, cue_end,
                             span_start, span_end, sentence_start, sentence_end, sentence,
                             speaker_words)",
        19,
    )
});
static INSERT_ARTICLE_ENTITIES: LazyLock<MultiRowInsert> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR FAIL INTO article_entities (article_pk, entity_pk, mention_count, published_key)",
        4,
    )
});
static INSERT_MENTIONS: LazyLock<MultiRowInsert> = LazyLock::new(|| {
    MultiRowInsert::new(
        "INSERT OR FAIL INTO mentions (article_pk, entity_pk, start, end)",
        4,
    )
});

fn int(value: i64) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(Value::Integer(value))
}

fn opt_int(value: Option<i64>) -> ToSqlOutput<'static> {
    value.map_or(ToSqlOutput::Owned(Value::Null), int)
}

fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

fn opt_text(value: Option<&str>) -> ToSqlOutput<'_> {
    value.map_or(ToSqlOutput::Owned(Value::Null), text)
}

fn insert_one(
    tx: &Connection,
    article: &NewArticle,
    cache: &mut EntityCache,
    ids: &mut ulid::Generator,
    counts: &mut Vec<(i64, CountDelta)>,
) -> StoreResult<InsertOutcome> {
    if let Some(existing) = find_duplicate(tx, article)? {
        return Ok(InsertOutcome::Duplicate(existing));
    }
    let x = &article.extraction;
    let (entities, entity_of) = group_entities(x);
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
            entities.len() as i64,
        ])?;
    let article_pk = tx.last_insert_rowid();

    let mut entity_pks = Vec::with_capacity(entities.len());
    for entity in &entities {
        let pk = known_entity(tx, cache, entity)?;
        entity_pks.push(pk);
        counts.push((
            pk,
            CountDelta {
                articles: 1,
                mentions: entity.mentions.len() as i64,
                quotes: 0,
            },
        ));
    }
    let published_key = text(&article.published_key);
    let links: Vec<[ToSqlOutput<'_>; 4]> = entities
        .iter()
        .zip(&entity_pks)
        .map(|(entity, &pk)| {
            [
                int(article_pk),
                int(pk),
                int(entity.mentions.len() as i64),
                published_key.clone(),
            ]
        })
        .collect();
    INSERT_ARTICLE_ENTITIES.insert(tx, &links)?;
    let mentions: Vec<[ToSqlOutput<'_>; 4]> = entities
        .iter()
        .zip(&entity_pks)
        .flat_map(|(entity, &pk)| {
            entity
                .mentions
                .iter()
                .map(move |&(start, end)| [int(article_pk), int(pk), int(start), int(end)])
        })
        .collect();
    INSERT_MENTIONS.insert(tx, &mentions)?;

    let mut quote_ids = Vec::with_capacity(x.quotes.len());
    for _ in &x.quotes {
        let id = ids
            .generate()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        quote_ids.push(format!("q_{}", id.to_string().to_ascii_lowercase()));
    }
    let mut quotes = Vec::with_capacity(x.quotes.len());
    for (ordinal, (quote, id)) in x.quotes.iter().zip(&quote_ids).enumerate() {
        let speaker = quote.speaker.as_ref();
        let speaker_pk = speaker
            .and_then(|s| s.entity)
            .and_then(|e| entity_of.get(e).copied())
            .map(|g| entity_pks[g]);
        if let Some(pk) = speaker_pk {
            counts.push((
                pk,
                CountDelta {
                    quotes: 1,
                    ..CountDelta::default()
                },
            ));
        }
        quotes.push([
            text(id),
            int(article_pk),
            int(ordinal as i64),
            published_key.clone(),
            text(&quote.text),
            text(quote.kind.as_str()),
            opt_int(speaker_pk),
            opt_text(speaker.map(|s| s.name.as_str())),
            opt_int(speaker.map(|s| s.mention.start as i64)),
            opt_int(speaker.map(|s| s.mention.end as i64)),
            opt_text(quote.cue.as_deref()),
            opt_int(quote.cue_span.map(|s| s.start as i64)),
            opt_int(quote.cue_span.map(|s| s.end as i64)),
            int(quote.span.start as i64),
            int(quote.span.end as i64),
            int(quote.sentence.start as i64),
            int(quote.sentence.end as i64),
            text(body_text(&x.body, quote.sentence)),
            opt_text(speaker.map(|s| body_text(&x.body, s.mention))),
        ]);
    }
    INSERT_QUOTES.insert(tx, &quotes)?;
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
    struct Group {
        kind: EntityKind,
        name: String,
        aliases: BTreeSet<String>,
        roles: BTreeSet<String>,
        mentions: BTreeSet<(usize, usize)>,
    }
    let mut groups: Vec<(String, Group)> = Vec::new();
    let mut by_key: HashMap<(EntityKind, String), usize> = HashMap::new();
    let mut group_of = Vec::with_capacity(x.entities.len());
    for entity in &x.entities {
        let name_key = normalise_name(&entity.name);
        let index = *by_key
            .entry((entity.kind, name_key.clone()))
            .or_insert_with(|| {
                groups.push((
                    name_key,
                    Group {
                        kind: entity.kind,
                        name: entity.name.trim().to_owned(),
                        aliases: BTreeSet::new(),
                        roles: BTreeSet::new(),
                        mentions: BTreeSet::new(),
                    },
                ));
                groups.len() - 1
            });
        let group = &mut groups[index].1;
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
    // The first spelling of each key wins, as `ON CONFLICT DO NOTHING` would keep it.
    let keyed = |values: BTreeSet<String>, skip: Option<&str>| -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        values
            .into_iter()
            .map(|value| (normalise_name(&value), value))
            .filter(|(key, _)| Some(key.as_str()) != skip && seen.insert(key.clone()))
            .collect()
    };
    let entities = groups
        .into_iter()
        .map(|(name_key, g)| ArticleEntity {
            kind: g.kind,
            aliases: keyed(g.aliases, Some(&name_key)),
            roles: keyed(g.roles, None),
            mentions: g
                .mentions
                .into_iter()
                .map(|(start, end)| (start as i64, end as i64))
                .collect(),
            name: g.name,
            name_key,
        })
        .collect();
    (entities, group_of)
}

/// Spans come from the extractor, which promises char boundaries; the store checks anyway
/// rather than keep a span that would break a client slicing the body.
fn valid_span(body: &str, span: Span) -> bool {
    span.start <= span.end && body.get(span.range()).is_some()
}

/// The words of `body` at `span`; empty when the span does not fall on its char boundaries.
fn body_text(body: &str, span: Span) -> &str {
    body.get(span.range()).unwrap_or_default()
}

/// A normalised name from each of its word starts to its end: the keys a prefix search
/// of any word of the name finds it by (see `entity_words` in migration 002).
fn word_suffixes(key: &str) -> impl Iterator<Item = &str> {
    std::iter::once(0)
        .chain(key.match_indices(' ').map(|(i, _)| i + 1))
        .map(move |start| &key[start..])
        .filter(|suffix| !suffix.is_empty())
}

/// The entity's pk, found or created by its unique key (so concurrent ingests converge
/// on one row), with this article's new aliases, roles and name words stored. Its counts
/// are the batch's to add ([`Batch::finish`]).
fn known_entity(tx: &Connection, cache: &mut EntityCache, e: &ArticleEntity) -> StoreResult<i64> {
    let key = (e.kind, e.name_key.clone());
    let known = match cache.entities.entry(key) {
        Entry::Occupied(entry) => entry.into_mut(),
        Entry::Vacant(entry) => {
            let kind = e.kind.as_str();
            let pk: i64 = tx
                .prepare_cached(
                    "INSERT INTO entities (id, type, name, name_key) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (type, name_key) DO UPDATE SET name_key = excluded.name_key
                     RETURNING pk",
                )?
                .query_row(
                    params![entity_id(kind, &e.name), kind, e.name, e.name_key],
                    |r| r.get(0),
                )?;
            insert_words(tx, pk, &e.name_key)?;
            entry.insert(KnownEntity {
                pk,
                alias_keys: HashSet::new(),
                role_keys: HashSet::new(),
            })
        }
    };
    for (key, alias) in &e.aliases {
        let stored = store_once(
            tx,
            "INSERT INTO entity_aliases (entity_pk, alias_key, alias) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            known.pk,
            &mut known.alias_keys,
            key,
            alias,
        )?;
        if stored {
            insert_words(tx, known.pk, key)?;
        }
    }
    for (key, role) in &e.roles {
        store_once(
            tx,
            "INSERT INTO entity_roles (entity_pk, role_key, role) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            known.pk,
            &mut known.role_keys,
            key,
            role,
        )?;
    }
    Ok(known.pk)
}

/// Runs `insert` (entity pk, key, value) for a key not in `stored`, the keys this writer
/// already wrote for the entity, and remembers it; whether it ran.
fn store_once(
    tx: &Connection,
    insert: &str,
    entity_pk: i64,
    stored: &mut HashSet<String>,
    key: &str,
    value: &str,
) -> rusqlite::Result<bool> {
    if stored.contains(key) {
        return Ok(false);
    }
    tx.prepare_cached(insert)?
        .execute(params![entity_pk, key, value])?;
    stored.insert(key.to_owned());
    Ok(true)
}

fn insert_words(tx: &Connection, entity_pk: i64, key: &str) -> rusqlite::Result<()> {
    let mut word = tx.prepare_cached(
        "INSERT INTO entity_words (entity_pk, word_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for suffix in word_suffixes(key) {
        word.execute(params![entity_pk, suffix])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Entity, Provenance, Quote, QuoteKind, Speaker};

    /// An article naming one person, who says one thing.
    fn article(n: usize, person: &str) -> NewArticle {
        let body = format!("{person} said \u{201c}plan {n} goes ahead\u{201d} on Monday.");
        let name = Span::new(0, person.len());
        let open = body.find('\u{201c}').unwrap() + '\u{201c}'.len_utf8();
        let close = body.find('\u{201d}').unwrap();
        NewArticle {
            id: format!("a_test{n}"),
            url: None,
            url_key: Some(format!("example.org/{n}")),
            body_hash: format!("hash{n}"),
            published_key: format!("2024-01-{:02}T00:00:00Z", n + 1),
            ingested_at: "2026-01-01T00:00:00Z".into(),
            extraction: Extraction {
                title: Some(format!("Plan {n}")),
                byline: None,
                published: None,
                source: None,
                url: None,
                provenance: Provenance::default(),
                quotes: vec![Quote {
                    text: body[open..close].to_owned(),
                    span: Span::new(open, close),
                    kind: QuoteKind::Direct,
                    speaker: Some(Speaker {
                        name: person.into(),
                        entity: Some(0),
                        mention: name,
                    }),
                    cue: Some("said".into()),
                    cue_span: Some(Span::new(person.len() + 1, person.len() + 5)),
                    sentence: Span::new(0, body.len()),
                }],
                entities: vec![Entity {
                    name: person.into(),
                    kind: EntityKind::Person,
                    aliases: vec![person.rsplit(' ').next().unwrap().into()],
                    roles: vec!["minister".into()],
                    mentions: vec![name],
                    gender: None,
                }],
                body,
            },
        }
    }

    fn counts(store: &Store, name_key: &str) -> Vec<(i64, i64, i64)> {
        let conn = store.writer();
        let mut stmt = conn
            .prepare(
                "SELECT article_count, mention_count, quote_count FROM entities WHERE name_key = ?1",
            )
            .unwrap();
        let rows = stmt
            .query_map([name_key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn a_known_entity_is_written_once_and_counted_per_article() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("w.db")).unwrap();
        for batch in [[0, 1], [2, 3]] {
            let articles: Vec<_> = batch.iter().map(|&n| article(n, "Ana Silva")).collect();
            for outcome in store.insert_articles(&articles).unwrap() {
                assert!(matches!(outcome, Ok(InsertOutcome::Created(_))));
            }
        }
        assert_eq!(counts(&store, "ana silva"), [(4, 4, 4)]);
        let conn = store.writer();
        let stored = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(stored("SELECT count(*) FROM entity_aliases"), 1);
        assert_eq!(stored("SELECT count(*) FROM entity_roles"), 1);
        assert_eq!(stored("SELECT count(*) FROM entity_words"), 2);
        assert_eq!(stored("SELECT count(*) FROM mentions"), 4);
    }

    fn index_names(store: &Store) -> Vec<String> {
        let conn = store.writer();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn a_first_load_builds_its_deferred_indexes_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("w.db")).unwrap();
        let all = index_names(&store);
        let bulk = store.bulk_load().unwrap();
        let during = index_names(&store);
        for name in DEFERRED_INDEXES {
            assert!(all.iter().any(|n| n == name), "{name} is in the schema");
            assert!(!during.iter().any(|n| n == name), "{name} is set aside");
        }
        store.insert_articles(&[article(0, "Ana Silva")]).unwrap();
        bulk.finish().unwrap();
        assert_eq!(index_names(&store), all);

        // Into an archive that holds quotes, a load keeps every index.
        let bulk = store.bulk_load().unwrap();
        assert_eq!(index_names(&store), all);
        bulk.finish().unwrap();
    }

    #[test]
    fn a_load_killed_part_way_gets_its_indexes_back_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let all = {
            let store = Store::open_path(&path).unwrap();
            let all = index_names(&store);
            // As if the process died: the guard never restores anything.
            std::mem::forget(store.bulk_load().unwrap());
            assert!(index_names(&store).len() < all.len());
            all
        };
        let store = Store::open_path(&path).unwrap();
        assert_eq!(index_names(&store), all);
        let pending: i64 = store
            .writer()
            .query_row("SELECT count(*) FROM deferred_indexes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(pending, 0);
    }

    /// The cache must not outlive what another connection (another process) changed: here
    /// the entity the first store knows is deleted through a second one, then named again.
    #[test]
    fn an_entity_deleted_elsewhere_is_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let first = Store::open_path(&path).unwrap();
        let second = Store::open_path(&path).unwrap();
        first.insert_articles(&[article(0, "Ana Silva")]).unwrap();
        second.delete_article("a_test0").unwrap();
        assert_eq!(counts(&first, "ana silva"), []);

        let outcome = first.insert_articles(&[article(1, "Ana Silva")]).unwrap();
        assert!(matches!(outcome[0], Ok(InsertOutcome::Created(_))));
        assert_eq!(counts(&first, "ana silva"), [(1, 1, 1)]);
        let conn = first.writer();
        let violations: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(violations, 0);
        let aliases: i64 = conn
            .query_row("SELECT count(*) FROM entity_aliases", [], |r| r.get(0))
            .unwrap();
        assert_eq!(aliases, 1, "the alias is stored again with the new entity");
    }
}
