//! The extractor: an article's text or HTML in, a structured article out.
//!
//! Pure and deterministic: no HTTP, SQL, file system, environment or clock; it never
//! panics, whatever the input. Every span it returns is a byte range into
//! [`Extraction::body`]. The stages run in this order:
//!
//! 1. [`clean`] (plain text) or [`html`] (HTML pages): the body a reader sees, with its
//!    paragraphs, and the metadata (title, byline, date, publisher) with where each came from.
//! 2. [`segment`]: sentence spans over the body.
//! 3. [`entities`]: names of people, organisations and places, typed and merged within
//!    the article ("Putin" into "Vladimir Putin", "PRC" into "China").
//! 4. [`quotes`]: every pair of quotation marks, with its kind (direct, partial, term).
//! 5. [`attribution`]: the speaker and cue verb of each direct and partial quote.

pub mod attribution;
pub mod clean;
mod cues;
pub mod entities;
pub mod gazetteer;
pub mod html;
mod metadata;
pub mod quotes;
pub mod segment;
mod span;

pub use span::Span;

use serde::Serialize;

/// What kind of document the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Plain text, possibly copied from a web page with its debris.
    Text,
    /// An HTML page.
    Html,
}

impl InputFormat {
    /// Guesses the format from the content: HTML when it starts like markup.
    pub fn sniff(content: &str) -> InputFormat {
        let head = content.trim_start_matches('\u{feff}').trim_start();
        let lower: String = head
            .chars()
            .take(64)
            .collect::<String>()
            .to_ascii_lowercase();
        if lower.starts_with("<!doctype html")
            || lower.starts_with("<html")
            || lower.starts_with("<head")
            || lower.starts_with("<body")
            || lower.starts_with("<?xml")
            || lower.starts_with("<!--")
            || (lower.starts_with('<') && head.contains("</"))
        {
            InputFormat::Html
        } else {
            InputFormat::Text
        }
    }
}

/// Metadata a caller already knows (from an API request or a JSON file); it wins over
/// anything the extractor finds in the document.
#[derive(Debug, Clone, Default)]
pub struct KnownMetadata {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// ISO 8601 date or RFC 3339 datetime.
    pub published: Option<String>,
    pub source: Option<String>,
}

/// Where a metadata field came from, so a client can tell a stated date from a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldSource {
    /// Given by the caller alongside the document.
    Request,
    /// A JSON-LD `NewsArticle` (or similar) block.
    JsonLd,
    /// A `<meta>` tag (OpenGraph, `article:*`, `author`, ...).
    Meta,
    /// A `<time datetime>` element.
    Time,
    /// The page's `<title>` element.
    TitleTag,
    /// A byline line in the text ("By Jane Doe", "Written by ... on May 7, 2023").
    BylineLine,
    /// The text itself (a headline-shaped first line, a dateline).
    Text,
}

/// Provenance of each metadata field; `None` where the field is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub title: Option<FieldSource>,
    pub byline: Option<FieldSource>,
    pub published: Option<FieldSource>,
    pub source: Option<FieldSource>,
}

/// Article metadata found by the cleaning stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub title: Option<String>,
    /// Author names, comma-separated when several; empty rather than wrong.
    pub byline: Option<String>,
    /// ISO 8601 date (`2023-05-07`) or RFC 3339 datetime.
    pub published: Option<String>,
    /// The publisher ("The New American", "Reuters").
    pub source: Option<String>,
    /// The page's canonical URL when the document states it.
    pub url: Option<String>,
    pub provenance: Provenance,
}

/// The output of the cleaning stage: the text every later span points into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanArticle {
    /// Paragraphs separated by a blank line (`"\n\n"`), with no page debris.
    pub body: String,
    pub metadata: Metadata,
}

/// Whether a quotation is speech, and how it stands in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// A quoted statement standing as its own clause: `“…,” she said.`
    Direct,
    /// A quoted fragment inside reported speech: `said Asia was a “promising land”`.
    Partial,
    /// A scare quote or a named term, not speech: `regional “partners”`.
    Term,
}

impl QuoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Partial => "partial",
            QuoteKind::Term => "term",
        }
    }
}

/// The type of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Location,
    /// A name that is none of the above (an event, a work, a product).
    Misc,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Location => "location",
            EntityKind::Misc => "misc",
        }
    }
}

/// Grammatical gender guessed for a person, for resolving "he" and "she".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
}

/// One person, organisation or place named in the article, with every form it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// The fullest name the article gives ("Vladimir Putin", "United States").
    pub name: String,
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Other surface forms seen in the article ("Putin", "U.S."), without `name`.
    pub aliases: Vec<String>,
    /// Roles and titles the article gives the entity ("NATO spokesperson").
    pub roles: Vec<String>,
    /// Every mention, in order.
    pub mentions: Vec<Span>,
    #[serde(skip)]
    pub gender: Option<Gender>,
}

/// An index into [`Extraction::entities`] (and [`entities::EntityTable::entities`]).
pub type EntityId = usize;

/// Who said a quote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speaker {
    /// The entity's canonical name (the fullest name the article gives).
    pub name: String,
    /// Index of the speaker in [`Extraction::entities`].
    pub entity: Option<EntityId>,
    /// The words that name the speaker at this quote ("she", "Smith", "Julianne Smith").
    pub mention: Span,
}

/// A quotation found in the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    /// The words between the quotation marks.
    pub text: String,
    /// Byte range of `text` in the body (inside the marks).
    pub span: Span,
    pub kind: QuoteKind,
    pub speaker: Option<Speaker>,
    /// The reporting verb as written ("said", "remarked", "according to").
    pub cue: Option<String>,
    pub cue_span: Option<Span>,
    /// The sentence (or sentences) the quote stands in, marks included.
    pub sentence: Span,
}

/// Everything the extractor finds in one article.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub provenance: Provenance,
    pub body: String,
    pub quotes: Vec<Quote>,
    pub entities: Vec<Entity>,
}

/// Runs the whole pipeline on one document.
pub fn extract(content: &str, format: InputFormat, known: &KnownMetadata) -> Extraction {
    let cleaned = match format {
        InputFormat::Text => clean::clean_text(content),
        InputFormat::Html => html::clean_html(content),
    };
    let CleanArticle { body, mut metadata } = cleaned;
    apply_known(&mut metadata, known);

    let sentences = segment::sentences(&body);
    let mut table = entities::find_entities(&body, &sentences);
    let (mut quotes, tokenised) = quotes::find_quotes_tokenised(&body, &sentences);
    attribution::attribute_tokenised(&body, &sentences, &mut quotes, &mut table, Some(tokenised));

    Extraction {
        title: metadata.title,
        byline: metadata.byline,
        published: metadata.published,
        source: metadata.source,
        url: metadata.url,
        provenance: metadata.provenance,
        quotes,
        entities: table.into_entities(),
        body,
    }
}

/// Caller-supplied metadata wins; its provenance says so.
fn apply_known(metadata: &mut Metadata, known: &KnownMetadata) {
    let fields = [
        (
            &known.title,
            &mut metadata.title,
            &mut metadata.provenance.title,
        ),
        (
            &known.byline,
            &mut metadata.byline,
            &mut metadata.provenance.byline,
        ),
        (
            &known.published,
            &mut metadata.published,
            &mut metadata.provenance.published,
        ),
        (
            &known.source,
            &mut metadata.source,
            &mut metadata.provenance.source,
        ),
    ];
    for (given, field, source) in fields {
        if let Some(value) = given.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            *field = Some(value.to_string());
            *source = Some(FieldSource::Request);
        }
    }
}
