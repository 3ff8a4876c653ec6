//! The `quotewire` binary as a process: extract, ingest, openapi, serve.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use quotewire::store::{ArticleFilter, Store};
use serde_json::Value;

mod server_process;
use server_process::free_port;

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

/// The newest articles (up to 10) in the database at `db`.
fn stored_articles(db: &Path) -> Vec<quotewire::store::ArticleRecord> {
    Store::open_path(db)
        .unwrap()
        .list_articles(&ArticleFilter::default(), None, 10)
        .unwrap()
}

/// Runs `quotewire ingest --db DB PATHS...`, which must succeed, and returns its summary.
fn ingest(db: &Path, paths: &[&Path]) -> String {
    let mut args = vec!["ingest", "--db", db.to_str().unwrap()];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let output = quotewire(&args);
    assert!(output.status.success(), "{output:?}");
    stdout(&output)
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

    let summary = ingest(&db, &[&input]);
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

    let again = ingest(&db, &[&input.join("seed.txt")]);
    assert!(
        again.starts_with("ingested 0, duplicates 1, rejected 0"),
        "{again}"
    );

    let stored = stored_articles(&db);
    assert_eq!(stored.len(), 3);
    assert!(stored
        .iter()
        .any(|a| a.source.as_deref() == Some("Port Gazette")));
    let seed = stored
        .iter()
        .find(|a| a.quote_count > 0)
        .expect("the seed article with its quotes");
    let full = Store::open_path(&db).unwrap().article(&seed.id).unwrap();
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

fn quotewire_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn hash_key_prints_the_sha256_of_a_long_key_and_refuses_short_ones() {
    let key = "kq3V9x0Lm2Zp8Rt4Yw7Bn1Cd6Fg5Hj0A";
    let output = quotewire_with_stdin(&["hash-key"], &format!("{key}\n"));
    assert!(output.status.success(), "{output:?}");
    let printed = stdout(&output);
    assert_eq!(
        printed,
        format!("{}\n", quotewire::api::auth::hash_key(key))
    );
    assert!(!printed.contains(key));
    assert!(printed.starts_with("sha256:") && printed.trim_end().len() == 7 + 64);

    for weak in [
        "short\n",
        "\n",
        " padded-key-padded-key-padded-key-padded \n",
    ] {
        let refused = quotewire_with_stdin(&["hash-key"], weak);
        assert!(!refused.status.success(), "{weak:?} is refused");
        assert!(stdout(&refused).is_empty());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("at least 32"));
    }
}

