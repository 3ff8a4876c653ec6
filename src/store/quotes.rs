//! Quote reads: one by id, and keyset-paged lists by date or by full-text rank, with the
//! speaker, the sentence and the article each quote stands in.

use std::sync::LazyLock;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use tracing::instrument;

use super::entities::normalise_name;
use super::fts5::Unicode61;
use super::query::{column_count, json_keys, text, Conditions, ListAfter};
use super::rank::{bm25_for, ranked_page, windows_sql, Bm25, Ranked, Ties};
use super::search::{self, fts_query};
use super::snippet::{snippet, Style};
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
    /// With a text search: the window of ranked matches the quote was ranked in.
    pub rank_window: Option<i64>,
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

impl QuoteRecord {
    /// Where a list that ended with this quote resumes: its rank key under a search,
    /// its date key otherwise.
    pub fn resume_after(&self) -> ListAfter {
        ListAfter::resume(self.rank, self.rank_window, &self.published_key, &self.id)
    }
}

/// A quote's own columns (its sentence and speaker's words among them), its speaker's
/// and its article's.
const COLUMNS: &str = "q.id, q.text, q.kind, e.id, e.type, coalesce(e.name, q.speaker_name),
     q.speaker_start, q.speaker_end, q.cue, q.cue_start, q.cue_end, q.span_start, q.span_end,
     q.sentence_start, q.sentence_end, a.id, a.title, a.url, a.published, q.published_key,
     q.sentence, q.speaker_words";

const JOINS: &str =
    "JOIN articles AS a ON a.pk = q.article_pk LEFT JOIN entities AS e ON e.pk = q.speaker_pk";

/// The quotes with these pks (pks no longer stored are skipped), each with its place in
/// the list (column [`PLACE`]). Put in order by the caller: an `ORDER BY` here sorted the
/// page's whole rows in a SQLite sorter, a third of the statement's cost.
static QUOTES_BY_PK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS}, k.key FROM json_each(?1) AS k CROSS JOIN quotes AS q ON q.pk = k.value
         {JOINS}"
    )
});

/// The column of [`QUOTES_BY_PK`] after [`COLUMNS`]: the quote's place in the pk list.
const PLACE: usize = column_count(COLUMNS);

/// A quote as read by [`COLUMNS`].
fn quote_from_row(row: &Row<'_>) -> rusqlite::Result<QuoteRecord> {
    let mention_start: Option<i64> = row.get(6)?;
    let mention_end: Option<i64> = row.get(7)?;
    let mention_words: Option<String> = row.get(21)?;
    let cue_start: Option<i64> = row.get(9)?;
    let cue_end: Option<i64> = row.get(10)?;
    Ok(QuoteRecord {
        id: row.get(0)?,
        text: row.get(1)?,
        kind: row.get(2)?,
        speaker_id: row.get(3)?,
        speaker_type: row.get(4)?,
        speaker_name: row.get(5)?,
        speaker_mention: mention_start
            .zip(mention_end)
            .map(|(start, end)| (mention_words.unwrap_or_default(), start, end)),
        cue: row.get(8)?,
        cue_span: cue_start.zip(cue_end),
        span: (row.get(11)?, row.get(12)?),
        sentence: row.get::<_, Option<String>>(20)?.unwrap_or_default(),
        sentence_span: (row.get(13)?, row.get(14)?),
        article_id: row.get(15)?,
        article_title: row.get(16)?,
        article_url: row.get(17)?,
        article_published: row.get(18)?,
        published_key: row.get(19)?,
        rank: None,
        snippet: None,
        rank_window: None,
    })
}

