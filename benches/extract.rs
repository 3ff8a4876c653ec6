//! Extractor speed on one core: articles per second (`articles`) and MB/s (`bytes`) for the
//! seed text and a ~270 KB HTML news page built like real ones; the `*_scaling` groups
//! (text of 64 KB to 1 MiB, name-dense text of 128 KiB to 2 MiB, pages of 68 KB to 1 MB)
//! show time is linear in size.
//!
//! Run with `cargo bench --bench extract`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use quotewire::extract::clean::clean_text;
use quotewire::extract::html::clean_html;
use quotewire::extract::{extract, InputFormat, KnownMetadata};
use std::time::Duration;

/// The binary's allocator (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
/// Each copy ends with its own sentence, so the cleaner's repeated-line filter keeps them
/// all and every stage sees the whole length.
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
        out.push_str(&format!(
            " The text above is paragraph {i} of the report.\n\n"
        ));
        i += 1;
    }
    out
}

/// A wire-style article of about `size` bytes made only of short quoted paragraphs, each
/// naming a different invented person and an organisation and then the person's surname
/// alone at a sentence start: thousands of distinct entities and surname-only mentions,
/// the case where merging mentions into entities must stay linear.
fn name_dense_article(size: usize) -> String {
    const GIVEN: &[&str] = &[
        "Anna", "Boris", "Carla", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ingrid", "Jamal",
        "Keiko", "Liam", "Maria", "Nikos", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tomas",
        "Ursula", "Victor", "Wen", "Yusuf", "Zora",
    ];
    const HEADS: &[&str] = &[
        "Ka", "Lo", "Mi", "Da", "Ve", "Ru", "So", "Ta", "Ni", "Be", "Go", "Ha", "Fe", "Ri", "Za",
        "Po", "Cu", "Te", "Wa", "Ye",
    ];
    const MIDDLES: &[&str] = &["ra", "lo", "ni", "ve", "du", "si", "ko", "ma", "te", "ba"];
    const LINKS: &[&str] = &["", "el", "ar", "ov", "an", "is", "ur", "ot", "em", "ix"];
    const TAILS: &[&str] = &[
        "vin", "sky", "dez", "lund", "berg", "ford", "ton", "wick", "mann", "sen",
    ];
    const BODIES: &[&str] = &[
        "Ministry of Finance",
        "Harbour Authority",
        "National Rail Union",
        "City Council",
        "Red Cross",
        "World Bank",
        "Port Workers Federation",
        "Electoral Commission",
    ];
    let mut out = String::from("Long article full of names\n\nBy Jane Doe\n\n");
    let mut i = 0;
    while out.len() < size {
        let surname = format!(
            "{}{}{}{}",
            HEADS[i % 20],
            MIDDLES[(i / 20) % 10],
            LINKS[(i / 2000) % 10],
            TAILS[(i / 200) % 10]
        );
        out.push_str(&format!(
            "“We will look at the figures again in week {i},” said {} {surname}, a spokesperson for the {}. {surname} added that talks continue.\n\n",
            GIVEN[i % GIVEN.len()],
            BODIES[i % BODIES.len()],
        ));
        i += 1;
    }
    out
}

/// An inline SVG icon as sites draw them (logo, share buttons, arrows).
const SVG_ICON: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" class="icon icon--share"><title>Share</title><path fill="currentColor" d="M18 16.08c-.76 0-1.44.3-1.96.77L8.91 12.7c.05-.23.09-.46.09-.7s-.04-.47-.09-.7l7.05-4.11c.54.5 1.25.81 2.04.81 1.66 0 3-1.34 3-3s-1.34-3-3-3-3 1.34-3 3c0 .24.04.47.09.7L8.04 9.81C7.5 9.31 6.79 9 6 9c-1.66 0-3 1.34-3 3s1.34 3 3 3c.79 0 1.5-.31 2.04-.81l7.12 4.16c-.05.21-.08.43-.08.65 0 1.61 1.31 2.92 2.92 2.92s2.92-1.31 2.92-2.92-1.31-2.92-2.92-2.92z"/><path fill="none" d="M0 0h24v24H0z"/></svg>"#;

