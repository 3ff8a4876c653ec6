//! Stage 1 for HTML pages: the main text a reader sees and the page's metadata.
//!
//! The main text comes from `[itemprop=articleBody]`, `<article>` or `<main>` when they hold
//! the story, else from the region densest in paragraph text; navigation, asides, headers
//! and footers, scripts, forms, figures and elements whose class or id names furniture
//! (share, related, newsletter, ad, cookie, comment, ...) are skipped. The blocks then go
//! through the same debris filter as plain text. Metadata comes from JSON-LD, `<meta>`
//! tags, `<time datetime>` and the visible byline line, each recorded in the provenance.

mod prune;

use super::clean::{self, Block, BlockKind};
use super::metadata::{self, fold};
use super::{CleanArticle, FieldSource, Metadata};
use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("valid selector")
}

static PARAGRAPH: LazyLock<Selector> = LazyLock::new(|| selector("p"));
static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a"));

/// The elements the cleaner reads, gathered in one walk over the page.
#[derive(Default)]
struct PageParts<'a> {
    metas: Vec<ElementRef<'a>>,
    json_ld: Vec<ElementRef<'a>>,
    canonical: Option<ElementRef<'a>>,
    title: Option<ElementRef<'a>>,
    h1: Vec<ElementRef<'a>>,
    times: Vec<ElementRef<'a>>,
    article_bodies: Vec<ElementRef<'a>>,
    articles: Vec<ElementRef<'a>>,
    mains: Vec<ElementRef<'a>>,
    bylines: Vec<ElementRef<'a>>,
    body: Option<ElementRef<'a>>,
}

/// What an element's attributes say, for [`PageParts::gather`].
#[derive(Default)]
struct ElementAttrs {
    json_ld: bool,
    canonical: bool,
    datetime: bool,
    article_body: bool,
    main: bool,
    /// `rel=author`, `itemprop=author`, or a class or id naming a byline or an author.
    author: bool,
}

impl<'a> PageParts<'a> {
    fn gather(document: &'a Html) -> PageParts<'a> {
        let mut parts = PageParts::default();
        for element in document
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let e = element.value();
            // One pass over the attributes: `Element::attr` interns its argument per call.
            let mut attrs = ElementAttrs::default();
            for (name, value) in e.attrs() {
                let value = value.trim();
                match name {
                    "type" => attrs.json_ld = value.eq_ignore_ascii_case("application/ld+json"),
                    "rel" => {
                        attrs.canonical = value.eq_ignore_ascii_case("canonical");
                        attrs.author |= value.eq_ignore_ascii_case("author");
                    }
                    "datetime" => attrs.datetime = true,
                    "itemprop" => {
                        attrs.article_body = value.eq_ignore_ascii_case("articleBody");
                        attrs.author |= value.eq_ignore_ascii_case("author");
                    }
                    "role" => attrs.main = value.eq_ignore_ascii_case("main"),
                    "class" | "id" => {
                        attrs.author |= value.as_bytes().windows(6).any(|w| {
                            w.eq_ignore_ascii_case(b"byline") || w.eq_ignore_ascii_case(b"author")
                        })
                    }
                    _ => {}
                }
            }
            match e.name() {
                "meta" => parts.metas.push(element),
                "script" if attrs.json_ld => parts.json_ld.push(element),
                "link" if parts.canonical.is_none() && attrs.canonical => {
                    parts.canonical = Some(element)
                }
                "title" if parts.title.is_none() => parts.title = Some(element),
                "h1" => parts.h1.push(element),
                "time" if attrs.datetime => parts.times.push(element),
                "article" => parts.articles.push(element),
                "main" => parts.mains.push(element),
                "body" if parts.body.is_none() => parts.body = Some(element),
                _ => {}
            }
            if attrs.article_body {
                parts.article_bodies.push(element);
            }
            if attrs.main {
                parts.mains.push(element);
            }
            if attrs.author {
                parts.bylines.push(element);
            }
        }
        parts
    }
}

