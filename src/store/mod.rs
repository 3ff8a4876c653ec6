//! SQLite persistence: the schema and its embedded migrations, one writer connection
//! for every write, a pool of read connections, and queries named by intent.
//!
//! Every method blocks: callers on an async executor run them through `web::block`.
//! SQLite's "no rows" becomes [`StoreError::NotFound`] here and nowhere else.

mod articles;
mod entities;
mod fts5;
mod query;
mod quotes;
mod rank;
pub mod search;
mod snippet;
mod write;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::config::DatabaseSettings;

pub use articles::{ArticleFilter, ArticleRecord};
pub use entities::{
    entity_id, normalise_name, EntityAfter, EntityFilter, EntityRecord, EntitySort, MentionRecord,
};
pub use query::ListAfter;
pub use quotes::{QuoteFilter, QuoteRecord, SpeakerRef};
pub use write::{BulkLoad, InsertOutcome, NewArticle};

/// Page cache of the writer connection: writes touch index pages all over the file, and
/// 32 MiB keeps the hot ones in memory (SQLite's default is 2 MiB).
const WRITER_CACHE_KIB: i64 = 32_768;

/// Schema versions, oldest first; applied on open, never edited once released.
static MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/001_init.sql")),
    M::up(include_str!("migrations/002_scale.sql")),
    M::up(include_str!("migrations/004_ingest.sql")),
    M::up(include_str!("migrations/005_quote_sentences.sql")),
    M::up(include_str!("migrations/006_entity_lists.sql")),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Maps SQLite's "no rows" to [`StoreError::NotFound`]; the one place that does.
trait OptionalRow<T> {
    fn found(self) -> StoreResult<T>;
}

impl<T> OptionalRow<T> for rusqlite::Result<T> {
    fn found(self) -> StoreResult<T> {
        match self {
            Err(rusqlite::Error::QueryReturnedNoRows) => Err(StoreError::NotFound),
            other => other.map_err(StoreError::from),
        }
    }
}

/// A handle on the database; cheap to clone and share between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    readers: Pool<SqliteConnectionManager>,
    /// All writes go through this one connection, so writers never fight over SQLite's
    /// lock and a batch of articles can share one transaction.
    writer: Mutex<Connection>,
    /// The writer's memory of stored entities; locked after `writer`, never alone.
    entity_cache: Mutex<write::EntityCache>,
    /// Rows per search phrase, for ranking windows of matches (see [`rank`]).
    doc_frequencies: rank::DocFrequencies,
}

/// Prepared statements kept per connection: the write path (multi-row inserts of
/// several sizes among them) and the read queries each use about thirty, and
/// rusqlite's default cache holds sixteen, so it evicted statements in use.
const STATEMENT_CACHE: usize = 64;

