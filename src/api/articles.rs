//! `/v1/articles`: create (through `ingest`), list, get and delete articles.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{
    ApiError, BadRequest, InternalError, NotFound, PayloadTooLarge, UnprocessableEntity,
    UnsupportedMediaType,
};
use super::export::{stream_articles, wants_ndjson};
use super::pagination::{
    fingerprint, list_after, list_response, page_limit, split_page, ListCursor,
};
use crate::ingest::{self, ArticleInput, Ingested};
use crate::store::{ArticleFilter, ArticleRecord, Store};

/// An article to add: its text or HTML, and what the caller already knows about it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "text": "Written by Angeline Tan on May 7, 2023\n\nNATO to Open Office in Japan to Increase Influence in Indo-Pacific\n\nJapan and NATO are hoping to boost cooperation in cyberspace, with the U.S.-led military alliance hoping to open its first liaison office in Tokyo, according to a May 3 report by Nikkei Asia.\n\n“I think all of that sends a very, very strong signal to the PRC in particular,” she said.",
    "url": "https://example.org/nato-japan",
    "source": "The New American"
}))]
pub struct CreateArticleRequest {
    /// The article as plain text (copied from a web page is fine). Exactly one of `text` and `html`.
    pub text: Option<String>,
    /// The article as an HTML page. Exactly one of `text` and `html`.
    pub html: Option<String>,
    /// The article's address (absolute http or https); two articles with the same
    /// normalised URL are one article.
    #[schema(
        example = "https://example.org/nato-japan",
        pattern = r"^( *|[Hh][Tt][Tt][Pp]([Ss])?://[A-Za-z0-9.-]+(:[0-9]+)?([/?#]\S*)?)$"
    )]
    pub url: Option<String>,
    /// Overrides the title found in the document.
    #[schema(example = "NATO to Open Office in Japan to Increase Influence in Indo-Pacific")]
    pub title: Option<String>,
    /// Overrides the byline found in the document.
    #[schema(example = "Angeline Tan")]
    pub byline: Option<String>,
    /// Publication date: RFC 3339 date-time or `YYYY-MM-DD`; overrides the document's.
    #[schema(schema_with = published_schema, example = "2023-05-07")]
    pub published: Option<String>,
    /// The publisher.
    #[schema(example = "The New American")]
    pub source: Option<String>,
}

impl From<CreateArticleRequest> for ArticleInput {
    fn from(r: CreateArticleRequest) -> Self {
        ArticleInput {
            text: r.text,
            html: r.html,
            url: r.url,
            title: r.title,
            byline: r.byline,
            published: r.published,
            source: r.source,
        }
    }
}

/// States in the document what the request type alone cannot: a new article has exactly
/// one of `text` and `html` (the other absent or `null`), and it is not blank. `ingest`
/// answers 422 to the rest. Applied to the document after the routes register their schemas.
pub(super) fn document_article_content(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Type};
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let Some(request) = components.schemas.remove("CreateArticleRequest") else {
        return;
    };
    let only = |given: &str, absent: &str| {
        ObjectBuilder::new()
            .property(
                given,
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"\S")),
            )
            .required(given)
            .property(absent, ObjectBuilder::new().schema_type(Type::Null))
    };
    let content = OneOfBuilder::new()
        .item(only("text", "html"))
        .item(only("html", "text"));
    components.schemas.insert(
        "CreateArticleRequest".into(),
        AllOfBuilder::new().item(request).item(content).into(),
    );
}

/// Where each metadata field came from: `request` (given by the caller), `json-ld`,
/// `meta`, `time`, `title-tag`, `byline-line` or `text`; absent when the field is empty.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"title": "text", "byline": "byline-line", "published": "byline-line", "source": "request"}))]
pub struct Provenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// How many quotes and distinct entities the article holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleCounts {
    #[schema(example = 17)]
    pub quotes: i64,
    #[schema(example = 42)]
    pub entities: i64,
}

/// An article in a list (without its body).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// Stable opaque id.
    #[schema(example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")]
    pub id: String,
    #[schema(example = "https://example.org/nato-japan")]
    pub url: Option<String>,
    #[schema(example = "The New American")]
    pub source: Option<String>,
    #[schema(example = "NATO to Open Office in Japan to Increase Influence in Indo-Pacific")]
    pub title: Option<String>,
    #[schema(example = "Angeline Tan")]
    pub byline: Option<String>,
    /// ISO 8601 date or RFC 3339 date-time, as stated; `null` when unknown.
    #[schema(example = "2023-05-07")]
    pub published: Option<String>,
    pub provenance: Provenance,
    /// When quotewire stored it (RFC 3339, UTC).
    #[schema(example = "2026-11-27T17:00:00Z")]
    pub ingested_at: String,
    pub counts: ArticleCounts,
}

