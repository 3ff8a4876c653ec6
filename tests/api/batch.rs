//! `POST /v1/articles:batch`: one result per item, in order; a bad item fails alone.

use serde_json::{json, Value};

use super::helpers::{assert_problem, spawn_app, spawn_app_with, SEED_TEXT};

fn post_batch(
    app: &super::helpers::TestApp,
    content_type: &str,
    body: String,
) -> reqwest::blocking::Response {
    app.client
        .post(app.url("/v1/articles:batch"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("POST answers")
}

fn story(n: usize) -> Value {
    json!({
        "text": format!("Bridge {n} reopens\n\nThe mayor said \u{201c}bridge {n} is safe again,\u{201d} on Monday."),
        "url": format!("https://news.example.org/bridges/{n}"),
        "published": "2024-03-01",
    })
}

#[test]
fn an_ndjson_batch_answers_each_item_and_bad_items_fail_alone() {
    let app = spawn_app();
    let lines = [
        story(1).to_string(),
        "{not json".to_owned(),
        json!({"text": "   "}).to_string(),
        String::new(), // blank lines are skipped, not items
        json!({"text": SEED_TEXT, "source": "The New American"}).to_string(),
        story(1).to_string(), // the same URL as item 0
    ];
    let response = post_batch(&app, "application/x-ndjson", lines.join("\n"));
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().unwrap();
    let results = body["results"].as_array().unwrap();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![201, 400, 422, 201, 200]);
    let indexes: Vec<u64> = results
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, vec![0, 1, 2, 3, 4]);
    assert_eq!(
        (
            body["created"].as_u64(),
            body["duplicates"].as_u64(),
            body["failed"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );

    assert_eq!(results[1]["problem"]["code"], "invalid_json");
    assert_eq!(results[2]["problem"]["code"], "validation_failed");
    assert_eq!(results[2]["problem"]["errors"][0]["field"], "text");
    assert_eq!(
        results[4]["id"], results[0]["id"],
        "a duplicate names the stored article"
    );

    // What the batch stored is what a single POST would have stored.
    let seed = app.get(results[3]["location"].as_str().unwrap());
    assert_eq!(seed.status().as_u16(), 200);
    let seed: Value = seed.json().unwrap();
    assert_eq!(seed["source"], "The New American");
    assert!(seed["counts"]["quotes"].as_i64().unwrap() > 5);
    let (_, single) = app.post_article(&json!({"text": SEED_TEXT}));
    assert_eq!(single["id"], seed["id"], "the same body is a duplicate");
}

#[test]
fn a_json_array_batch_is_accepted_and_other_bodies_are_refused() {
    let app = spawn_app();
    let response = post_batch(
        &app,
        "application/json",
        json!([story(1), {"text": "x", "published": "soon"}, story(2)]).to_string(),
    );
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().unwrap();
    let statuses: Vec<u64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![201, 422, 201]);
    assert_eq!(
        body["results"][1]["problem"]["errors"][0]["field"],
        "published"
    );

    let not_array = post_batch(&app, "application/json", json!(story(3)).to_string());
    assert_problem(not_array, 400, "invalid_json");
    let empty = post_batch(&app, "application/json", "[]".into());
    assert_problem(empty, 400, "invalid_json");
    let no_lines = post_batch(&app, "application/x-ndjson", "\n\n".into());
    assert_problem(no_lines, 400, "invalid_json");
    let wrong_type = post_batch(&app, "text/plain", "hello".into());
    assert_problem(wrong_type, 415, "unsupported_media_type");
    assert_eq!(
        app.get("/v1/articles?limit=100").json::<Value>().unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "refused requests store nothing"
    );
}

#[test]
fn a_batch_over_the_configured_limits_is_refused_whole() {
    let app = spawn_app_with(|settings| {
        settings.batch.max_items = 2;
        settings.batch.body_limit_bytes = 4096;
    });
    let three = [story(1), story(2), story(3)]
        .map(|s| s.to_string())
        .join("\n");
    let body = assert_problem(
        post_batch(&app, "application/x-ndjson", three),
        413,
        "too_many_items",
    );
    assert!(body["detail"].as_str().unwrap().contains("limit is 2"));
    let big = json!({"text": "word ".repeat(2000)}).to_string();
    assert_problem(
        post_batch(&app, "application/x-ndjson", big),
        413,
        "payload_too_large",
    );
    assert_eq!(
        app.get("/v1/articles").json::<Value>().unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