impl Store {
    /// Opens (creating when missing) the database file, applies pending migrations and
    /// sets WAL mode, foreign keys and the busy timeout on every connection.
    pub fn open(settings: &DatabaseSettings) -> StoreResult<Store> {
        let path = &settings.path;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let busy = Duration::from_millis(settings.busy_timeout_ms);
        let reader_cache_kib = settings.reader_cache_kib;
        // Each connection is used by one thread at a time (the writer behind its mutex,
        // readers through the pool), so SQLite's own per-call mutex is pure overhead.
        let flags = OpenFlags::default()
            .difference(OpenFlags::SQLITE_OPEN_FULL_MUTEX)
            .union(OpenFlags::SQLITE_OPEN_NO_MUTEX);
        let mut writer = Connection::open_with_flags(path, flags)?;
        configure(&writer, busy)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        // Each article in a batch has a savepoint; its sub-journal was a hot spot in a
        // profile of `ingest` when written to a temporary file.
        writer.pragma_update(None, "temp_store", "MEMORY")?;
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Migrations::from_slice(MIGRATIONS).to_latest(&mut writer)?;
        // A bulk load killed part-way left indexes set aside: build them now.
        write::restore_deferred_indexes(&mut writer)?;

        // Readers are read-write connections told `query_only`: a read-only open of a WAL
        // file fails when the shared-memory file is not there yet.
        let manager = SqliteConnectionManager::file(path)
            .with_flags(flags)
            .with_init(move |conn| {
                configure(conn, busy)?;
                conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                // With `sqlite_stat4` (written by `PRAGMA optimize` after a load) SQLite
                // re-plans a cached statement whenever a value bound to an indexed column
                // changes, i.e. on nearly every list request; its plans here do not depend
                // on the values, so the stability guarantee keeps the prepared plan.
                conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
                fts5::register_phrase_instances(conn)?;
                // No `mmap_size`: mapping the file cut a point read's CPU by a sixth and
                // lists' by more, but every page a search touched stayed in the server's
                // RSS (1.1 GB after the load benchmark, against 150 MB allowed). A page
                // cache of its own per reader, bounded, does the same for the pages in it.
                conn.pragma_update(None, "cache_size", -i64::from(reader_cache_kib))?;
                conn.pragma_update(None, "query_only", "ON")
            });
        let readers = Pool::builder()
            .max_size(settings.pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            // A local file does not drop: a probe query on every checkout is pure cost.
            .test_on_check_out(false)
            .build(manager)?;
        Ok(Store {
            inner: Arc::new(Inner {
                readers,
                writer: Mutex::new(writer),
                entity_cache: Mutex::default(),
                doc_frequencies: rank::DocFrequencies::default(),
            }),
        })
    }

    /// A convenience for tests and tools: a database at `path` with default settings.
    pub fn open_path(path: &Path) -> StoreResult<Store> {
        Store::open(&DatabaseSettings {
            path: path.to_path_buf(),
            pool_size: 4,
            reader_cache_kib: 2048,
            busy_timeout_ms: 5000,
        })
    }

    /// Whether the database answers a query (for `/readyz`).
    pub fn ping(&self) -> StoreResult<()> {
        self.reader()?.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    fn reader(&self) -> StoreResult<PooledConnection<SqliteConnectionManager>> {
        Ok(self.inner.readers.get()?)
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half-written transaction behind
        // (it rolls back on drop), so the connection is still good to use.
        self.inner
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn configure(conn: &Connection, busy: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS)
            .validate()
            .expect("migrations apply to an empty database");
    }

    /// A database at `path` with only the first `applied` migrations, as an older release
    /// left it.
    fn older_database(path: &Path, applied: usize) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        Migrations::from_slice(&MIGRATIONS[..applied])
            .to_latest(&mut conn)
            .unwrap();
        conn
    }

    #[test]
    fn migration_5_copies_each_quotes_sentence_and_speaker_words_from_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let body = "Intro. \u{201c}Ça va,\u{201d} dit Zoë Émond. Fin.";
        let cut = |part: &str| {
            let start = body.find(part).unwrap() as i64;
            (start, start + part.len() as i64)
        };
        let (sentence, speaker) = (
            cut("\u{201c}Ça va,\u{201d} dit Zoë Émond."),
            cut("Zoë Émond"),
        );
        {
            let conn = older_database(&path, 3);
            conn.execute(
                "INSERT INTO articles (pk, id, body_hash, body, ingested_at)
                 VALUES (1, 'a_1', 'h', ?1, 'now')",
                [body],
            )
            .unwrap();
            for (id, mention) in [("q_1", Some(speaker)), ("q_2", None)] {
                conn.execute(
                    "INSERT INTO quotes (id, article_pk, ordinal, published_key, text, kind,
                                         speaker_name, speaker_start, speaker_end, span_start,
                                         span_end, sentence_start, sentence_end)
                     VALUES (?1, 1, 0, '', 'Ça va,', 'direct', 'Zoë Émond', ?2, ?3, 0, 1, ?4, ?5)",
                    rusqlite::params![
                        id,
                        mention.map(|m| m.0),
                        mention.map(|m| m.1),
                        sentence.0,
                        sentence.1
                    ],
                )
                .unwrap();
            }
        }
        let store = Store::open_path(&path).unwrap();
        let quote = store.quote("q_1").unwrap();
        assert_eq!(quote.sentence, "\u{201c}Ça va,\u{201d} dit Zoë Émond.");
        assert_eq!(
            quote.speaker_mention,
            Some(("Zoë Émond".to_owned(), speaker.0, speaker.1))
        );
        let quote = store.quote("q_2").unwrap();
        assert_eq!(quote.sentence, "\u{201c}Ça va,\u{201d} dit Zoë Émond.");
        assert_eq!(quote.speaker_mention, None);
    }

    #[test]
    fn migration_6_lists_each_entitys_aliases_and_roles_and_triggers_keep_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        {
            let conn = older_database(&path, 4);
            conn.execute_batch(
                "INSERT INTO entities (pk, id, type, name, name_key)
                 VALUES (1, 'e_1', 'person', 'Zoë Émond', 'zoe emond'),
                        (2, 'e_2', 'person', 'Ann Lee', 'ann lee');
                 INSERT INTO entity_aliases (entity_pk, alias_key, alias)
                 VALUES (1, 'emond', 'Émond'), (1, 'dr emond', 'Dr Émond');
                 INSERT INTO entity_roles (entity_pk, role_key, role)
                 VALUES (1, 'mayor', 'Mayor'), (1, 'author', 'author');",
            )
            .unwrap();
        }
        let store = Store::open_path(&path).unwrap();
        let zoe = store.entity("e_1").unwrap();
        assert_eq!(zoe.aliases, ["Dr Émond", "Émond"]);
        assert_eq!(zoe.roles, ["Mayor", "author"]);
        assert!(store.entity("e_2").unwrap().roles.is_empty());
        store
            .writer()
            .execute_batch(
                "INSERT INTO entity_roles (entity_pk, role_key, role) VALUES (2, 'judge', 'Judge');
                 INSERT INTO entity_roles (entity_pk, role_key, role) VALUES (1, 'mayor', 'MAYOR')
                 ON CONFLICT DO NOTHING;",
            )
            .unwrap();
        assert_eq!(store.entity("e_2").unwrap().roles, ["Judge"]);
        assert_eq!(store.entity("e_1").unwrap().roles, ["Mayor", "author"]);
    }

    #[test]
    fn opening_creates_the_folder_and_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/q.db");
        let store = Store::open_path(&path).unwrap();
        store.ping().unwrap();
        let mode: String = store
            .writer()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .reader()
            .unwrap()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
}
