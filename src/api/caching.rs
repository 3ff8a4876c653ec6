//! HTTP caching of reads: `ETag`, `If-None-Match` -> 304, `Cache-Control` and `Vary` on
//! every GET, and HEAD answered as the GET without its body.
//!
//! The tag is a hash of the uncompressed body, so it is weak (`W/"..."`): the bytes on
//! the wire differ with the content coding `Compress` picks, and a strong tag must change
//! with them (RFC 9110 §8.8.1). `If-None-Match` uses the weak comparison anyway. Streamed
//! bodies (NDJSON exports) are never buffered to hash: they pass through untagged.
//!
//! The hash is a fast non-cryptographic one (64 bits, plus the length): a tag only has to
//! change when the body does, and nobody gains by forging a collision with their own
//! copy. SHA-256 of a 4 KB article cost more server CPU than reading it from SQLite.

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use base64::Engine;
use rustc_hash::FxHasher;
use std::hash::Hasher;

use super::auth::Keyring;
use super::error::ApiError;

/// What may be cached where, by path. The routes told apart here have fixed paths, so
/// the path is enough: asking actix for the matched route template matches the path
/// against every route again, a regex for some, on every request.
fn cache_control(path: &str, private: bool) -> &'static str {
    match path {
        "/healthz" | "/readyz" => "no-store",
        // Changes only with a new release; revalidated with the ETag after an hour.
        p if p == "/openapi.json" || p == "/docs" || p.starts_with("/docs/") => {
            "public, max-age=3600"
        }
        // Articles can be deleted and lists change with every write: always revalidate.
        // With reads behind a key, shared caches must not keep them (they would not know
        // that `X-Api-Key` matters).
        _ if private => "private, no-cache",
        _ => "no-cache",
    }
}

const VARY: &str = "Accept, Accept-Encoding";

/// The weak entity tag of a body.
pub fn etag_of(body: &[u8]) -> String {
    let mut hasher = FxHasher::default();
    hasher.write(body);
    let mut digest = [0u8; 12];
    digest[..8].copy_from_slice(&hasher.finish().to_le_bytes());
    digest[8..].copy_from_slice(&(body.len() as u32).to_le_bytes());
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    format!("W/\"{tag}\"")
}

/// Whether an `If-None-Match` value matches `etag`, by the weak comparison.
fn none_match(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == ours)
}

/// Middleware (for `actix_web::middleware::from_fn`); sits just outside the routes.
pub async fn conditional_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // HEAD is served by the GET route; the HTTP layer, which saw HEAD, drops the body but
    // keeps its length.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    if req.method() != Method::GET {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let private = req
        .app_data::<web::Data<Keyring>>()
        .is_some_and(|keyring| keyring.protects_reads());
    let mut response = next.call(req).await?.map_into_boxed_body();

    let status = response.status();
    let policy = if status.is_success() || status.is_redirection() {
        cache_control(response.request().path(), private)
    } else {
        "no-store"
    };
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if status != StatusCode::OK {
        return Ok(response);
    }
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    if matches!(response.response().body().size(), BodySize::Stream) {
        return Ok(response);
    }

    let (request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    // A body that is one buffer (every JSON answer) is taken as it is; `to_bytes` would
    // copy it into a new one.
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => body::to_bytes(body)
            .await
            .map_err(|e| ApiError::Internal(e.to_string().into()))?,
    };
    let etag = etag_of(&bytes);
    let mut response = if if_none_match.is_some_and(|value| none_match(&value, &etag)) {
        not_modified(response.headers())
    } else {
        response.set_body(BoxBody::new(bytes))
    };
    response.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("a base64 tag is a valid header"),
    );
    Ok(ServiceResponse::new(request, response))
}

/// A 304 with the headers the 200 would have carried that RFC 9110 §15.4.5 asks for.
fn not_modified(full: &HeaderMap) -> HttpResponse {
    let mut response = HttpResponse::NotModified().finish();
    for name in [
        header::CACHE_CONTROL,
        header::VARY,
        header::CONTENT_LOCATION,
        header::EXPIRES,
    ] {
        if let Some(value) = full.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test as actix_test;
    use actix_web::App;

    #[actix_web::test]
    async fn streamed_bodies_pass_through_untagged_and_unbuffered() {
        let app = actix_test::init_service(
            App::new()
                .route(
                    "/stream",
                    web::get().to(|| async {
                        let lines = ["{\"n\":1}\n", "{\"n\":2}\n"]
                            .map(|line| Ok::<_, actix_web::Error>(web::Bytes::from(line)));
                        HttpResponse::Ok()
                            .content_type("application/x-ndjson")
                            .streaming(futures_util::stream::iter(lines))
                    }),
                )
                .route("/sized", web::get().to(|| async { "{\"n\":1}" }))
                .wrap(actix_web::middleware::from_fn(conditional_get)),
        )
        .await;
        let streamed = actix_test::call_service(
            &app,
            actix_test::TestRequest::get().uri("/stream").to_request(),
        )
        .await;
        assert!(streamed.headers().get(header::ETAG).is_none());
        assert!(matches!(
            streamed.response().body().size(),
            BodySize::Stream
        ));
        assert_eq!(
            actix_test::read_body(streamed).await,
            web::Bytes::from_static(b"{\"n\":1}\n{\"n\":2}\n")
        );
        let sized = actix_test::call_service(
            &app,
            actix_test::TestRequest::get().uri("/sized").to_request(),
        )
        .await;
        assert!(sized.headers().get(header::ETAG).is_some());
    }

    #[test]
    fn tags_are_weak_and_follow_the_body() {
        let tag = etag_of(b"{\"data\":[]}");
        assert!(tag.starts_with("W/\"") && tag.ends_with('"'));
        assert_eq!(tag, etag_of(b"{\"data\":[]}"));
        assert_ne!(tag, etag_of(b"{\"data\":[1]}"));
    }

    #[test]
    fn tags_change_with_any_byte_of_a_long_body() {
        let body: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let tag = etag_of(&body);
        let mut tags = std::collections::HashSet::new();
        for at in (0..body.len()).step_by(97) {
            let mut changed = body.clone();
            changed[at] ^= 1;
            assert!(tags.insert(etag_of(&changed)), "collision at byte {at}");
        }
        assert!(!tags.contains(&tag));
        assert_ne!(tag, etag_of(&body[..body.len() - 1]));
    }

    #[test]
    fn if_none_match_uses_the_weak_comparison() {
        let tag = etag_of(b"x");
        let strong = tag.trim_start_matches("W/");
        assert!(none_match(&tag, &tag));
        assert!(none_match(strong, &tag));
        assert!(none_match(&format!("\"other\", {tag}"), &tag));
        assert!(none_match("*", &tag));
        assert!(!none_match("\"other\"", &tag));
        assert!(!none_match("", &tag));
    }
}
