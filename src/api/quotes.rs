//! `/v1/quotes`, `/v1/articles/{id}/quotes` and `/v1/entities/{id}/quotes`: who said what.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::date_param;
use super::error::{ApiError, BadRequest, InternalError, NotFound};
use super::export::{stream_quotes, wants_ndjson};
use super::json;
use super::pagination::{fingerprint, list_after, list_ok, page_limit, split_page, ListCursor};
use crate::store::{QuoteFilter, QuoteRecord, SpeakerRef, Store};

/// A half-open byte range `[start, end)` into the article's `body`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpanResponse {
    #[schema(example = 4397)]
    pub start: i64,
    #[schema(example = 4475)]
    pub end: i64,
}

impl SpanResponse {
    /// Appends `{"start":..,"end":..}`, as serde_json writes it.
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"start\":");
        json::write_int(out, self.start);
        out.extend_from_slice(b",\"end\":");
        json::write_int(out, self.end);
        out.push(b'}');
    }
}

impl From<(i64, i64)> for SpanResponse {
    fn from((start, end): (i64, i64)) -> Self {
        SpanResponse { start, end }
    }
}

/// Who said a quote. `id` and `type` are absent when the speaker is named but not a stored entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpeakerResponse {
    #[schema(example = "e_5c1f0a9b2d7e4c3a8f61")]
    pub id: Option<String>,
    /// The fullest name the article gives.
    #[schema(example = "Julianne Smith")]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(example = "person")]
    pub kind: Option<String>,
}

/// The words naming the speaker at this quote ("she", "Smith", ...), with their span.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpeakerMention {
    #[schema(example = "she")]
    pub text: String,
    #[schema(example = 4477)]
    pub start: i64,
    #[schema(example = 4480)]
    pub end: i64,
}

/// The article a quote stands in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleRef {
    #[schema(example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")]
    pub id: String,
    #[schema(example = "NATO to Open Office in Japan to Increase Influence in Indo-Pacific")]
    pub title: Option<String>,
    #[schema(example = "https://example.org/nato-japan")]
    pub url: Option<String>,
    #[schema(example = "2023-05-07")]
    pub published: Option<String>,
}

/// A quotation with its speaker, cue and spans.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResponse {
    #[schema(example = "q_01jdx3k7m2q9v8n4b6c5t0w1yf")]
    pub id: String,
    /// The words between the quotation marks.
    #[schema(
        example = "I think all of that sends a very, very strong signal to the PRC in particular,"
    )]
    pub text: String,
    /// `direct` (a quoted statement), `partial` (a fragment in reported speech) or `term` (a scare quote).
    #[schema(example = "direct")]
    pub kind: String,
    /// `null` when the article does not say who spoke.
    pub speaker: Option<SpeakerResponse>,
    pub speaker_mention: Option<SpeakerMention>,
    /// The reporting verb as written.
    #[schema(example = "said")]
    pub cue: Option<String>,
    pub cue_span: Option<SpanResponse>,
    /// Where `text` is in the article body.
    pub span: SpanResponse,
    /// The sentence around the quote, marks included.
    #[schema(
        example = "“I think all of that sends a very, very strong signal to the PRC in particular,” she said."
    )]
    pub sentence: String,
    pub sentence_span: SpanResponse,
    pub article: ArticleRef,
    /// With `q`: the matching words marked with `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "I think all of that sends a very, very strong <mark>signal</mark> to the PRC in particular,"
    )]
    pub snippet: Option<String>,
}

impl From<QuoteRecord> for QuoteResponse {
    fn from(q: QuoteRecord) -> Self {
        QuoteResponse {
            speaker: q.speaker_name.map(|name| SpeakerResponse {
                id: q.speaker_id,
                name,
                kind: q.speaker_type,
            }),
            speaker_mention: q.speaker_mention.map(|(text, start, end)| SpeakerMention {
                text,
                start,
                end,
            }),
            cue_span: q.cue_span.map(SpanResponse::from),
            span: q.span.into(),
            sentence_span: q.sentence_span.into(),
            article: ArticleRef {
                id: q.article_id,
                title: q.article_title,
                url: q.article_url,
                published: q.article_published,
            },
            id: q.id,
            text: q.text,
            kind: q.kind,
            cue: q.cue,
            sentence: q.sentence,
            snippet: q.snippet,
        }
    }
}

