//! Turns a user's search text into an FTS5 query that can never be read as FTS5 syntax.
//!
//! Each word becomes a double-quoted string token, so `"`, `*`, `NEAR(`, `AND`, a lone
//! `OR` or a column filter are searched as plain words (or dropped when they hold no
//! letter or digit), never parsed as operators.

/// The words of `text` as an FTS5 query (implicit AND of quoted terms), or `None` when
/// the text holds no word to search for.
pub fn fts_query(text: &str) -> Option<String> {
    let terms = phrases(text);
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The phrases of [`fts_query`], one quoted word each, in order: FTS5 numbers a query's
/// phrases the same way.
pub fn phrases(text: &str) -> Vec<String> {
    words(text).map(|w| format!("\"{w}\"")).collect()
}

/// Like [`fts_query`], with the last word as a prefix (for type-ahead).
pub fn fts_prefix_query(text: &str) -> Option<String> {
    let words: Vec<&str> = words(text).collect();
    let (last, rest) = words.split_last()?;
    let mut terms: Vec<String> = rest.iter().map(|w| format!("\"{w}\"")).collect();
    terms.push(format!("\"{last}\"*"));
    Some(terms.join(" "))
}

/// Runs of letters and digits: what the `unicode61` tokenizer would index anyway, so no
/// quote character can survive into the query.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_become_plain_terms() {
        assert_eq!(
            fts_query("NEAR(nato japan)").as_deref(),
            Some("\"NEAR\" \"nato\" \"japan\"")
        );
        assert_eq!(fts_query("OR").as_deref(), Some("\"OR\""));
        assert_eq!(
            fts_query("title:nato*").as_deref(),
            Some("\"title\" \"nato\"")
        );
    }

    #[test]
    fn text_without_words_is_no_query() {
        assert_eq!(fts_query("\" * ( ) -"), None);
        assert_eq!(fts_query(""), None);
    }

    #[test]
    fn prefix_marks_the_last_word() {
        assert_eq!(
            fts_prefix_query("Jens Stol").as_deref(),
            Some("\"Jens\" \"Stol\"*")
        );
    }

    #[test]
    fn multibyte_words_survive() {
        assert_eq!(
            fts_query("Ünïcode—東京").as_deref(),
            Some("\"Ünïcode\" \"東京\"")
        );
    }
}
