//! HTTP caching and content coding: ETag and 304, Cache-Control, Vary, HEAD, gzip and br.

use std::io::Read;

use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, SEED_TEXT};

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("a {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn get_with(app: &TestApp, path: &str, name: &str, value: &str) -> Response {
    app.client
        .get(app.url(path))
        .header(name, value)
        .send()
        .unwrap()
}

/// An archive with one article of each kind of thing; returns the paths of its resources.
fn seeded(app: &TestApp) -> Vec<String> {
    let (status, article) = app.post_article(&json!({"text": SEED_TEXT, "source": "Wire"}));
    assert_eq!(status, 201);
    let id = article["id"].as_str().unwrap();
    let quotes: Value = app.get("/v1/quotes").json().unwrap();
    let quote = quotes["data"][0]["id"]
        .as_str()
        .expect("the seed has quotes");
    let entities: Value = app.get("/v1/entities").json().unwrap();
    let entity = entities["data"][0]["id"]
        .as_str()
        .expect("the seed names entities");
    vec![
        "/v1/articles".into(),
        format!("/v1/articles/{id}"),
        format!("/v1/articles/{id}?include=quotes,entities"),
        format!("/v1/articles/{id}/quotes"),
        "/v1/quotes?q=office".into(),
        format!("/v1/quotes/{quote}"),
        "/v1/entities".into(),
        format!("/v1/entities/{entity}"),
        format!("/v1/entities/{entity}/articles"),
    ]
}

#[test]
fn every_get_has_an_etag_and_answers_if_none_match_with_304() {
    let app = spawn_app();
    for path in seeded(&app) {
        let full = app.get(&path);
        assert_eq!(full.status().as_u16(), 200, "{path}");
        let etag = header(&full, "etag");
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        assert_eq!(header(&full, "cache-control"), "no-cache", "{path}");
        let vary = header(&full, "vary");
        assert!(
            vary.starts_with("Accept, Accept-Encoding"),
            "{path}: {vary}"
        );
        let body = full.bytes().unwrap();

        let again = app.get(&path);
        assert_eq!(header(&again, "etag"), etag, "{path}: the tag is stable");

        let not_modified = get_with(&app, &path, "if-none-match", &etag);
        assert_eq!(not_modified.status().as_u16(), 304, "{path}");
        assert_eq!(header(&not_modified, "etag"), etag);
        assert_eq!(header(&not_modified, "cache-control"), "no-cache");
        assert!(header(&not_modified, "vary").contains("Accept-Encoding"));
        assert!(not_modified.bytes().unwrap().is_empty(), "{path}: no body");

        let listed = get_with(&app, &path, "if-none-match", &format!("\"x\", {etag}"));
        assert_eq!(listed.status().as_u16(), 304, "{path}: a list of tags");
        let other = get_with(&app, &path, "if-none-match", "W/\"something-else\"");
        assert_eq!(other.status().as_u16(), 200, "{path}");
        assert_eq!(other.bytes().unwrap(), body, "{path}");
    }
}

#[test]
fn a_write_changes_the_tag_of_the_lists_it_shows_in() {
    let app = spawn_app();
    app.post_numbered(1, json!({}));
    let before = header(&app.get("/v1/articles"), "etag");
    app.post_numbered(2, json!({}));
    let after = get_with(&app, "/v1/articles", "if-none-match", &before);
    assert_eq!(
        after.status().as_u16(),
        200,
        "the old tag no longer matches"
    );
    assert_ne!(header(&after, "etag"), before);
    let page: Value = after.json().unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}

#[test]
fn cache_control_fits_each_kind_of_resource() {
    let app = spawn_app();
    let docs = app.get("/openapi.json");
    assert_eq!(header(&docs, "cache-control"), "public, max-age=3600");
    assert!(docs.headers().contains_key("etag"));
    let asset = app.get("/docs/swagger-initializer.js");
    assert_eq!(asset.status().as_u16(), 200);
    assert_eq!(header(&asset, "cache-control"), "public, max-age=3600");
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(
            header(&app.get(probe), "cache-control"),
            "no-store",
            "{probe}"
        );
    }
    let missing = app.get("/v1/articles/a_nothing");
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(header(&missing, "cache-control"), "no-store");
    assert!(missing.headers().get("etag").is_none());
}

