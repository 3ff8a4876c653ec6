//! Extractor speed on one core: articles per second and MB/s for the seed text, a ~1 MiB
//! text article, and HTML news pages; the `*_scaling` groups show time is linear in size.
//!
//! Run with `cargo bench --bench extract`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use quotewire::extract::clean::clean_text;
use quotewire::extract::html::clean_html;
use quotewire::extract::{extract, InputFormat, KnownMetadata};
use std::time::Duration;

const SEED: &str = include_str!("../tests/fixtures/seed/nato-japan-office.txt");
const DEV: &str = include_str!("../tests/fixtures/dev/GUM_news_korea.txt");
const HTML_PAGES: &[(&str, &str)] = &[
    (
        "jsonld-article",
        include_str!("../tests/fixtures/html/harbour-jsonld-article.html"),
    ),
    (
        "main-opengraph",
        include_str!("../tests/fixtures/html/council-main-opengraph.html"),
    ),
    (
        "density-only",
        include_str!("../tests/fixtures/html/storm-density-only.html"),
    ),
];

/// The seed's real paragraphs (no header, no promotion block), repeated to `size` bytes.
fn text_article(size: usize) -> String {
    let paragraphs: Vec<&str> = SEED
        .split("\n\n")
        .map(str::trim)
        .filter(|p| p.split_whitespace().count() > 20)
        .collect();
    let mut out = String::from("A headline for a very long article\n\nBy Jane Doe\n\n");
    let mut i = 0;
    while out.len() < size {
        out.push_str(paragraphs[i % paragraphs.len()]);
        out.push_str("\n\n");
        i += 1;
    }
    out
}

/// A news page of about `size` bytes in the proportions of real ones: most of the weight
/// in scripts, styles, navigation and recirculation, the story in the middle.
fn html_page(size: usize) -> String {
    let story: String = text_article(size / 6)
        .split("\n\n")
        .skip(2)
        .map(|p| format!("<p class=\"body-text\" data-component=\"paragraph\">{p}</p>\n"))
        .collect();
    let script = "window.__STATE__ = {\"user\":null,\"flags\":[1,2,3],\"html\":\"<div class='x'>\\u003cp\\u003e</div>\"};\n";
    let style = ".story p{margin:0 0 1em;font:18px/1.6 Georgia,serif}.nav a{padding:4px 8px}\n";
    let nav_link = "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/section/world/region/\">World</a></li>\n";
    let related = "<li class=\"related-item\"><a href=\"/2023/05/08/another-story/\">Another story about something else entirely</a></li>\n";
    let mut page = String::with_capacity(size + 4096);
    page.push_str("<!DOCTYPE html><html><head><title>A headline for a very long article | Example News</title>");
    page.push_str("<meta property=\"og:site_name\" content=\"Example News\">");
    page.push_str(r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"A headline for a very long article","author":{"@type":"Person","name":"Jane Doe"},"datePublished":"2023-05-08T10:00:00Z"}</script>"#);
    let head_budget = size * 2 / 5;
    while page.len() < head_budget / 2 {
        page.push_str("<script>");
        page.push_str(&script.repeat(40));
        page.push_str("</script>");
    }
    while page.len() < head_budget {
        page.push_str("<style>");
        page.push_str(&style.repeat(40));
        page.push_str("</style>");
    }
    page.push_str("</head><body><header><nav class=\"nav\"><ul>");
    while page.len() < size / 2 {
        page.push_str(nav_link);
    }
    page.push_str("</ul></nav></header><main><article><h1>A headline for a very long article</h1>");
    page.push_str("<div class=\"byline\">By Jane Doe</div><div class=\"article-body\">");
    page.push_str(&story);
    page.push_str("</div></article><aside class=\"related\"><ul>");
    while page.len() < size {
        page.push_str(related);
    }
    page.push_str("</ul></aside></main><footer>© Example News</footer></body></html>");
    page
}

fn articles(c: &mut Criterion) {
    let known = KnownMetadata::default();
    let mut group = c.benchmark_group("articles");
    group.throughput(Throughput::Elements(1));
    group.bench_function("seed_text/extract", |b| {
        b.iter(|| extract(black_box(SEED), InputFormat::Text, &known))
    });
    group.bench_function("seed_text/clean", |b| {
        b.iter(|| clean_text(black_box(SEED)))
    });
    group.bench_function("dev_text/extract", |b| {
        b.iter(|| extract(black_box(DEV), InputFormat::Text, &known))
    });
    for (name, page) in HTML_PAGES {
        group.bench_function(format!("html_{name}/clean"), |b| {
            b.iter(|| clean_html(black_box(page)))
        });
    }
    let news_page = html_page(270 * 1024);
    group.bench_function("html_270k/clean", |b| {
        b.iter(|| clean_html(black_box(&news_page)))
    });
    group.bench_function("html_270k/extract", |b| {
        b.iter(|| extract(black_box(&news_page), InputFormat::Html, &known))
    });
    group.finish();
}

fn text_scaling(c: &mut Criterion) {
    let known = KnownMetadata::default();
    let mut group = c.benchmark_group("text_scaling");
    for size in [64 * 1024, 256 * 1024, 1024 * 1024] {
        let article = text_article(size);
        group.throughput(Throughput::Bytes(article.len() as u64));
        group.bench_with_input(BenchmarkId::new("clean", size), &article, |b, a| {
            b.iter(|| clean_text(black_box(a)))
        });
        group.bench_with_input(BenchmarkId::new("extract", size), &article, |b, a| {
            b.iter(|| extract(black_box(a), InputFormat::Text, &known))
        });
    }
    group.finish();
}

fn html_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("html_scaling");
    for size in [68 * 1024, 270 * 1024, 1080 * 1024] {
        let page = html_page(size);
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.bench_with_input(BenchmarkId::new("clean", size), &page, |b, p| {
            b.iter(|| clean_html(black_box(p)))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = articles, text_scaling, html_scaling
}
criterion_main!(benches);
