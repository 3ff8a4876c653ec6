//! Every error, actix's own included, is problem+json with the right status and code.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[test]
fn malformed_json_is_400() {
    let app = spawn_app();
    let response = app
        .client
        .post(app.url("/v1/articles"))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .unwrap();
    assert_problem(response, 400, "invalid_json");
    let wrong_type = app.post_json("/v1/articles", &json!({"text": 42}));
    assert_problem(wrong_type, 400, "invalid_json");
}

#[test]
fn a_body_that_is_not_json_is_415() {
    let app = spawn_app();
    let response = app
        .client
        .post(app.url("/v1/articles"))
        .header("content-type", "text/plain")
        .body("Just some text")
        .send()
        .unwrap();
    assert_problem(response, 415, "unsupported_media_type");
}

#[test]
fn invalid_fields_are_422_and_named() {
    let app = spawn_app();
    let cases = [
        (json!({"text": "   \n\t "}), vec!["text"]),
        (json!({}), vec!["text"]),
        (json!({"text": "x", "html": "<p>x</p>"}), vec!["html"]),
        (json!({"html": "  "}), vec!["html"]),
        (
            json!({"text": "x", "url": "not a url", "published": "last Tuesday"}),
            vec!["url", "published"],
        ),
    ];
    for (body, fields) in cases {
        let problem = assert_problem(
            app.post_json("/v1/articles", &body),
            422,
            "validation_failed",
        );
        let named: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "for {body}");
        assert!(problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn a_body_over_the_limit_is_413() {
    let app = spawn_app_with(|s| s.server.body_limit_bytes = 64 * 1024);
    let big = "word ".repeat(20_000);
    assert_problem(
        app.post_json("/v1/articles", &json!({"text": big})),
        413,
        "payload_too_large",
    );
    // The default limit is 2 MiB.
    let default = spawn_app();
    let huge = "a".repeat(2 * 1024 * 1024 + 10);
    assert_problem(
        default.post_json("/v1/articles", &json!({"text": huge})),
        413,
        "payload_too_large",
    );
}

#[test]
fn bad_query_parameters_are_400() {
    let app = spawn_app();
    for path in [
        "/v1/articles?limit=abc",
        "/v1/articles?limit=0",
        "/v1/articles?limit=101",
        "/v1/articles?published_after=yesterday",
        "/v1/articles?published_before=2023-13-45",
    ] {
        assert_problem(app.get(path), 400, "invalid_query");
    }
}

#[test]
fn unreadable_or_foreign_cursors_are_400() {
    let app = spawn_app();
    for n in 0..3 {
        app.post_numbered(n, json!({"source": "Wire"}));
    }
    assert_problem(
        app.get("/v1/articles?cursor=not-a-cursor!"),
        400,
        "invalid_cursor",
    );
    let page: Value = app.get("/v1/articles?limit=1&source=Wire").json().unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/articles?limit=1&source=Wire&cursor={cursor}"))
            .status()
            .as_u16(),
        200
    );
    assert_problem(
        app.get(&format!(
            "/v1/articles?limit=1&source=Other&cursor={cursor}"
        )),
        400,
        "invalid_cursor",
    );
    assert_problem(
        app.get(&format!("/v1/articles?limit=1&cursor={cursor}")),
        400,
        "invalid_cursor",
    );
    assert_problem(
        app.get(&format!("/v1/articles?q=council&cursor={cursor}")),
        400,
        "invalid_cursor",
    );
}

#[test]
fn unknown_ids_and_routes_are_404() {
    let app = spawn_app();
    let problem = assert_problem(app.get("/v1/articles/a_doesnotexist"), 404, "not_found");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("a_doesnotexist"));
    assert_problem(app.get("/v1/nothing-here"), 404, "route_not_found");
    assert_problem(app.get("/"), 404, "route_not_found");
}

#[test]
fn a_wrong_method_is_405_with_allow() {
    let app = spawn_app();
    let response = app.client.put(app.url("/v1/articles")).send().unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
    assert_problem(response, 405, "method_not_allowed");
    let response = app.client.post(app.url("/v1/articles/a_x")).send().unwrap();
    assert_eq!(response.headers()["allow"], "DELETE, GET, HEAD");
    assert_problem(response, 405, "method_not_allowed");
}
