//! The articles resource: create, duplicate rule, get, list with pagination and filters, delete.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, SEED_TEXT};

#[test]
fn posting_the_seed_article_stores_it_with_its_extraction() {
    let app = spawn_app();
    let response = app.post_json(
        "/v1/articles",
        &json!({"text": SEED_TEXT, "url": "https://example.org/nato-japan", "source": "The New American"}),
    );
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().unwrap();
    let id = created["id"].as_str().unwrap();
    assert!(
        id.starts_with("a_"),
        "ids are opaque prefixed strings: {id}"
    );
    assert_eq!(location, format!("/v1/articles/{id}"));
    assert_eq!(created["source"], "The New American");
    assert_eq!(created["provenance"]["source"], "request");
    assert!(created["body"]
        .as_str()
        .unwrap()
        .contains("liaison office in Tokyo"));

    let fetched: Value = app.get(&location).json().unwrap();
    assert_eq!(fetched, created, "GET returns what POST returned");
    let extraction = quotewire::extract::extract(
        SEED_TEXT,
        quotewire::extract::InputFormat::Text,
        &quotewire::extract::KnownMetadata::default(),
    );
    assert_eq!(
        fetched["body"], extraction.body,
        "the stored body is the extractor's cleaned body"
    );
    assert_eq!(fetched["counts"]["quotes"], extraction.quotes.len());
}

#[test]
fn the_same_url_or_the_same_body_is_a_duplicate() {
    let app = spawn_app();
    let (status, first) =
        app.post_article(&json!({"text": SEED_TEXT, "url": "https://Example.org/nato-japan/"}));
    assert_eq!(status, 201);
    // Same page, written differently: 200 with the stored article, nothing created.
    let (status, again) =
        app.post_article(&json!({"text": "Another title\n\nA different text entirely.", "url": "https://example.org/nato-japan#top"}));
    assert_eq!(status, 200);
    assert_eq!(again["id"], first["id"]);

    let (status, no_url) =
        app.post_article(&json!({"text": "Some words here.\n\nAnd more words."}));
    assert_eq!(status, 201);
    let (status, same_body) =
        app.post_article(&json!({"text": "Some words   here.\n\n\nAnd more words.  "}));
    assert_eq!(status, 200, "whitespace does not make a new article");
    assert_eq!(same_body["id"], no_url["id"]);
    let (status, _) = app.post_article(&json!({"text": "Some words here.\n\nAnd other words."}));
    assert_eq!(status, 201);

    let list: Value = app.get("/v1/articles").json().unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
}