/// One article with its cleaned body; spans elsewhere are byte offsets into `body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleResponse {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The cleaned text, paragraphs separated by a blank line.
    #[schema(
        example = "Japan and NATO are hoping to boost cooperation in cyberspace, with the U.S.-led military alliance hoping to open its first liaison office in Tokyo, according to a May 3 report by Nikkei Asia."
    )]
    pub body: String,
    /// With `include=quotes`: every quote of the article (all kinds), in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Vec<super::quotes::QuoteResponse>>,
    /// With `include=entities`: the entities it names, with mention counts and spans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<super::entities::ArticleEntity>>,
}

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub data: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "eyJrIjp7InAiOiIyMDIzLTA1LTA3IiwiaSI6ImFfMDFqZHgzIn0sImYiOiI5ZjFjMmUifQ")]
    pub next_cursor: Option<String>,
}

impl From<ArticleRecord> for ArticleSummary {
    fn from(a: ArticleRecord) -> Self {
        ArticleSummary {
            provenance: serde_json::from_str(&a.provenance).unwrap_or_default(),
            counts: ArticleCounts {
                quotes: a.quote_count,
                entities: a.entity_count,
            },
            id: a.id,
            url: a.url,
            source: a.source,
            title: a.title,
            byline: a.byline,
            published: a.published,
            ingested_at: a.ingested_at,
        }
    }
}

impl ArticleResponse {
    /// The JSON answer, byte for byte what serde's derive writes (a test checks), with
    /// the body escaped by [`super::json::write_str`], fast on a long text, into a buffer
    /// sized for it up front.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::with_capacity(self.body.len() + 1024);
        serde_json::to_writer(&mut out, &self.summary)?;
        // The flattened fields go inside the summary's object: reopen it.
        out.pop();
        out.extend_from_slice(b",\"body\":");
        super::json::write_str(&mut out, &self.body);
        if let Some(quotes) = &self.quotes {
            out.extend_from_slice(b",\"quotes\":");
            serde_json::to_writer(&mut out, quotes)?;
        }
        if let Some(entities) = &self.entities {
            out.extend_from_slice(b",\"entities\":");
            serde_json::to_writer(&mut out, entities)?;
        }
        out.push(b'}');
        Ok(out)
    }

    /// A JSON response with this article and `status`.
    fn respond(
        &self,
        mut builder: actix_web::HttpResponseBuilder,
    ) -> Result<HttpResponse, ApiError> {
        let json = self
            .to_json()
            .map_err(|e| ApiError::Internal(e.to_string().into()))?;
        Ok(builder
            .insert_header(header::ContentType::json())
            .body(json))
    }
}

impl From<ArticleRecord> for ArticleResponse {
    fn from(mut a: ArticleRecord) -> Self {
        let body = a.body.take().unwrap_or_default();
        ArticleResponse {
            summary: a.into(),
            body,
            quotes: None,
            entities: None,
        }
    }
}

/// Adds an article: extracts its quotes and entities and stores everything in one
/// transaction.
///
/// Posting an article the archive already holds (the same normalised URL, or the same
/// body when no URL is given) creates nothing and answers `200` with the stored article.
#[utoipa::path(
    tag = "articles",
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "Stored; `Location` names it.", body = ArticleResponse,
            headers(("Location" = String, description = "The new article's URL"))),
        (status = 200, description = "Already stored (duplicate URL or body): the existing article, nothing created.", body = ArticleResponse),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalError),
    )
)]
#[post("/v1/articles")]
pub async fn create_article(
    store: web::Data<Store>,
    body: web::Json<CreateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = ArticleInput::from(body.into_inner());
    let (outcome, article) = web::block(move || -> Result<_, ApiError> {
        let outcome = ingest::ingest_one(&store, input)?;
        let article = store.article(outcome.id())?;
        Ok((outcome, article))
    })
    .await??;
    let response = ArticleResponse::from(article);
    match outcome {
        Ingested::Created { id } => {
            let mut created = HttpResponse::Created();
            created.insert_header((header::LOCATION, format!("/v1/articles/{id}")));
            response.respond(created)
        }
        Ingested::Duplicate { .. } => response.respond(HttpResponse::Ok()),
    }
}

