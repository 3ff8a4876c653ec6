//! The quotes resource: filters, search, detail, per-article lists and pagination.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::archive;
use crate::helpers::{assert_problem, spawn_app, SEED_TEXT};

fn texts(app: &crate::helpers::TestApp, path: &str) -> Vec<String> {
    crate::helpers::page_field(app, path, "text")
}

#[test]
fn quotes_list_newest_first_in_article_order_without_terms_by_default() {
    let app = spawn_app();
    archive::build(&app);
    assert_eq!(
        texts(&app, "/v1/quotes"),
        [
            "Talks went well,",
            "We will open an office,",
            "Japan is a partner."
        ]
    );
    assert_eq!(texts(&app, "/v1/quotes?kind=term"), ["historic"]);
    assert_eq!(texts(&app, "/v1/quotes?kind=direct,partial,term").len(), 4);
    assert_problem(app.get("/v1/quotes?kind=rumour"), 400, "invalid_query");
}

#[test]
fn speaker_matches_id_name_or_alias() {
    let app = spawn_app();
    archive::build(&app);
    let id = quotewire::store::entity_id("person", "Jens Stoltenberg");
    for speaker in [
        id.as_str(),
        "Jens%20Stoltenberg",
        "jens%20STOLTENBERG",
        "Stoltenberg",
        "Mr%20Stoltenberg",
    ] {
        assert_eq!(
            texts(&app, &format!("/v1/quotes?speaker={speaker}")).len(),
            3,
            "speaker={speaker}"
        );
    }
    assert!(texts(&app, "/v1/quotes?speaker=Nobody").is_empty());
    assert!(texts(&app, "/v1/quotes?speaker=e_unknown").is_empty());
}

#[test]
fn other_filters_narrow_the_quotes() {
    let app = spawn_app();
    let archive = archive::build(&app);
    assert_eq!(
        texts(&app, &format!("/v1/quotes?article={}", archive.a)).len(),
        2
    );
    assert_eq!(
        texts(&app, "/v1/quotes?published_after=2023-06-01"),
        ["Talks went well,"]
    );
    assert_eq!(
        texts(&app, "/v1/quotes?published_before=2023-06-01").len(),
        2
    );
    let japan = quotewire::store::entity_id("location", "Japan");
    assert_eq!(
        texts(&app, &format!("/v1/quotes?about={japan}")),
        ["Japan is a partner."]
    );
    let page: Value = app.get("/v1/quotes?q=offices").json().unwrap();
    let found = page["data"].as_array().unwrap();
    assert_eq!(found.len(), 1, "stemmed search finds 'office'");
    assert!(found[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("<mark>office</mark>"));
    for q in ["%22", "*", "NEAR(", "OR", "AND%20NOT"] {
        texts(&app, &format!("/v1/quotes?q={q}"));
    }
}

#[test]
fn a_quote_comes_with_its_speaker_sentence_spans_and_article() {
    let app = spawn_app();
    let archive = archive::build(&app);
    let article: Value = app
        .get(&format!("/v1/articles/{}", archive.a))
        .json()
        .unwrap();
    let body = article["body"].as_str().unwrap();
    let page: Value = app
        .get(&format!("/v1/articles/{}/quotes", archive.a))
        .json()
        .unwrap();
    let id = page["data"][1]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("q_"));
    let quote: Value = app.get(&format!("/v1/quotes/{id}")).json().unwrap();
    assert_eq!(quote, page["data"][1], "the list and the detail agree");
    assert_eq!(quote["text"], "Japan is a partner.");
    assert_eq!(quote["kind"], "direct");
    assert_eq!(quote["cue"], "added");
    assert_eq!(
        quote["speaker"],
        json!({"id": quotewire::store::entity_id("person", "Jens Stoltenberg"), "name": "Jens Stoltenberg", "type": "person"})
    );
    let slice = |span: &Value| {
        &body[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize]
    };
    assert_eq!(slice(&quote["span"]), "Japan is a partner.");
    assert_eq!(quote["speaker_mention"]["text"], "Stoltenberg");
    assert_eq!(slice(&quote["speaker_mention"]), "Stoltenberg");
    assert_eq!(slice(&quote["cue_span"]), "added");
    assert_eq!(
        slice(&quote["sentence_span"]),
        quote["sentence"].as_str().unwrap()
    );
    assert!(quote["sentence"]
        .as_str()
        .unwrap()
        .contains("\u{201c}Japan is a partner.\u{201d}"));
    assert_eq!(
        quote["article"],
        json!({"id": archive.a, "title": "NATO plans an office in Tokyo", "url": null, "published": "2023-05-07"})
    );
    assert_problem(app.get("/v1/quotes/q_missing"), 404, "not_found");
    assert_problem(app.get("/v1/articles/a_missing/quotes"), 404, "not_found");
}

