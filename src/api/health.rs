//! Liveness and readiness probes.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, Unavailable};
use crate::store::Store;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Alive: the process answers HTTP.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The server is up.", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Ready: the database answers a query.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The database answers.", body = Health),
        (status = 503, response = Unavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(store: web::Data<Store>) -> Result<HttpResponse, ApiError> {
    web::block(move || store.ping())
        .await?
        .map_err(ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