/// The quotes with these pks, in that order (pks no longer stored are skipped).
fn read_quotes(conn: &Connection, pks: &[i64]) -> StoreResult<Vec<QuoteRecord>> {
    let mut quotes = conn
        .prepare_cached(&QUOTES_BY_PK)?
        .query_map([json_keys(pks.iter().copied())], |row| {
            Ok((row.get::<_, i64>(PLACE)?, quote_from_row(row)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    quotes.sort_unstable_by_key(|(place, _)| *place);
    Ok(quotes.into_iter().map(|(_, quote)| quote).collect())
}

/// One alternative of a filter: an SQL condition and its bound values.
type Clause = (String, Vec<Value>);

/// A quote's place in a list: its pk, and under a search its rank and matches, before
/// its columns are read.
struct Slot {
    pk: i64,
    ranked: Option<Ranked>,
}

/// `quotes_fts`'s one column, the quote's text.
const TEXT_COLUMN: usize = 0;

/// A search's snippets: `snippet(quotes_fts, 0, '<mark>', '</mark>', '…', 16)`.
const SNIPPET: Style<'static> = Style {
    open: "<mark>",
    close: "</mark>",
    ellipsis: "…",
    tokens: 16,
};

impl Store {
    #[instrument(skip_all)]
    pub fn quote(&self, id: &str) -> StoreResult<QuoteRecord> {
        let mut reader = self.reader()?;
        // The pk and the quote are read in one snapshot: a quote deleted in between
        // would otherwise be found and then missing.
        let conn = reader.transaction()?;
        let pk: i64 = conn
            .prepare_cached("SELECT pk FROM quotes WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .found()?;
        read_quotes(&conn, &[pk])?
            .pop()
            .ok_or(super::StoreError::NotFound)
    }

    /// One page (at most `limit` items) of quotes matching `filter`, after `after`.
    ///
    /// The page's quotes are chosen from the indexes alone (pk and sort key), and only
    /// they are then read with their speaker, sentence and article: sorting every match
    /// with its joined columns is what made a common speaker or word slow.
    ///
    /// With `q`, matches are ranked by bm25 in windows of [`RANKED_WINDOW`] matches,
    /// most recently stored first: a page holds the best matches of the newest window
    /// not yet served, and paging goes on through older windows until every match has
    /// been served. Ranking every match of a common word before serving a page cost
    /// seconds on a large archive.
    ///
    /// [`RANKED_WINDOW`]: super::rank::RANKED_WINDOW
    #[instrument(skip_all, fields(limit))]
    pub fn list_quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<&ListAfter>,
        limit: usize,
    ) -> StoreResult<Vec<QuoteRecord>> {
        let mut reader = self.reader()?;
        // One read transaction: the page is chosen and then read in several statements,
        // which must all see the same snapshot (a quote deleted in between would be a
        // missing row).
        let conn = reader.transaction()?;
        let Some(speakers) = speaker_clauses(&conn, filter.speaker.as_ref())? else {
            return Ok(Vec::new());
        };
        let fts = match filter.q.as_deref().map(fts_query) {
            // A search with no searchable word matches nothing.
            Some(None) => return Ok(Vec::new()),
            Some(Some(fts)) => Some(fts),
            None => None,
        };
        let slots = match (&filter.q, &fts) {
            (Some(q), Some(fts)) => {
                let bm25 = bm25_for(
                    &conn,
                    "quotes_fts",
                    &search::phrases(q),
                    &self.inner.doc_frequencies,
                )?;
                ranked_slots(&conn, filter, &speakers, fts, &bm25, after, limit)?
            }
            _ => date_slots(&conn, filter, &speakers, after, limit)?,
        };
        let pks: Vec<i64> = slots.iter().map(|slot| slot.pk).collect();
        let mut records = read_quotes(&conn, &pks)?;
        if fts.is_some() {
            let tokenizer = Unicode61::new(&conn)?;
            let mut spans = Vec::new();
            for (record, slot) in records.iter_mut().zip(slots) {
                let Some(ranked) = slot.ranked else { continue };
                tokenizer.spans(&record.text, &mut spans)?;
                let size = ranked.column_sizes.get(TEXT_COLUMN).copied().unwrap_or(0);
                record.snippet = Some(snippet(
                    &record.text,
                    &spans,
                    &ranked.matches,
                    TEXT_COLUMN,
                    size as usize,
                    &SNIPPET,
                ));
                record.rank = Some(ranked.rank);
                record.rank_window = Some(ranked.window);
            }
        }
        Ok(records)
    }
}

/// The speaker filter as alternatives, each of which an index serves in list order:
/// one per matching entity, and one for quotes whose speaker is named but no entity.
/// `None` when the filter can match nothing; `Some([])` when there is no filter.
fn speaker_clauses(
    conn: &Connection,
    speaker: Option<&SpeakerRef>,
) -> StoreResult<Option<Vec<Clause>>> {
    let by_pk = |pk: i64| ("q.speaker_pk = ?".to_owned(), vec![Value::Integer(pk)]);
    match speaker {
        None => Ok(Some(Vec::new())),
        Some(SpeakerRef::EntityId(id)) => {
            let pk: Option<i64> = conn
                .prepare_cached("SELECT pk FROM entities WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            Ok(pk.map(|pk| vec![by_pk(pk)]))
        }
        Some(SpeakerRef::Name(name)) => {
            let key = normalise_name(name);
            let mut stmt = conn.prepare_cached(
                "SELECT pk FROM entities WHERE name_key = ?1
                 UNION SELECT entity_pk FROM entity_aliases WHERE alias_key = ?1",
            )?;
            let pks = stmt.query_map([&key], |r| r.get::<_, i64>(0))?;
            let mut clauses = pks
                .map(|pk| pk.map(by_pk))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            clauses.push((
                "q.speaker_pk IS NULL AND lower(q.speaker_name) = lower(?)".to_owned(),
                vec![text(name.trim())],
            ));
            Ok(Some(clauses))
        }
    }
}

/// The filters other than the speaker and the search text.
fn common_conditions(filter: &QuoteFilter) -> Conditions {
    let mut cond = Conditions::default();
    if let Some(article) = &filter.article_id {
        cond.push(
            "q.article_pk = (SELECT pk FROM articles WHERE id = ?)",
            [text(article)],
        );
    }
    if !filter.kinds.is_empty() {
        let marks = vec!["?"; filter.kinds.len()].join(", ");
        cond.push(
            &format!("q.kind IN ({marks})"),
            filter.kinds.iter().map(|k| text(k)),
        );
    }
    cond.push_published_range(
        "q.published_key",
        filter.published_after.as_deref(),
        filter.published_before.as_deref(),
    );
    if let Some(entity) = &filter.about {
        cond.push(
            "EXISTS (SELECT 1 FROM mentions AS m
                     WHERE m.article_pk = q.article_pk
                       AND m.entity_pk = (SELECT pk FROM entities WHERE id = ?)
                       AND m.start >= q.span_start AND m.end <= q.span_end)",
            [text(entity)],
        );
    }
    cond
}

/// Newest article first, then id: one index-ordered query per speaker alternative
/// (SQLite cannot merge the ranges of an `IN` list in order), merged here. A compound
/// select merged them with a temporary b-tree per alternative, each opened and sorted
/// anew on every request.
///
/// A surname can name dozens of people: once a page's worth is found, each later
/// alternative reads only rows dated no earlier than the page's last (its index stops at
/// the bound), not a page of its own. Reading a whole page from each of 31 alternatives
/// made such a request cost ten times a name's and set the list's p99.
fn date_slots(
    conn: &Connection,
    filter: &QuoteFilter,
    speakers: &[Clause],
    after: Option<&ListAfter>,
    limit: usize,
) -> StoreResult<Vec<Slot>> {
    let alternatives: Vec<Option<&Clause>> = if speakers.is_empty() {
        vec![None]
    } else {
        speakers.iter().map(Some).collect()
    };
    // (published key, id, pk), the best `limit` so far in list order.
    let mut found: Vec<(String, String, i64)> = Vec::new();
    for speaker in alternatives {
        let mut cond = common_conditions(filter);
        if let Some((clause, values)) = speaker {
            cond.push(clause, values.iter().cloned());
        }
        if let Some(ListAfter::Date { published_key, id }) = after {
            // The first term bounds the index range; the second skips the rest of the
            // last page's date (ids ascend within a date while dates descend).
            cond.push(
                "q.published_key <= ? AND (q.published_key < ? OR q.id > ?)",
                [text(published_key), text(published_key), text(id)],
            );
        }
        // Always present (every key is >= ''), so that every alternative shares one
        // statement text.
        let bound = match found.last() {
            Some((key, _, _)) if found.len() == limit => key.clone(),
            _ => String::new(),
        };
        cond.push("q.published_key >= ?", [Value::Text(bound)]);
        // The limit is bound, not written in: one statement text for every page size.
        let sql = format!(
            "SELECT q.published_key, q.id, q.pk FROM quotes AS q {}
             ORDER BY q.published_key DESC, q.id LIMIT ?",
            cond.where_sql()
        );
        let mut params = cond.into_params();
        params.push(Value::Integer(limit as i64));
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        for row in rows {
            found.push(row?);
        }
        // Text compares bytewise in SQLite's BINARY collation, as `String` does here.
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        found.truncate(limit);
    }
    Ok(found
        .into_iter()
        .map(|(_, _, pk)| Slot { pk, ranked: None })
        .collect())
}

/// Best bm25 rank first within windows of [`RANKED_WINDOW`] matches, newest window first.
///
/// A window is the next [`RANKED_WINDOW`] matches in descending rowid order, which FTS5
/// reads without ranking, each scored by `bm25` from its phrase frequencies: the score
/// `bm25()` would give it, at the cost of the window at any archive size.
///
/// [`RANKED_WINDOW`]: super::rank::RANKED_WINDOW
fn ranked_slots(
    conn: &Connection,
    filter: &QuoteFilter,
    speakers: &[Clause],
    fts: &str,
    bm25: &Bm25,
    after: Option<&ListAfter>,
    limit: usize,
) -> StoreResult<Vec<Slot>> {
    let mut cond = common_conditions(filter);
    if !speakers.is_empty() {
        let any: Vec<String> = speakers.iter().map(|(c, _)| format!("({c})")).collect();
        cond.push(
            &format!("({})", any.join(" OR ")),
            speakers.iter().flat_map(|(_, v)| v.iter().cloned()),
        );
    }
    let sql = windows_sql("quotes_fts", "quotes", "q", &cond);
    let common = cond.into_params();
    let mut stmt = conn.prepare_cached(&sql)?;
    let after = ListAfter::ranked(after);
    let page = ranked_page(
        &mut stmt,
        fts,
        &common,
        bm25,
        after,
        Ties::IdAscending,
        limit,
    )?;
    Ok(page
        .into_iter()
        .map(|r| Slot {
            pk: r.pk,
            ranked: Some(r),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::rank::RANKED_WINDOW;
    use rusqlite::params;

    /// A fixed pseudo-random sequence (a 64-bit LCG): `next(n)` is below `n`.
    fn pseudo_random(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut state = seed;
        move |n| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        }
    }

    /// Quote texts of varied length and word counts, with inflections (stemmed to one
    /// term), diacritics and a very common word, from a fixed pseudo-random sequence.
    fn texts() -> Vec<String> {
        let vocabulary = [
            "harbour",
            "harbours",
            "Harbour's",
            "calm",
            "café",
            "Cafe",
            "storm",
            "ships",
            "running",
            "runs",
            "the",
            "the",
            "the",
            "said",
            "quiet",
        ];
        random_texts(7, 520, 2, 30, &vocabulary, &[])
    }

    /// `count` texts of `shortest` to `shortest + more - 1` words of `vocabulary`, each
    /// after one of `leads` (when there are any), from the pseudo-random `seed`.
    fn random_texts(
        seed: u64,
        count: usize,
        shortest: u64,
        more: u64,
        vocabulary: &[&str],
        leads: &[&str],
    ) -> Vec<String> {
        let mut next = pseudo_random(seed);
        (0..count)
            .map(|_| {
                let len = shortest + next(more);
                let lead = match leads.len() {
                    0 => "",
                    n => leads[next(n as u64) as usize],
                };
                let words: Vec<&str> = (0..len)
                    .map(|_| vocabulary[next(vocabulary.len() as u64) as usize])
                    .collect();
                format!("{lead}{}", words.join(" "))
            })
            .collect()
    }

    fn store_with_quotes() -> (tempfile::TempDir, Store) {
        store_with_texts(&texts())
    }

    /// A store whose quotes have `texts`, in one article, every seventh deleted from the
    /// quotes table but left in the full-text index (which a search must skip).
    fn store_with_texts(texts: &[String]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("q.db")).unwrap();
        {
            let conn = store.writer();
            conn.execute(
                "INSERT INTO articles (pk, id, body_hash, body, ingested_at)
                 VALUES (1, 'a1', 'h', 'body', 'now')",
                [],
            )
            .unwrap();
            for (i, text) in texts.iter().enumerate() {
                conn.execute(
                    "INSERT INTO quotes (id, article_pk, ordinal, published_key, text, kind,
                                         span_start, span_end, sentence_start, sentence_end)
                     VALUES (?1, 1, ?2, '', ?3, 'direct', 0, 1, 0, 1)",
                    params![format!("q{i:04}"), i as i64, text],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO quotes_fts (rowid, text) SELECT pk, text FROM quotes;
                 DELETE FROM quotes WHERE pk % 7 = 0;",
            )
            .unwrap();
        }
        (dir, store)
    }

    /// A surname shared by many people (each an alternative of the speaker filter) and
    /// by quotes whose speaker is no entity, over dates with many ties: paging by the
    /// surname serves every such quote once, in list order, whatever the page size.
    #[test]
    fn a_surname_of_many_speakers_pages_in_date_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("q.db")).unwrap();
        let mut expected = Vec::new();
        {
            let conn = store.writer();
            conn.execute(
                "INSERT INTO articles (pk, id, body_hash, body, ingested_at)
                 VALUES (1, 'a1', 'h', 'body', 'now')",
                [],
            )
            .unwrap();
            for person in 1..=12 {
                conn.execute(
                    "INSERT INTO entities (pk, id, type, name, name_key)
                     VALUES (?1, ?2, 'person', ?3, ?4)",
                    params![
                        person,
                        format!("e{person}"),
                        format!("Ann{person} Kim"),
                        format!("ann{person} kim")
                    ],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO entity_aliases (entity_pk, alias_key, alias)
                     VALUES (?1, 'kim', 'Kim')",
                    [person],
                )
                .unwrap();
            }
            // Speakers 1..=12, or none but the name (0); another speaker (13) is left out.
            let mut next = pseudo_random(11);
            for i in 0..300i64 {
                let speaker = next(14) as i64;
                let date = format!("2020-01-{:02}", 1 + next(20));
                let id = format!("q{:03}", (i * 37) % 300);
                conn.execute(
                    "INSERT INTO quotes (id, article_pk, ordinal, published_key, text, kind,
                                         speaker_pk, speaker_name, span_start, span_end,
                                         sentence_start, sentence_end)
                     VALUES (?1, 1, ?2, ?3, 'words', 'direct', ?4, ?5, 0, 1, 0, 1)",
                    params![
                        id,
                        i,
                        date,
                        (1..=12).contains(&speaker).then_some(speaker),
                        (speaker == 0).then_some("kim")
                    ],
                )
                .unwrap();
                if speaker != 13 {
                    expected.push((date, id));
                }
            }
        }
        expected.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
        let filter = QuoteFilter {
            speaker: Some(SpeakerRef::Name("Kim".to_owned())),
            ..QuoteFilter::default()
        };
        for limit in [1, 7, 20, 100] {
            let mut served = Vec::new();
            let mut after = None;
            loop {
                let page = store.list_quotes(&filter, after.as_ref(), limit).unwrap();
                served.extend(page.iter().map(|q| q.id.clone()));
                match page.last() {
                    Some(last) if page.len() == limit => after = Some(last.resume_after()),
                    _ => break,
                }
            }
            assert_eq!(served, expected, "pages of {limit}");
        }
    }

    /// What `bm25()` makes of the same windows: the newest matches in windows of
    /// [`RANKED_WINDOW`], each ordered by rank, then id.
    fn bm25_order(store: &Store, fts: &str) -> Vec<(String, f64)> {
        let conn = store.reader().unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT q.id, bm25(quotes_fts) FROM quotes_fts AS f
                 JOIN quotes AS q ON q.pk = f.rowid
                 WHERE quotes_fts MATCH ?1 ORDER BY f.rowid DESC",
            )
            .unwrap();
        let all: Vec<(String, f64)> = stmt
            .query_map([fts], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        all.chunks(RANKED_WINDOW)
            .flat_map(|window| {
                let mut window = window.to_vec();
                window.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                window
            })
            .collect()
    }

    #[test]
    fn ranked_windows_order_and_score_as_fts5_bm25_does() {
        let (_dir, store) = store_with_quotes();
        for q in [
            "harbour",
            "café",
            "harbour calm",
            "the storm",
            "running ships the",
        ] {
            let expected = bm25_order(&store, &fts_query(q).unwrap());
            assert!(
                expected.len() > RANKED_WINDOW || q.contains(' '),
                "{q}: several windows"
            );
            let filter = QuoteFilter {
                q: Some(q.to_owned()),
                ..QuoteFilter::default()
            };
            let found = store.list_quotes(&filter, None, 10_000).unwrap();
            let found: Vec<(String, f64)> =
                found.into_iter().map(|r| (r.id, r.rank.unwrap())).collect();
            assert_eq!(found.len(), expected.len(), "{q}");
            for ((id, rank), (want_id, want_rank)) in found.iter().zip(&expected) {
                assert_eq!(id, want_id, "{q}");
                assert!(
                    (rank - want_rank).abs() <= 1e-9 * want_rank.abs().max(1.0),
                    "{q}: {id} ranked {rank}, bm25() says {want_rank}"
                );
            }
        }
    }

    #[test]
    fn paging_a_ranked_search_serves_every_match_once_in_bm25_order() {
        let (_dir, store) = store_with_quotes();
        let filter = QuoteFilter {
            q: Some("harbour".to_owned()),
            ..QuoteFilter::default()
        };
        let mut served = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_quotes(&filter, after.as_ref(), 37).unwrap();
            let Some(last) = page.last() else { break };
            after = Some(ListAfter::Rank {
                window: last.rank_window.unwrap(),
                rank: last.rank.unwrap(),
                id: last.id.clone(),
            });
            served.extend(page.into_iter().map(|r| r.id));
        }
        let expected: Vec<String> = bm25_order(&store, "\"harbour\"")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(served, expected);
    }

    /// Quotes of up to 70 tokens, in sentences ended by `.` or `:` or neither, with
    /// quotation marks, dashes, line breaks, repeated words and a word that FTS5 splits
    /// into several tokens (a Devanagari vowel sign is no letter to `unicode61`).
    fn snippet_texts() -> Vec<String> {
        let words = [
            "harbour",
            "Harbours",
            "calm.",
            "café",
            "storm:",
            "ships",
            "“running”",
            "the",
            "the",
            "said",
            "quiet",
            "—",
            "\n",
            "हिन्दी",
            "end.\n\n",
            "(aside)",
            "...",
            "runs,",
        ];
        random_texts(23, 400, 1, 70, &words, &["", "“", "  ", ". "])
    }

    #[test]
    fn snippets_are_fts5_snippets() {
        let (_dir, store) = store_with_texts(&snippet_texts());
        let conn = store.reader().unwrap();
        let mut fts5_snippet = conn
            .prepare(
                "SELECT snippet(quotes_fts, 0, '<mark>', '</mark>', '…', 16) FROM quotes_fts
                 WHERE quotes_fts MATCH ?1 AND rowid = (SELECT pk FROM quotes WHERE id = ?2)",
            )
            .unwrap();
        let mut compared = 0;
        for q in [
            "harbour",
            "the",
            "calm storm",
            "the harbour the",
            "running ships quiet said",
            "हिन्दी",
            "end aside",
        ] {
            let filter = QuoteFilter {
                q: Some(q.to_owned()),
                ..QuoteFilter::default()
            };
            let found = store.list_quotes(&filter, None, 10_000).unwrap();
            assert!(!found.is_empty(), "{q}");
            let fts = fts_query(q).unwrap();
            for quote in found {
                let want: String = fts5_snippet
                    .query_row(params![fts, quote.id], |r| r.get(0))
                    .unwrap();
                assert_eq!(
                    quote.snippet.as_deref(),
                    Some(want.as_str()),
                    "{q}: {:?}",
                    quote.text
                );
                compared += 1;
            }
        }
        assert!(compared > 1_000, "{compared} snippets compared");
    }
}
