//! Keyset pagination: opaque cursors that carry the last item's sort key and a
//! fingerprint of the filters they were issued for, and the `Link: rel="next"` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use crate::store::ListAfter;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// The page size asked for, checked against the bounds.
pub fn page_limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        _ => Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

/// A fingerprint of a list's filters: a cursor only works with the filters it came from.
pub fn fingerprint(list: &str, filters: &[(&str, Option<&str>)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(list.as_bytes());
    for (name, value) in filters {
        hasher.update([0]);
        hasher.update(name.as_bytes());
        if let Some(value) = value {
            hasher.update([1]);
            hasher.update(value.as_bytes());
        }
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Serialize, Deserialize)]
struct CursorBody<K> {
    /// The sort key of the last item served.
    k: K,
    /// The filters' fingerprint.
    f: String,
}

pub fn encode_cursor<K: Serialize>(key: K, fingerprint: &str) -> String {
    let json = serde_json::to_vec(&CursorBody {
        k: key,
        f: fingerprint.to_owned(),
    })
    .expect("cursor keys serialise");
    URL_SAFE_NO_PAD.encode(json)
}

/// The `cursor` parameter when one was given: an empty `cursor=` (a form or a URL template
/// with nothing to fill in) asks for the first page, like no cursor at all.
pub fn cursor_given(cursor: Option<&str>) -> Option<&str> {
    cursor.filter(|c| !c.is_empty())
}

/// The sort key in `cursor`, if it is well formed and was issued for these filters.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str, fingerprint: &str) -> Result<K, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| ApiError::InvalidCursor)?;
    let body: CursorBody<K> =
        serde_json::from_slice(&bytes).map_err(|_| ApiError::InvalidCursor)?;
    if body.f != fingerprint {
        return Err(ApiError::InvalidCursor);
    }
    Ok(body.k)
}

/// The sort key of an article- or quote-list cursor: published key or bm25 rank, then
/// id; with a rank, the window of ranked matches the last item came from.
#[derive(Serialize, Deserialize)]
pub struct ListCursor {
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    w: Option<i64>,
    i: String,
}

impl From<ListAfter> for ListCursor {
    fn from(after: ListAfter) -> Self {
        match after {
            ListAfter::Rank { window, rank, id } => ListCursor {
                p: None,
                r: Some(rank),
                w: Some(window),
                i: id,
            },
            ListAfter::Date { published_key, id } => ListCursor {
                p: Some(published_key),
                r: None,
                w: None,
                i: id,
            },
        }
    }
}

/// Reads a list cursor: a date key without a search, a rank key with one.
pub fn list_after(
    cursor: Option<&str>,
    fingerprint: &str,
    searched: bool,
) -> Result<Option<ListAfter>, ApiError> {
    let Some(cursor) = cursor_given(cursor) else {
        return Ok(None);
    };
    let key: ListCursor = decode_cursor(cursor, fingerprint)?;
    match (key.p, key.r, key.w, searched) {
        (Some(published_key), None, None, false) => Ok(Some(ListAfter::Date {
            published_key,
            id: key.i,
        })),
        (None, Some(rank), Some(window), true) => Ok(Some(ListAfter::Rank {
            window,
            rank,
            id: key.i,
        })),
        _ => Err(ApiError::InvalidCursor),
    }
}

/// `<path?same-query&cursor=...>; rel="next"`: the request's own query with the cursor
/// replaced, so a client can follow it blindly.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let cursor_pair = format!("cursor={cursor}");
    pairs.push(&cursor_pair);
    format!("<{}?{}>; rel=\"next\"", req.path(), pairs.join("&"))
}

/// Cuts the `limit + 1` rows a query returned to one page, and makes the cursor for the
/// next page from the last row kept when there is more.
pub fn split_page<R, K: Serialize>(
    mut rows: Vec<R>,
    limit: usize,
    fingerprint: &str,
    key: impl Fn(&R) -> K,
) -> (Vec<R>, Option<String>) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last()
            .map(|last| encode_cursor(key(last), fingerprint))
    } else {
        None
    };
    (rows, next)
}

/// `200` with the list body, and the `Link` header when there is a next page.
pub fn list_response<T: Serialize>(
    req: &HttpRequest,
    next_cursor: Option<&str>,
    body: &T,
) -> HttpResponse {
    list_ok(req, next_cursor).json(body)
}

/// `200` and the `Link` header when there is a next page, for a body written by hand.
pub fn list_ok(req: &HttpRequest, next_cursor: Option<&str>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = next_cursor {
        response.insert_header((header::LINK, next_link(req, cursor)));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_with_its_filters_only() {
        let fp = fingerprint("articles", &[("source", Some("Reuters"))]);
        let cursor = encode_cursor(("2023-05-07", "a_1"), &fp);
        let key: (String, String) = decode_cursor(&cursor, &fp).unwrap();
        assert_eq!(key, ("2023-05-07".to_owned(), "a_1".to_owned()));
        let other = fingerprint("articles", &[("source", Some("AP"))]);
        assert!(matches!(
            decode_cursor::<(String, String)>(&cursor, &other),
            Err(ApiError::InvalidCursor)
        ));
        assert!(matches!(
            decode_cursor::<(String, String)>("not base64 !", &fp),
            Err(ApiError::InvalidCursor)
        ));
    }

    #[test]
    fn absent_and_empty_filters_differ() {
        assert_ne!(
            fingerprint("a", &[("q", None)]),
            fingerprint("a", &[("q", Some(""))])
        );
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(page_limit(None).unwrap(), 20);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(101)).is_err());
    }
}
