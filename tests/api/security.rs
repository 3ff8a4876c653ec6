//! API keys, rate limits and CORS, over the real app.

use quotewire::api::auth::hash_key;
use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

const KEY: &str = "test-key-7Qm2vX9pL4sK8dR1tY6wZ3nB5cF0hJ";
const OTHER_KEY: &str = "test-key-other-aaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn article_body(n: usize) -> Value {
    json!({
        "text": format!("Story {n}\n\nThe mayor said \u{201c}we will rebuild the bridge {n},\u{201d} officials reported."),
        "url": format!("https://news.example.org/security/{n}"),
    })
}

fn post_with(app: &TestApp, header: Option<(&str, String)>, body: &Value) -> Response {
    let mut request = app.client.post(app.url("/v1/articles")).json(body);
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    request.send().unwrap()
}

fn keyed_app(protect_reads: bool) -> TestApp {
    spawn_app_with(|s| {
        s.auth.key_hashes = vec![hash_key(OTHER_KEY), hash_key(KEY)];
        s.auth.protect_reads = protect_reads;
    })
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn writes_need_a_valid_key_when_keys_are_configured() {
    let app = keyed_app(false);

    let missing = post_with(&app, None, &article_body(1));
    assert_eq!(
        header(&missing, "www-authenticate").as_deref(),
        Some(r#"Bearer realm="quotewire""#)
    );
    assert_problem(missing, 401, "missing_api_key");

    let wrong = post_with(
        &app,
        Some(("authorization", format!("Bearer {KEY}x"))),
        &article_body(1),
    );
    assert!(header(&wrong, "www-authenticate")
        .unwrap()
        .contains(r#"error="invalid_token""#));
    assert_problem(wrong, 401, "invalid_api_key");
    // The hash itself is not a key.
    let hash = post_with(&app, Some(("x-api-key", hash_key(KEY))), &article_body(1));
    assert_problem(hash, 401, "invalid_api_key");
    // Another scheme than Bearer carries no key.
    let basic = post_with(
        &app,
        Some(("authorization", format!("Basic {KEY}"))),
        &article_body(1),
    );
    assert_problem(basic, 401, "missing_api_key");
    assert_eq!(
        app.get("/v1/articles").json::<Value>().unwrap()["data"],
        json!([])
    );

    let bearer = post_with(
        &app,
        Some(("authorization", format!("bearer {KEY}"))),
        &article_body(1),
    );
    assert_eq!(bearer.status().as_u16(), 201);
    let id = bearer.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let header_key = post_with(
        &app,
        Some(("x-api-key", OTHER_KEY.into())),
        &article_body(2),
    );
    assert_eq!(header_key.status().as_u16(), 201);

    // Reads stay public.
    assert_eq!(
        app.get(&format!("/v1/articles/{id}")).status().as_u16(),
        200
    );

    let path = app.url(&format!("/v1/articles/{id}"));
    assert_problem(
        app.client.delete(&path).send().unwrap(),
        401,
        "missing_api_key",
    );
    assert_eq!(
        app.get(&format!("/v1/articles/{id}")).status().as_u16(),
        200
    );
    let deleted = app.client.delete(&path).bearer_auth(KEY).send().unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(
        app.get(&format!("/v1/articles/{id}")).status().as_u16(),
        404
    );
}

#[test]
fn requests_matching_no_operation_get_their_404_or_405_without_a_key() {
    let app = keyed_app(true);
    let put = app.client.put(app.url("/v1/articles")).send().unwrap();
    assert_problem(put, 405, "method_not_allowed");
    let post = app.client.post(app.url("/v1/nowhere")).send().unwrap();
    assert_problem(post, 404, "route_not_found");
    assert_problem(app.get("/v1/nowhere"), 404, "route_not_found");
    // A real operation on a path with a parameter is protected.
    assert_problem(
        app.client
            .delete(app.url("/v1/articles/a_x"))
            .send()
            .unwrap(),
        401,
        "missing_api_key",
    );
}

#[test]
fn reads_need_a_key_when_protected_but_probes_and_docs_never_do() {
    let app = keyed_app(true);
    for path in ["/v1/articles", "/v1/quotes", "/v1/entities"] {
        assert_problem(app.get(path), 401, "missing_api_key");
        let head = app.client.head(app.url(path)).send().unwrap();
        assert_eq!(head.status().as_u16(), 401, "HEAD {path}");
        let keyed = app
            .client
            .get(app.url(path))
            .bearer_auth(KEY)
            .send()
            .unwrap();
        assert_eq!(keyed.status().as_u16(), 200, "{path}");
        // Shared caches do not know X-Api-Key matters: the answer is private.
        assert_eq!(
            header(&keyed, "cache-control").as_deref(),
            Some("private, no-cache")
        );
    }
    for path in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
        assert_eq!(app.get(path).status().as_u16(), 200, "{path}");
    }
}

#[test]
fn without_keys_writes_are_open_and_keys_are_ignored() {
    let app = spawn_app();
    assert_eq!(
        post_with(&app, None, &article_body(1)).status().as_u16(),
        201
    );
    let any_key = post_with(
        &app,
        Some(("authorization", "Bearer whatever".into())),
        &article_body(2),
    );
    assert_eq!(any_key.status().as_u16(), 201);
}

fn limited_app(adjust: impl FnOnce(&mut quotewire::config::Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_second = 1;
        s.rate_limit.burst = 3;
        adjust(s);
    })
}

/// GETs `path` (with `header`) until a 429 comes back; returns it, or panics after 40.
fn until_limited(app: &TestApp, path: &str, header: Option<(&str, &str)>) -> Response {
    for _ in 0..40 {
        let mut request = app.client.get(app.url(path));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().unwrap();
        if response.status().as_u16() == 429 {
            return response;
        }
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    panic!("no 429 after 40 requests at 1/s with a burst of 3");
}

#[test]
fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let app = limited_app(|_| {});
    let first = app.get("/v1/articles");
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(header(&first, "ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(header(&first, "ratelimit-remaining").as_deref(), Some("2"));
    let reset: u64 = header(&first, "ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=3).contains(&reset), "reset {reset}");

    let limited = until_limited(&app, "/v1/articles", None);
    let retry_after: u64 = header(&limited, "retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(
        header(&limited, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(header(&limited, "ratelimit-limit").as_deref(), Some("3"));
    assert_problem(limited, 429, "rate_limited");
    // Every route shares the client's budget ...
    assert_problem(app.get("/v1/quotes"), 429, "rate_limited");
    // ... except the probes and the docs.
    for path in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
        let response = app.get(path);
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert!(
            response.headers().get("ratelimit-limit").is_none(),
            "{path}"
        );
    }
}

#[test]
fn a_valid_key_has_its_own_budget_and_a_wrong_one_does_not() {
    let app = limited_app(|s| s.auth.key_hashes = vec![hash_key(KEY)]);
    until_limited(&app, "/v1/articles", None);
    // A wrong key is charged to the address, so guessing keys does not buy requests.
    let wrong = app
        .client
        .get(app.url("/v1/articles"))
        .bearer_auth("not-the-key")
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 429);
    let keyed = app
        .client
        .get(app.url("/v1/articles"))
        .bearer_auth(KEY)
        .send()
        .unwrap();
    assert_eq!(keyed.status().as_u16(), 200);
    assert_eq!(header(&keyed, "ratelimit-remaining").as_deref(), Some("2"));
}

#[test]
fn behind_a_proxy_each_forwarded_address_has_its_own_budget() {
    let app = limited_app(|s| s.rate_limit.client_ip_header = Some("X-Forwarded-For".into()));
    // The proxy appends the address it saw: the last entry is the client.
    until_limited(
        &app,
        "/v1/articles",
        Some(("x-forwarded-for", "203.0.113.9, 198.51.100.7")),
    );
    let other = app
        .client
        .get(app.url("/v1/articles"))
        .header("x-forwarded-for", "198.51.100.8")
        .send()
        .unwrap();
    assert_eq!(other.status().as_u16(), 200);
    let forged_first_entry = app
        .client
        .get(app.url("/v1/articles"))
        .header("x-forwarded-for", "198.51.100.99, 198.51.100.7")
        .send()
        .unwrap();
    assert_eq!(forged_first_entry.status().as_u16(), 429);
}

#[test]
fn rate_limits_can_be_turned_off() {
    let app = limited_app(|s| s.rate_limit.enabled = false);
    for _ in 0..12 {
        let response = app.get("/v1/articles");
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers().get("ratelimit-limit").is_none());
    }
}

const ORIGIN: &str = "https://newsroom.example.org";

fn preflight(app: &TestApp, origin: &str) -> Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/articles"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .unwrap()
}

#[test]
fn configured_origins_get_cors_headers() {
    let app = spawn_app_with(|s| {
        s.cors.allowed_origins = vec![ORIGIN.into(), "https://other.example.org".into()];
        s.auth.key_hashes = vec![hash_key(KEY)];
    });
    let pre = preflight(&app, ORIGIN);
    assert!(pre.status().is_success(), "{:?}", pre.status());
    assert_eq!(
        header(&pre, "access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    let methods = header(&pre, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let headers = header(&pre, "access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("x-api-key"),
        "{headers}"
    );

    let get = app
        .client
        .get(app.url("/v1/articles"))
        .header("origin", ORIGIN)
        .send()
        .unwrap();
    assert_eq!(
        header(&get, "access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    let exposed = header(&get, "access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    for name in [
        "link",
        "etag",
        "x-request-id",
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
    ] {
        assert!(exposed.contains(name), "{name} is exposed: {exposed}");
    }
    // A browser can read why a write was refused.
    let refused = app
        .client
        .post(app.url("/v1/articles"))
        .header("origin", ORIGIN)
        .json(&article_body(1))
        .send()
        .unwrap();
    assert_eq!(
        header(&refused, "access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert_problem(refused, 401, "missing_api_key");

    // Another origin is served (curl sends Origin too) but gets no CORS grant.
    let foreign = app
        .client
        .get(app.url("/v1/articles"))
        .header("origin", "https://evil.example.net")
        .send()
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 200);
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let refused = preflight(&app, "https://evil.example.net");
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_problem(refused, 400, "cors_refused");
}

#[test]
fn a_star_allows_any_origin_and_none_allows_none() {
    let open = spawn_app_with(|s| s.cors.allowed_origins = vec!["*".into()]);
    let get = open
        .client
        .get(open.url("/v1/quotes"))
        .header("origin", "https://anywhere.example")
        .send()
        .unwrap();
    assert_eq!(
        header(&get, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(preflight(&open, "https://anywhere.example")
        .status()
        .is_success());

    let closed = spawn_app();
    let get = closed
        .client
        .get(closed.url("/v1/quotes"))
        .header("origin", ORIGIN)
        .send()
        .unwrap();
    assert_eq!(get.status().as_u16(), 200);
    assert!(get.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn the_document_shows_each_new_status_where_it_can_happen() {
    let app = spawn_app();
    let doc: Value = app.get("/openapi.json").json().unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["name"], "X-Api-Key");
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            assert!(responses.get("414").is_some(), "{method} {path}: 414");
            if !path.starts_with("/v1/") {
                continue;
            }
            operations += 1;
            for status in ["401", "429"] {
                assert!(responses.get(status).is_some(), "{method} {path}: {status}");
            }
            assert!(operation["security"]
                .as_array()
                .is_some_and(|s| s.len() == 3));
            if method == "get" {
                assert!(
                    responses["304"]["headers"].get("ETag").is_some(),
                    "{method} {path}"
                );
                assert!(
                    responses["200"]["headers"].get("ETag").is_some(),
                    "{method} {path}"
                );
            } else {
                assert!(responses.get("304").is_none(), "{method} {path}");
            }
        }
    }
    assert!(operations >= 12);
    let responses = &doc["components"]["responses"];
    let examples = &responses["Unauthorized"]["content"]["application/problem+json"]["examples"];
    assert_eq!(examples["missing"]["value"]["code"], "missing_api_key");
    assert_eq!(examples["invalid"]["value"]["code"], "invalid_api_key");
    let limited = &responses["TooManyRequests"];
    for name in [
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
    ] {
        assert!(limited["headers"].get(name).is_some(), "{name}");
    }
    assert_eq!(
        limited["content"]["application/problem+json"]["example"]["code"],
        "rate_limited"
    );
    assert_eq!(
        responses["UriTooLong"]["content"]["application/problem+json"]["example"]["code"],
        "uri_too_long"
    );
}
