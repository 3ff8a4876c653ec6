//! NDJSON export of whole filtered lists: `GET /v1/quotes` and `GET /v1/articles` with
//! `Accept: application/x-ndjson`, and `quotewire export`.
//!
//! The result is read in keyset chunks of [`CHUNK`] rows, each on a pooled reader
//! connection that goes back to the pool between chunks. One long query would hold a
//! connection (and a WAL snapshot, which stops checkpoints) for as long as the slowest
//! client takes to read, and a few slow exports would starve the API. The price: an
//! export is not one snapshot; rows stored while it runs appear if they sort after the
//! chunk being read. No row is served twice, because the keyset only moves forward.

use std::io::Write;

use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream;
use serde::Serialize;

use super::articles::ArticleSummary;
use super::error::ApiError;
use super::quotes::QuoteResponse;
use crate::store::{
    ArticleFilter, ArticleRecord, ListAfter, QuoteFilter, QuoteRecord, Store, StoreResult,
};

pub use super::articles::ListArticlesQuery;
pub use super::quotes::ListQuotesQuery;

pub const NDJSON: &str = "application/x-ndjson";

/// Rows per chunk: large enough that per-query costs vanish, small enough that a chunk
/// is a few hundred KB.
pub const CHUNK: usize = 500;

/// Whether the client asked for NDJSON.
pub fn wants_ndjson(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(actix_web::http::header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(NDJSON)
        })
}

/// One kind of exportable list: how to read a chunk and where the next one starts.
trait Export: Clone + Send + 'static {
    fn chunk(
        &self,
        store: &Store,
        after: Option<&ListAfter>,
    ) -> StoreResult<(Vec<u8>, Option<ListAfter>)>;
}

#[derive(Clone)]
struct Quotes(QuoteFilter);

#[derive(Clone)]
struct Articles(ArticleFilter);

impl Export for Quotes {
    fn chunk(
        &self,
        store: &Store,
        after: Option<&ListAfter>,
    ) -> StoreResult<(Vec<u8>, Option<ListAfter>)> {
        let rows = store.list_quotes(&self.0, after, CHUNK)?;
        let next = (rows.len() == CHUNK)
            .then(|| rows.last().map(QuoteRecord::resume_after))
            .flatten();
        Ok((lines(rows.into_iter().map(QuoteResponse::from)), next))
    }
}

impl Export for Articles {
    fn chunk(
        &self,
        store: &Store,
        after: Option<&ListAfter>,
    ) -> StoreResult<(Vec<u8>, Option<ListAfter>)> {
        let rows = store.list_articles(&self.0, after, CHUNK)?;
        let next = (rows.len() == CHUNK)
            .then(|| rows.last().map(ArticleRecord::resume_after))
            .flatten();
        Ok((lines(rows.into_iter().map(ArticleSummary::from)), next))
    }
}

fn lines<T: Serialize>(items: impl Iterator<Item = T>) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        serde_json::to_writer(&mut out, &item).expect("list items serialise");
        out.push(b'\n');
    }
    out
}

/// A streamed `200` (chunked, `BodySize::Stream`): each chunk is read when the client
/// has taken the previous one, so memory stays at one chunk whatever the result's size.
fn streamed<E: Export>(store: web::Data<Store>, export: E) -> HttpResponse {
    struct State<E: Export> {
        store: web::Data<Store>,
        export: E,
        after: Option<ListAfter>,
        done: bool,
    }
    let start = State {
        store,
        export,
        after: None,
        done: false,
    };
    let body = stream::unfold(start, |mut state| async move {
        if state.done {
            return None;
        }
        let (store, export, after) = (
            state.store.clone(),
            state.export.clone(),
            state.after.take(),
        );
        let read = web::block(move || export.chunk(&store, after.as_ref())).await;
        match read {
            Ok(Ok((bytes, next))) => {
                state.done = next.is_none();
                state.after = next;
                Some((Ok::<_, ApiError>(Bytes::from(bytes)), state))
            }
            // Headers are gone: ending the stream early is all that is left; the error
            // is logged and the client sees a truncated body (no final newline).
            Ok(Err(e)) => {
                state.done = true;
                Some((Err(ApiError::from(e)), state))
            }
            Err(e) => {
                state.done = true;
                Some((Err(ApiError::from(e)), state))
            }
        }
    });
    HttpResponse::Ok().content_type(NDJSON).streaming(body)
}

pub(super) fn stream_quotes(store: web::Data<Store>, filter: QuoteFilter) -> HttpResponse {
    streamed(store, Quotes(filter))
}

pub(super) fn stream_articles(store: web::Data<Store>, filter: ArticleFilter) -> HttpResponse {
    streamed(store, Articles(filter))
}

/// Writes every chunk of an export to `out` (for `quotewire export`).
fn write_all<E: Export>(
    store: &Store,
    export: E,
    out: &mut impl Write,
) -> Result<usize, ExportError> {
    let mut after = None;
    let mut bytes = 0;
    loop {
        let (chunk, next) = export.chunk(store, after.as_ref())?;
        out.write_all(&chunk)?;
        bytes += chunk.len();
        match next {
            Some(next) => after = Some(next),
            None => return Ok(bytes),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Filter(#[from] ApiError),
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot write: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes the quotes `query` selects as NDJSON, one `GET /v1/quotes` item per line.
pub fn export_quotes(
    store: &Store,
    query: &ListQuotesQuery,
    out: &mut impl Write,
) -> Result<usize, ExportError> {
    write_all(store, Quotes(query.filter()?), out)
}

/// Writes the articles `query` selects as NDJSON, one `GET /v1/articles` item per line.
pub fn export_articles(
    store: &Store,
    query: &ListArticlesQuery,
    out: &mut impl Write,
) -> Result<usize, ExportError> {
    write_all(store, Articles(query.filter()?), out)
}
