//! The entities resource: one entity per name and type across articles, lists, detail,
//! an entity's articles and quotes, and an article's entities.

use std::collections::HashSet;

use serde_json::Value;

use crate::archive;
use crate::helpers::{assert_problem, spawn_app};

fn names(app: &crate::helpers::TestApp, path: &str) -> Vec<String> {
    crate::helpers::page_field(app, path, "name")
}

#[test]
fn the_same_name_and_type_is_one_entity_across_articles() {
    let app = spawn_app();
    archive::build(&app);
    let people: Value = app.get("/v1/entities?type=person").json().unwrap();
    let people = people["data"].as_array().unwrap();
    assert_eq!(people.len(), 1);
    let jens = &people[0];
    assert_eq!(
        jens["id"],
        quotewire::store::entity_id("person", "Jens Stoltenberg")
    );
    assert_eq!(jens["name"], "Jens Stoltenberg");
    assert_eq!(
        jens["aliases"],
        serde_json::json!(["Mr Stoltenberg", "Stoltenberg"]),
        "aliases accumulate"
    );
    assert_eq!(jens["roles"], serde_json::json!(["NATO Secretary General"]));
    assert_eq!(
        jens["counts"],
        serde_json::json!({"articles": 2, "mentions": 3, "quotes": 3})
    );
}

#[test]
fn entity_search_is_a_prefix_over_names_words_and_aliases() {
    let app = spawn_app();
    archive::build(&app);
    assert_eq!(names(&app, "/v1/entities?q=jen"), ["Jens Stoltenberg"]);
    assert_eq!(
        names(&app, "/v1/entities?q=STOLT"),
        ["Jens Stoltenberg"],
        "a later word"
    );
    assert_eq!(
        names(&app, "/v1/entities?q=mr%20stol"),
        ["Jens Stoltenberg"],
        "an alias"
    );
    assert!(
        names(&app, "/v1/entities?q=olten").is_empty(),
        "a prefix, not a substring"
    );
    assert!(
        names(&app, "/v1/entities?q=%25").is_empty(),
        "LIKE wildcards are literal"
    );
    assert_eq!(
        names(&app, "/v1/entities?type=location&sort=name"),
        ["Brussels", "Japan"]
    );
}

#[test]
fn entities_sort_by_mentions_or_name_and_page() {
    let app = spawn_app();
    archive::build(&app);
    let by_name = names(&app, "/v1/entities?sort=name");
    assert_eq!(by_name, ["Brussels", "Japan", "Jens Stoltenberg", "NATO"]);
    let by_mentions: Value = app.get("/v1/entities").json().unwrap();
    let counts: Vec<i64> = by_mentions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["counts"]["mentions"].as_i64().unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted, "most mentioned first");
    for sort in ["mentions", "name"] {
        let mut seen = Vec::new();
        let mut path = format!("/v1/entities?sort={sort}&limit=1");
        loop {
            let page: Value = app.get(&path).json().unwrap();
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_str().unwrap().to_owned()),
            );
            match page.get("next_cursor").and_then(Value::as_str) {
                Some(cursor) => path = format!("/v1/entities?sort={sort}&limit=1&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 4, "sort={sort}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 4);
    }
    let page: Value = app.get("/v1/entities?sort=name&limit=1").json().unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_problem(
        app.get(&format!(
            "/v1/entities?sort=mentions&limit=1&cursor={cursor}"
        )),
        400,
        "invalid_cursor",
    );
    assert_problem(app.get("/v1/entities?sort=fame"), 400, "invalid_query");
}