impl QuoteResponse {
    /// Appends this quote as JSON, byte for byte what serde_json writes for it (a test
    /// holds the two together), with the strings escaped by [`json::write_str`].
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        json::write_str(out, &self.id);
        out.extend_from_slice(b",\"text\":");
        json::write_str(out, &self.text);
        out.extend_from_slice(b",\"kind\":");
        json::write_str(out, &self.kind);
        out.extend_from_slice(b",\"speaker\":");
        json::write_nullable(out, self.speaker.as_ref(), |out, speaker| {
            out.extend_from_slice(b"{\"id\":");
            json::write_opt_str(out, speaker.id.as_deref());
            out.extend_from_slice(b",\"name\":");
            json::write_str(out, &speaker.name);
            out.extend_from_slice(b",\"type\":");
            json::write_opt_str(out, speaker.kind.as_deref());
            out.push(b'}');
        });
        out.extend_from_slice(b",\"speaker_mention\":");
        json::write_nullable(out, self.speaker_mention.as_ref(), |out, mention| {
            out.extend_from_slice(b"{\"text\":");
            json::write_str(out, &mention.text);
            out.extend_from_slice(b",\"start\":");
            json::write_int(out, mention.start);
            out.extend_from_slice(b",\"end\":");
            json::write_int(out, mention.end);
            out.push(b'}');
        });
        out.extend_from_slice(b",\"cue\":");
        json::write_opt_str(out, self.cue.as_deref());
        out.extend_from_slice(b",\"cue_span\":");
        json::write_nullable(out, self.cue_span.as_ref(), |out, span| {
            span.write_json(out)
        });
        out.extend_from_slice(b",\"span\":");
        self.span.write_json(out);
        out.extend_from_slice(b",\"sentence\":");
        json::write_str(out, &self.sentence);
        out.extend_from_slice(b",\"sentence_span\":");
        self.sentence_span.write_json(out);
        let article = &self.article;
        out.extend_from_slice(b",\"article\":{\"id\":");
        json::write_str(out, &article.id);
        out.extend_from_slice(b",\"title\":");
        json::write_opt_str(out, article.title.as_deref());
        out.extend_from_slice(b",\"url\":");
        json::write_opt_str(out, article.url.as_deref());
        out.extend_from_slice(b",\"published\":");
        json::write_opt_str(out, article.published.as_deref());
        out.push(b'}');
        if let Some(snippet) = &self.snippet {
            out.extend_from_slice(b",\"snippet\":");
            json::write_str(out, snippet);
        }
        out.push(b'}');
    }
}

/// A page of quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteList {
    pub data: Vec<QuoteResponse>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl QuoteList {
    /// This page as JSON, byte for byte what serde_json writes for it.
    fn to_json(&self) -> Vec<u8> {
        let strings: usize = self
            .data
            .iter()
            .map(|q| q.text.len() + q.sentence.len() + q.snippet.as_ref().map_or(0, String::len))
            .sum();
        let mut out = Vec::with_capacity(strings + 512 * self.data.len() + 128);
        out.extend_from_slice(b"{\"data\":[");
        for (i, quote) in self.data.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            quote.write_json(&mut out);
        }
        out.push(b']');
        if let Some(cursor) = &self.next_cursor {
            out.extend_from_slice(b",\"next_cursor\":");
            json::write_str(&mut out, cursor);
        }
        out.push(b'}');
        out
    }
}

/// Filters and paging of `GET /v1/quotes`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuotesQuery {
    /// An entity id (`e_...`), or a name matched case-insensitively against canonical
    /// names and aliases.
    #[param(example = "Julianne Smith")]
    pub speaker: Option<String>,
    /// Only quotes from this article (id).
    #[param(example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")]
    pub article: Option<String>,
    /// Comma-separated kinds among `direct`, `partial`, `term`; default `direct,partial`.
    #[param(
        example = "direct,partial",
        pattern = "^((direct|partial|term)(,(direct|partial|term))*)?$"
    )]
    pub kind: Option<String>,
    /// Full-text search over the quote text; best match first (bm25) within windows of
    /// the 200 most recently stored matches (see above), with a `snippet`.
    #[param(example = "strong signal")]
    pub q: Option<String>,
    /// Only quotes from articles published on or after this date or date-time.
    #[param(schema_with = super::articles::date_or_date_time, example = "2023-05-01")]
    pub published_after: Option<String>,
    /// Only quotes from articles published before this date or date-time.
    #[param(schema_with = super::articles::date_or_date_time, example = "2023-06-01")]
    pub published_before: Option<String>,
    /// Only quotes whose text mentions this entity (id).
    #[param(example = "e_5c1f0a9b2d7e4c3a8f61")]
    pub about: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page, with the same filters.
    pub cursor: Option<String>,
}

/// Paging of a quote list scoped to one article or entity.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopedQuotesQuery {
    /// Comma-separated kinds among `direct`, `partial`, `term`; default `direct,partial`.
    #[param(
        example = "direct,partial,term",
        pattern = "^((direct|partial|term)(,(direct|partial|term))*)?$"
    )]
    pub kind: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// The `kind` parameter as a list of kinds. Exactly the grammar the document's `pattern`