pub fn clean_html(content: &str) -> CleanArticle {
    let document = Html::parse_document(&prune::prune(content));
    let parts = PageParts::gather(&document);
    let root = main_content(&document, &parts);
    let mut blocks = root.map(story_blocks).unwrap_or_default();
    let mut metadata = page_metadata(&document, &parts, root, &blocks);
    if let Some(title) = &metadata.title {
        let key = fold(title);
        blocks.retain(|b| b.kind != BlockKind::Heading || fold(&b.text) != key);
    }
    let header_len = blocks
        .iter()
        .take(12)
        .take_while(|b| !clean::is_prose(&b.text))
        .count();
    let kept = clean::drop_debris(blocks, header_len);
    if metadata.title.is_none() {
        metadata.provenance.title = None;
    }
    CleanArticle {
        body: clean::assemble(&kept),
        metadata,
    }
}

fn text_len(element: ElementRef) -> usize {
    element.text().map(|t| t.trim().len()).sum()
}

fn paragraph_text_len(element: ElementRef) -> usize {
    element.select(&PARAGRAPH).map(text_len).sum()
}

/// The element that holds the story: a semantic container when it holds most of the
/// page's paragraph text, else the region densest in paragraph text.
fn main_content<'a>(document: &'a Html, parts: &PageParts<'a>) -> Option<ElementRef<'a>> {
    let densest = densest_region(document);
    let densest_len = densest.map_or(0, paragraph_text_len);
    for candidates in [&parts.article_bodies, &parts.articles, &parts.mains] {
        let best = candidates
            .iter()
            .copied()
            .max_by_key(|e| paragraph_text_len(*e));
        if let Some(best) = best {
            let len = paragraph_text_len(best);
            if len > 0 && len * 2 >= densest_len {
                return Some(best);
            }
        }
    }
    densest.or(parts.body).or(Some(document.root_element()))
}

/// Each paragraph credits its text (less its link text) to its parent, half to the
/// grandparent and a third to the next ancestor; the best-scored element wins.
fn densest_region(document: &Html) -> Option<ElementRef<'_>> {
    let mut scores: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    let mut contained: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in document.root_element().traverse() {
        let node = match edge {
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                }
                continue;
            }
            Edge::Open(node) => node,
        };
        let Some(element) = node.value().as_element() else {
            continue;
        };
        if skipping.is_some() {
            continue;
        }
        if marks_furniture(element) {
            skipping = Some(node.id());
            continue;
        }
        if element.name() != "p" {
            continue;
        }
        let Some(p) = ElementRef::wrap(node) else {
            continue;
        };
        let total = text_len(p);
        let links: usize = p.select(&LINK).map(text_len).sum();
        let score = total.saturating_sub(links * 2);
        if score < 25 {
            continue;
        }
        for (depth, ancestor) in p
            .ancestors()
            .filter(|a| a.value().is_element())
            .take(3)
            .enumerate()
        {
            *scores.entry(ancestor.id()).or_default() += score / (depth + 1);
            *contained.entry(ancestor.id()).or_default() += score;
        }
    }
    let best = scores
        .into_iter()
        .max_by_key(|(id, score)| (*score, std::cmp::Reverse(*id)))?
        .0;
    let best = document.tree.get(best).and_then(ElementRef::wrap)?;
    // A story cut into sibling containers (by ads, by "parts"): their common parent holds
    // much more of the text than the best single container.
    let held = |e: ElementRef| contained.get(&e.id()).copied().unwrap_or(0);
    match best.parent().and_then(ElementRef::wrap) {
        Some(parent) if held(parent) * 10 >= held(best) * 14 => Some(parent),
        _ => Some(best),
    }
}

/// Tags whose content is never article text.
const SKIPPED_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "label",
    "nav",
    "aside",
    "footer",
    "header",
    "figure",
    "figcaption",
    "picture",
    "video",
    "audio",
    "menu",
    "dialog",
    "head",
    "title",
    "meta",
    "link",
];

/// Class and id words that name page furniture.
const FURNITURE_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "related",
    "recirc",
    "recirculation",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "promotion",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adslot",
    "adunit",
    "sponsor",
    "sponsored",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "comment",
    "comments",
    "disqus",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "sidebar",
    "widget",
    "popup",
    "modal",
    "signup",
    "outbrain",
    "taboola",
    "caption",
    "credit",
    "credits",
    "byline",
    "author",
    "toolbar",
    "nav",
    "navigation",
    "menu",
    "footer",
    "masthead",
    "trending",
    "popular",
    "readmore",
    "sr",
    "visually",
    "tweet",
    "twitter",
    "instagram",
    "embed",
    "video",
    "gallery",
    "slideshow",
    "donate",
    "banner",
    "rail",
    "teaser",
    "recommended",
    "outstream",
];