#[test]
fn an_entity_has_its_articles_quotes_and_first_and_last_seen() {
    let app = spawn_app();
    let archive = archive::build(&app);
    let id = quotewire::store::entity_id("person", "Jens Stoltenberg");
    let jens: Value = app.get(&format!("/v1/entities/{id}")).json().unwrap();
    assert_eq!(jens["first_seen"], "2023-05-07");
    assert_eq!(jens["last_seen"], "2023-06-01");
    let articles: Value = app
        .get(&format!("/v1/entities/{id}/articles"))
        .json()
        .unwrap();
    let ids: Vec<&str> = articles["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [archive.b.as_str(), archive.a.as_str()],
        "newest first"
    );
    let said: Value = app
        .get(&format!("/v1/entities/{id}/quotes"))
        .json()
        .unwrap();
    assert_eq!(said["data"].as_array().unwrap().len(), 3);
    let japan = quotewire::store::entity_id("location", "Japan");
    let japan_said: Value = app
        .get(&format!("/v1/entities/{japan}/quotes"))
        .json()
        .unwrap();
    assert_eq!(
        japan_said["data"],
        serde_json::json!([]),
        "named in a quote is not saying it"
    );
    for path in [
        "/v1/entities/e_missing",
        "/v1/entities/e_missing/articles",
        "/v1/entities/e_missing/quotes",
    ] {
        assert_problem(app.get(path), 404, "not_found");
    }
}

#[test]
fn an_articles_entities_carry_mention_counts_and_spans() {
    let app = spawn_app();
    let archive = archive::build(&app);
    let article: Value = app
        .get(&format!("/v1/articles/{}", archive.a))
        .json()
        .unwrap();
    let body = article["body"].as_str().unwrap();
    let entities: Value = app
        .get(&format!("/v1/articles/{}/entities", archive.a))
        .json()
        .unwrap();
    let entities = entities["data"].as_array().unwrap();
    assert_eq!(entities.len(), 3);
    for entity in entities {
        let spans = entity["mentions"].as_array().unwrap();
        assert_eq!(
            entity["mention_count"].as_u64().unwrap() as usize,
            spans.len()
        );
        for span in spans {
            let text = &body
                [span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize];
            let name = entity["name"].as_str().unwrap();
            assert!(name.ends_with(text), "{text:?} names {name}");
        }
    }
    let counts: Vec<u64> = entities
        .iter()
        .map(|e| e["mention_count"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most mentioned first: {counts:?}"
    );
    assert_problem(app.get("/v1/articles/a_missing/entities"), 404, "not_found");
}

#[test]
fn deleting_an_article_updates_counts_and_drops_orphans() {
    let app = spawn_app();
    let archive = archive::build(&app);
    let response = app
        .client
        .delete(app.url(&format!("/v1/articles/{}", archive.b)))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let id = quotewire::store::entity_id("person", "Jens Stoltenberg");
    let jens: Value = app.get(&format!("/v1/entities/{id}")).json().unwrap();
    assert_eq!(
        jens["counts"],
        serde_json::json!({"articles": 1, "mentions": 2, "quotes": 2})
    );
    assert_eq!(jens["last_seen"], "2023-05-07");
    let brussels = quotewire::store::entity_id("location", "Brussels");
    assert_problem(
        app.get(&format!("/v1/entities/{brussels}")),
        404,
        "not_found",
    );
}

#[test]
fn parallel_ingests_naming_the_same_entity_make_one_entity() {
    let app = spawn_app();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let app = &app;
                scope.spawn(move || {
                    let text = format!(
                        "Summit report {n}\n\n\u{201c}We agreed on item {n},\u{201d} said Jens Stoltenberg. NATO met in Vilnius on day {n}."
                    );
                    app.post_json("/v1/articles", &serde_json::json!({"text": text, "title": format!("Summit report {n}")}))
                        .status()
                        .as_u16()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let all: Value = app.get("/v1/entities?limit=100").json().unwrap();
    let all = all["data"].as_array().unwrap();
    let mut keys: Vec<(String, String)> = all
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["name"].as_str().unwrap().to_lowercase(),
            )
        })
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "no entity is stored twice");
    // Whatever the extractor makes of the name, every article's mention lands on one row.
    let articles: i64 = all
        .iter()
        .map(|e| e["counts"]["articles"].as_i64().unwrap())
        .max()
        .unwrap();
    assert_eq!(
        articles, 8,
        "an entity named in all eight articles counts all eight"
    );
}