/// states: kinds joined by commas, nothing else; empty means the default.
fn kinds(param: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(param) = param.filter(|p| !p.is_empty()) else {
        return Ok(vec!["direct".into(), "partial".into()]);
    };
    let mut kinds = Vec::new();
    for kind in param.split(',') {
        if !matches!(kind, "direct" | "partial" | "term") {
            return Err(ApiError::InvalidQuery(format!(
                "kind must list direct, partial or term; got {kind:?}"
            )));
        }
        kinds.push(kind.to_owned());
    }
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

/// Runs a quote query and pages it; `scope` names the list in the cursor fingerprint.
async fn quote_page(
    store: web::Data<Store>,
    req: &HttpRequest,
    filter: QuoteFilter,
    scope: &str,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(limit)?;
    let speaker = match &filter.speaker {
        Some(SpeakerRef::EntityId(id)) => Some(format!("id:{id}")),
        Some(SpeakerRef::Name(name)) => Some(format!("name:{}", name.trim().to_lowercase())),
        None => None,
    };
    let kinds = filter.kinds.join(",");
    let fp = fingerprint(
        scope,
        &[
            ("speaker", speaker.as_deref()),
            ("article", filter.article_id.as_deref()),
            ("kind", Some(&kinds)),
            ("q", filter.q.as_deref()),
            ("published_after", filter.published_after.as_deref()),
            ("published_before", filter.published_before.as_deref()),
            ("about", filter.about.as_deref()),
        ],
    );
    let after = list_after(cursor, &fp, filter.q.is_some())?;
    let rows = super::run_list_read(filter.q.is_some(), move || {
        store.list_quotes(&filter, after.as_ref(), limit + 1)
    })
    .await?;
    let (rows, next_cursor) = split_page(rows, limit, &fp, |last: &QuoteRecord| {
        ListCursor::from(last.resume_after())
    });
    let body = QuoteList {
        data: rows.into_iter().map(QuoteResponse::from).collect(),
        next_cursor,
    };
    Ok(list_ok(req, body.next_cursor.as_deref())
        .insert_header(header::ContentType::json())
        .body(body.to_json()))
}

/// Lists quotes across the archive, newest article first (best match first with `q`).
///
/// With `q`, matches are ranked by bm25 in windows of the 200 most recently stored
/// matches not yet served: each page holds the best matches of the current window, and
/// paging continues through older windows until every match has been served. So the
/// first page is the best of the newest 200 matches, not of the whole archive: ranking
/// every match of a common word would cost seconds on a large archive.
///
/// Send `Accept: application/x-ndjson` to take the whole filtered result in one
/// streamed response (one quote per line), in the same order as the pages.
#[utoipa::path(
    tag = "quotes",
    params(ListQuotesQuery),
    responses(
        (status = 200, description = "A page of quotes; `[]` when nothing matches. With `Accept: application/x-ndjson`: every matching quote, one object per line, streamed (`limit` and `cursor` are ignored).",
            content((QuoteList = "application/json"), (QuoteResponse = "application/x-ndjson")),
            headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/quotes")]
pub async fn list_quotes(
    store: web::Data<Store>,
    query: web::Query<ListQuotesQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = query.filter()?;
    if wants_ndjson(&req) {
        return Ok(stream_quotes(store, filter));
    }
    quote_page(
        store,
        &req,
        filter,
        "quotes",
        query.limit,
        query.cursor.as_deref(),
    )
    .await
}

impl ListQuotesQuery {
    /// The filters as the store takes them, checked.
    pub fn filter(&self) -> Result<QuoteFilter, ApiError> {
        let speaker = self
            .speaker
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with("e_") {
                    SpeakerRef::EntityId(s.to_owned())
                } else {
                    SpeakerRef::Name(s.to_owned())
                }
            });
        Ok(QuoteFilter {
            speaker,
            article_id: self.article.clone(),
            kinds: kinds(self.kind.as_deref())?,
            q: self.q.clone(),
            published_after: date_param("published_after", self.published_after.as_deref())?,
            published_before: date_param("published_before", self.published_before.as_deref())?,
            about: self.about.clone(),
        })
    }
}

/// Gets one quote with its speaker, cue, sentence, spans and article.
#[utoipa::path(
    tag = "quotes",
    params(("id" = String, Path, description = "Quote id", example = "q_01jdx3k7m2q9v8n4b6c5t0w1yf")),
    responses(
        (status = 200, description = "The quote.", body = QuoteResponse),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/quotes/{id}")]
pub async fn get_quote(
    store: web::Data<Store>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // A bounded read: run here, not on the blocking pool (see `api` module docs).
    let quote = store
        .quote(&id)
        .map_err(|e| ApiError::from_lookup("quote", &id, e))?;
    Ok(HttpResponse::Ok().json(QuoteResponse::from(quote)))
}

/// The quotes of one article, in the order they appear.
#[utoipa::path(
    tag = "quotes",
    params(("id" = String, Path, description = "Article id", example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye"), ScopedQuotesQuery),
    responses(
        (status = 200, description = "A page of the article's quotes.", body = QuoteList),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/articles/{id}/quotes")]
pub async fn list_article_quotes(
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<ScopedQuotesQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = (store.clone(), id.clone());
    web::block(move || lookup.0.article(&lookup.1))
        .await?
        .map_err(|e| ApiError::from_lookup("article", &id, e))?;
    let filter = QuoteFilter {
        article_id: Some(id),
        kinds: kinds(query.kind.as_deref())?,
        ..QuoteFilter::default()
    };
    quote_page(
        store,
        &req,
        filter,
        "article-quotes",
        query.limit,
        query.cursor.as_deref(),
    )
    .await
}

/// What an entity said: the quotes it is the speaker of, newest first.
#[utoipa::path(
    tag = "entities",
    params(("id" = String, Path, description = "Entity id", example = "e_5c1f0a9b2d7e4c3a8f61"), ScopedQuotesQuery),
    responses(
        (status = 200, description = "A page of the entity's quotes.", body = QuoteList),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/entities/{id}/quotes")]
pub async fn list_entity_quotes(
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<ScopedQuotesQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = (store.clone(), id.clone());
    web::block(move || lookup.0.entity(&lookup.1))
        .await?
        .map_err(|e| ApiError::from_lookup("entity", &id, e))?;
    let filter = QuoteFilter {
        speaker: Some(SpeakerRef::EntityId(id)),
        kinds: kinds(query.kind.as_deref())?,
        ..QuoteFilter::default()
    };
    quote_page(
        store,
        &req,
        filter,
        "entity-quotes",
        query.limit,
        query.cursor.as_deref(),
    )
    .await
}

/// Every quote of an article, all kinds, for `include=quotes`.
pub(super) fn all_article_quotes(
    store: &Store,
    article_id: &str,
) -> Result<Vec<QuoteResponse>, ApiError> {
    let filter = QuoteFilter {
        article_id: Some(article_id.to_owned()),
        ..QuoteFilter::default()
    };
    let rows = store.list_quotes(&filter, None, usize::MAX >> 1)?;
    Ok(rows.into_iter().map(QuoteResponse::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quotes with every optional part present and absent, and strings that need escaping.
    fn quotes() -> Vec<QuoteResponse> {
        let texts = [
            "plain words",
            "“Curly” and \"straight\" quotes, a back\\slash, a tab\t and a line\nbreak",
            "control \u{1} \u{1f} and é, ß, 中文, 🎉 across sixteen-byte chunks of text",
            "",
        ];
        let mut quotes = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            for with_parts in [true, false] {
                let some = |s: &str| with_parts.then(|| s.to_owned());
                quotes.push(QuoteResponse {
                    id: format!("q_{i}"),
                    text: text.to_string(),
                    kind: "direct".into(),
                    speaker: with_parts.then(|| SpeakerResponse {
                        id: some("e_1"),
                        name: text.to_string(),
                        kind: (i % 2 == 0).then(|| "person".to_owned()),
                    }),
                    speaker_mention: with_parts.then(|| SpeakerMention {
                        text: text.to_string(),
                        start: -1,
                        end: i64::MAX,
                    }),
                    cue: some("said"),
                    cue_span: with_parts.then_some(SpanResponse { start: 3, end: 7 }),
                    span: SpanResponse { start: 0, end: 12 },
                    sentence: format!("{text} {text}"),
                    sentence_span: SpanResponse {
                        start: i64::MIN,
                        end: 1_000_000,
                    },
                    article: ArticleRef {
                        id: "a_1".into(),
                        title: some(text),
                        url: some("https://example.org/a?b=c&d=\"e\""),
                        published: some("2023-05-07"),
                    },
                    snippet: some(&format!("<mark>{text}</mark>")),
                });
            }
        }
        quotes
    }

    #[test]
    fn a_hand_written_page_is_what_serde_json_writes() {
        for next_cursor in [None, Some("eyJrIjoiIn0".to_owned())] {
            for data in [quotes(), Vec::new()] {
                let page = QuoteList {
                    data,
                    next_cursor: next_cursor.clone(),
                };
                assert_eq!(
                    String::from_utf8(page.to_json()).unwrap(),
                    serde_json::to_string(&page).unwrap()
                );
            }
        }
    }
}
