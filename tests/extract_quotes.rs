//! Golden tests for quotes and attribution on real articles (`tests/fixtures/`), span
//! tests that slice the body, and a property test that no input makes the stages panic.

use std::path::Path;

use proptest::prelude::*;
use quotewire::extract::{extract, Extraction, InputFormat, KnownMetadata, QuoteKind};
use serde_json::Value;

fn fixture(dir: &str, name: &str) -> (Extraction, Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let text = std::fs::read_to_string(root.join(format!("{name}.txt"))).expect("fixture text");
    let gold =
        std::fs::read_to_string(root.join(format!("{name}.gold.json"))).expect("fixture gold");
    let article = extract(&text, InputFormat::Text, &KnownMetadata::default());
    (article, serde_json::from_str(&gold).expect("gold is JSON"))
}

fn fixtures(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(root)
        .expect("fixture dir")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .into_string()
                .ok()?
                .strip_suffix(".gold.json")
                .map(String::from)
        })
        .collect();
    names.sort();
    names
}

/// Lowercase words only, as the scorer compares quote texts.
fn words(text: &str) -> String {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name as the scorer compares it: no periods, no leading "the", lowercase words.
fn name_key(name: &str) -> String {
    let key = words(&name.replace('.', ""));
    key.strip_prefix("the ").map(String::from).unwrap_or(key)
}

/// The extracted quote whose words are the gold quote's.
fn find<'a>(article: &'a Extraction, gold_text: &str) -> Option<&'a quotewire::extract::Quote> {
    let want = words(gold_text);
    article.quotes.iter().find(|q| words(&q.text) == want)
}

struct Gold {
    text: String,
    kind: String,
    speakers: Vec<String>,
}

