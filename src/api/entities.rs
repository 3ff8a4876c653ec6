//! `/v1/entities` and `/v1/articles/{id}/entities`: the people, organisations and places
//! the archive names, one stable entity each.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::article_page;
use super::error::{ApiError, BadRequest, InternalError, NotFound};
use super::pagination::{
    cursor_given, decode_cursor, fingerprint, list_after, list_response, page_limit, split_page,
};
use super::quotes::SpanResponse;
use crate::store::{EntityAfter, EntityFilter, EntityRecord, EntitySort, MentionRecord, Store};

/// How often the archive names an entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityCounts {
    /// Articles naming it.
    #[schema(example = 1)]
    pub articles: i64,
    /// Mentions across those articles.
    #[schema(example = 5)]
    pub mentions: i64,
    /// Quotes it is the speaker of.
    #[schema(example = 4)]
    pub quotes: i64,
}

/// A person, organisation or place.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityResponse {
    /// Stable across databases: derived from the type and the normalised name.
    #[schema(example = "e_5c1f0a9b2d7e4c3a8f61")]
    pub id: String,
    /// The canonical (fullest) name.
    #[schema(example = "Jens Stoltenberg")]
    pub name: String,
    /// `person`, `organization`, `location` or `misc`.
    #[serde(rename = "type")]
    #[schema(example = "person")]
    pub kind: String,
    /// Other forms seen, accumulated over all articles.
    #[schema(example = json!(["Stoltenberg"]))]
    pub aliases: Vec<String>,
    /// Roles and titles articles give it.
    #[schema(example = json!(["NATO Secretary General"]))]
    pub roles: Vec<String>,
    pub counts: EntityCounts,
    /// Publication date of the earliest article naming it (single entity only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2023-05-07")]
    pub first_seen: Option<String>,
    /// Publication date of the latest article naming it (single entity only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2023-05-07")]
    pub last_seen: Option<String>,
}

impl From<EntityRecord> for EntityResponse {
    fn from(e: EntityRecord) -> Self {
        EntityResponse {
            id: e.id,
            name: e.name,
            kind: e.kind,
            aliases: e.aliases,
            roles: e.roles,
            counts: EntityCounts {
                articles: e.article_count,
                mentions: e.mention_count,
                quotes: e.quote_count,
            },
            first_seen: e.first_seen,
            last_seen: e.last_seen,
        }
    }
}

/// A page of entities.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityList {
    pub data: Vec<EntityResponse>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// An entity as one article names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleEntity {
    #[serde(flatten)]
    pub entity: EntityResponse,
    /// Mentions in this article.
    #[schema(example = 3)]
    pub mention_count: i64,
    /// Where, as byte spans into the article body.
    pub mentions: Vec<SpanResponse>,
}

impl From<MentionRecord> for ArticleEntity {
    fn from(m: MentionRecord) -> Self {
        ArticleEntity {
            entity: m.entity.into(),
            mention_count: m.mention_count,
            mentions: m.spans.into_iter().map(SpanResponse::from).collect(),
        }
    }
}

/// The entities of one article, most mentioned first (never more than one page).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleEntityList {
    pub data: Vec<ArticleEntity>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntitySortParam {
    Mentions,
    Name,
}

/// Filters and paging of `GET /v1/entities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEntitiesQuery {
    /// `person`, `organization`, `location` or `misc`.
    #[serde(rename = "type")]
    #[param(rename = "type", example = "person")]
    pub kind: Option<String>,
    /// Prefix of the name, of a word of it, or of an alias (case-insensitive).
    #[param(example = "stolt")]
    pub q: Option<String>,
    /// `mentions` (most mentioned first, the default) or `name`.
    #[param(inline)]
    pub sort: Option<EntitySortParam>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page, with the same filters.
    pub cursor: Option<String>,
}

/// Paging of an entity's articles.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct EntityCursor {
    #[serde(skip_serializing_if = "Option::is_none")]
    m: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    i: String,
}

