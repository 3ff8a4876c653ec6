//! A small archive with known quotes, speakers and entities, stored through the real
//! store (the extractor is tested on its own; these tests are about the service).
//!
//! Article A (2023-05-07): Jens Stoltenberg speaks twice (full name, then surname),
//! NATO calls something "historic" (a term), Japan is named inside a quote.
//! Article B (2023-06-01): Stoltenberg speaks once; the same person across articles.

use quotewire::extract::{Entity, EntityKind, Quote, QuoteKind, Span, Speaker};
use quotewire::ingest::{prepare, ArticleInput};
use quotewire::store::InsertOutcome;

use crate::helpers::TestApp;

pub const TEXT_A: &str = "NATO plans an office in Tokyo\n\n\u{201c}We will open an office,\u{201d} said Jens Stoltenberg, the NATO Secretary General. Stoltenberg added: \u{201c}Japan is a partner.\u{201d} NATO called the step \u{201c}historic\u{201d}.";
pub const TEXT_B: &str = "Talks in Brussels\n\n\u{201c}Talks went well,\u{201d} Stoltenberg told reporters in Brussels on Thursday.";

pub struct Archive {
    pub a: String,
    pub b: String,
}

fn span_of(body: &str, needle: &str, nth: usize) -> Span {
    let start = body
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} is in the body"))
        .0;
    Span::new(start, start + needle.len())
}

fn all_spans(body: &str, needle: &str) -> Vec<Span> {
    body.match_indices(needle)
        .map(|(i, _)| Span::new(i, i + needle.len()))
        .collect()
}

fn entity(
    name: &str,
    kind: EntityKind,
    aliases: &[&str],
    roles: &[&str],
    mentions: Vec<Span>,
) -> Entity {
    Entity {
        name: name.into(),
        kind,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        mentions,
        gender: None,
    }
}

fn quote(
    body: &str,
    text: &str,
    kind: QuoteKind,
    speaker: Option<(usize, &str, Span)>,
    cue: Option<&str>,
) -> Quote {
    let span = span_of(body, text, 0);
    let sentence_start = body[..span.start].rfind(['.', '\n']).map_or(0, |i| i + 1);
    let sentence_start =
        sentence_start + (body[sentence_start..].len() - body[sentence_start..].trim_start().len());
    let sentence_end = body[span.end..]
        .find('.')
        .map_or(body.len(), |i| span.end + i + 1);
    Quote {
        text: text.into(),
        span,
        kind,
        speaker: speaker.map(|(entity, name, mention)| Speaker {
            name: name.into(),
            entity: Some(entity),
            mention,
        }),
        cue: cue.map(str::to_owned),
        cue_span: cue.map(|c| span_of(body, c, 0)),
        sentence: Span::new(sentence_start, sentence_end),
    }
}

fn store(
    app: &TestApp,
    text: &str,
    title: &str,
    published: &str,
    build: impl FnOnce(&str) -> (Vec<Quote>, Vec<Entity>),
) -> String {
    let input = ArticleInput {
        text: Some(text.into()),
        title: Some(title.into()),
        published: Some(published.into()),
        source: Some("Test Wire".into()),
        ..ArticleInput::default()
    };
    let mut article = prepare(input, "2026-11-27T00:00:00Z".into()).expect("a valid article");
    let (quotes, entities) = build(&article.extraction.body);
    article.extraction.quotes = quotes;
    article.extraction.entities = entities;
    match app
        .store
        .insert_articles(&[article])
        .unwrap()
        .pop()
        .unwrap()
        .unwrap()
    {
        InsertOutcome::Created(id) => id,
        other => panic!("stored anew, not {other:?}"),
    }
}

pub fn build(app: &TestApp) -> Archive {
    let a = store(
        app,
        TEXT_A,
        "NATO plans an office in Tokyo",
        "2023-05-07",
        |body| {
            let full = span_of(body, "Jens Stoltenberg", 0);
            let added = span_of(body, "Stoltenberg added", 0);
            let surname = Span::new(added.start, added.start + "Stoltenberg".len());
            let entities = vec![
                entity(
                    "Jens Stoltenberg",
                    EntityKind::Person,
                    &["Stoltenberg"],
                    &["NATO Secretary General"],
                    vec![full, surname],
                ),
                entity(
                    "NATO",
                    EntityKind::Organization,
                    &[],
                    &[],
                    all_spans(body, "NATO"),
                ),
                entity(
                    "Japan",
                    EntityKind::Location,
                    &[],
                    &[],
                    all_spans(body, "Japan"),
                ),
            ];
            let quotes = vec![
                quote(
                    body,
                    "We will open an office,",
                    QuoteKind::Direct,
                    Some((0, "Jens Stoltenberg", full)),
                    Some("said"),
                ),
                quote(
                    body,
                    "Japan is a partner.",
                    QuoteKind::Direct,
                    Some((0, "Jens Stoltenberg", surname)),
                    Some("added"),
                ),
                quote(body, "historic", QuoteKind::Term, None, None),
            ];
            (quotes, entities)
        },
    );
    let b = store(app, TEXT_B, "Talks in Brussels", "2023-06-01", |body| {
        let surname = span_of(body, "Stoltenberg", 0);
        let entities = vec![
            entity(
                "Jens Stoltenberg",
                EntityKind::Person,
                &["Stoltenberg", "Mr Stoltenberg"],
                &[],
                vec![surname],
            ),
            entity(
                "Brussels",
                EntityKind::Location,
                &[],
                &[],
                all_spans(body, "Brussels"),
            ),
        ];
        let quotes = vec![quote(
            body,
            "Talks went well,",
            QuoteKind::Direct,
            Some((0, "Jens Stoltenberg", surname)),
            Some("told"),
        )];
        (quotes, entities)
    });
    Archive { a, b }
}
