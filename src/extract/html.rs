//! Stage 1 for HTML pages: main text and metadata.
//!
//! Placeholder until the cleaning issue lands: the visible text of `<p>` elements.

use super::{CleanArticle, FieldSource, Metadata};
use scraper::{Html, Selector};

pub fn clean_html(content: &str) -> CleanArticle {
    let document = Html::parse_document(content);
    let mut metadata = Metadata::default();
    if let Ok(selector) = Selector::parse("title") {
        if let Some(title) = document.select(&selector).next() {
            let text = title.text().collect::<String>().trim().to_string();
            if !text.is_empty() {
                metadata.title = Some(text);
                metadata.provenance.title = Some(FieldSource::TitleTag);
            }
        }
    }
    let mut paragraphs = Vec::new();
    if let Ok(selector) = Selector::parse("p") {
        for p in document.select(&selector) {
            let text = p.text().collect::<Vec<_>>().join(" ");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                paragraphs.push(text);
            }
        }
    }
    CleanArticle {
        body: paragraphs.join("\n\n"),
        metadata,
    }
}
