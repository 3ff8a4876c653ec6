//! Concurrency: many writers (the same and different articles naming overlapping
//! entities, and deletes) and readers over HTTP against the real binary at once, while a
//! second process (`quotewire ingest`) writes to the same database file. No 5xx, no SQLite
//! lock error reaches a client, each article is created once, the counts add up and no
//! entity exists twice (checked in SQLite directly).

mod server_process;

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::Value;
use server_process::{
    client, count, generated_articles, inconsistent_articles, inconsistent_entities, open_db,
    ServerProcess,
};

const WRITERS: usize = 6;
const READERS: usize = 4;
/// Articles every writer posts (the same ones, at the same time).
const SHARED: usize = 8;
/// Articles only one writer posts.
const OWN_PER_WRITER: usize = 10;
/// Of a writer's own articles, how many it deletes again once stored.
const DELETED_PER_WRITER: usize = 2;
/// Articles the `ingest` process stores meanwhile, a few per transaction, so that its
/// write transactions interleave with the server's.
const INGESTED: usize = 40;

/// Every answer a thread got: (method and path, status, body).
type Answers = Vec<(String, u16, String)>;
/// For each article (by index), every (status, id) the writers were answered.
type Outcomes = Mutex<HashMap<usize, Vec<(u16, String)>>>;

#[test]
fn parallel_writers_and_readers_agree_with_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("concurrency.db");
    let articles = generated_articles(dir.path(), SHARED + WRITERS * OWN_PER_WRITER, 8);
    let (shared, own) = articles.split_at(SHARED);
    let ingest_dir = dir.path().join("ingest");
    std::fs::create_dir_all(&ingest_dir).unwrap();
    for (n, article) in generated_articles(dir.path(), INGESTED, 9)
        .iter()
        .enumerate()
    {
        std::fs::write(ingest_dir.join(format!("{n}.json")), article.to_string()).unwrap();
    }
    let server = ServerProcess::start(&db);
    let writing = Arc::new(AtomicBool::new(true));
    let created: Arc<Outcomes> = Arc::default();

    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let base = server.base.clone();
            let writing = Arc::clone(&writing);
            thread::spawn(move || read_while(&base, n, &writing))
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let base = server.base.clone();
            let created = Arc::clone(&created);
            // Each writer takes the shared articles in its own order, so different
            // writers race on different articles at the same moment.
            let mut mine: Vec<(usize, Value)> = shared.iter().cloned().enumerate().collect();
            mine.rotate_left(w % SHARED);
            let own_start = w * OWN_PER_WRITER;
            mine.extend(
                own[own_start..own_start + OWN_PER_WRITER]
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, a)| (SHARED + own_start + i, a)),
            );
            thread::spawn(move || write_all(&base, &mine, &created))
        })
        .collect();

    let ingest = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(["ingest", "--batch-size", "4", "--db"])
        .arg(&db)
        .arg(&ingest_dir)
        .output()
        .expect("quotewire ingest runs");
    let summary = String::from_utf8_lossy(&ingest.stdout);
    assert!(
        ingest.status.success() && summary.starts_with(&format!("ingested {INGESTED},")),
        "the second process stores every article beside the server: {summary} {}",
        String::from_utf8_lossy(&ingest.stderr)
    );

    let mut answers: Answers = Vec::new();
    for writer in writers {
        answers.extend(writer.join().expect("a writer thread ends"));
    }
    writing.store(false, Ordering::SeqCst);
    let mut reads = 0;
    for reader in readers {
        let answered = reader.join().expect("a reader thread ends");
        reads += answered.len();
        answers.extend(answered);
    }
    assert!(reads >= READERS, "the readers ran alongside the writers");

    for (request, status, body) in &answers {
        assert!(*status < 500, "{request} answered {status}: {body}");
        let lowered = body.to_ascii_lowercase();
        assert!(
            !lowered.contains("database is locked") && !lowered.contains("sqlite_busy"),
            "{request} leaked a lock error: {body}"
        );
    }

    // Each article was created exactly once, and every answer for it names the same id.
    let created = created.lock().unwrap();
    assert_eq!(created.len(), articles.len(), "every article was answered");
    for (index, outcomes) in created.iter() {
        let creations = outcomes.iter().filter(|(status, _)| *status == 201).count();
        assert_eq!(creations, 1, "article {index}: {outcomes:?}");
        assert!(
            outcomes.iter().all(|(_, id)| *id == outcomes[0].1),
            "article {index}: one id for all answers: {outcomes:?}"
        );
        let expected_answers = if *index < SHARED { WRITERS } else { 1 };
        assert_eq!(outcomes.len(), expected_answers, "article {index}");
    }
    let deleted = WRITERS * DELETED_PER_WRITER;
    let deletions = answers
        .iter()
        .filter(|(request, status, _)| request.starts_with("DELETE") && *status == 204)
        .count();
    assert_eq!(deletions, deleted);

    let conn = open_db(&db);
    let stored = count(&conn, "SELECT count(*) FROM articles", []);
    assert_eq!(stored as usize, articles.len() + INGESTED - deleted);
    let duplicates = count(
        &conn,
        "SELECT count(*) FROM (SELECT type, name_key FROM entities GROUP BY type, name_key HAVING count(*) > 1)",
        [],
    );
    assert_eq!(duplicates, 0, "no entity exists twice");
    let duplicate_ids = count(
        &conn,
        "SELECT count(*) FROM (SELECT id FROM entities GROUP BY id HAVING count(*) > 1)",
        [],
    );
    assert_eq!(duplicate_ids, 0, "no entity id exists twice");
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM entities WHERE article_count > 1",
            []
        ) > 0,
        "the articles share entities, so writers raced on the same entity rows"
    );
    assert_eq!(inconsistent_articles(&conn), Vec::<String>::new());
    assert_eq!(inconsistent_entities(&conn), Vec::<String>::new());
    let orphans = count(
        &conn,
        "SELECT count(*) FROM entities WHERE article_count <= 0",
        [],
    );
    assert_eq!(orphans, 0, "entities no article names any more are gone");

    // The API counts what the database holds.
    let http = client();
    let mut listed = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut url = server.url("/v1/articles?limit=100");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = http.get(url).send().unwrap().json().unwrap();
        listed += page["data"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(listed as i64, stored);
    let quote_total = count(&conn, "SELECT sum(quote_count) FROM articles", []);
    assert_eq!(
        quote_total,
        count(&conn, "SELECT count(*) FROM quotes", []),
        "article quote counts add up to the quotes stored"
    );
}

