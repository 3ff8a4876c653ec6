//! NDJSON export: `Accept: application/x-ndjson` streams the whole filtered list, the
//! same items in the same order as following the pages.

use serde_json::{json, Value};

use super::helpers::{spawn_app, TestApp};

/// Every item of a list, following `next_cursor` with small pages.
fn all_pages(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=97&cursor={c}"),
            None => format!("{path}{sep}limit=97"),
        };
        let page: Value = app.get(&url).json().unwrap();
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

fn export(app: &TestApp, path: &str) -> Vec<Value> {
    let response = app
        .client
        .get(app.url(path))
        .header("accept", "application/x-ndjson")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    assert_eq!(
        response
            .headers()
            .get("transfer-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("chunked"),
        "a stream, not a buffered body"
    );
    let text = response.text().unwrap();
    assert!(text.is_empty() || text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// 130 articles of five quotes each (650 quotes: more than one export chunk of 500),
/// through the batch endpoint; speakers and years alternate.
fn archive(app: &TestApp) {
    let lines: Vec<String> = (0..130)
        .map(|n| {
            let speaker = if n % 2 == 0 { "Maria Lopez" } else { "Tom Berg" };
            let quotes: Vec<String> = (0..5)
                .map(|k| format!("\u{201c}Harbour plan {n} step {k} matters for the town,\u{201d} {speaker} said."))
                .collect();
            json!({
                "text": format!("Harbour plan {n}\n\n{}", quotes.join("\n\n")),
                "url": format!("https://news.example.org/harbour/{n}"),
                "published": format!("{}-{:02}-{:02}", 2020 + n % 3, 1 + n % 12, 1 + n % 28),
            })
            .to_string()
        })
        .collect();
    let response = app
        .client
        .post(app.url("/v1/articles:batch"))
        .header("content-type", "application/x-ndjson")
        .body(lines.join("\n"))
        .send()
        .unwrap();
    let body: Value = response.json().unwrap();
    assert_eq!(body["created"], 130, "{body}");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_quote_export_equals_the_paged_list_for_the_same_filters() {
    let app = spawn_app();
    archive(&app);
    let everything = export(&app, "/v1/quotes");
    assert!(
        everything.len() > 500,
        "crosses a chunk boundary: {}",
        everything.len()
    );
    let paged = all_pages(&app, "/v1/quotes");
    assert_eq!(ids(&everything), ids(&paged));
    assert_eq!(everything, paged, "the same objects");

    let filtered = "/v1/quotes?speaker=Maria%20Lopez&published_after=2021-01-01";
    let exported = export(&app, filtered);
    assert!(!exported.is_empty() && exported.len() < everything.len());
    assert!(exported
        .iter()
        .all(|q| q["speaker"]["name"] == "Maria Lopez"));
    assert_eq!(ids(&exported), ids(&all_pages(&app, filtered)));

    let searched = "/v1/quotes?q=harbour%20step";
    let exported = export(&app, searched);
    assert_eq!(exported.len(), everything.len(), "every quote matches");
    assert_eq!(ids(&exported), ids(&all_pages(&app, searched)));
    let mut unique = ids(&exported);
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        exported.len(),
        "no quote twice across ranked windows"
    );
}

#[test]
fn an_article_export_equals_the_paged_list() {
    let app = spawn_app();
    archive(&app);
    for path in ["/v1/articles", "/v1/articles?published_before=2022-01-01"] {
        let exported = export(&app, path);
        assert_eq!(ids(&exported), ids(&all_pages(&app, path)), "{path}");
    }
    assert_eq!(export(&app, "/v1/articles").len(), 130);
    assert!(export(&app, "/v1/articles?source=nobody").is_empty());
}