/// Every GET route of the OpenAPI document, with real ids in place of its parameters.
fn get_routes(app: &TestApp) -> Vec<String> {
    let paths = seeded(app);
    let id_of = |prefix: &str| {
        paths
            .iter()
            .find_map(|p| {
                p.strip_prefix(prefix)
                    .filter(|rest| !rest.contains(['/', '?']))
            })
            .unwrap_or_else(|| panic!("an id for {prefix}"))
            .to_owned()
    };
    let doc: Value = app.get("/openapi.json").json().unwrap();
    let mut routes: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(template, _)| {
            let resource = template.split('/').nth(2).unwrap_or_default();
            let id = match resource {
                "articles" => id_of("/v1/articles/"),
                "quotes" => id_of("/v1/quotes/"),
                "entities" => id_of("/v1/entities/"),
                _ => "x".into(),
            };
            template.replace("{id}", &id)
        })
        .collect();
    routes.extend(["/openapi.json".into(), "/docs/".into()]);
    routes
}

#[test]
fn head_answers_on_every_get_route_like_get_without_the_body() {
    let app = spawn_app();
    let routes = get_routes(&app);
    assert!(routes.len() >= 10, "{routes:?}");
    for path in routes {
        let get = app.get(&path);
        let head = app.client.head(app.url(&path)).send().unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_ne!(head.status().as_u16(), 405, "HEAD {path}");
        for name in ["content-type", "etag", "cache-control"] {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "HEAD {path}: {name}"
            );
        }
        let length = get.headers().get("content-length").cloned();
        assert_eq!(
            head.headers().get("content-length"),
            length.as_ref(),
            "HEAD {path}"
        );
        assert!(head.bytes().unwrap().is_empty(), "HEAD {path} has no body");
    }
}

fn decoded(response: Response) -> Vec<u8> {
    let encoding = header(&response, "content-encoding");
    let raw = response.bytes().unwrap();
    let mut out = Vec::new();
    match encoding.as_str() {
        "gzip" => {
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli::Decompressor::new(&raw[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("unexpected content coding {other}"),
    }
    out
}

#[test]
fn answers_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app();
    seeded(&app);
    let path = "/v1/articles?limit=5";
    let plain = app.get(path);
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = header(&plain, "etag");
    let identity = plain.bytes().unwrap();
    for (accept, coding) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("br;q=1.0, gzip;q=0.5", "br"),
    ] {
        let response = get_with(&app, path, "accept-encoding", accept);
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(header(&response, "content-encoding"), coding, "{accept}");
        // The weak tag names the content, whatever its coding.
        assert_eq!(header(&response, "etag"), etag);
        assert_eq!(decoded(response), identity, "{accept}");
    }
    // Errors are compressed too, and still problem+json.
    let missing = get_with(&app, "/v1/articles/a_nothing", "accept-encoding", "gzip");
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(header(&missing, "content-type"), "application/problem+json");
    let problem: Value = serde_json::from_slice(&decoded(missing)).unwrap();
    assert_eq!(problem["code"], "not_found");
}

#[test]
fn a_refused_content_coding_is_a_406_problem() {
    let app = spawn_app();
    seeded(&app);
    // Identity refused and no coding of the server's named: nothing can be sent.
    let refused = get_with(
        &app,
        "/v1/articles?limit=1",
        "accept-encoding",
        "identity;q=0",
    );
    assert_eq!(refused.status().as_u16(), 406);
    assert_eq!(header(&refused, "content-type"), "application/problem+json");
    assert!(refused.headers().get("x-request-id").is_some());
    let problem: Value = refused.json().unwrap();
    assert_eq!(problem["code"], "not_acceptable");
    assert_eq!(problem["status"], 406);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("gzip"), "{detail}");
    // Any coding the server has is enough.
    let gzip = get_with(
        &app,
        "/v1/articles?limit=1",
        "accept-encoding",
        "identity;q=0, gzip",
    );
    assert_eq!(gzip.status().as_u16(), 200);
}
