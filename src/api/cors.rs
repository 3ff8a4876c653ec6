//! Cross-origin access for browser frontends, from `cors.allowed_origins`.
//!
//! Requests from other origins are still served (curl and servers send `Origin` too); they
//! only lack the `Access-Control-*` headers, so browsers keep the answer from the page.
//! Refused preflights are problem+json like every other error.

use actix_cors::Cors;
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::ResponseError;

use super::auth::API_KEY_HEADER;
use super::error::{ApiError, PROBLEM_JSON};
use super::limits::{RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET};
use crate::config::CorsSettings;
use crate::telemetry::REQUEST_ID_HEADER;

/// Refuses origins that are not `*` or `scheme://host[:port]`, at start-up rather than in
/// a worker.
pub fn check_origins(settings: &CorsSettings) -> Result<(), String> {
    for origin in &settings.allowed_origins {
        let origin = origin.trim().trim_end_matches('/');
        if origin.is_empty() || origin == "*" {
            continue;
        }
        let uri: Uri = origin
            .parse()
            .map_err(|_| format!("cors.allowed_origins: `{origin}` is not an origin"))?;
        let plain = matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.authority().is_some()
            && uri.path_and_query().is_none_or(|pq| pq.as_str() == "/");
        if !plain {
            return Err(format!(
                "cors.allowed_origins: `{origin}` is not an origin like https://app.example.org"
            ));
        }
    }
    Ok(())
}

/// The CORS middleware for these settings (refusing every origin when none is listed).
pub fn middleware(settings: &CorsSettings) -> Cors {
    let origins: Vec<&str> = settings
        .allowed_origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .collect();
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static(API_KEY_HEADER),
            header::HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([
            header::LINK,
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static(REQUEST_ID_HEADER),
            header::HeaderName::from_static(RATELIMIT_LIMIT),
            header::HeaderName::from_static(RATELIMIT_REMAINING),
            header::HeaderName::from_static(RATELIMIT_RESET),
        ])
        .max_age(settings.max_age_secs);
    if origins.contains(&"*") {
        // Keys travel in headers, not cookies, so `*` needs no credentials mode.
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    cors
}

/// Middleware (for `actix_web::middleware::from_fn`) just outside [`middleware`] and
/// compression: their refusals come as plain text (CORS refusing a preflight; `Compress`
/// answering 406 when `Accept-Encoding` excludes every coding it has, with the codings
/// as the body); they become problems like every other error.
pub async fn refusals_as_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let response = next.call(req).await?.map_into_boxed_body();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    let status = response.status();
    let is_refused_encoding = status == StatusCode::NOT_ACCEPTABLE;
    if is_problem || !status.is_client_error() || !(is_preflight || is_refused_encoding) {
        return Ok(response);
    }
    let (request, refusal) = response.into_parts();
    let reason = body::to_bytes(refusal.into_body())
        .await
        .unwrap_or_default();
    let reason = String::from_utf8_lossy(&reason).trim().to_owned();
    let problem = if is_refused_encoding {
        ApiError::NoAcceptableEncoding(if reason.is_empty() {
            "br, gzip, deflate".to_owned()
        } else {
            reason
        })
    } else {
        ApiError::CorsRefused(if reason.is_empty() {
            "this origin, method or header is not allowed".to_owned()
        } else {
            reason
        })
    };
    Ok(ServiceResponse::new(request, problem.error_response()))
}