/// A news page of about `size` bytes built like real ones (measured on pages of large
/// news sites): about a third inline scripts and JSON state, a fifth styles, a tenth
/// SVG icons, the rest navigation menus, recirculation cards with images and authors,
/// share and newsletter widgets, a footer, and the story itself (~6% of the bytes) in
/// an `<article>` with a figure.
fn html_page(size: usize) -> String {
    let story_paragraphs: Vec<String> = text_article((size / 16).max(4096))
        .split("\n\n")
        .skip(2)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p class=\"paragraph inline-placeholder\" data-uri=\"cms/_components/paragraph/instances/x@published\">{p}</p>\n"))
        .collect();
    let state_line = "{\"id\":\"c7d2a1\",\"type\":\"story\",\"headline\":\"Another story about something else entirely\",\"url\":\"/2023/05/08/another-story/index.html\",\"image\":{\"src\":\"https://media.example.com/images/abc.jpg\",\"w\":1280,\"h\":720},\"html\":\"\\u003cp\\u003eA teaser paragraph of another story.\\u003c/p\\u003e\",\"tags\":[\"world\",\"asia\",\"politics\"]},";
    let analytics = "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.example.com/gtm.js?id='+i+dl;if(a<b&&c>d){f.parentNode.insertBefore(j,f);}})(window,document,'script','dataLayer','GTM-XXXX');\n";
    let css = ".layout__wrapper{display:flex;flex-direction:column;max-width:1160px;margin:0 auto}.headline__text{font:700 2.25rem/1.2 'Site Sans',Helvetica,Arial,sans-serif;letter-spacing:-.02em}.card--media img{aspect-ratio:16/9;object-fit:cover;width:100%}@media (min-width:960px){.layout__wrapper{flex-direction:row}}\n";
    let nav_item = "<li class=\"header__nav-item\" data-section=\"world\"><a class=\"header__nav-link\" href=\"https://www.example.com/world/asia\" data-zjs=\"click\" data-zjs-component_id=\"nav\">Asia</a></li>\n";
    let card = "<div class=\"card container__item container__item--type-media-image\" data-component-name=\"card\" data-open-link=\"/2023/05/08/world/another-story/index.html\"><a href=\"/2023/05/08/world/another-story/index.html\" class=\"container__link\"><div class=\"container__item-media\"><picture><source media=\"(min-width: 1280px)\" srcset=\"https://media.example.com/api/v1/images/stellar/prod/230508-story.jpg?c=16x9&amp;q=h_144,w_256,c_fill/f_webp\" type=\"image/webp\"><img src=\"https://media.example.com/api/v1/images/stellar/prod/230508-story.jpg?c=16x9&amp;q=w_256\" alt=\"People walk past a building in the city\" loading=\"lazy\"></picture></div><div class=\"container__text\"><span class=\"container__headline-text\">Another story about something else entirely</span><span class=\"container__byline\">By Someone Else</span><time class=\"container__date\" datetime=\"2023-05-08T09:00:00Z\">2 hours ago</time></div></a></div>\n";
    let footer_link = "<li class=\"footer__item\"><a class=\"footer__link\" href=\"https://www.example.com/about/terms\">Terms of Use</a></li>\n";

    let mut page = String::with_capacity(size + 8192);
    let fill = |page: &mut String, until: usize, piece: &str| {
        while page.len() < until {
            page.push_str(piece);
        }
    };
    page.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    page.push_str("<title>A headline for a very long article | Example News</title>");
    page.push_str("<meta property=\"og:site_name\" content=\"Example News\"><meta property=\"og:title\" content=\"A headline for a very long article\"><meta property=\"og:type\" content=\"article\"><meta name=\"author\" content=\"Jane Doe\"><meta property=\"article:published_time\" content=\"2023-05-08T10:00:00Z\"><link rel=\"canonical\" href=\"https://www.example.com/2023/05/08/world/a-headline/index.html\">");
    for _ in 0..12 {
        page.push_str("<link rel=\"preload\" href=\"https://static.example.com/fonts/site-sans-regular.woff2\" as=\"font\" type=\"font/woff2\" crossorigin>");
    }
    page.push_str(r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"A headline for a very long article","author":{"@type":"Person","name":"Jane Doe"},"datePublished":"2023-05-08T10:00:00Z","publisher":{"@type":"Organization","name":"Example News"}}</script>"#);
    for share in [0.12, 0.20] {
        page.push_str("<style data-href=\"/styles/main.css\">");
        fill(&mut page, (size as f64 * share) as usize, css);
        page.push_str("</style>");
    }
    page.push_str("<script>");
    fill(&mut page, size * 27 / 100, analytics);
    page.push_str("</script></head><body class=\"layout layout-with-rail\"><noscript><iframe src=\"https://www.example.com/ns.html?id=GTM-XXXX\" height=\"0\" width=\"0\" style=\"display:none;visibility:hidden\"></iframe></noscript>");
    page.push_str("<header class=\"header\"><a class=\"brand-logo\" href=\"/\">");
    page.push_str(SVG_ICON);
    page.push_str("</a><nav class=\"header__nav\"><ul>");
    fill(&mut page, size * 37 / 100, nav_item);
    page.push_str("</ul></nav></header><main class=\"layout__main\"><article class=\"article\"><div class=\"headline\"><h1 class=\"headline__text\">A headline for a very long article</h1>");
    page.push_str("<div class=\"byline\"><span class=\"byline__names\">By <a href=\"/profiles/jane-doe\">Jane Doe</a>, Example News</span><time class=\"timestamp\" datetime=\"2023-05-08T10:00:00Z\">Published 10:00 AM UTC, Mon May 8, 2023</time></div>");
    page.push_str("<div class=\"social-share\">");
    fill(&mut page, size * 45 / 100, SVG_ICON);
    page.push_str("</div></div><div class=\"article__content\">");
    page.push_str("<figure class=\"image\"><picture><img src=\"https://media.example.com/lead.jpg\" alt=\"The summit\"></picture><figcaption>Leaders at the summit. <span class=\"credit\">Jane Roe/Getty Images</span></figcaption></figure>");
    let half = story_paragraphs.len() / 2;
    for (i, p) in story_paragraphs.iter().enumerate() {
        if i == half {
            page.push_str("<div class=\"newsletter-promo\"><p>Sign up for our free newsletter</p><form><input type=\"email\"><button>Subscribe</button></form></div>");
        }
        page.push_str(p);
    }
    page.push_str("</div></article><aside class=\"layout__rail\"><div class=\"container related-content\"><h2>More from Example News</h2>");
    fill(&mut page, size * 60 / 100, card);
    page.push_str("</div></aside></main><footer class=\"footer\"><ul>");
    fill(&mut page, size * 64 / 100, footer_link);
    page.push_str("</ul></footer><script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":{\"pageProps\":{\"related\":[");
    fill(&mut page, size * 92 / 100, state_line);
    page.push_str("{}]}}}</script><script>");
    fill(&mut page, size, analytics);
    page.push_str("</script></body></html>");
    page
}

/// Per document: articles (or pages) per second.
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

/// The same documents per byte: MB/s.
fn bytes(c: &mut Criterion) {
    let known = KnownMetadata::default();
    let mut group = c.benchmark_group("bytes");
    group.throughput(Throughput::Bytes(SEED.len() as u64));
    group.bench_function("seed_text/extract", |b| {
        b.iter(|| extract(black_box(SEED), InputFormat::Text, &known))
    });
    let news_page = html_page(270 * 1024);
    group.throughput(Throughput::Bytes(news_page.len() as u64));
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

fn names_scaling(c: &mut Criterion) {
    let known = KnownMetadata::default();
    let mut group = c.benchmark_group("names_scaling");
    for size in [128 * 1024, 512 * 1024, 2048 * 1024] {
        let article = name_dense_article(size);
        group.throughput(Throughput::Bytes(article.len() as u64));
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
    targets = articles, bytes, text_scaling, names_scaling, html_scaling
}
criterion_main!(benches);
