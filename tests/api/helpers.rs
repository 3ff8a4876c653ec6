//! `spawn_app()`: a running server on port 0 with its own temporary database.

use std::sync::mpsc;

use quotewire::api::server::Application;
use quotewire::config::{LogFormat, LogSettings, Overrides, Settings};
use quotewire::store::Store;
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

pub const SEED_TEXT: &str = include_str!("../fixtures/seed/nato-japan-office.txt");

pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// The same database the server uses, for arranging data the extractor would not make.
    pub store: Store,
    _dir: tempfile::TempDir,
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

pub fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        quotewire::telemetry::init(&LogSettings {
            format: LogFormat::Text,
            level: "debug".into(),
        });
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut settings = Settings::load(&Overrides::default()).expect("default settings");
    settings.server.addr = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.database.path = dir.path().join("test.db");
    adjust(&mut settings);
    let store = Store::open(&settings.database).expect("the test database opens");
    let (tx, rx) = mpsc::channel();
    let server_store = store.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&settings, server_store).expect("the server binds");
            tx.send(app.port()).expect("the test waits for the port");
            app.run().await
        })
    });
    let port = rx.recv().expect("the server starts");
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        store,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().expect("GET answers")
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .expect("POST answers")
    }

    pub fn post_article(&self, body: &Value) -> (u16, Value) {
        let response = self.post_json("/v1/articles", body);
        let status = response.status().as_u16();
        (status, response.json().expect("a JSON body"))
    }

    /// Posts a small distinct article; `n` makes its text, URL and date unique.
    pub fn post_numbered(&self, n: usize, extra: Value) -> Value {
        let mut body = json!({
            "title": format!("Article number {n}"),
            "text": format!("Article number {n}\n\nThe council met on day {n} and said \u{201c}we will meet again,\u{201d} officials reported."),
            "url": format!("https://news.example.org/articles/{n}"),
            "published": format!("2023-{:02}-{:02}", 1 + n % 12, 1 + n % 28),
        });
        if let (Some(obj), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        let (status, article) = self.post_article(&body);
        assert_eq!(status, 201, "article {n} is created: {article}");
        article
    }
}

/// Asserts the response is RFC 9457 problem JSON with this status and code, carrying the
/// same request id as the `X-Request-Id` header; returns the body.
pub fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let header_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().expect("a JSON problem body");
    assert_eq!(body["status"], status);
    assert_eq!(body["code"], code);
    assert_eq!(
        body["type"],
        format!("/problems/{}", code.replace('_', "-"))
    );
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["request_id"], header_id);
    body
}

/// One string field of every item on a list page, in order, after checking the page is a 200.
pub fn page_field(app: &TestApp, path: &str, field: &str) -> Vec<String> {
    let response = app.get(path);
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let page: Value = response.json().unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}
