//! Every error the API answers with: one enum with a stable `code` per variant, mapped
//! once to an RFC 9457 `application/problem+json` body. actix's own failures (bad JSON,
//! query or path, wrong content type, oversized body, unknown route, wrong method) are
//! routed here too, so clients meet one error shape.
//!
//! Use [`ApiError`] in handlers; convert lower layers' errors with `?` (store and
//! ingest errors have `From` impls that decide the status).

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

use crate::ingest::{FieldError, IngestError};
use crate::store::StoreError;
use crate::telemetry::current_request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The body is not valid JSON, or not the expected object.
    #[error("The request body is not valid JSON for this operation: {0}")]
    InvalidJson(String),
    /// A query parameter is missing, malformed or out of range.
    #[error("{0}")]
    InvalidQuery(String),
    /// A path parameter is malformed.
    #[error("{0}")]
    InvalidPath(String),
    /// The cursor is unreadable, or was issued for other filters.
    #[error("The cursor does not belong to this query; start again without it.")]
    InvalidCursor,
    /// The request parsed, but fields are invalid (blank text, bad date ...).
    #[error("The request has invalid fields: {}", crate::ingest::describe(.0))]
    Validation(Vec<FieldError>),
    #[error("No {resource} has the id {id}.")]
    NotFound { resource: &'static str, id: String },
    #[error("No route matches {0}.")]
    RouteNotFound(String),
    #[error("{method} is not allowed here; use {}.", .allow.join(", "))]
    MethodNotAllowed { method: String, allow: Vec<String> },
    #[error("The request body is larger than the limit of {limit} bytes.")]
    PayloadTooLarge { limit: usize },
    #[error("The request body must be sent as application/json.")]
    UnsupportedMediaType,
    /// A batch holds more items than the configured maximum.
    #[error("The batch holds {count} items; the limit is {max}.")]
    TooManyItems { count: usize, max: usize },
    #[error("This operation needs an API key: send it as `Authorization: Bearer KEY` or `X-Api-Key: KEY`.")]
    MissingKey,
    #[error("The API key is not valid.")]
    InvalidKey,
    #[error("Too many requests from this client; retry in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The request URI is longer than the limit of {limit} bytes.")]
    UriTooLong { limit: usize },
    /// `Accept-Encoding` excludes every content coding the server can send.
    #[error("No acceptable content coding: this server sends {0} or identity (uncompressed); allow one of them in Accept-Encoding.")]
    NoAcceptableEncoding(String),
    /// A CORS preflight for an origin, method or header that is not allowed.
    #[error("Cross-origin request refused: {0}")]
    CorsRefused(String),
    /// The database cannot serve requests now (pool exhausted, file unreadable).
    #[error("The database is not available; try again later.")]
    Unavailable(#[source] StoreError),
    /// A bug or an unexpected failure; details go to the log, never to the client.
    #[error("An internal error occurred; quote the request id when reporting it.")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// The stable, machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidPath(_) => "invalid_path",
            ApiError::InvalidCursor => "invalid_cursor",
            ApiError::Validation(_) => "validation_failed",
            ApiError::NotFound { .. } => "not_found",
            ApiError::RouteNotFound(_) => "route_not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::TooManyItems { .. } => "too_many_items",
            ApiError::MissingKey => "missing_api_key",
            ApiError::InvalidKey => "invalid_api_key",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::UriTooLong { .. } => "uri_too_long",
            ApiError::NoAcceptableEncoding(_) => "not_acceptable",
            ApiError::CorsRefused(_) => "cors_refused",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "Invalid JSON body",
            ApiError::InvalidQuery(_) => "Invalid query parameter",
            ApiError::InvalidPath(_) => "Invalid path parameter",
            ApiError::InvalidCursor => "Invalid cursor",
            ApiError::Validation(_) => "Validation failed",
            ApiError::NotFound { .. } => "Not found",
            ApiError::RouteNotFound(_) => "Route not found",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::PayloadTooLarge { .. } => "Payload too large",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::TooManyItems { .. } => "Too many items",
            ApiError::MissingKey => "API key required",
            ApiError::InvalidKey => "Invalid API key",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::UriTooLong { .. } => "URI too long",
            ApiError::NoAcceptableEncoding(_) => "No acceptable content coding",
            ApiError::CorsRefused(_) => "Cross-origin request refused",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(err))
    }

    /// A store error for a lookup of `resource` by `id`: "no rows" is a 404.
    pub fn from_lookup(resource: &'static str, id: &str, err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::NotFound {
                resource,
                id: id.to_owned(),
            },
            other => other.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Pool(_) => ApiError::Unavailable(err),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                ApiError::Unavailable(err)
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        match err {
            IngestError::Invalid(errors) => ApiError::Validation(errors),
            IngestError::Store(e) => e.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal(err)
    }
}

