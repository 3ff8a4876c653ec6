//! The HTTP API: routes, wire types, errors, the OpenAPI document and Swagger UI.
//!
//! Routes are registered through utoipa-actix-web, so the OpenAPI document is built from
//! the same `.service(...)` calls that serve requests and cannot drift from them.

mod articles;
mod entities;
pub mod error;
mod health;
pub mod pagination;
mod quotes;
mod routes;
pub mod server;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::{web, App, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};

use crate::store::Store;

/// The document's fixed parts; paths and schemas come from the registered handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "quotewire",
        description = "Who said what, in the news: articles, the quotes in them and the people, organisations and places they name.\n\nLists are keyset-paginated: follow `next_cursor` (or the `Link: rel=\"next\"` header) until it is absent. Every error is `application/problem+json` (RFC 9457) with a stable `code` and the `request_id`."
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
    let (_, mut api) =
        register(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    articles::document_article_content(&mut api);
    api
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
/// unknown routes and wrong methods, and the request span. `body_limit` is in bytes.
pub fn app(
    store: Store,
    body_limit: usize,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, mut api) =
        register(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    articles::document_article_content(&mut api);
    let table = routes::RouteTable::from_openapi(&api);
    app.app_data(web::Data::new(store))
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
        .wrap(actix_web::middleware::from_fn(
            crate::telemetry::request_span,
        ))
}
