//! What the API answers when no route matched: 405 with `Allow` when the path exists
//! under other methods (known from the OpenAPI document), 404 otherwise.

use actix_web::{web, HttpRequest};

use super::error::ApiError;

/// Path templates (`/v1/articles/{id}`) and the methods each accepts.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(Vec<String>, Vec<String>)> = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .iter()
                .filter(|m| value.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
                (segments(path), methods)
            })
            .collect();
        // Served outside the document, but real routes all the same.
        routes.push((segments("/openapi.json"), vec!["GET".into()]));
        routes.push((segments("/docs"), vec!["GET".into()]));
        RouteTable { routes }
    }

    /// The methods allowed on `path`, if some route template matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let wanted = segments(path);
        let mut allowed: Vec<String> = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(t, w)| t == w || (t.starts_with('{') && t.ends_with('}')))
            })
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        // HEAD is answered wherever GET is (the caching middleware serves it).
        if allowed.iter().any(|m| m == "GET") {
            allowed.push("HEAD".into());
        }
        allowed.sort();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// The default service.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<&'static str, ApiError> {
    match table.allowed(req.path()) {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            Err(ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allow,
            })
        }
        _ => Err(ApiError::RouteNotFound(req.path().to_owned())),
    }
}
