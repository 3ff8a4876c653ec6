//! Golden tests of the cleaning stage on real text: the seed page, the dev articles and
//! the hand-written HTML pages in `tests/fixtures/`, checked against their reference
//! annotations the way the scorer checks them.

use quotewire::extract::clean::clean_text;
use quotewire::extract::html::clean_html;
use quotewire::extract::{extract, CleanArticle, FieldSource, InputFormat, KnownMetadata};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

/// Lower case, typographic quotes and dashes folded, punctuation to spaces: the scorer's
/// notion of "the same text".
fn normalise(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '“' | '”' => '"',
            '‘' | '’' => '\'',
            '—' | '–' => ' ',
            c if c.is_alphanumeric() || c == '\'' || c.is_whitespace() || c == '_' => c,
            _ => ' ',
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clean_file(path: &Path) -> CleanArticle {
    let bytes = std::fs::read(path).expect("fixture readable");
    let content = String::from_utf8_lossy(&bytes);
    if path.extension().is_some_and(|e| e == "html") {
        clean_html(&content)
    } else {
        clean_text(&content)
    }
}

/// Every miss of one annotated document, in the scorer's terms.
fn misses(gold_path: &Path) -> Vec<String> {
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(gold_path).expect("gold readable"))
            .expect("gold is JSON");
    let source = gold["source"].as_str().expect("gold names its source");
    let clean = clean_file(&gold_path.with_file_name(source));
    let article = &gold["article"];
    let meta = &clean.metadata;
    let mut out = Vec::new();
    for (field, got) in [
        ("title", &meta.title),
        ("byline", &meta.byline),
        ("published", &meta.published),
    ] {
        let Some(want) = article[field].as_str() else {
            continue;
        };
        let ok = got.as_deref().is_some_and(|g| {
            if field == "published" {
                g.starts_with(want)
            } else {
                normalise(&g.replace('.', "")) == normalise(&want.replace('.', ""))
            }
        });
        if !ok {
            out.push(format!("{source}: {field}: want {want:?}, got {got:?}"));
        }
    }
    let body = normalise(&clean.body);
    for phrase in article["body_must_contain"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !body.contains(&normalise(phrase)) {
            out.push(format!("{source}: body lacks {phrase:?}"));
        }
    }
    for phrase in article["body_must_not_contain"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if body.is_empty() || body.contains(&normalise(phrase)) {
            out.push(format!("{source}: body still has {phrase:?}"));
        }
    }
    out
}

