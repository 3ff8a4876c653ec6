//! `POST /v1/articles:batch`: many articles in one request (NDJSON or a JSON array),
//! extracted in parallel and stored in one transaction, with one result per item.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::articles::CreateArticleRequest;
use super::error::{
    ApiError, BadRequest, InternalError, PayloadTooLarge, Problem, UnsupportedMediaType,
};
use crate::config::BatchSettings;
use crate::ingest::{self, ArticleInput, Ingested};
use crate::store::Store;

/// The outcome of one item of a batch, in the order the items were given.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItemResult {
    /// The item's position in the batch, from 0.
    #[schema(example = 0)]
    pub index: usize,
    /// What `POST /v1/articles` would have answered for this item alone: `201` stored,
    /// `200` already stored (duplicate), `400` not an article object, `422` invalid
    /// fields, `500`/`503` not stored.
    #[schema(example = 201)]
    pub status: u16,
    /// The article's id (new or existing) when `status` is 200 or 201.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")]
    pub id: Option<String>,
    /// Where the article is, when `status` is 200 or 201.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/v1/articles/a_01jdx3k7m2q9v8n4b6c5t0w1ye")]
    pub location: Option<String>,
    /// Why the item failed, as problem details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// One result per item, and the totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchItemResult>,
    /// Items stored as new articles.
    #[schema(example = 998)]
    pub created: usize,
    /// Items the archive already held.
    #[schema(example = 1)]
    pub duplicates: usize,
    /// Items that failed (see each `problem`).
    #[schema(example = 1)]
    pub failed: usize,
}

/// Each item of a batch is judged on its own (a bad one gets its own 400 or 422 result in
/// the 200), so the body's items may be any value: the document says so with
/// `anyOf: [CreateArticleRequest, {}]`, keeping the article shape for readers while not
/// promising a whole-request refusal the endpoint deliberately never gives. The NDJSON
/// form has the same items, one per line.
pub(super) fn document_batch_items(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaType};
    use utoipa::openapi::{Ref, RefOr};
    let Some(RefOr::T(body)) = api
        .paths
        .paths
        .get_mut("/v1/articles:batch")
        .and_then(|item| item.post.as_mut())
        .and_then(|op| op.request_body.as_mut())
    else {
        return;
    };
    let any_item = AnyOfBuilder::new()
        .item(Ref::from_schema_name("CreateArticleRequest"))
        .item(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .build(),
        ))
        .description(Some(
            "An article object as for `POST /v1/articles`; anything else gets its own 400 or 422 result.",
        ));
    let items = Schema::Array(
        ArrayBuilder::new()
            .items(any_item)
            .min_items(Some(1))
            .build(),
    );
    // NDJSON is described by the same items, one per line.
    for media_type in ["application/json", "application/x-ndjson"] {
        if let Some(RefOr::T(content)) = body.content.get_mut(media_type) {
            content.schema = Some(RefOr::T(items.clone()));
        }
    }
}

/// Adds many articles at once.
///
/// Send `Content-Type: application/x-ndjson` (one article object per line; blank lines
/// are skipped) or `application/json` (an array of article objects). Each object is the
/// body `POST /v1/articles` takes. The answer is `200` with one result per item, in
/// order: each item succeeds or fails alone (`201`, `200` for a duplicate, `400` or
/// `422` with problem details), so one bad item never sinks the others. A batch holds
/// at least one item (an empty one is `400`), at most `batch.max_items` items (1,000 by
/// default) and `batch.body_limit_bytes` bytes (32 MiB); over either the whole request
/// is refused with `413`.
#[utoipa::path(
    tag = "articles",
    request_body(
        description = "Article objects (as for `POST /v1/articles`): NDJSON, one per line, or a JSON array.",
        content(
            (Vec<CreateArticleRequest> = "application/json"),
            (String = "application/x-ndjson", example = "{\"text\": \"...\", \"url\": \"https://example.org/a\"}\n{\"html\": \"<html>...</html>\"}\n"),
        )
    ),
    responses(
        (status = 200, description = "One result per item, in order.", body = BatchResponse),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
    )
)]
#[post("/v1/articles:batch")]
pub async fn create_articles_batch(
    store: web::Data<Store>,
    limits: Option<web::Data<BatchSettings>>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limits = limits.map(|l| **l).unwrap_or_default();
    let ndjson = match media_type(&req).as_deref() {
        Some("application/x-ndjson") => true,
        Some("application/json") => false,
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::InvalidJson(e.to_string()))?;
        if body.len() + chunk.len() > limits.body_limit_bytes {
            return Err(ApiError::PayloadTooLarge {
                limit: limits.body_limit_bytes,
            });
        }
        body.extend_from_slice(&chunk);
    }
    let items = if ndjson {
        ndjson_items(&body)?
    } else {
        array_items(&body)?
    };
    if items.is_empty() {
        return Err(ApiError::InvalidJson(
            "a batch holds at least one item".into(),
        ));
    }
    if items.len() > limits.max_items {
        return Err(ApiError::TooManyItems {
            count: items.len(),
            max: limits.max_items,
        });
    }

    // Items that parsed go through the one ingest path together; the others keep their
    // place with their problem.
    let mut results: Vec<Option<BatchItemResult>> = Vec::with_capacity(items.len());
    let mut inputs = Vec::new();
    let mut slots = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Ok(request) => {
                slots.push(index);
                inputs.push(ArticleInput::from(request));
                results.push(None);
            }
            Err(problem) => results.push(Some(failure(index, &problem))),
        }
    }
    let stored = web::block(move || ingest::ingest_batch(&store, inputs)).await??;
    for (index, outcome) in slots.into_iter().zip(stored) {
        results[index] = Some(match outcome {
            Ok(ingested) => {
                let status = match ingested {
                    Ingested::Created { .. } => 201,
                    Ingested::Duplicate { .. } => 200,
                };
                let id = ingested.id().to_owned();
                BatchItemResult {
                    index,
                    status,
                    location: Some(format!("/v1/articles/{id}")),
                    id: Some(id),
                    problem: None,
                }
            }
            Err(e) => failure(index, &ApiError::from(e)),
        });
    }
    let results: Vec<BatchItemResult> = results
        .into_iter()
        .map(|r| r.expect("every item has a result"))
        .collect();
    let count = |status: u16| results.iter().filter(|r| r.status == status).count();
    let (created, duplicates) = (count(201), count(200));
    Ok(HttpResponse::Ok().json(BatchResponse {
        failed: results.len() - created - duplicates,
        created,
        duplicates,
        results,
    }))
}

fn failure(index: usize, error: &ApiError) -> BatchItemResult {
    let problem = error.problem();
    BatchItemResult {
        index,
        status: problem.status,
        id: None,
        location: None,
        problem: Some(problem),
    }
}

/// The request's media type, lower-cased, without parameters.
fn media_type(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

type Item = Result<CreateArticleRequest, ApiError>;

fn ndjson_items(body: &[u8]) -> Result<Vec<Item>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::InvalidJson(format!("the body is not UTF-8: {e}")))?;
    Ok(text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).map_err(|e| ApiError::InvalidJson(e.to_string())))
        .collect())
}

fn array_items(body: &[u8]) -> Result<Vec<Item>, ApiError> {
    let values: Vec<serde_json::Value> = serde_json::from_slice(body).map_err(|e| {
        ApiError::InvalidJson(format!("a batch is a JSON array of article objects: {e}"))
    })?;
    Ok(values
        .into_iter()
        .map(|v| serde_json::from_value(v).map_err(|e| ApiError::InvalidJson(e.to_string())))
        .collect())
}