#[test]
fn paging_through_45_articles_gives_each_once_in_order() {
    let app = spawn_app();
    let mut created = HashSet::new();
    for n in 0..45 {
        created.insert(
            app.post_numbered(n, json!({}))["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut keys = Vec::new();
    let mut path = "/v1/articles?limit=20".to_owned();
    let mut pages = Vec::new();
    loop {
        let response = app.get(&path);
        assert_eq!(response.status().as_u16(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page: Value = response.json().unwrap();
        let data = page["data"].as_array().unwrap();
        pages.push(data.len());
        for article in data {
            seen.push(article["id"].as_str().unwrap().to_owned());
            keys.push((
                article["published"].as_str().unwrap().to_owned(),
                article["id"].as_str().unwrap().to_owned(),
            ));
            assert!(article.get("body").is_none(), "lists leave the body out");
        }
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(cursor) => {
                let link = link.expect("a Link header with every next_cursor");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(link.contains(&format!("cursor={cursor}")));
                assert!(
                    link.contains("limit=20"),
                    "the link keeps the query: {link}"
                );
                path = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            None => {
                assert!(link.is_none(), "no Link on the last page");
                break;
            }
        }
    }
    assert_eq!(pages, vec![20, 20, 5]);
    assert_eq!(seen.len(), 45);
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "no duplicate and no gap"
    );
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest first, then id");
}

#[test]
fn each_filter_narrows_the_list() {
    let app = spawn_app();
    for n in 0..6 {
        let source = if n % 2 == 0 {
            "Daily Planet"
        } else {
            "The Bugle"
        };
        let byline = if n < 3 { "Lois Lane" } else { "Peter Parker" };
        app.post_numbered(
            n,
            json!({"source": source, "byline": byline, "published": format!("2023-05-0{}", n + 1)}),
        );
    }
    app.post_numbered(
        99,
        json!({"title": "Volcanic eruption", "text": "Volcanic eruption\n\nThe volcano erupted; the volcano observatory warned of ash.", "published": "2024-01-01"}),
    );
    let ids = |path: &str| -> Vec<Value> {
        let response = app.get(path);
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let page: Value = response.json().unwrap();
        page["data"].as_array().unwrap().clone()
    };
    assert_eq!(ids("/v1/articles?source=Daily%20Planet").len(), 3);
    assert!(ids("/v1/articles?source=Daily%20Planet")
        .iter()
        .all(|a| a["source"] == "Daily Planet"));
    assert_eq!(ids("/v1/articles?byline=Peter%20Parker").len(), 3);
    assert_eq!(
        ids("/v1/articles?source=The%20Bugle&byline=Peter%20Parker").len(),
        2
    );
    assert_eq!(
        ids("/v1/articles?published_after=2023-05-04").len(),
        4,
        "inclusive, and the 2024 article"
    );
    assert_eq!(
        ids("/v1/articles?published_before=2023-05-03").len(),
        2,
        "exclusive"
    );
    assert_eq!(
        ids("/v1/articles?published_after=2023-05-02&published_before=2023-05-04T00:00:00Z").len(),
        2
    );
    let found = ids("/v1/articles?q=volcano");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["title"], "Volcanic eruption");
    assert_eq!(ids("/v1/articles?q=council").len(), 6);
    assert!(
        ids("/v1/articles?q=nothingmatchesthis").is_empty(),
        "an empty result is 200 with []"
    );
    // FTS5 syntax in q is searched as text, never an error.
    for q in [
        "%22",
        "*",
        "NEAR(",
        "OR",
        "council%20OR",
        "title%3Avolcano",
        "%22volcano",
    ] {
        ids(&format!("/v1/articles?q={q}"));
    }
}

#[test]
fn search_results_page_by_rank_without_repeats() {
    let app = spawn_app();
    for n in 0..7 {
        let text = format!(
            "Report {n}\n\n{} The harbour was calm.",
            "harbour ".repeat(n + 1)
        );
        app.post_numbered(n, json!({"text": text, "title": format!("Report {n}")}));
    }
    let first: Value = app.get("/v1/articles?q=harbour&limit=4").json().unwrap();
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second: Value = app
        .get(&format!("/v1/articles?q=harbour&limit=4&cursor={cursor}"))
        .json()
        .unwrap();
    assert!(second.get("next_cursor").is_none());
    let titles: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["data"].as_array().unwrap())
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 7);
    assert_eq!(titles.iter().collect::<HashSet<_>>().len(), 7);
    assert_eq!(
        titles[0], "Report 6",
        "the article saying harbour most often ranks first"
    );
}

#[test]
fn deleting_an_article_removes_it() {
    let app = spawn_app();
    let (_, article) = app.post_article(&json!({"text": SEED_TEXT}));
    let path = format!("/v1/articles/{}", article["id"].as_str().unwrap());
    let response = app.client.delete(app.url(&path)).send().unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(app.get(&path).status().as_u16(), 404);
    assert_eq!(
        app.client
            .delete(app.url(&path))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let list: Value = app.get("/v1/articles").json().unwrap();
    assert_eq!(list["data"], json!([]));
    // Its quotes and mentions went with it: posting it again creates it anew.
    let (status, _) = app.post_article(&json!({"text": SEED_TEXT}));
    assert_eq!(status, 201);
}

#[test]
fn health_and_readiness_answer() {
    let app = spawn_app();
    assert_eq!(app.get("/healthz").status().as_u16(), 200);
    let ready = app.get("/readyz");
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.json::<Value>().unwrap()["status"], "ok");
}

#[test]
fn a_sent_request_id_is_echoed() {
    let app = spawn_app();
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "trace-42")
        .send()
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let generated = app.get("/healthz");
    assert!(!generated.headers()["x-request-id"].is_empty());
}