/// Whether an element's own markup marks it as furniture or hidden.
fn marks_furniture(element: &scraper::node::Element) -> bool {
    let name = element.name();
    SKIPPED_TAGS.contains(&name) || attributes_mark_furniture(element)
}

/// Whether an element is hidden, or its class or id names furniture.
fn attributes_mark_furniture(element: &scraper::node::Element) -> bool {
    // One pass over the attributes: `Element::attr` interns its argument per call.
    element.attrs().any(|(name, value)| match name {
        "hidden" => true,
        "aria-hidden" => value == "true",
        "style" => {
            let style = value.to_ascii_lowercase().replace(' ', "");
            style.contains("display:none") || style.contains("visibility:hidden")
        }
        "class" | "id" => value
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(is_furniture_word),
        _ => false,
    })
}

static FURNITURE_SET: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| FURNITURE_WORDS.iter().copied().collect());

/// Looks a class word up without allocating: every element of the page passes here.
fn is_furniture_word(word: &str) -> bool {
    let mut buffer = [0u8; 24];
    if word.is_empty() || word.len() > buffer.len() {
        return false;
    }
    buffer[..word.len()].copy_from_slice(word.as_bytes());
    buffer[..word.len()].make_ascii_lowercase();
    std::str::from_utf8(&buffer[..word.len()]).is_ok_and(|lower| FURNITURE_SET.contains(lower))
}

/// Whether an element or one of its ancestors is furniture.
fn is_skipped(element: &ElementRef) -> bool {
    std::iter::once(**element)
        .chain(element.ancestors())
        .filter_map(|n| n.value().as_element())
        .any(marks_furniture)
}

fn block_kind(tag: &str) -> Option<BlockKind> {
    match tag {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(BlockKind::Heading),
        "li" | "dt" | "dd" => Some(BlockKind::ListItem),
        "p" | "div" | "section" | "article" | "main" | "blockquote" | "pre" | "td" | "th"
        | "tr" | "table" | "ul" | "ol" | "dl" | "br" | "hr" | "address" | "center" => {
            Some(BlockKind::Paragraph)
        }
        _ => None,
    }
}

/// A block being collected, with how much of its text sits in links.
#[derive(Default)]
struct PendingBlock {
    text: String,
    link_chars: usize,
    /// An element closed since the last text, and another opened after it: the next text
    /// starts in a sibling element.
    closed_element: bool,
    opened_sibling: bool,
}

impl PendingBlock {
    /// Appends a text node. Text of sibling elements that meet without a space
    /// (`<span>By Jane Doe</span><time>May 8</time>`) is laid out apart on the page, so
    /// a space goes between them when a word would otherwise run into the next; text
    /// and elements inside one word (`Mc<b>Donald</b>`, `<b>W</b>ord`) stay joined.
    fn push_text(&mut self, text: &str, in_link: bool) {
        if in_link {
            self.link_chars += text.trim().len();
        }
        let sibling = self.closed_element && self.opened_sibling;
        let runs_on = self.text.chars().next_back().is_some_and(|c| {
            c.is_alphanumeric()
                || matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '”' | '’' | '"')
        }) && text.chars().next().is_some_and(char::is_alphanumeric);
        if sibling && runs_on {
            self.text.push(' ');
        }
        self.text.push_str(text);
        self.closed_element = false;
        self.opened_sibling = false;
    }

    fn open_element(&mut self) {
        self.opened_sibling |= self.closed_element;
    }

    fn close_element(&mut self) {
        if !self.text.is_empty() {
            self.closed_element = true;
            self.opened_sibling = false;
        }
    }
}

/// The story's blocks: text gathered element by element, furniture subtrees skipped. The
/// walk is iterative, so deep nesting cannot exhaust the stack.
fn content_blocks(root: ElementRef) -> Vec<Block> {
    let root_len = text_len(root).max(1);
    let mut blocks = Vec::new();
    let mut pending = PendingBlock::default();
    let mut kinds: Vec<(ego_tree::NodeId, BlockKind)> = Vec::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    let mut link_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) => pending.push_text(text, link_depth > 0),
                    Node::Element(element) => {
                        pending.open_element();
                        if node.id() != root.id() && skip_subtree(node, element, root_len) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if element.name() == "a" {
                            link_depth += 1;
                        }
                        if let Some(kind) = block_kind(element.name()) {
                            flush(&mut pending, current_kind(&kinds), &mut blocks);
                            kinds.push((node.id(), kind));
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                    pending.close_element();
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                if let Node::Element(element) = node.value() {
                    pending.close_element();
                    if element.name() == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if kinds.last().is_some_and(|(id, _)| *id == node.id()) {
                        flush(&mut pending, current_kind(&kinds), &mut blocks);
                        kinds.pop();
                    }
                }
            }
        }
    }
    flush(&mut pending, current_kind(&kinds), &mut blocks);
    blocks
}