/// Posts each article once; deletes the first few of its own once they are stored.
fn write_all(base: &str, articles: &[(usize, Value)], created: &Outcomes) -> Answers {
    let http = client();
    let mut answers = Vec::new();
    let mut own_ids = Vec::new();
    for (index, article) in articles {
        let response = http
            .post(format!("{base}/v1/articles"))
            .json(article)
            .send()
            .expect("POST answers");
        let status = response.status().as_u16();
        let body = response.text().unwrap();
        let id = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        created
            .lock()
            .unwrap()
            .entry(*index)
            .or_default()
            .push((status, id.clone()));
        if *index >= SHARED && status == 201 {
            own_ids.push(id);
        }
        answers.push((format!("POST article {index}"), status, body));
    }
    for id in own_ids.iter().take(DELETED_PER_WRITER) {
        let response = http
            .delete(format!("{base}/v1/articles/{id}"))
            .send()
            .expect("DELETE answers");
        let status = response.status().as_u16();
        answers.push((format!("DELETE {id}"), status, response.text().unwrap()));
    }
    answers
}

/// Reads lists, searches and single resources until the writers are done.
fn read_while(base: &str, n: usize, writing: &AtomicBool) -> Answers {
    let http = client();
    let mut answers = Vec::new();
    let mut get = |path: String| -> Option<Value> {
        let response = http
            .get(format!("{base}{path}"))
            .send()
            .expect("GET answers");
        let status = response.status().as_u16();
        let body = response.text().unwrap();
        let parsed = serde_json::from_str(&body).ok();
        answers.push((format!("GET {path}"), status, body));
        parsed
    };
    let mut round = 0;
    while writing.load(Ordering::SeqCst) || round == 0 {
        round += 1;
        let articles = get("/v1/articles?limit=50".into());
        get("/v1/quotes?limit=50&kind=direct,partial,term".into());
        get("/v1/quotes?q=talks".into());
        let entities = get(format!(
            "/v1/entities?sort={}",
            ["mentions", "name"][(n + round) % 2]
        ));
        get("/v1/entities?q=min".into());
        let first_id = |page: Option<Value>| -> Option<String> {
            page?["data"].as_array()?.first()?["id"]
                .as_str()
                .map(str::to_owned)
        };
        if let Some(id) = first_id(entities) {
            get(format!("/v1/entities/{id}"));
            get(format!("/v1/entities/{id}/quotes"));
        }
        if let Some(id) = first_id(articles) {
            get(format!("/v1/articles/{id}?include=quotes,entities"));
        }
    }
    answers
}
