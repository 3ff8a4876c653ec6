//! Crash safety: articles are posted to the real binary from a thread while the test
//! `kill -9`s the server part-way, several times over one database. After each crash the
//! database passes `PRAGMA integrity_check`, every article answered 201 is stored with all
//! its quotes and mentions, and no article is half-written.

mod server_process;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use quotewire::ingest::{prepare, ArticleInput};
use serde_json::Value;
use server_process::{
    client, count, generated_articles, inconsistent_articles, inconsistent_entities, open_db,
    ServerProcess,
};

const ROUNDS: usize = 4;
/// How many 201s each round waits for before the kill; the kill then lands while the
/// next articles are being extracted or written.
const ACKS_BEFORE_KILL: [usize; ROUNDS] = [3, 7, 12, 5];

/// What a 201 promised: the article's quote and entity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Promised {
    quotes: i64,
    entities: i64,
}

#[test]
fn a_killed_server_keeps_every_acknowledged_article_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let articles = Arc::new(generated_articles(dir.path(), 150, 6));
    let mut promised: HashMap<String, (usize, Promised)> = HashMap::new();
    let mut next = 0;

    for (round, &wanted) in ACKS_BEFORE_KILL.iter().enumerate() {
        let mut server = ServerProcess::start(&db);
        let acked = Arc::new(AtomicUsize::new(0));
        let poster = {
            let base = server.base.clone();
            let articles = Arc::clone(&articles);
            let acked = Arc::clone(&acked);
            thread::spawn(move || post_until_refused(&base, &articles, next, &acked))
        };
        let started = Instant::now();
        while acked.load(Ordering::SeqCst) < wanted {
            assert!(
                !poster.is_finished(),
                "round {round}: the poster stopped early: {}",
                server.logs()
            );
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "round {round}: {wanted} articles are stored within 120 s"
            );
            thread::sleep(Duration::from_millis(2));
        }
        // A few milliseconds more, different each round, so the kill falls at varied
        // points of the next request (parsing, extracting, inside the transaction).
        thread::sleep(Duration::from_millis(3 * round as u64));
        server.kill_hard();
        let (answered, stopped_at) = poster.join().expect("the poster thread ends");
        assert!(
            answered.len() >= wanted,
            "round {round}: {answered:?} before the kill"
        );
        for (index, status, id, counts) in answered {
            match status {
                201 => {
                    assert!(
                        promised.insert(id.clone(), (index, counts)).is_none(),
                        "round {round}: {id} created twice"
                    );
                }
                // A request cut by the previous crash may have committed: then it is a duplicate.
                200 => assert_eq!(
                    promised.get(&id).map(|(i, _)| *i),
                    None,
                    "round {round}: article {index} answered 200 with an id already promised"
                ),
                other => panic!("round {round}: article {index} answered {other}"),
            }
        }
        next = stopped_at;
        check_database(&db, &articles, &promised, round);
    }
    assert!(
        promised.len() >= ACKS_BEFORE_KILL.iter().sum::<usize>(),
        "{} articles acknowledged over {ROUNDS} crashes",
        promised.len()
    );

    // The server starts again on the crashed database and serves what it promised.
    let server = ServerProcess::start(&db);
    let http = client();
    for (id, (_, counts)) in &promised {
        let article: Value = http
            .get(server.url(&format!("/v1/articles/{id}")))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(article["counts"]["quotes"], counts.quotes, "{id}");
        assert_eq!(article["counts"]["entities"], counts.entities, "{id}");
    }
}

/// Posts `articles[from..]` one by one until the server stops answering. Returns each
/// answered article's (index, status, id, counts) and the index of the first article that
/// got no answer (to post again after the restart).
fn post_until_refused(
    base: &str,
    articles: &[Value],
    from: usize,
    acked: &AtomicUsize,
) -> (Vec<(usize, u16, String, Promised)>, usize) {
    let http = client();
    let mut answered = Vec::new();
    for (index, article) in articles.iter().enumerate().skip(from) {
        let Ok(response) = http
            .post(format!("{base}/v1/articles"))
            .json(article)
            .send()
        else {
            return (answered, index);
        };
        let status = response.status().as_u16();
        let Ok(body) = response.json::<Value>() else {
            return (answered, index);
        };
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        let counts = Promised {
            quotes: body["counts"]["quotes"].as_i64().unwrap_or(-1),
            entities: body["counts"]["entities"].as_i64().unwrap_or(-1),
        };
        answered.push((index, status, id, counts));
        if status == 201 {
            acked.fetch_add(1, Ordering::SeqCst);
        }
    }
    panic!(
        "all {} articles were posted before the kill",
        articles.len()
    );
}

fn check_database(
    db: &std::path::Path,
    articles: &[Value],
    promised: &HashMap<String, (usize, Promised)>,
    round: usize,
) {
    let conn = open_db(db);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "round {round}");
    let foreign: i64 = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count() as i64;
    assert_eq!(foreign, 0, "round {round}: rows pointing at missing rows");

    for (id, (index, counts)) in promised {
        let stored = conn.query_row(
            "SELECT pk, quote_count, entity_count FROM articles WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            },
        );
        let (pk, quotes, entities) =
            stored.unwrap_or_else(|e| panic!("round {round}: article {index} ({id}) lost: {e}"));
        assert_eq!(
            Promised { quotes, entities },
            *counts,
            "round {round}: {id} as promised"
        );
        // Independently of what the server said: the extractor finds as many quotes now.
        let input: ArticleInput = serde_json::from_value(articles[*index].clone()).unwrap();
        let fresh = prepare(input, "2026-01-01T00:00:00Z".into()).expect("a valid article");
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM quotes WHERE article_pk = ?1",
                [pk]
            ),
            fresh.extraction.quotes.len() as i64,
            "round {round}: {id} has every quote of a fresh extraction"
        );
        assert!(
            entities == 0
                || count(
                    &conn,
                    "SELECT count(*) FROM mentions WHERE article_pk = ?1",
                    [pk]
                ) > 0,
            "round {round}: {id} has its mentions"
        );
    }
    assert_eq!(
        inconsistent_articles(&conn),
        Vec::<String>::new(),
        "round {round}: half-written articles"
    );
    assert_eq!(
        inconsistent_entities(&conn),
        Vec::<String>::new(),
        "round {round}: entity counts that disagree with their rows"
    );
    let orphans = count(
        &conn,
        "SELECT count(*) FROM quotes WHERE article_pk NOT IN (SELECT pk FROM articles)",
        [],
    );
    assert_eq!(orphans, 0, "round {round}: quotes without an article");
}
