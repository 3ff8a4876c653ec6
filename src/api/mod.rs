//! The HTTP API: routes, wire types, errors, the OpenAPI document and Swagger UI.
//!
//! Routes are registered through utoipa-actix-web, so the OpenAPI document is built from
//! the same `.service(...)` calls that serve requests and cannot drift from them.
//!
//! Store calls block. A bounded read (one record by id, or one keyset page of at most
//! [`pagination::MAX_LIMIT`] rows walked along an index) runs on the worker thread that
//! took the request: it costs tens of microseconds, and handing it to the blocking pool
//! and back cost as much again in thread wake-ups. Work that can run long (full-text
//! search, which may walk many windows of matches under a filter; writes; exports; entity
//! details, which sort an entity's articles) goes through `web::block`.

mod articles;
pub mod auth;
mod batch;
pub mod caching;
mod cors;
mod entities;
pub mod error;
pub mod export;
mod health;
mod json;
pub mod limits;
pub mod pagination;
mod quotes;
mod routes;
pub mod server;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpResponse};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};

use crate::config::{CorsSettings, Settings};
use crate::store::Store;
use auth::Keyring;
use limits::RateLimiter;

/// The document's fixed parts; paths and schemas come from the registered handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "quotewire",
        description = "Who said what, in the news: articles, the quotes in them and the people, organisations and places they name.\n\nLists are keyset-paginated: follow `next_cursor` (or the `Link: rel=\"next\"` header) until it is absent. Every error is `application/problem+json` (RFC 9457) with a stable `code` and the `request_id`.\n\nWhen the server has API keys configured, POST and DELETE (and, if so configured, reads) need one, as `Authorization: Bearer KEY` or `X-Api-Key: KEY`. Each client (its key, or else its IP address) has a rate limit, reported in `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Every GET answer carries an `ETag`: send it back in `If-None-Match` to get a bodiless 304 while nothing changed. HEAD is answered on every GET route. Answers are compressed (gzip, brotli) when the client accepts it."
    ),
    tags(
        (name = "articles", description = "News articles, as stored after extraction."),
        (name = "quotes", description = "Quotations: who said what, with the cue verb and spans."),
        (name = "entities", description = "People, organisations and places, one stable entity each across the archive."),
        (name = "operations", description = "Health probes."),
    ),
    components(schemas(error::Problem, error::InvalidField), responses(
        error::BadRequest,
        error::NotFound,
        error::PayloadTooLarge,
        error::UnsupportedMediaType,
        error::UnprocessableEntity,
        error::Unauthorized,
        error::TooManyRequests,
        error::UriTooLong,
        error::NotAcceptable,
        error::InternalError,
        error::Unavailable,
    ))
)]
struct ApiDoc;

/// Registers every documented route.
fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.service(health::healthz)
        .service(health::readyz)
        .service(articles::create_article)
        .service(batch::create_articles_batch)
        .service(articles::list_articles)
        .service(articles::get_article)
        .service(articles::delete_article)
        .service(quotes::list_article_quotes)
        .service(entities::list_article_entities)
        .service(quotes::list_quotes)
        .service(quotes::get_quote)
        .service(entities::list_entities)
        .service(entities::get_entity)
        .service(entities::list_entity_articles)
        .service(quotes::list_entity_quotes)
}

/// The OpenAPI document, exactly as `/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = routed_app();
    api
}

/// The routed application and its finished document: what the handlers declare, plus
/// what code outside them adds (the article content choice, the middleware's statuses).
/// Both [`openapi`] and [`app`] start here, so the served and committed documents agree.
fn routed_app() -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let (app, mut api) =
        register(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    articles::document_article_content(&mut api);
    batch::document_batch_items(&mut api);
    document_protections(&mut api);
    (app, api)
}