/// Filters and paging of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListArticlesQuery {
    /// Full-text search over title and body; best match first (bm25) within windows of
    /// the 200 most recently stored matches (see above). Words are matched as plain
    /// words (stemmed); operators are not interpreted.
    #[param(example = "liaison office")]
    pub q: Option<String>,
    /// Exact publisher name.
    #[param(example = "The New American")]
    pub source: Option<String>,
    /// Exact byline.
    #[param(example = "Angeline Tan")]
    pub byline: Option<String>,
    /// Only articles published on or after this date or date-time.
    #[param(schema_with = date_or_date_time, example = "2023-05-01")]
    pub published_after: Option<String>,
    /// Only articles published before this date or date-time.
    #[param(schema_with = date_or_date_time, example = "2023-06-01")]
    pub published_before: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page, with the same filters.
    pub cursor: Option<String>,
}

/// Lists articles, newest first (best match first with `q`), a page at a time.
///
/// With `q`, matches are ranked by bm25 in windows of the 200 most recently stored
/// matches not yet served: each page holds the best matches of the current window, and
/// paging continues through older windows until every match has been served. So the
/// first page is the best of the newest 200 matches, not of the whole archive: ranking
/// every match of a common word would cost seconds on a large archive.
///
/// Send `Accept: application/x-ndjson` to take the whole filtered result in one
/// streamed response (one article per line, without bodies), in the same order as the pages.
#[utoipa::path(
    tag = "articles",
    params(ListArticlesQuery),
    responses(
        (status = 200, description = "A page of articles; `[]` when nothing matches. With `Accept: application/x-ndjson`: every matching article (without its body), one object per line, streamed (`limit` and `cursor` are ignored).",
            content((ArticleList = "application/json"), (ArticleSummary = "application/x-ndjson")),
            headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/articles")]
pub async fn list_articles(
    store: web::Data<Store>,
    query: web::Query<ListArticlesQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = query.filter()?;
    if wants_ndjson(&req) {
        return Ok(stream_articles(store, filter));
    }
    let limit = page_limit(query.limit)?;
    let fp = fingerprint(
        "articles",
        &[
            ("q", filter.q.as_deref()),
            ("source", filter.source.as_deref()),
            ("byline", filter.byline.as_deref()),
            ("published_after", filter.published_after.as_deref()),
            ("published_before", filter.published_before.as_deref()),
        ],
    );
    let after = list_after(query.cursor.as_deref(), &fp, filter.q.is_some())?;
    let rows = super::run_list_read(filter.q.is_some(), move || {
        store.list_articles(&filter, after.as_ref(), limit + 1)
    })
    .await?;
    Ok(article_page(&req, rows, limit, &fp))
}

impl ListArticlesQuery {
    /// The filters as the store takes them, checked.
    pub fn filter(&self) -> Result<ArticleFilter, ApiError> {
        Ok(ArticleFilter {
            q: self.q.clone(),
            source: self.source.clone(),
            byline: self.byline.clone(),
            published_after: date_param("published_after", self.published_after.as_deref())?,
            published_before: date_param("published_before", self.published_before.as_deref())?,
            naming_entity: None,
        })
    }
}

/// The `limit + 1` rows of an article query as one page with its cursor and `Link`.
pub(super) fn article_page(
    req: &HttpRequest,
    rows: Vec<ArticleRecord>,
    limit: usize,
    fp: &str,
) -> HttpResponse {
    let (rows, next_cursor) = split_page(rows, limit, fp, |last: &ArticleRecord| {
        ListCursor::from(last.resume_after())
    });
    let body = ArticleList {
        data: rows.into_iter().map(ArticleSummary::from).collect(),
        next_cursor,
    };
    list_response(req, body.next_cursor.as_deref(), &body)
}

/// A date filter as a sortable key, or a 400 naming the parameter.
/// A date as `date_param` and `ingest` accept it: `YYYY-MM-DD` or an RFC 3339 date-time.
fn date_schemas() -> [utoipa::openapi::schema::ObjectBuilder; 2] {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    [KnownFormat::Date, KnownFormat::DateTime].map(|format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    })
}

/// The document's schema of a date filter: a `YYYY-MM-DD` date or an RFC 3339 date-time.
pub(super) fn date_or_date_time() -> utoipa::openapi::schema::Schema {
    let [date, date_time] = date_schemas();
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(date)
        .item(date_time)
        .into()
}

/// The document's schema of `published` in a new article: a date, a date-time, or nothing
/// (`null` or blank, which `ingest` treats alike).
fn published_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let [date, date_time] = date_schemas();
    OneOfBuilder::new()
        .item(date)
        .item(date_time)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^ *$")),
        )
        .description(Some(
            "Publication date: RFC 3339 date-time or `YYYY-MM-DD`; overrides the document's.",
        ))
        .into()
}

