//! The `quotewire` binary as a server process over a database file, for the tests that
//! kill it (`crash.rs`) or load it from many threads (`concurrency.rs`), the
//! generated articles they post, and a free port for any test that starts a server (`cli.rs`).

#![allow(dead_code)] // each test target uses its own part of this module

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use rusqlite::Connection;
use serde_json::Value;

/// A running `quotewire serve`; killed with SIGKILL when dropped.
pub struct ServerProcess {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the server on a free loopback port over `db` and waits until `/readyz`
    /// answers 200. Rate limits are off and no API key is configured, so that every
    /// request of a test reaches the handlers. Its logs go to `db` + `.log`.
    pub fn start(db: &Path) -> ServerProcess {
        let port = free_port();
        let log = db.with_extension(format!("{port}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_quotewire"));
        command
            .args(["serve", "--db", db.to_str().expect("a UTF-8 path")])
            .env("QUOTEWIRE_ADDR", format!("127.0.0.1:{port}"))
            .env("QUOTEWIRE__SERVER__WORKERS", "4")
            .env("QUOTEWIRE__RATE_LIMIT__ENABLED", "false")
            .env_remove("QUOTEWIRE_DB")
            .env_remove("QUOTEWIRE__AUTH__KEY_HASHES")
            .env_remove("QUOTEWIRE__AUTH__PROTECT_READS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("a log file"));
        let child = command.spawn().expect("the binary starts");
        let mut server = ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_ready();
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// What the server wrote to standard error so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown hook, no flush, no rollback runs.
    pub fn kill_hard(&mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        self.child.wait().expect("the killed server is reaped");
    }

    fn wait_ready(&mut self) {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let started = Instant::now();
        loop {
            if let Ok(response) = client.get(self.url("/readyz")).send() {
                if response.status().as_u16() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status}: {}", self.logs());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server is ready within 30 s: {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A port nothing listens on now (the OS picks it; a race with other processes is harmless
/// in tests, which fail loudly if the bind then fails).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client for the tests' requests: no redirects, a timeout well above any request's.
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// `count` distinct realistic articles (`POST /v1/articles` bodies) from the binary's
/// reproducible generator: shared people, organisations and places across articles.
pub fn generated_articles(dir: &Path, count: usize, seed: u64) -> Vec<Value> {
    let out = dir.join(format!("generated-{seed}"));
    let generated = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(["generate", "--count", &count.to_string()])
        .args(["--seed", &seed.to_string()])
        .arg(&out)
        .output()
        .expect("quotewire generate runs");
    assert!(generated.status.success(), "{generated:?}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let articles: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .map(|line| serde_json::from_str(line).expect("generated NDJSON"))
                .collect::<Vec<Value>>()
        })
        .collect();
    assert_eq!(articles.len(), count);
    articles
}

/// The database file opened directly, beside (or after) the server; the tests only read.
/// (Read-write, so that opening after a crash may recover the write-ahead log.)
pub fn open_db(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("the database opens");
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

/// One number from a query.
pub fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    conn.query_row(sql, params, |row| row.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Articles whose stored counts disagree with their rows (a half-written article):
/// quotes, article-entity links, and mention rows against the links' mention counts.
pub fn inconsistent_articles(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT a.id FROM articles AS a
             WHERE a.quote_count != (SELECT count(*) FROM quotes WHERE article_pk = a.pk)
                OR a.entity_count != (SELECT count(*) FROM article_entities WHERE article_pk = a.pk)
                OR (SELECT coalesce(sum(mention_count), 0) FROM article_entities WHERE article_pk = a.pk)
                   != (SELECT count(*) FROM mentions WHERE article_pk = a.pk)",
        )
        .unwrap();
    let rows = stmt.query_map([], |row| row.get(0)).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// Entities whose stored counts disagree with the rows that name them: articles,
/// mentions, and quotes they speak.
pub fn inconsistent_entities(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT e.id FROM entities AS e
             WHERE e.article_count != (SELECT count(*) FROM article_entities WHERE entity_pk = e.pk)
                OR e.mention_count != (SELECT coalesce(sum(mention_count), 0) FROM article_entities WHERE entity_pk = e.pk)
                OR e.quote_count != (SELECT count(*) FROM quotes WHERE speaker_pk = e.pk)",
        )
        .unwrap();
    let rows = stmt.query_map([], |row| row.get(0)).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}
