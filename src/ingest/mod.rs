//! The one path from an article given to us (HTTP body, file, NDJSON line) to an article
//! stored with its quotes and entities: validate, extract, key, write.
//!
//! `POST /v1/articles` and `quotewire ingest` both come through here, so the duplicate
//! rule, validation and normalisation cannot differ between them.

pub mod files;
pub mod pipeline;

use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::extract::{extract, InputFormat, KnownMetadata};
use crate::store::{InsertOutcome, NewArticle, Store, StoreError};

/// An article as a client gives it: exactly one of `text` or `html`, and optional
/// metadata that wins over what the extractor finds.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArticleInput {
    pub text: Option<String>,
    pub html: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
}

/// One reason an input was refused, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("invalid article: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Field errors as one line, for logs and the CLI summary.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What ingesting one article did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    Created {
        id: String,
    },
    /// The archive already holds it (same normalised URL, or same body without a URL).
    Duplicate {
        id: String,
    },
}

impl Ingested {
    pub fn id(&self) -> &str {
        match self {
            Ingested::Created { id } | Ingested::Duplicate { id } => id,
        }
    }
}

impl From<InsertOutcome> for Ingested {
    fn from(outcome: InsertOutcome) -> Self {
        match outcome {
            InsertOutcome::Created(id) => Ingested::Created { id },
            InsertOutcome::Duplicate(id) => Ingested::Duplicate { id },
        }
    }
}

/// Validates, extracts and stores one article.
#[instrument(skip_all)]
pub fn ingest_one(store: &Store, input: ArticleInput) -> Result<Ingested, IngestError> {
    let article = prepare(input, now()).map_err(IngestError::Invalid)?;
    let outcome = store
        .insert_articles(std::slice::from_ref(&article))?
        .pop()
        .expect("one outcome per article")?;
    Ok(outcome.into())
}

/// Extracts the articles in parallel, then stores the valid ones in one transaction.
/// Each input gets its own result, in order: one bad article never sinks the others.
#[instrument(skip_all, fields(count = inputs.len()))]
pub fn ingest_batch(
    store: &Store,
    inputs: Vec<ArticleInput>,
) -> Result<Vec<Result<Ingested, IngestError>>, StoreError> {
    let prepared = pipeline::prepare_all(inputs.into_iter().enumerate().collect(), &now());
    Ok(pipeline::store_prepared(store, prepared)?
        .into_iter()
        .map(|(_, result)| result)
        .collect())
}

/// Checks the input, runs the extractor and computes the keys the store needs.
pub fn prepare(input: ArticleInput, ingested_at: String) -> Result<NewArticle, Vec<FieldError>> {
    let mut errors = Vec::new();
    let content = match (&input.text, &input.html) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                "html",
                "give either text or html, not both",
            ));
            None
        }
        (None, None) => {
            errors.push(FieldError::new("text", "one of text or html is required"));
            None
        }
        (Some(text), None) if text.trim().is_empty() => {
            errors.push(FieldError::new("text", "must not be blank"));
            None
        }
        (None, Some(html)) if html.trim().is_empty() => {
            errors.push(FieldError::new("html", "must not be blank"));
            None
        }
        (Some(text), None) => Some((text.as_str(), InputFormat::Text)),
        (None, Some(html)) => Some((html.as_str(), InputFormat::Html)),
    };
    let url = non_blank(&input.url);
    let url_key = match url {
        Some(u) => match normalise_url(u) {
            Some(key) => Some(key),
            None => {
                errors.push(FieldError::new(
                    "url",
                    "must be an absolute http or https URL",
                ));
                None
            }
        },
        None => None,
    };
    let published = non_blank(&input.published);
    if let Some(p) = published {
        if published_key(p).is_none() {
            errors.push(FieldError::new(
                "published",
                "must be an RFC 3339 date-time or a YYYY-MM-DD date",
            ));
        }
    }
    let Some((content, format)) = content.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };

    let known = KnownMetadata {
        title: non_blank(&input.title).map(str::to_owned),
        byline: non_blank(&input.byline).map(str::to_owned),
        published: published.map(str::to_owned),
        source: non_blank(&input.source).map(str::to_owned),
    };
    let mut extraction = extract(content, format, &known);
    if extraction.body.trim().is_empty() {
        let field = if format == InputFormat::Html {
            "html"
        } else {
            "text"
        };
        return Err(vec![FieldError::new(field, "holds no article text")]);
    }
    let url = url.map(str::to_owned).or_else(|| extraction.url.clone());
    let url_key = url_key.or_else(|| extraction.url.as_deref().and_then(normalise_url));
    extraction.url = url.clone();
    let published_key = extraction
        .published
        .as_deref()
        .and_then(published_key)
        .unwrap_or_default();
    Ok(NewArticle {
        id: new_article_id(),
        url,
        url_key,
        body_hash: body_hash(&extraction.body),
        published_key,
        ingested_at,
        extraction,
    })
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn now() -> String {
    DateTime::<Utc>::from(SystemTime::now()).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn new_article_id() -> String {
    format!("a_{}", ulid::Ulid::new().to_string().to_ascii_lowercase())
}

/// A sortable key for a publication date: `YYYY-MM-DDTHH:MM:SSZ` in UTC, a bare date
/// standing for its midnight UTC; `None` when it is neither. Keys compare as strings.
pub fn published_key(value: &str) -> Option<String> {
    let value = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Some(date.format("%Y-%m-%dT00:00:00Z").to_string());
    }
    DateTime::parse_from_rfc3339(value).ok().map(|dt| {
        dt.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// The duplicate key of a URL: scheme-less, host lower-cased, default port, fragment,
/// tracking parameters and trailing slash dropped. `None` unless it is absolute http(s).
pub fn normalise_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (scheme, rest) = raw.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_query) = rest.split_at(split);
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = host
        .strip_suffix(":80")
        .filter(|_| scheme == "http")
        .unwrap_or(&host);
    let host = host
        .strip_suffix(":443")
        .filter(|_| scheme == "https")
        .unwrap_or(host);
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let path = path.trim_end_matches('/');
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default().to_ascii_lowercase();
            !(name.starts_with("utm_") || name == "fbclid" || name == "gclid")
        })
        .collect();
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    Some(format!("{host}{path}{query}"))
}