/// The story's blocks, after the standfirst of its article's own header.
fn story_blocks(root: ElementRef) -> Vec<Block> {
    let body = content_blocks(root);
    let mut blocks: Vec<Block> = standfirst(root)
        .into_iter()
        .filter(|dek| {
            let key = fold(&dek.text);
            !body.iter().take(5).any(|b| fold(&b.text) == key)
        })
        .collect();
    blocks.extend(body);
    blocks
}

/// The standfirst (dek) in the `<header>` of the article that holds the story: page
/// headers are skipped as furniture, but an article's own header also holds the summary
/// under its headline. Only its paragraphs of six words or more are taken; the headline,
/// kicker, byline and date are not story text.
fn standfirst(root: ElementRef) -> Vec<Block> {
    let is_article = |e: &ElementRef| e.value().name() == "article";
    let Some(article) = std::iter::once(root)
        .chain(root.ancestors().filter_map(ElementRef::wrap))
        .find(is_article)
    else {
        return Vec::new();
    };
    let header = article
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| {
            e.value().name() == "header"
                && !root.ancestors().any(|a| a.id() == e.id())
                && e.ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(is_article)
                    .is_some_and(|a| a.id() == article.id())
        });
    let Some(header) = header.filter(|h| !attributes_mark_furniture(h.value())) else {
        return Vec::new();
    };
    content_blocks(header)
        .into_iter()
        .filter(|b| b.kind == BlockKind::Paragraph && clean::word_count(&b.text) >= 6)
        .collect()
}

/// Furniture is skipped unless it holds most of the story (a wrapper whose class
/// happens to say "has-sidebar").
fn skip_subtree(node: NodeRef<Node>, element: &scraper::node::Element, root_len: usize) -> bool {
    if !marks_furniture(element) {
        return false;
    }
    if SKIPPED_TAGS.contains(&element.name()) {
        return true;
    }
    let len = ElementRef::wrap(node).map_or(0, text_len);
    len * 2 < root_len
}

fn current_kind(kinds: &[(ego_tree::NodeId, BlockKind)]) -> BlockKind {
    kinds.last().map_or(BlockKind::Paragraph, |(_, k)| *k)
}

/// Ends the pending block; a block that is nearly all link text is navigation or a list
/// of other stories.
fn flush(pending: &mut PendingBlock, kind: BlockKind, blocks: &mut Vec<Block>) {
    let block = Block::new(&pending.text, kind);
    let total = block.text.len().max(1);
    let link_heavy = pending.link_chars * 10 >= total * 8 && clean::word_count(&block.text) < 25;
    if !block.text.is_empty() && block.text.chars().any(char::is_alphanumeric) && !link_heavy {
        blocks.push(block);
    }
    *pending = PendingBlock::default();
}

/// What JSON-LD says about the article.
#[derive(Default)]
struct LinkedData {
    headline: Option<String>,
    authors: Option<String>,
    published: Option<String>,
    publisher: Option<String>,
    url: Option<String>,
}