/// Lists entities, most mentioned first (or by name).
#[utoipa::path(
    tag = "entities",
    params(ListEntitiesQuery),
    responses(
        (status = 200, description = "A page of entities; `[]` when nothing matches.", body = EntityList,
            headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/entities")]
pub async fn list_entities(
    store: web::Data<Store>,
    query: web::Query<ListEntitiesQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = page_limit(query.limit)?;
    let sort = match query.sort.unwrap_or(EntitySortParam::Mentions) {
        EntitySortParam::Mentions => EntitySort::Mentions,
        EntitySortParam::Name => EntitySort::Name,
    };
    let filter = EntityFilter {
        kind: query.kind.clone(),
        q: query.q.clone(),
    };
    let sort_name = if sort == EntitySort::Name {
        "name"
    } else {
        "mentions"
    };
    let fp = fingerprint(
        "entities",
        &[
            ("type", filter.kind.as_deref()),
            ("q", filter.q.as_deref()),
            ("sort", Some(sort_name)),
        ],
    );
    let after = match cursor_given(query.cursor.as_deref()) {
        None => None,
        Some(cursor) => {
            let key: EntityCursor = decode_cursor(cursor, &fp)?;
            Some(match (key.m, key.n, sort) {
                (Some(mention_count), None, EntitySort::Mentions) => EntityAfter::Mentions {
                    mention_count,
                    id: key.i,
                },
                (None, Some(name_key), EntitySort::Name) => EntityAfter::Name {
                    name_key,
                    id: key.i,
                },
                _ => return Err(ApiError::InvalidCursor),
            })
        }
    };
    // A keyset page of a small table: a bounded read, run here (see `api` module docs).
    let rows = store.list_entities(&filter, sort, after.as_ref(), limit + 1)?;
    let (rows, next_cursor) = split_page(rows, limit, &fp, |last: &EntityRecord| match sort {
        EntitySort::Mentions => EntityCursor {
            m: Some(last.mention_count),
            n: None,
            i: last.id.clone(),
        },
        EntitySort::Name => EntityCursor {
            m: None,
            n: Some(last.name_key.clone()),
            i: last.id.clone(),
        },
    });
    let body = EntityList {
        data: rows.into_iter().map(EntityResponse::from).collect(),
        next_cursor,
    };
    Ok(list_response(&req, body.next_cursor.as_deref(), &body))
}

/// Gets one entity: aliases, roles, counts, first and last seen.
#[utoipa::path(
    tag = "entities",
    params(("id" = String, Path, description = "Entity id", example = "e_5c1f0a9b2d7e4c3a8f61")),
    responses(
        (status = 200, description = "The entity.", body = EntityResponse),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/entities/{id}")]
pub async fn get_entity(
    store: web::Data<Store>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let entity = web::block(move || store.entity(&lookup))
        .await?
        .map_err(|e| ApiError::from_lookup("entity", &id, e))?;
    Ok(HttpResponse::Ok().json(EntityResponse::from(entity)))
}

/// The articles naming an entity, newest first.
#[utoipa::path(
    tag = "entities",
    params(("id" = String, Path, description = "Entity id", example = "e_5c1f0a9b2d7e4c3a8f61"), PageQuery),
    responses(
        (status = 200, description = "A page of articles.", body = super::articles::ArticleList),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/entities/{id}/articles")]
pub async fn list_entity_articles(
    store: web::Data<Store>,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let limit = page_limit(query.limit)?;
    let fp = fingerprint("entity-articles", &[("entity", Some(&id))]);
    let after = list_after(query.cursor.as_deref(), &fp, false)?;
    let lookup = id.clone();
    let rows = web::block(move || store.entity_articles(&lookup, after.as_ref(), limit + 1))
        .await?
        .map_err(|e| ApiError::from_lookup("entity", &id, e))?;
    Ok(article_page(&req, rows, limit, &fp))
}

/// The entities an article names, with mention counts and spans.
#[utoipa::path(
    tag = "entities",
    params(("id" = String, Path, description = "Article id", example = "a_01jdx3k7m2q9v8n4b6c5t0w1ye")),
    responses(
        (status = 200, description = "The article's entities, most mentioned first.", body = ArticleEntityList),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
#[get("/v1/articles/{id}/entities")]
pub async fn list_article_entities(
    store: web::Data<Store>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let lookup = id.clone();
    let rows = web::block(move || store.article_entities(&lookup))
        .await?
        .map_err(|e| ApiError::from_lookup("article", &id, e))?;
    Ok(HttpResponse::Ok().json(ArticleEntityList {
        data: rows.into_iter().map(ArticleEntity::from).collect(),
    }))
}
