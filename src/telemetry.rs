//! Logging setup and the per-request span: method, route template, status, latency and
//! request id (taken from `X-Request-Id` when the client sends a sane one, always echoed).
//! Credentials never reach the log: the headers (logged at trace level) are redacted.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::{field, Instrument};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The id of the request being served, for error bodies built deep in the stack.
    static REQUEST_ID: String;
}

/// Installs the global subscriber (text or JSON, to stderr). `RUST_LOG` wins over the
/// configured level. Safe to call twice (the second call does nothing), which tests need.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}

/// The current request's id, or `None` outside a request.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Headers whose values are secrets.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
];

/// The headers as `name: value` lines for the log, with credentials replaced.
pub fn redacted_headers(headers: &HeaderMap) -> String {
    let mut lines: Vec<String> = headers
        .iter()
        .map(|(name, value)| {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                "[redacted]"
            } else {
                value.to_str().unwrap_or("[not text]")
            };
            format!("{name}: {shown}")
        })
        .collect();
    lines.sort();
    lines.join("; ")
}

/// A client's id is kept when it is short printable ASCII (it goes into logs and
/// headers); otherwise a fresh ULID is made.
fn request_id_for(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| ulid::Ulid::new().to_string().to_ascii_lowercase())
}

/// Middleware (for `actix_web::middleware::from_fn`): one span per request.
///
/// The finished-request line is at debug level: a line per request at info costs about
/// half the throughput (see CRATES.md); server errors are logged at error level where
/// they are mapped (`api::error`), so nothing important hides at debug.
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = request_id_for(&req);
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        route = field::Empty,
        status = field::Empty,
        latency_ms = field::Empty,
        request_id = %request_id,
        // Who called: `anonymous`, `invalid-key` or `key:` + the start of the key's hash
        // (recorded by `api::auth`; never the key).
        caller = field::Empty,
    );
    let started = Instant::now();
    if tracing::enabled!(tracing::Level::TRACE) {
        span.in_scope(
            || tracing::trace!(headers = %redacted_headers(req.headers()), "request headers"),
        );
    }
    // Handlers' and extractors' errors arrive here as ready responses; an `Err` can only
    // come from a middleware, and actix renders it after us (without the request id).
    let mut response = REQUEST_ID
        .scope(request_id.clone(), next.call(req))
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    // `match_pattern` matches the path against every route again (regexes): a cost
    // worth paying only when the span is logged.
    if !span.is_disabled() {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        span.record("route", route.as_str());
        span.record("status", response.status().as_u16());
        span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
        span.in_scope(|| tracing::debug!("request finished"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_from_logged_headers() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer secret-one"),
            ("x-api-key", "secret-two"),
            ("cookie", "session=secret-three"),
            ("accept", "application/json"),
        ] {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let logged = redacted_headers(&headers);
        assert!(!logged.contains("secret"), "{logged}");
        assert!(logged.contains("authorization: [redacted]"));
        assert!(logged.contains("accept: application/json"));
    }
}
