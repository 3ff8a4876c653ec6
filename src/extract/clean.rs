//! Stage 1 for plain text: the article a reader sees, from text copied off a web page.
//!
//! Placeholder until the cleaning issue lands: the title is the first non-blank line,
//! the body is everything after it with paragraphs normalised.

use super::{CleanArticle, FieldSource, Metadata};

pub fn clean_text(content: &str) -> CleanArticle {
    let content = content.trim_start_matches('\u{feff}');
    let mut lines = content.lines().map(str::trim);
    let mut metadata = Metadata::default();
    let title = lines.by_ref().find(|l| !l.is_empty()).unwrap_or("");
    if !title.is_empty() {
        metadata.title = Some(title.to_string());
        metadata.provenance.title = Some(FieldSource::Text);
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    CleanArticle {
        body: paragraphs.join("\n\n"),
        metadata,
    }
}
