//! The `quotewire` binary as a process: extract, ingest, openapi, serve.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use quotewire::store::{ArticleFilter, Store};
use serde_json::Value;

const SEED: &str = "tests/fixtures/seed/nato-japan-office.txt";

fn quotewire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(args)
        .env_remove("QUOTEWIRE_ADDR")
        .env_remove("QUOTEWIRE_DB")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn extract_prints_one_json_object_for_one_file() {
    let output = quotewire(&["extract", SEED]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert_eq!(text.trim_end().lines().count(), 1, "compact by default");
    let article: Value = serde_json::from_str(&text).unwrap();
    assert!(article["body"]
        .as_str()
        .unwrap()
        .contains("liaison office in Tokyo"));
    assert!(article["quotes"].is_array() && article["entities"].is_array());

    let pretty = quotewire(&["extract", "--pretty", SEED]);
    let again: Value = serde_json::from_str(&stdout(&pretty)).unwrap();
    assert_eq!(again, article);
    assert!(stdout(&pretty).lines().count() > 1);
}

#[test]
fn extract_prints_ndjson_in_order_for_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..3)
        .map(|n| {
            let path = dir.path().join(format!("{n}.txt"));
            std::fs::write(
                &path,
                format!("Headline {n}\n\nParagraph number {n} of the story."),
            )
            .unwrap();
            path.display().to_string()
        })
        .collect();
    let mut args = vec!["extract"];
    args.extend(files.iter().map(String::as_str));
    args.push(SEED);
    let output = quotewire(&args);
    assert!(output.status.success());
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for (n, line) in lines.iter().take(3).enumerate() {
        assert!(
            line["body"]
                .as_str()
                .unwrap()
                .contains(&format!("Paragraph number {n}")),
            "line {n} is file {n}"
        );
    }
    assert!(lines[3]["body"].as_str().unwrap().contains("Tokyo"));
}

#[test]
fn extract_reads_invalid_utf8_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    std::fs::write(
        &path,
        b"Title\n\nCaf\xe9 owners said \xe2\x80\x9cno,\xe2\x80\x9d again.".as_slice(),
    )
    .unwrap();
    let output = quotewire(&["extract", path.to_str().unwrap()]);
    assert!(output.status.success());
    let article: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(article["body"].as_str().unwrap().contains("Caf\u{fffd}"));
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = quotewire(&["openapi"]);
    assert!(output.status.success());
    let committed = std::fs::read_to_string("openapi/openapi.json").unwrap();
    assert!(
        stdout(&output) == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn ingest_loads_files_skips_bad_ones_and_reports_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("nested")).unwrap();
    std::fs::copy(SEED, input.join("seed.txt")).unwrap();
    std::fs::write(
        input.join("nested/one.json"),
        r#"{"text": "Harbour news\n\nThe harbour reopened.", "source": "Port Gazette"}"#,
    )
    .unwrap();
    std::fs::write(
        input.join("nested/more.ndjson"),
        "{\"html\": \"<html><body><h1>Rail strike</h1><p>Trains stopped today.</p></body></html>\"}\n{\"text\": \"   \"}\nnot json\n",
    )
    .unwrap();
    std::fs::write(input.join("broken.json"), "{ nope").unwrap();
    std::fs::write(input.join("ignored.md"), "not an article").unwrap();
    let db = dir.path().join("db/q.db");

    let output = quotewire(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let summary = stdout(&output);
    assert!(
        summary.starts_with("ingested 3, duplicates 0, rejected 3"),
        "{summary}"
    );
    assert!(summary.contains("broken.json"), "{summary}");
    assert!(
        summary.contains("more.ndjson:2") && summary.contains("must not be blank"),
        "{summary}"
    );
    assert!(summary.contains("more.ndjson:3"), "{summary}");

    let again = quotewire(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        input.join("seed.txt").to_str().unwrap(),
    ]);
    assert!(
        stdout(&again).starts_with("ingested 0, duplicates 1, rejected 0"),
        "{}",
        stdout(&again)
    );

    let store = Store::open_path(&db).unwrap();
    let stored = store
        .list_articles(&ArticleFilter::default(), None, 10)
        .unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored
        .iter()
        .any(|a| a.source.as_deref() == Some("Port Gazette")));
    let seed = stored
        .iter()
        .find(|a| a.quote_count > 0)
        .expect("the seed article with its quotes");
    let full = store.article(&seed.id).unwrap();
    assert!(full.body.unwrap().contains("liaison office in Tokyo"));
}

#[test]
fn ingest_reports_a_missing_path_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let output = quotewire(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "/no/such/folder",
        SEED,
    ]);
    assert!(output.status.success());
    let summary = stdout(&output);
    assert!(
        summary.starts_with("ingested 1, duplicates 0, rejected 1"),
        "{summary}"
    );
    assert!(summary.contains("/no/such/folder"));
}

#[test]
fn help_documents_every_flag() {
    let serve = stdout(&quotewire(&["serve", "--help"]));
    for flag in [
        "--addr",
        "--db",
        "--config",
        "--log-format",
        "QUOTEWIRE_ADDR",
        "QUOTEWIRE_DB",
    ] {
        assert!(serve.contains(flag), "serve --help mentions {flag}");
    }
    let ingest = stdout(&quotewire(&["ingest", "--help"]));
    for flag in ["--db", "--batch-size", "--config"] {
        assert!(ingest.contains(flag), "ingest --help mentions {flag}");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/q.db");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(["serve", "--db", db.to_str().unwrap()])
        .env("QUOTEWIRE_ADDR", format!("127.0.0.1:{port}"))
        .env("QUOTEWIRE__LOG__FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let response = loop {
        if let Some(response) = http_get(port, "/readyz") {
            break response;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server comes up"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        Path::new(&db).exists(),
        "the database folder and file are created"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let first: Value = serde_json::from_str(logs.lines().next().unwrap())
        .expect("JSON logs from the environment setting");
    assert!(first.get("level").is_some());
    assert!(logs.contains("shutdown signal received"), "{logs}");
}

#[test]
fn export_writes_the_filtered_list_as_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let output = quotewire(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "tests/fixtures/seed",
        "tests/fixtures/dev",
    ]);
    assert!(output.status.success(), "{output:?}");

    let store = Store::open_path(&db).unwrap();
    let filter = quotewire::store::QuoteFilter {
        kinds: vec!["direct".into(), "partial".into()],
        ..Default::default()
    };
    let expected: Vec<String> = store
        .list_quotes(&filter, None, 10_000)
        .unwrap()
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert!(expected.len() > 20);

    let quotes = quotewire(&["export", "--db", db.to_str().unwrap(), "quotes"]);
    assert!(quotes.status.success(), "{quotes:?}");
    let lines: Vec<Value> = stdout(&quotes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    assert!(lines
        .iter()
        .all(|q| q["sentence"].is_string() && q["article"]["id"].is_string()));

    let speaker = lines
        .iter()
        .find_map(|q| q["speaker"]["name"].as_str())
        .unwrap()
        .to_owned();
    let by_speaker = quotewire(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "quotes",
        "--speaker",
        &speaker,
    ]);
    let spoken: Vec<Value> = stdout(&by_speaker)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!spoken.is_empty() && spoken.len() < lines.len());
    assert!(spoken
        .iter()
        .all(|q| q["speaker"]["name"] == speaker.as_str()));

    let articles = quotewire(&["export", "--db", db.to_str().unwrap(), "articles"]);
    assert_eq!(stdout(&articles).lines().count(), 7);

    let bad = quotewire(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "quotes",
        "--published-after",
        "soon",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("published_after"));
}