fn is_article_type(value: &Value) -> bool {
    let matches = |t: &str| {
        t.contains("Article")
            || t.contains("BlogPosting")
            || t.contains("Report")
            || t == "LiveBlogPosting"
    };
    match value.get("@type") {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

/// Every object in a JSON-LD value: arrays and `@graph` flattened, depth bounded.
fn json_ld_objects<'a>(value: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| json_ld_objects(v, out, depth + 1)),
        Value::Object(map) => {
            out.push(value);
            if let Some(graph) = map.get("@graph") {
                json_ld_objects(graph, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn json_string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Object(map) => json_string(map.get("name")),
        Value::Array(items) => items.iter().find_map(|v| json_string(Some(v))),
        _ => None,
    }
}

/// Authors as a string, an object or an array of either.
fn json_authors(value: Option<&Value>) -> Option<String> {
    let names: Vec<String> = match value? {
        Value::Array(items) => items.iter().filter_map(|v| json_string(Some(v))).collect(),
        other => json_string(Some(other)).into_iter().collect(),
    };
    Some(metadata::author_names(&names.join(", "))).filter(|n| !n.is_empty())
}

fn linked_data(parts: &PageParts) -> LinkedData {
    let mut found = LinkedData::default();
    for script in &parts.json_ld {
        let raw: String = script.text().collect();
        let raw = raw
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>");
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        let mut objects = Vec::new();
        json_ld_objects(&value, &mut objects, 0);
        for object in objects.into_iter().filter(|o| is_article_type(o)) {
            found.headline = found
                .headline
                .or_else(|| json_string(object.get("headline").or_else(|| object.get("name"))));
            found.authors = found
                .authors
                .or_else(|| json_authors(object.get("author").or_else(|| object.get("creator"))));
            found.published = found.published.or_else(|| {
                json_string(
                    object
                        .get("datePublished")
                        .or_else(|| object.get("dateCreated")),
                )
                .and_then(|d| metadata::normalize_date(&d))
            });
            found.publisher = found
                .publisher
                .or_else(|| json_string(object.get("publisher")));
            let page = object.get("mainEntityOfPage");
            let page_id = page.and_then(|p| p.get("@id")).or(page);
            found.url = found
                .url
                .or_else(|| json_string(object.get("url").or(page_id)));
        }
    }
    found
}

/// `<meta>` contents by lower-cased `property`, `name` or `itemprop`; the first wins.
fn meta_tags(parts: &PageParts) -> HashMap<String, String> {
    let mut tags = HashMap::new();
    for meta in &parts.metas {
        let element = meta.value();
        let Some(content) = element
            .attr("content")
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        for key in ["property", "name", "itemprop"]
            .iter()
            .filter_map(|k| element.attr(k))
        {
            tags.entry(key.trim().to_ascii_lowercase())
                .or_insert_with(|| content.to_string());
        }
    }
    tags
}

fn first_meta<'a>(tags: &'a HashMap<String, String>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| tags.get(*k)).map(String::as_str)
}

fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://") || text.starts_with("//")
}

fn set(
    field: &mut Option<String>,
    source: &mut Option<FieldSource>,
    value: Option<String>,
    from: FieldSource,
) {
    if field.is_none() {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            *field = Some(value);
            *source = Some(from);
        }
    }
}

fn page_metadata(
    document: &Html,
    parts: &PageParts,
    root: Option<ElementRef>,
    blocks: &[Block],
) -> Metadata {
    let ld = linked_data(parts);
    let tags = meta_tags(parts);
    let mut m = Metadata::default();
    let p = &mut m.provenance;

    set(
        &mut m.source,
        &mut p.source,
        ld.publisher.clone(),
        FieldSource::JsonLd,
    );
    set(
        &mut m.source,
        &mut p.source,
        first_meta(&tags, &["og:site_name", "application-name"]).map(str::to_string),
        FieldSource::Meta,
    );
    let site = m.source.clone();
    let strip = |t: &str| metadata::strip_site_name(t, site.as_deref());

    set(
        &mut m.title,
        &mut p.title,
        ld.headline.as_deref().map(strip),
        FieldSource::JsonLd,
    );
    set(
        &mut m.title,
        &mut p.title,
        first_meta(&tags, &["og:title", "twitter:title", "headline"]).map(strip),
        FieldSource::Meta,
    );
    let h1 = parts
        .h1
        .iter()
        .map(|h| clean::collapse_whitespace(&h.text().collect::<String>()))
        .find(|t| !t.is_empty());
    set(&mut m.title, &mut p.title, h1, FieldSource::Text);
    let title_tag = parts.title.map(|t| strip(&t.text().collect::<String>()));
    set(&mut m.title, &mut p.title, title_tag, FieldSource::TitleTag);

    set(
        &mut m.byline,
        &mut p.byline,
        ld.authors,
        FieldSource::JsonLd,
    );
    let meta_author = first_meta(
        &tags,
        &[
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "parsely-author",
            "sailthru.author",
            "twitter:creator",
        ],
    )
    .filter(|a| !is_url(a))
    .map(metadata::author_names);
    set(&mut m.byline, &mut p.byline, meta_author, FieldSource::Meta);
    set(
        &mut m.byline,
        &mut p.byline,
        visible_byline(document, parts, root, blocks),
        FieldSource::BylineLine,
    );
    // A site named as its own author ("Al Jazeera") is no byline.
    if let (Some(byline), Some(site)) = (&m.byline, &m.source) {
        if fold(byline) == fold(site) {
            m.byline = None;
            p.byline = None;
        }
    }

    set(
        &mut m.published,
        &mut p.published,
        ld.published,
        FieldSource::JsonLd,
    );
    let meta_date = first_meta(
        &tags,
        &[
            "article:published_time",
            "og:published_time",
            "datepublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "parsely-pub-date",
            "sailthru.date",
            "dc.date.issued",
            "dc.date",
            "dcterms.created",
            "date",
        ],
    )
    .and_then(metadata::normalize_date);
    set(
        &mut m.published,
        &mut p.published,
        meta_date,
        FieldSource::Meta,
    );
    set(
        &mut m.published,
        &mut p.published,
        time_element_date(parts),
        FieldSource::Time,
    );
    let text_date = blocks.iter().take(12).find_map(|b| {
        metadata::byline_line(&b.text)
            .and_then(|l| l.date)
            .or_else(|| metadata::date_line(&b.text).filter(|_| !metadata::is_update_line(&b.text)))
    });
    set(
        &mut m.published,
        &mut p.published,
        text_date,
        FieldSource::Text,
    );

    let canonical = parts
        .canonical
        .and_then(|l| l.value().attr("href"))
        .map(|h| h.trim().to_string());
    m.url = canonical
        .or_else(|| first_meta(&tags, &["og:url"]).map(str::to_string))
        .or(ld.url)
        .filter(|u| is_url(u));
    m
}