pub(super) fn date_param(name: &str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    value
        .map(|v| {
            ingest::published_key(v).ok_or_else(|| {
                ApiError::InvalidQuery(format!(
                    "{name} must be an RFC 3339 date-time or a YYYY-MM-DD date"
                ))
            })
        })
        .transpose()
}

/// What `GET /v1/articles/{id}` embeds.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetArticleQuery {
    /// Comma-separated: `quotes`, `entities`.
    #[param(
        example = "quotes,entities",
        pattern = "^((quotes|entities)(,(quotes|entities))*)?$"
    )]
    pub include: Option<String>,
}

/// Gets one article with its body, and its quotes and entities when asked.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "Article id", example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye"), GetArticleQuery),
    responses(
        (status = 200, description = "The article.", body = ArticleResponse),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/articles/{id}")]
pub async fn get_article(
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<GetArticleQuery>,
) -> Result<HttpResponse, ApiError> {
    let (mut with_quotes, mut with_entities) = (false, false);
    // Exactly the grammar of the document's `pattern`: names joined by commas.
    let include = query.include.as_deref().unwrap_or_default();
    for part in include.split(',').filter(|_| !include.is_empty()) {
        match part {
            "quotes" => with_quotes = true,
            "entities" => with_entities = true,
            other => {
                return Err(ApiError::InvalidQuery(format!(
                    "include takes quotes and entities; got {other:?}"
                )))
            }
        }
    }
    let id = id.into_inner();
    // A bounded read: run here, not on the blocking pool (see `api` module docs).
    let article = store
        .article(&id)
        .map_err(|e| ApiError::from_lookup("article", &id, e))?;
    let mut response = ArticleResponse::from(article);
    if with_quotes {
        response.quotes = Some(super::quotes::all_article_quotes(&store, &id)?);
    }
    if with_entities {
        let entities = store.article_entities(&id)?;
        response.entities = Some(
            entities
                .into_iter()
                .map(super::entities::ArticleEntity::from)
                .collect(),
        );
    }
    response.respond(HttpResponse::Ok())
}

/// Deletes an article with its quotes and mentions (one transaction); entities no other
/// article names go too.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "Article id", example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[delete("/v1/articles/{id}")]
pub async fn delete_article(
    store: web::Data<Store>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let target = id.clone();
    web::block(move || store.delete_article(&target))
        .await?
        .map_err(|e| ApiError::from_lookup("article", &id, e))?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str) -> ArticleResponse {
        ArticleResponse {
            summary: ArticleSummary {
                id: "a_01".into(),
                url: Some("https://example.org/a?b=\"c\"".into()),
                source: None,
                title: Some("“A” \\ title\twith tab".into()),
                byline: None,
                published: Some("2023-05-07".into()),
                provenance: Provenance {
                    title: Some("text".into()),
                    ..Provenance::default()
                },
                ingested_at: "2026-11-27T17:00:00Z".into(),
                counts: ArticleCounts {
                    quotes: 3,
                    entities: 4,
                },
            },
            body: body.into(),
            quotes: None,
            entities: None,
        }
    }

    #[test]
    fn the_hand_written_json_is_what_serde_writes() {
        let body = "“Quoted,” she said.\n\nA \"plain\" \\ line\r\u{1}\u{7f} é 中 🎉 ".repeat(50);
        let mut response = article(&body);
        assert_eq!(
            response.to_json().unwrap(),
            serde_json::to_vec(&response).unwrap()
        );
        response.quotes = Some(Vec::new());
        response.entities = Some(Vec::new());
        assert_eq!(
            response.to_json().unwrap(),
            serde_json::to_vec(&response).unwrap()
        );
        response.body.clear();
        assert_eq!(
            response.to_json().unwrap(),
            serde_json::to_vec(&response).unwrap()
        );
    }
}