/// An RFC 9457 problem details body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-cursor",
    "title": "Invalid cursor",
    "status": 400,
    "detail": "The cursor does not belong to this query; start again without it.",
    "code": "invalid_cursor",
    "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"
}))]
pub struct Problem {
    /// A URI reference naming the problem type; `/problems/` + the code.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for people.
    pub detail: String,
    /// A stable machine-readable code: `invalid_json`, `invalid_query`, `invalid_path`,
    /// `invalid_cursor`, `validation_failed`, `not_found`, `route_not_found`,
    /// `method_not_allowed`, `payload_too_large`, `unsupported_media_type`, `too_many_items`,
    /// `missing_api_key`,
    /// `invalid_api_key`, `rate_limited`, `uri_too_long`, `cors_refused`, `unavailable`,
    /// `internal`.
    pub code: String,
    /// The request's id, also in the `X-Request-Id` header; quote it when reporting a problem.
    pub request_id: Option<String>,
    /// With `validation_failed`: each invalid field and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<InvalidField>>,
}

/// One invalid field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidField {
    /// The field's name in the request body.
    #[schema(example = "text")]
    pub field: String,
    #[schema(example = "must not be blank")]
    pub message: String,
}

impl ApiError {
    /// The problem details body of this error (logged when it is a server error), for
    /// the response and for one item's result in a batch.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(code = self.code(), cause = %cause_chain(self), "request failed");
        }
        Problem {
            type_uri: format!("/problems/{}", self.code().replace('_', "-")),
            title: self.title().to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            request_id: current_request_id(),
            errors: match self {
                ApiError::Validation(errors) => Some(
                    errors
                        .iter()
                        .map(|e| InvalidField {
                            field: e.field.to_owned(),
                            message: e.message.clone(),
                        })
                        .collect(),
                ),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_)
            | ApiError::InvalidQuery(_)
            | ApiError::InvalidPath(_)
            | ApiError::InvalidCursor
            | ApiError::CorsRefused(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound { .. } | ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } | ApiError::TooManyItems { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MissingKey | ApiError::InvalidKey => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::NoAcceptableEncoding(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = self.problem();
        let mut response = HttpResponse::build(status);
        response.insert_header(ContentType(
            PROBLEM_JSON.parse().expect("a valid media type"),
        ));
        match self {
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::MissingKey => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="quotewire""#));
            }
            ApiError::InvalidKey => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="quotewire", error="invalid_token""#,
                ));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).expect("problems serialise"))
    }
}

/// The error and each of its sources, for the log.
fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// actix's JSON extractor failures, in our shape.
pub fn json_error(err: JsonPayloadError, body_limit: usize) -> actix_web::Error {
    let api = match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => ApiError::InvalidJson(e.to_string()),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            ApiError::PayloadTooLarge { limit: body_limit }
        }
        other => ApiError::InvalidJson(other.to_string()),
    };
    api.into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::InvalidQuery(format!("Invalid query string: {err}")).into()
}

pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::InvalidPath(format!("Invalid path parameter: {err}")).into()
}

/// 400: the request is malformed (JSON body, query or path parameter, cursor).
#[derive(ToResponse)]
#[response(
    description = "The request is malformed: invalid JSON, query or path parameter, or cursor.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/invalid-query", "title": "Invalid query parameter", "status": 400,
        "detail": "limit must be between 1 and 100", "code": "invalid_query", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct BadRequest(pub Problem);

/// 404: no such resource.
#[derive(ToResponse)]
#[response(
    description = "No resource has this id.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404,
        "detail": "No article has the id a_01jdx3k7m2q9v8n4b6c5t0w1ye.", "code": "not_found", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct NotFound(pub Problem);

/// 413: body over the limit.
#[derive(ToResponse)]
#[response(
    description = "The request body is larger than the configured limit (2 MiB by default).",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/payload-too-large", "title": "Payload too large", "status": 413,
        "detail": "The request body is larger than the limit of 2097152 bytes.", "code": "payload_too_large", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct PayloadTooLarge(pub Problem);