/// Adds what the middleware in [`app`] does to every operation it applies to: the key
/// schemes and 401, 429 and 414, and on reads the 304 and the `ETag` of the 200.
fn document_protections(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API key, as `Authorization: Bearer KEY`."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "api_key",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-Api-Key",
            "An API key, as `X-Api-Key: KEY`.",
        ))),
    );
    let refer = |name: &str| RefOr::Ref(Ref::from_response_name(name));
    let etag = || {
        HeaderBuilder::new()
            .schema(Some(utoipa::openapi::schema::Object::with_type(
                utoipa::openapi::schema::Type::String,
            )))
            .description(Some(
                "Weak entity tag of the body; send it back in `If-None-Match`.",
            ))
            .build()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        if auth::is_public_path(path) {
            // Only the URI cap applies to probes.
            for operation in item.get.iter_mut() {
                let responses = &mut operation.responses.responses;
                responses.insert("406".into(), refer("NotAcceptable"));
                responses.insert("414".into(), refer("UriTooLong"));
            }
            continue;
        }
        let reads = item.get.iter_mut().map(|op| (op, true));
        let writes = [
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        .map(|op| (op, false));
        for (operation, is_read) in reads.chain(writes) {
            let responses = &mut operation.responses.responses;
            responses.insert("401".into(), refer("Unauthorized"));
            responses.insert("406".into(), refer("NotAcceptable"));
            responses.insert("414".into(), refer("UriTooLong"));
            responses.insert("429".into(), refer("TooManyRequests"));
            // Keys are needed only when the server has some configured: `{}` says so.
            operation.security = Some(vec![
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("api_key", Vec::<String>::new()),
                SecurityRequirement::default(),
            ]);
            if !is_read {
                continue;
            }
            if let Some(RefOr::T(ok)) = responses.get_mut("200") {
                ok.headers.insert("ETag".into(), RefOr::T(etag()));
            }
            responses.insert(
                "304".into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(
                            "Not modified: `If-None-Match` holds the current `ETag`. No body.",
                        )
                        .header("ETag", etag())
                        .build(),
                ),
            );
        }
    }
}

/// What [`app`] wraps around the routes, built once per server from its settings and
/// shared by all its workers (the rate limiter's buckets above all).
#[derive(Clone)]
pub struct Guards {
    keyring: web::Data<Keyring>,
    limiter: Option<web::Data<RateLimiter>>,
    cors: CorsSettings,
    body_limit: usize,
}

impl Guards {
    pub fn from_settings(settings: &Settings) -> Result<Guards, String> {
        cors::check_origins(&settings.cors)?;
        Ok(Guards {
            keyring: web::Data::new(Keyring::from_settings(&settings.auth)?),
            limiter: RateLimiter::from_settings(&settings.rate_limit)?.map(web::Data::new),
            cors: settings.cors.clone(),
            body_limit: settings.server.body_limit_bytes,
        })
    }

    /// No API key is configured: anyone may write.
    pub fn is_open(&self) -> bool {
        self.keyring.is_open()
    }
}

/// Runs a list read where the module docs say: here when it is a bounded keyset page,
/// on the blocking pool when it is a search that may walk many windows of matches.
async fn run_list_read<T: Send + 'static>(
    searched: bool,
    read: impl FnOnce() -> crate::store::StoreResult<T> + Send + 'static,
) -> Result<T, error::ApiError> {
    if searched {
        Ok(web::block(read).await??)
    } else {
        Ok(read()?)
    }
}

/// The document as committed in `openapi/openapi.json` (pretty, with a final newline).
pub fn openapi_json() -> String {
    let mut json = openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// Builds the application: routes, extractor error handlers, docs, the fallback for
/// unknown routes and wrong methods, and around them (outermost first) the request span,
/// CORS, compression, URI and rate limits, API keys and conditional GETs.
pub fn app(
    store: Store,
    guards: &Guards,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api) = routed_app();
    let table = routes::RouteTable::from_openapi(&api);
    let body_limit = guards.body_limit;
    let app = match &guards.limiter {
        Some(limiter) => app.app_data(limiter.clone()),
        None => app,
    };
    app.app_data(web::Data::new(store))
        .app_data(guards.keyring.clone())
        .app_data(web::Data::new(table))
        .app_data(
            web::JsonConfig::default()
                .limit(body_limit)
                .error_handler(move |err, _req| error::json_error(err, body_limit)),
        )
        .app_data(web::PayloadConfig::default().limit(body_limit))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .url("/openapi.json", api)
                .config(
                    utoipa_swagger_ui::Config::new(["/openapi.json"])
                        .validator_url("none")
                        .try_it_out_enabled(true),
                ),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(routes::fallback))
        .wrap(from_fn(caching::conditional_get))
        .wrap(from_fn(auth::require_key))
        .wrap(from_fn(limits::enforce))
        .wrap(Compress::default())
        .wrap(cors::middleware(&guards.cors))
        .wrap(from_fn(cors::refusals_as_problems))
        .wrap(from_fn(crate::telemetry::request_span))
}
