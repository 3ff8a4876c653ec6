//! Ranked search at more than one window of matches: every match is served once, the
//! newest window's best first, through cursors, for quotes and articles alike.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::spawn_app_with;

/// Follows `next_cursor` from `path` to the end; the items of every page, in order.
fn every_page(app: &crate::helpers::TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = path.to_owned();
    loop {
        let page: Value = app.get(&next).json().unwrap();
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(cursor) => next = format!("{path}&cursor={cursor}"),
            None => return items,
        }
    }
}

#[test]
fn searches_beyond_one_window_serve_every_match_once_newest_window_first() {
    // Two hundred posts in a row are not what the rate limiter is for.
    let app = spawn_app_with(|s| s.rate_limit.enabled = false);
    let total = 205;
    for n in 0..total {
        // The oldest articles say "harbour" most often: they would win a ranking of
        // every match, but they are outside the newest window of 200.
        let harbours = if n < 5 { 6 } else { 1 + n % 3 };
        let text = format!(
            "Harbour report {n}\n\n\u{201c}The {} is calm tonight,\u{201d} the master said on day {n}.",
            vec!["harbour"; harbours].join(" ")
        );
        app.post_numbered(
            n,
            json!({"text": text, "title": format!("Harbour report {n}")}),
        );
    }
    for (path, field) in [
        ("/v1/articles?q=harbour&limit=100", "title"),
        ("/v1/quotes?q=harbour&limit=100", "text"),
    ] {
        let items = every_page(&app, path);
        let ids: HashSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(items.len(), total, "{path}: every match");
        assert_eq!(ids.len(), total, "{path}: no repeats");
        // The oldest five are told apart by their title (articles) or their six
        // "harbour"s (quotes, whose text is the quotation alone).
        let oldest = |item: &Value| {
            let text = item[field].as_str().unwrap();
            (0..5).any(|n| text == format!("Harbour report {n}"))
                || text.matches("harbour").count() == 6
        };
        assert!(
            items[..total - 5].iter().all(|i| !oldest(i)),
            "{path}: the newest 200 matches come first, though the oldest rank best overall"
        );
        assert!(
            items[total - 5..].iter().all(oldest),
            "{path}: then the oldest"
        );
    }
}