/// The byline the page shows: an author element, else a "By ..." line near the top.
fn visible_byline(
    document: &Html,
    parts: &PageParts,
    root: Option<ElementRef>,
    blocks: &[Block],
) -> Option<String> {
    // The story's own byline stands in or beside the story's container; author elements
    // elsewhere belong to teasers of other stories.
    let near_story = |element: &ElementRef| -> usize {
        let Some(root) = root else { return 0 };
        let region = root.ancestors().nth(1).unwrap_or(*root);
        if element.ancestors().any(|a| a.id() == root.id()) {
            0
        } else if element.ancestors().any(|a| a.id() == region.id()) {
            1
        } else {
            2
        }
    };
    let mut candidates: Vec<ElementRef> = parts.bylines.iter().copied().take(50).collect();
    candidates.sort_by_key(near_story);
    for element in candidates.iter().take(20) {
        let text = clean::collapse_whitespace(&element.text().collect::<String>());
        if text.is_empty() || text.len() > 150 {
            continue;
        }
        let names = metadata::byline_line(&text)
            .map(|l| l.names)
            .unwrap_or_else(|| metadata::author_names(&text));
        if !names.is_empty() {
            return Some(names);
        }
    }
    if let Some(line) = blocks
        .iter()
        .take(12)
        .find_map(|b| metadata::byline_line(&b.text))
    {
        return Some(line.names);
    }
    // A "By ..." line outside the story's container: the element around a text that
    // starts with "By".
    document
        .root_element()
        .descendants()
        .filter(|n| {
            n.value().as_text().is_some_and(|t| {
                t.trim_start()
                    .get(..3)
                    .is_some_and(|b| b.eq_ignore_ascii_case("by "))
            })
        })
        .take(50)
        .filter_map(|n| n.parent().and_then(ElementRef::wrap))
        .filter(|e| !is_skipped(e))
        .find_map(|e| {
            metadata::byline_line(&clean::collapse_whitespace(&e.text().collect::<String>()))
        })
        .map(|l| l.names)
}