/// Hash of the body with runs of whitespace made one space: the duplicate key when an
/// article has no URL.
fn body_hash(body: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, word) in body.split_whitespace().enumerate() {
        if i > 0 {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_name_the_same_page_share_a_key() {
        let key = normalise_url("https://Example.org/nato-japan/").unwrap();
        assert_eq!(
            normalise_url("http://example.org:80/nato-japan#comments").as_deref(),
            Some(key.as_str())
        );
        assert_eq!(
            normalise_url("https://example.org/nato-japan?utm_source=x").as_deref(),
            Some(key.as_str())
        );
        assert_ne!(
            normalise_url("https://example.org/nato-japan?page=2").as_deref(),
            Some(key.as_str())
        );
    }

    #[test]
    fn non_http_urls_are_refused() {
        assert_eq!(normalise_url("ftp://example.org/x"), None);
        assert_eq!(normalise_url("example.org/x"), None);
        assert_eq!(normalise_url("https:///x"), None);
    }

    #[test]
    fn published_keys_sort_as_time() {
        assert_eq!(
            published_key("2023-05-07").as_deref(),
            Some("2023-05-07T00:00:00Z")
        );
        assert_eq!(
            published_key("2023-05-07T09:30:00+02:00").as_deref(),
            Some("2023-05-07T07:30:00Z")
        );
        assert_eq!(published_key("May 7, 2023"), None);
        assert!(published_key("2023-05-06T23:00:00Z") < published_key("2023-05-07"));
    }

    #[test]
    fn bodies_differing_only_in_spacing_hash_alike() {
        assert_eq!(body_hash("a  b\n\nc"), body_hash("a b c"));
        assert_ne!(body_hash("a b c"), body_hash("a b d"));
    }

    #[test]
    fn blank_text_and_both_contents_are_field_errors() {
        let blank = ArticleInput {
            text: Some("  \n ".into()),
            ..Default::default()
        };
        let errors = prepare(blank, now()).unwrap_err();
        assert_eq!(errors, vec![FieldError::new("text", "must not be blank")]);
        let both = ArticleInput {
            text: Some("x".into()),
            html: Some("<p>x</p>".into()),
            ..Default::default()
        };
        assert_eq!(prepare(both, now()).unwrap_err()[0].field, "html");
        let bad = ArticleInput {
            text: Some("x".into()),
            url: Some("nope".into()),
            published: Some("soon".into()),
            ..Default::default()
        };
        let fields: Vec<_> = prepare(bad, now())
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["url", "published"]);
    }
}