#[test]
fn the_seed_articles_quotes_are_the_extractors_with_spans_into_the_body() {
    let app = spawn_app();
    let (status, article) = app.post_article(&json!({"text": SEED_TEXT}));
    assert_eq!(status, 201);
    let body = article["body"].as_str().unwrap();
    let extraction = quotewire::extract::extract(
        SEED_TEXT,
        quotewire::extract::InputFormat::Text,
        &quotewire::extract::KnownMetadata::default(),
    );
    let mut stored = Vec::new();
    let mut path = format!(
        "/v1/articles/{}/quotes?kind=direct,partial,term&limit=7",
        article["id"].as_str().unwrap()
    );
    loop {
        let page: Value = app.get(&path).json().unwrap();
        stored.extend(page["data"].as_array().unwrap().iter().cloned());
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(cursor) => {
                path = format!("{}&cursor={cursor}", path.split("&cursor=").next().unwrap())
            }
            None => break,
        }
    }
    assert_eq!(stored.len(), extraction.quotes.len());
    for (got, want) in stored.iter().zip(&extraction.quotes) {
        assert_eq!(got["text"], want.text);
        assert_eq!(got["kind"], want.kind.as_str());
        let span = &got["span"];
        assert_eq!(
            &body[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize],
            want.text
        );
        assert_eq!(
            got["speaker"]["name"].as_str(),
            want.speaker.as_ref().map(|s| s.name.as_str())
        );
    }
    assert_eq!(
        stored
            .iter()
            .map(|q| q["id"].as_str().unwrap())
            .collect::<HashSet<_>>()
            .len(),
        stored.len()
    );
}

#[test]
fn article_include_embeds_quotes_and_entities() {
    let app = spawn_app();
    let archive = archive::build(&app);
    let plain: Value = app
        .get(&format!("/v1/articles/{}", archive.a))
        .json()
        .unwrap();
    assert!(plain.get("quotes").is_none() && plain.get("entities").is_none());
    let full: Value = app
        .get(&format!(
            "/v1/articles/{}?include=quotes,entities",
            archive.a
        ))
        .json()
        .unwrap();
    assert_eq!(full["quotes"].as_array().unwrap().len(), 3, "all kinds");
    assert_eq!(full["entities"].as_array().unwrap().len(), 3);
    assert_problem(
        app.get(&format!("/v1/articles/{}?include=everything", archive.a)),
        400,
        "invalid_query",
    );
}

#[test]
fn quote_cursors_page_without_repeats_and_belong_to_their_filters() {
    let app = spawn_app();
    archive::build(&app);
    let mut seen = Vec::new();
    let mut path = "/v1/quotes?limit=1&kind=direct,partial,term".to_owned();
    loop {
        let page: Value = app.get(&path).json().unwrap();
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["id"].as_str().unwrap().to_owned()),
        );
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(cursor) => {
                assert_problem(
                    app.get(&format!("/v1/quotes?limit=1&kind=term&cursor={cursor}")),
                    400,
                    "invalid_cursor",
                );
                path = format!("/v1/quotes?limit=1&kind=direct,partial,term&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 4);
}

#[test]
fn quote_search_pages_by_rank_without_repeats() {
    let app = spawn_app();
    archive::build(&app);
    for n in 0..5 {
        let text = format!("Harbour report {n}\n\n\u{201c}The harbour {} is calm,\u{201d} the harbour master said.", "harbour ".repeat(n));
        app.post_numbered(n, json!({"text": text}));
    }
    let mut seen = Vec::new();
    let mut path = "/v1/quotes?q=harbour&limit=2&kind=direct,partial,term".to_owned();
    loop {
        let page: Value = app.get(&path).json().unwrap();
        for quote in page["data"].as_array().unwrap() {
            assert!(quote["snippet"].as_str().unwrap().contains("<mark>"));
            seen.push(quote["id"].as_str().unwrap().to_owned());
        }
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(cursor) => {
                path =
                    format!("/v1/quotes?q=harbour&limit=2&kind=direct,partial,term&cursor={cursor}")
            }
            None => break,
        }
    }
    let found = texts(
        &app,
        "/v1/quotes?q=harbour&limit=100&kind=direct,partial,term",
    );
    assert_eq!(found.len(), 5, "each article's quote: {found:?}");
    assert_eq!(seen.len(), found.len());
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "no repeats across pages"
    );
    assert!(texts(&app, "/v1/quotes?q=office")
        .iter()
        .all(|t| t.contains("office")));
}