/// One request over a bare socket; returns the whole answer.
fn http_send(port: u16, request: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// Starts `serve` with these environment variables; returns it once it answers, with
/// its port.
fn start_server(db: &Path, env: &[(&str, &str)]) -> (std::process::Child, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(["serve", "--db", db.to_str().unwrap()])
        .env("QUOTEWIRE_ADDR", format!("127.0.0.1:{port}"))
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while http_get(port, "/healthz").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server comes up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

/// Stops the server with SIGTERM and returns everything it logged.
fn stop_server(mut child: std::process::Child) -> String {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    logs
}

#[test]
fn api_keys_never_reach_the_log_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let key = "Secret-Key-0123456789-abcdefghijklmnop";
    let hash = quotewire::api::auth::hash_key(key);
    let (child, port) = start_server(
        &dir.path().join("q.db"),
        &[
            ("QUOTEWIRE__AUTH__KEY_HASHES", hash.as_str()),
            ("RUST_LOG", "trace"),
        ],
    );
    let body = r#"{"text": "Port news\n\nThe harbour reopened today."}"#;
    for header in [
        format!("Authorization: Bearer {key}"),
        format!("X-Api-Key: {key}"),
    ] {
        let response = http_send(
            port,
            &format!(
                "POST /v1/articles HTTP/1.1\r\nHost: localhost\r\n{header}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
        .unwrap();
        assert!(
            response.starts_with("HTTP/1.1 201") || response.starts_with("HTTP/1.1 200"),
            "{response}"
        );
    }
    let wrong = http_send(
        port,
        &format!("DELETE /v1/articles/a_x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {key}-wrong\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let logs = stop_server(child);
    assert!(
        logs.contains("[redacted]"),
        "headers are logged at trace level"
    );
    assert!(!logs.contains("Secret-Key"), "a key leaked into the log");
    assert!(!logs.contains("no API key configured"));
    // Each request names its caller by the start of the key's hash.
    let label = format!("key:{}", &hash[7..15]);
    assert!(logs.contains(&label), "{label}");
    assert!(logs.contains("invalid-key"));
}

#[test]
fn serve_warns_at_start_up_when_no_key_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (child, _) = start_server(
        &dir.path().join("q.db"),
        &[("QUOTEWIRE__AUTH__KEY_HASHES", "")],
    );
    let logs = stop_server(child);
    assert!(logs.contains("no API key configured"), "{logs}");
}

#[test]
fn serve_refuses_malformed_key_hashes_and_origins() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    for (name, value, complaint) in [
        (
            "QUOTEWIRE__AUTH__KEY_HASHES",
            "my-plain-key",
            "auth.key_hashes",
        ),
        (
            "QUOTEWIRE__CORS__ALLOWED_ORIGINS",
            "https://ok.example,not an origin",
            "cors.allowed_origins",
        ),
        (
            "QUOTEWIRE__RATE_LIMIT__PER_SECOND",
            "0",
            "rate_limit.per_second",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_quotewire"))
            .args([
                "serve",
                "--db",
                db.to_str().unwrap(),
                "--addr",
                "127.0.0.1:0",
            ])
            .env(name, value)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{name}={value} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(complaint), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn ingest_does_not_follow_folder_links_out_of_its_tree_or_round_in_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(input.join("nested")).unwrap();
    std::fs::write(outside.join("secret.txt"), "Secret\n\nNot to be ingested.").unwrap();
    std::fs::write(
        input.join("nested/one.txt"),
        "Harbour news\n\nThe harbour reopened.",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, input.join("escape")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("nested/loop")).unwrap();
    std::os::unix::fs::symlink("../../outside", input.join("nested/up")).unwrap();
    let db = dir.path().join("q.db");

    let summary = ingest(&db, &[&input]);
    assert!(
        summary.starts_with("ingested 1, duplicates 0, rejected 0"),
        "{summary}"
    );
    let stored = stored_articles(&db);
    assert_eq!(stored.len(), 1);

    // A path with `..` named on the command line is the caller's to give: it is read.
    let dotted = input.join("nested/../nested/one.txt");
    let again = ingest(&db, &[&dotted]);
    assert!(again.starts_with("ingested 0, duplicates 1"), "{again}");
}

#[test]
fn ingest_reads_invalid_utf8_files_and_names_without_failing() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("latin1.txt"),
        b"Cafe news\n\nThe caf\xe9 owner said \xe2\x80\x9cwe stay open,\xe2\x80\x9d on Monday."
            .as_slice(),
    )
    .unwrap();
    std::fs::write(
        input.join("bad.json"),
        b"{\"text\": \"Market\xff news\\n\\nPrices rose.\"}".as_slice(),
    )
    .unwrap();
    std::fs::write(
        input.join("mixed.ndjson"),
        b"{\"text\": \"Rail\xfe news\\n\\nTrains ran.\"}\n\xff\xfe\xfd\n{\"text\": \"Bus news\\n\\nBuses ran.\"}\n".as_slice(),
    )
    .unwrap();
    let odd_name = input.join(std::ffi::OsStr::from_bytes(b"na\xefve-\xff.txt"));
    std::fs::write(&odd_name, "Odd name\n\nThe file name is not UTF-8.").unwrap();
    let db = dir.path().join("q.db");

    let summary = ingest(&db, &[&input]);
    // Bad bytes in text become U+FFFD; a line that is not JSON at all is rejected alone.
    assert!(
        summary.starts_with("ingested 5, duplicates 0, rejected 1"),
        "{summary}"
    );
    assert!(summary.contains("mixed.ndjson:2"), "{summary}");
    let store = Store::open_path(&db).unwrap();
    let cafe = stored_articles(&db)
        .iter()
        .map(|a| store.article(&a.id).unwrap().body.unwrap())
        .find(|body| body.contains("owner said"))
        .expect("the Latin-1 article");
    assert!(cafe.contains('\u{fffd}'), "{cafe}");
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