/// 415: not JSON.
#[derive(ToResponse)]
#[response(
    description = "The request body is not sent as application/json.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unsupported-media-type", "title": "Unsupported media type", "status": 415,
        "detail": "The request body must be sent as application/json.", "code": "unsupported_media_type", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct UnsupportedMediaType(pub Problem);

/// 422: invalid fields.
#[derive(ToResponse)]
#[response(
    description = "The body parsed but some fields are invalid; `errors` names each.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
        "detail": "The request has invalid fields: text: must not be blank", "code": "validation_failed",
        "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye", "errors": [{"field": "text", "message": "must not be blank"}]})
)]
pub struct UnprocessableEntity(pub Problem);

/// 500: an unexpected failure; the body says nothing about internals.
#[derive(ToResponse)]
#[response(
    description = "An unexpected failure; the cause is logged under the request id.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/internal", "title": "Internal server error", "status": 500,
        "detail": "An internal error occurred; quote the request id when reporting it.", "code": "internal", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct InternalError(pub Problem);

/// 503: the database cannot serve now.
#[derive(ToResponse)]
#[response(
    description = "The database is not available.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unavailable", "title": "Service unavailable", "status": 503,
        "detail": "The database is not available; try again later.", "code": "unavailable", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct Unavailable(pub Problem);

/// 401: no valid API key.
#[derive(ToResponse)]
#[response(
    description = "This operation needs an API key (`Authorization: Bearer KEY` or `X-Api-Key: KEY`) and none, or a wrong one, was sent. Only when keys are configured.",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"quotewire\"`, with `error=\"invalid_token\"` for a wrong key")),
    examples(
        ("missing" = (summary = "No key was sent", value = json!({"type": "/problems/missing-api-key", "title": "API key required", "status": 401,
            "detail": "This operation needs an API key: send it as `Authorization: Bearer KEY` or `X-Api-Key: KEY`.", "code": "missing_api_key", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"}))),
        ("invalid" = (summary = "The key sent is not a configured one", value = json!({"type": "/problems/invalid-api-key", "title": "Invalid API key", "status": 401,
            "detail": "The API key is not valid.", "code": "invalid_api_key", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"}))),
    )
)]
pub struct Unauthorized(pub Problem);

/// 414: the URI is over the limit.
#[derive(ToResponse)]
#[response(
    description = "The request URI (path and query string) is longer than 8 KiB. Request heads over 128 KiB are refused by the HTTP layer with 431 and no body.",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/uri-too-long", "title": "URI too long", "status": 414,
        "detail": "The request URI is longer than the limit of 8192 bytes.", "code": "uri_too_long", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct UriTooLong(pub Problem);

/// 406: `Accept-Encoding` refuses every coding the server can send.
#[derive(ToResponse)]
#[response(
    description = "`Accept-Encoding` excludes every content coding the server can send (br, gzip, deflate, and identity unless `identity;q=0`).",
    content_type = "application/problem+json",
    example = json!({"type": "/problems/not-acceptable", "title": "No acceptable content coding", "status": 406,
        "detail": "No acceptable content coding: this server sends br, gzip, deflate or identity (uncompressed); allow one of them in Accept-Encoding.", "code": "not_acceptable", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct NotAcceptable(pub Problem);

/// 429: over the client's rate limit.
#[derive(ToResponse)]
#[response(
    description = "This client (its API key, or else its IP address) sent more requests than its rate limit allows; wait `Retry-After` seconds.",
    content_type = "application/problem+json",
    headers(
        ("Retry-After" = u64, description = "Seconds to wait before the next request can succeed"),
        ("RateLimit-Limit" = u32, description = "Requests allowed in a burst"),
        ("RateLimit-Remaining" = u32, description = "Requests left in the current burst (0 here)"),
        ("RateLimit-Reset" = u64, description = "Seconds until the full burst is available again"),
    ),
    example = json!({"type": "/problems/rate-limited", "title": "Too many requests", "status": 429,
        "detail": "Too many requests from this client; retry in 1 s.", "code": "rate_limited", "request_id": "01jdx3k7m2q9v8n4b6c5t0w1ye"})
)]
pub struct TooManyRequests(pub Problem);