/// The publication date in a `<time datetime>`: one marked as published first.
fn time_element_date(parts: &PageParts) -> Option<String> {
    let times = &parts.times;
    let marked = times.iter().find(|t| {
        let e = t.value();
        e.attr("pubdate").is_some()
            || e.attr("itemprop")
                .is_some_and(|i| i.eq_ignore_ascii_case("datePublished"))
    });
    let not_updated = times.iter().find(|t| {
        let e = t.value();
        let words = format!(
            "{} {}",
            e.attr("class").unwrap_or(""),
            e.attr("itemprop").unwrap_or("")
        )
        .to_ascii_lowercase();
        !words.contains("modif") && !words.contains("updat")
    });
    marked
        .or(not_updated)
        .and_then(|t| t.value().attr("datetime"))
        .and_then(metadata::normalize_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_graph_and_author_array() {
        let page = r#"<html><head><title>Budget passes | Daily Planet</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Daily Planet"},
            {"@type":["NewsArticle"],"headline":"Budget passes after all-night session","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}],
            "datePublished":"2023-05-08T15:04:00-04:00","publisher":{"@type":"Organization","name":"Daily Planet"}}]}</script></head>
            <body><article><h1>Budget passes after all-night session</h1><p>The Senate passed the budget early on Monday after a debate through the night.</p></article></body></html>"#;
        let clean = clean_html(page);
        let m = &clean.metadata;
        assert_eq!(
            m.title.as_deref(),
            Some("Budget passes after all-night session")
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe, John Roe"));
        assert_eq!(m.published.as_deref(), Some("2023-05-08T15:04:00-04:00"));
        assert_eq!(m.source.as_deref(), Some("Daily Planet"));
        assert_eq!(m.provenance.byline, Some(FieldSource::JsonLd));
        assert_eq!(
            clean.body,
            "The Senate passed the budget early on Monday after a debate through the night."
        );
    }

    #[test]
    fn the_byline_beside_the_story_wins_over_a_teaser_author() {
        let page = r#"<html><body><div class="trending"><div class="card"><a href="/x">Other story</a>
            <span class="author">Rita Teaser</span></div></div>
            <article><div class="byline">By Olu Mensah</div><div class="body">
            <p>The first paragraph of the story is long enough to count as the main text here.</p>
            <p>The second paragraph of the story adds more words so the region is the densest.</p>
            </div></article></body></html>"#;
        let clean = clean_html(page);
        assert_eq!(clean.metadata.byline.as_deref(), Some("Olu Mensah"));
        assert_eq!(
            clean.metadata.provenance.byline,
            Some(FieldSource::BylineLine)
        );
    }

    #[test]
    fn sibling_elements_are_apart_and_a_word_split_by_markup_is_whole() {
        let page = r#"<html><body><article>
            <p><span class="dateline">LONDON</span><span>Oil prices rose on Wednesday as supply concerns outweighed worries about demand in Asia.</span></p>
            <p>The Mc<b>Donald</b> family sold the <b>W</b>idget company, <a href="/a">its</a><span>,</span> shares and the land around it in the spring.</p>
            </article></body></html>"#;
        assert_eq!(
            clean_html(page).body,
            "LONDON Oil prices rose on Wednesday as supply concerns outweighed worries about demand in Asia.\n\n\
             The McDonald family sold the Widget company, its, shares and the land around it in the spring."
        );
    }

    #[test]
    fn the_standfirst_in_the_article_header_opens_the_body() {
        let page = r#"<html><body><header class="site"><nav><a href="/">Home</a></nav><p>The best local news since 1887, every day of the week.</p></header>
            <article><header><a class="kicker" href="/local">Local news</a><h1>Council approves the new bridge</h1>
            <p class="dek">The vote ends a decade of argument over how to cross the river.</p>
            <div class="byline">By Ana Ruiz</div><time datetime="2024-03-14">14 March 2024</time></header>
            <div itemprop="articleBody"><p>The council on Tuesday approved the new bridge by nine votes to two after a four-hour debate.</p>
            <p>Work will start in the spring and take about three years to finish, the council said.</p></div></article></body></html>"#;
        let clean = clean_html(page);
        assert_eq!(
            clean.body,
            "The vote ends a decade of argument over how to cross the river.\n\n\
             The council on Tuesday approved the new bridge by nine votes to two after a four-hour debate.\n\n\
             Work will start in the spring and take about three years to finish, the council said."
        );
        assert_eq!(clean.metadata.byline.as_deref(), Some("Ana Ruiz"));
    }

    #[test]
    fn empty_and_broken_pages_give_an_empty_body() {
        assert_eq!(clean_html("").body, "");
        let broken = "<html><body><div><p>An unclosed paragraph with <b>bold text that never ends and goes on";
        assert_eq!(
            clean_html(broken).body,
            "An unclosed paragraph with bold text that never ends and goes on"
        );
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let page = format!(
            "{}<p>Deep inside the page there is one sentence of text.</p>",
            "<div>".repeat(20_000)
        );
        assert!(clean_html(&page).body.contains("Deep inside"));
    }
}