fn gold_quotes(gold: &Value) -> Vec<Gold> {
    gold["quotes"]
        .as_array()
        .map(|qs| {
            qs.iter()
                .map(|q| Gold {
                    text: q["text"].as_str().unwrap_or_default().to_string(),
                    kind: q["kind"].as_str().unwrap_or_default().to_string(),
                    speakers: q["speaker"]
                        .as_array()
                        .map(|s| {
                            s.iter()
                                .filter_map(|n| n.as_str())
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn speaker_is_one_of(quote: &quotewire::extract::Quote, names: &[String]) -> bool {
    let got = quote.speaker.as_ref().map(|s| name_key(&s.name));
    got.is_some_and(|got| names.iter().any(|n| name_key(n) == got))
}

#[test]
fn seed_article_every_direct_quote_found_with_its_full_speaker() {
    let (article, gold) = fixture("seed", "nato-japan-office");
    let direct: Vec<Gold> = gold_quotes(&gold)
        .into_iter()
        .filter(|g| g.kind == "direct")
        .collect();
    assert_eq!(direct.len(), 9);
    for g in &direct {
        let quote = find(&article, &g.text).unwrap_or_else(|| panic!("not found: {}", g.text));
        assert_eq!(quote.kind, QuoteKind::Direct, "{}", g.text);
        assert!(
            speaker_is_one_of(quote, &g.speakers),
            "{} -> {:?}, want {:?}",
            g.text,
            quote.speaker,
            g.speakers
        );
        assert!(quote.cue.is_some(), "{}", g.text);
    }
}

#[test]
fn seed_article_partial_quotes_are_attributed_and_terms_are_not_speech() {
    let (article, gold) = fixture("seed", "nato-japan-office");
    let golds = gold_quotes(&gold);
    for g in golds.iter().filter(|g| g.kind == "partial") {
        let quote = find(&article, &g.text).unwrap_or_else(|| panic!("not found: {}", g.text));
        assert_eq!(quote.kind, QuoteKind::Partial, "{}", g.text);
        assert!(
            speaker_is_one_of(quote, &g.speakers),
            "{} -> {:?}, want {:?}",
            g.text,
            quote.speaker,
            g.speakers
        );
    }
    for g in golds.iter().filter(|g| g.kind == "term") {
        if let Some(quote) = find(&article, &g.text) {
            assert_eq!(quote.kind, QuoteKind::Term, "{}", g.text);
            assert!(quote.speaker.is_none(), "{}", g.text);
        }
    }
    // Every quote returned as speech is one the reference lists as speech.
    for quote in article.quotes.iter().filter(|q| q.kind != QuoteKind::Term) {
        let listed = golds
            .iter()
            .any(|g| g.kind != "term" && words(&g.text) == words(&quote.text));
        assert!(listed, "extra quote: {}", quote.text);
    }
}

#[test]
fn seed_article_pronouns_and_surnames_point_at_the_speaker_named_earlier() {
    let (article, _) = fixture("seed", "nato-japan-office");
    let body = &article.body;
    let by_mention = |mention: &str| {
        article
            .quotes
            .iter()
            .filter_map(|q| q.speaker.as_ref())
            .filter(|s| &body[s.mention.range()] == mention)
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    };
    let all = |mention: &str, name: &str| {
        let found = by_mention(mention);
        !found.is_empty() && found.iter().all(|n| *n == name)
    };
    assert!(by_mention("she").contains(&"Oana Lungescu"));
    assert!(by_mention("she").contains(&"Julianne Smith"));
    assert!(all("he", "Vladimir Putin"));
    assert!(all("Smith", "Julianne Smith"));
    assert!(all("Mao", "Mao Ning"));
}

#[test]
fn dev_articles_direct_quotes_are_found_and_mostly_attributed() {
    let mut attributable = 0;
    let mut attributed = 0;
    for name in fixtures("dev") {
        let (article, gold) = fixture("dev", &name);
        for g in gold_quotes(&gold).iter().filter(|g| g.kind == "direct") {
            let quote = find(&article, &g.text);
            let quote =
                quote.unwrap_or_else(|| panic!("{name}: direct quote not found: {}", g.text));
            assert_ne!(quote.kind, QuoteKind::Term, "{name}: {}", g.text);
            if !g.speakers.is_empty() {
                attributable += 1;
                attributed += usize::from(speaker_is_one_of(quote, &g.speakers));
            }
        }
    }
    assert!(attributable >= 10);
    assert!(
        attributed * 10 >= attributable * 6,
        "{attributed} of {attributable} attributed"
    );
}

#[test]
fn dev_articles_reported_speech_constructions() {
    // `“…”, said KCNA.` then `“…”, it added`: the organisation speaks on.
    let (korea, _) = fixture("dev", "GUM_news_korea");
    let speech: Vec<_> = korea
        .quotes
        .iter()
        .filter(|q| q.kind == QuoteKind::Direct)
        .collect();
    assert!(speech.len() >= 4);
    let first = speech[0]
        .speaker
        .as_ref()
        .expect("first KCNA quote has a speaker")
        .entity;
    for quote in &speech[1..4] {
        assert_eq!(
            quote.speaker.as_ref().map(|s| s.entity),
            Some(first),
            "{}",
            quote.text
        );
    }
    // `“…,” said Ambassador Mohib.` and `…, team member Rodaba Noori told the press.`
    let (afghan, gold) = fixture("dev", "GUM_news_afghan");
    for g in gold_quotes(&gold)
        .iter()
        .filter(|g| g.kind == "direct" && !g.speakers.is_empty())
    {
        let quote = find(&afghan, &g.text).expect("quote found");
        assert!(
            speaker_is_one_of(quote, &g.speakers),
            "{} -> {:?}",
            g.text,
            quote.speaker
        );
    }
}

#[test]
fn the_city_speaking_is_the_town_not_its_region() {
    let text = "Church schools must pay property tax, court rules\n\n\
                The tax was first demanded by the council of Lucca, Tuscany, in 2010, after \
                a long dispute.\n\n\
                The city reasoned, \"because the parents pay a fee, the schools are businesses \
                like any other.\"\n";
    let article = extract(text, InputFormat::Text, &KnownMetadata::default());
    let quote = article
        .quotes
        .iter()
        .find(|q| q.text.starts_with("because the parents"))
        .expect("the quote");
    let speaker = quote.speaker.as_ref().expect("the city speaks");
    assert_eq!(speaker.name, "Lucca");
}

/// Every span the quote stages return slices the body to the text it claims.
fn assert_spans_slice(article: &Extraction) {
    let body = &article.body;
    for q in &article.quotes {
        assert_eq!(&body[q.span.range()], q.text);
        assert!(
            q.sentence.contains(q.span) || q.sentence.overlaps(q.span),
            "{}",
            q.text
        );
        assert!(body.get(q.sentence.range()).is_some());
        if let (Some(cue), Some(span)) = (&q.cue, q.cue_span) {
            assert!(
                body[span.range()].starts_with(cue.split_whitespace().next().unwrap_or_default())
            );
        }
        if let Some(speaker) = &q.speaker {
            assert!(body
                .get(speaker.mention.range())
                .is_some_and(|m| !m.is_empty()));
            assert!(speaker.entity.is_some_and(|e| e < article.entities.len()));
        }
    }
}

#[test]
fn spans_slice_the_body_in_every_fixture() {
    for (dir, name) in fixtures("seed")
        .into_iter()
        .map(|n| ("seed", n))
        .chain(fixtures("dev").into_iter().map(|n| ("dev", n)))
    {
        let (article, _) = fixture(dir, &name);
        assert_spans_slice(&article);
    }
}

#[test]
fn spans_slice_multibyte_text() {
    let text = "Zürich’s café owners meet\n\n\
                „Wir sind bereit“ — “Ça va très bien, merci,” said Zoë Müller-Lüdenscheidt, président of the Café Société.\n\n\
                “日本は準備ができている,” she added. «Très bien», dit-il. The ‘garçon’ said nothing. \"Unclosed ünïcödé";
    let article = extract(text, InputFormat::Text, &KnownMetadata::default());
    assert_spans_slice(&article);
    let said = find(&article, "Ça va très bien, merci,").expect("quote found");
    assert_eq!(
        said.speaker.as_ref().map(|s| s.name.as_str()),
        Some("Zoë Müller-Lüdenscheidt")
    );
    let added = find(&article, "日本は準備ができている,").expect("quote found");
    assert_eq!(
        added.speaker.as_ref().map(|s| s.name.as_str()),
        Some("Zoë Müller-Lüdenscheidt")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_extracts_without_panic_and_spans_stay_on_char_boundaries(
        text in "(\\PC|[\"“”‘’'«»\n\\.,:;!? ]){0,400}"
    ) {
        let article = extract(&text, InputFormat::Text, &KnownMetadata::default());
        assert_spans_slice(&article);
    }

    #[test]
    fn broken_quote_nesting_never_runs_past_two_paragraphs(
        parts in proptest::collection::vec("[a-zA-Zé ]{0,12}|[\"“”‘’']|\n\n", 0..80)
    ) {
        let text = parts.concat();
        let article = extract(&text, InputFormat::Text, &KnownMetadata::default());
        for q in &article.quotes {
            prop_assert!(q.text.matches("\n\n").count() <= 1, "runaway quote: {:?}", q.text);
        }
    }
}