fn all_misses(dir: &str) -> Vec<String> {
    let mut golds: Vec<PathBuf> = std::fs::read_dir(fixtures(dir))
        .expect("fixture directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    golds.sort();
    assert!(!golds.is_empty(), "no reference annotations in {dir}");
    golds.iter().flat_map(|g| misses(g)).collect()
}

#[test]
fn seed_page_cleans_to_its_reference() {
    assert_eq!(all_misses("seed"), Vec::<String>::new());
}

#[test]
fn dev_articles_clean_to_their_references() {
    assert_eq!(all_misses("dev"), Vec::<String>::new());
}

#[test]
fn html_pages_clean_to_their_references() {
    assert_eq!(all_misses("html"), Vec::<String>::new());
}

#[test]
fn seed_sentence_split_by_a_page_break_is_one_paragraph_again() {
    let clean = clean_file(&fixtures("seed").join("nato-japan-office.txt"));
    let paragraph = clean
        .body
        .split("\n\n")
        .find(|p| p.contains("Kyodo"))
        .expect("the Kyodo paragraph is kept");
    assert!(
        paragraph.ends_with("by Japan’s Kyodo news agency."),
        "{paragraph}"
    );
    assert!(
        clean.body.split("\n\n").count() > 20,
        "paragraphs are kept apart"
    );
    assert!(
        !clean.body.contains('*'),
        "emphasis markers are formatting, not text"
    );
}

#[test]
fn seed_metadata_says_where_it_came_from() {
    let clean = clean_file(&fixtures("seed").join("nato-japan-office.txt"));
    let p = &clean.metadata.provenance;
    assert_eq!(p.title, Some(FieldSource::Text));
    assert_eq!(p.byline, Some(FieldSource::BylineLine));
    assert_eq!(p.published, Some(FieldSource::BylineLine));
}

#[test]
fn html_metadata_prefers_structured_data_and_keeps_the_canonical_url() {
    let clean = clean_file(&fixtures("html").join("harbour-jsonld-article.html"));
    let m = &clean.metadata;
    assert_eq!(m.provenance.title, Some(FieldSource::JsonLd));
    assert_eq!(m.provenance.published, Some(FieldSource::JsonLd));
    assert_eq!(m.source.as_deref(), Some("The Coastal Ledger"));
    assert_eq!(
        m.url.as_deref(),
        Some("https://ledger.example.com/news/2024/03/harbour-ferry-terminal")
    );
    assert!(
        clean
            .body
            .contains("\n\nConstruction to start next year\n\n"),
        "headings stand as paragraphs"
    );
}

#[test]
fn a_desk_name_in_the_author_tag_leaves_the_byline_empty() {
    let clean = clean_file(&fixtures("html").join("library-legacy-table.html"));
    assert_eq!(clean.metadata.byline, None);
    assert_eq!(clean.metadata.provenance.byline, None);
}

#[test]
fn visible_byline_and_date_lines_are_read_and_dropped_from_the_body() {
    let clean = clean_file(&fixtures("html").join("vaccine-cards-byline-text.html"));
    assert_eq!(
        clean.metadata.provenance.byline,
        Some(FieldSource::BylineLine)
    );
    assert_eq!(
        clean.metadata.published.as_deref(),
        Some("2023-05-08T15:04:00-04:00")
    );
    assert_eq!(clean.metadata.provenance.published, Some(FieldSource::Text));
}

#[test]
fn a_page_without_an_article_gives_no_body() {
    let clean = clean_file(&fixtures("html").join("section-front-no-article.html"));
    assert_eq!(clean.body, "");
    assert_eq!(
        clean.metadata.source.as_deref(),
        Some("The Evening Bulletin")
    );
}

#[test]
fn invalid_utf8_read_lossily_still_cleans() {
    let mut bytes =
        std::fs::read(fixtures("html").join("storm-density-only.html")).expect("fixture");
    let at = bytes.len() / 2;
    bytes.splice(at..at, [0xff, 0xfe, 0xc3]);
    let clean = clean_html(&String::from_utf8_lossy(&bytes));
    assert!(clean
        .body
        .contains("About 40,000 homes were without electricity"));
}

#[test]
fn huge_inline_script_is_not_text() {
    let script = format!(
        "<script>var s = \"{}\";</script>",
        "<p>not article text</p>".repeat(50_000)
    );
    let page = format!(
        "<html><head>{script}</head><body><article><p>The only sentence of the story is this one, and it is long enough.</p></article></body></html>"
    );
    let clean = clean_html(&page);
    assert_eq!(
        clean.body,
        "The only sentence of the story is this one, and it is long enough."
    );
}

#[test]
fn caller_metadata_wins_and_says_so() {
    let text =
        std::fs::read_to_string(fixtures("seed").join("nato-japan-office.txt")).expect("seed");
    let known = KnownMetadata {
        byline: Some("Someone Else".into()),
        ..KnownMetadata::default()
    };
    let out = extract(&text, InputFormat::Text, &known);
    assert_eq!(out.byline.as_deref(), Some("Someone Else"));
    assert_eq!(out.provenance.byline, Some(FieldSource::Request));
    assert_eq!(
        out.title.as_deref(),
        Some("NATO to Open Office in Japan to Increase Influence in Indo-Pacific")
    );
}

#[test]
fn a_site_named_as_its_own_author_is_no_byline() {
    let clean = clean_file(&fixtures("html").join("reef-split-story.html"));
    assert_eq!(clean.metadata.source.as_deref(), Some("Pacific Monitor"));
    assert_eq!(clean.metadata.byline, None);
}
