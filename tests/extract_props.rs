//! Property tests over the whole extractor, text and HTML: any input extracts without a
//! panic, and every span the extraction returns slices its body on char boundaries.

use proptest::prelude::*;
use quotewire::extract::{extract, Extraction, InputFormat, KnownMetadata, Span};

fn assert_span(body: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= body.len(),
        "{what} {span:?} out of bounds ({})",
        body.len()
    );
    assert!(
        body.is_char_boundary(span.start) && body.is_char_boundary(span.end),
        "{what} {span:?} splits a character"
    );
}

fn assert_spans(out: &Extraction) {
    let body = out.body.as_str();
    for quote in &out.quotes {
        assert_span(body, quote.span, "quote span");
        assert_span(body, quote.sentence, "quote sentence");
        if let Some(cue) = quote.cue_span {
            assert_span(body, cue, "cue span");
        }
        if let Some(speaker) = &quote.speaker {
            assert_span(body, speaker.mention, "speaker mention");
        }
    }
    for entity in &out.entities {
        for mention in &entity.mentions {
            assert_span(body, *mention, "entity mention");
        }
    }
}

fn run(content: &str, format: InputFormat) {
    let out = extract(content, format, &KnownMetadata::default());
    assert_spans(&out);
    assert!(
        !out.body.contains("\n\n\n"),
        "paragraphs are separated by one blank line"
    );
}

/// Pieces of real-looking article text: quotes of every kind, broken nesting, bylines,
/// credits, multi-byte text, control characters.
fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("“NATO has offices,” she said.".to_string()),
        Just("\"Unclosed quote, he said".to_string()),
        Just("‘single ‘nested “double ’ broken” quotes".to_string()),
        Just("Written by [Jane Doe](#) on May 7, 2023".to_string()),
        Just("FotografiaBasica/iStock/Getty Images Plus".to_string()),
        Just("Subscribe to the Daily".to_string()),
        Just("- 24 Issues Per Year".to_string()),
        Just("*Nikkei Asia* reported".to_string()),
        Just("Prime Minister Fumio Kishida said Japan’s Kyodo".to_string()),
        Just("news agency.".to_string()),
        Just("日本の首相は「協力」と述べた。".to_string()),
        Just("Émile Zoë Ñúñez — «citation» „Zitat“".to_string()),
        Just("\u{0}\u{7}\u{1b}[31m\u{feff}\u{200b}".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        "[ -~]{0,40}",
        "\\PC{0,30}",
        "[a-zA-Z“”\"'‘’ .,]{0,60}",
    ]
}

fn text_document() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(text_piece(), 0..40).prop_map(|p| p.join(" ")),
        prop::collection::vec(text_piece(), 0..40).prop_map(|p| p.join("\n")),
        // One very long line.
        (text_piece(), 100usize..600).prop_map(|(p, n)| p.repeat(n)),
    ]
}

/// Fragments of HTML pages, well formed or not.
fn html_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<article>".to_string()),
        Just("</article>".to_string()),
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<div class=\"share related\">Share</div>".to_string()),
        Just("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"H\",\"author\":[{\"name\":\"Jane Doe\"},\"x\"],\"datePublished\":\"2023-05-07\"}</script>".to_string()),
        Just("<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":[\"Article\"],\"author\":{\"name\":".to_string()),
        Just("<meta property=\"og:title\" content=\"A title | Site\">".to_string()),
        Just("<time datetime=\"2023-13-45\">".to_string()),
        Just("<script>var a = '</p><p>';</script>".to_string()),
        Just("<br><br>".to_string()),
        Just("<!-- comment <p> -->".to_string()),
        Just("<figure><figcaption>Photo: Getty</figcaption></figure>".to_string()),
        Just("&amp;&lt;&#x1F600;&#0;&bogus;".to_string()),
        Just("<".to_string()),
        Just("</".to_string()),
        // What the cleaner cuts before parsing, closed, unclosed and misnested.
        Just("<svg viewBox=\"0 0 1 1\"><path d=\"M0\"/><svg>".to_string()),
        Just("</svg>".to_string()),
        Just("<svg/>".to_string()),
        Just("<template><p>copy</p>".to_string()),
        Just("</template>".to_string()),
        Just("<noscript><img src=x>".to_string()),
        Just("<style>p{}</style".to_string()),
        Just("<script><!-- <script> </script> -->".to_string()),
        Just("<script data-x=\"a>b\" src='c'/>".to_string()),
        Just("<!-->".to_string()),
        Just("<!-- never closed".to_string()),
        Just("<textarea></script>".to_string()),
        Just("<title>T</title>".to_string()),
        Just("<plaintext>".to_string()),
        Just("<header><p class=\"dek\">A summary of the story in one sentence.</p></header>".to_string()),
        Just("<span>By Jane Doe</span><time>May 8, 2023</time>".to_string()),
        text_piece(),
    ]
}

fn html_document() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(html_piece(), 0..60).prop_map(|p| p.concat()),
        // Deep nesting, past the depth where the cleaner starts dropping start tags.
        (1usize..600, text_piece())
            .prop_map(|(depth, text)| format!("{}<p>{text}</p>", "<div><span>".repeat(depth))),
        // A huge inline script.
        (1000usize..5000, text_piece()).prop_map(|(n, text)| {
            format!(
                "<html><head><script>{}</script></head><body><p>{text}</p></body></html>",
                "x<y>z;".repeat(n)
            )
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_text_extracts_with_spans_on_char_boundaries(doc in text_document()) {
        run(&doc, InputFormat::Text);
    }

    #[test]
    fn any_html_extracts_with_spans_on_char_boundaries(doc in html_document()) {
        run(&doc, InputFormat::Html);
    }

    #[test]
    fn html_with_invalid_utf8_read_lossily_extracts(
        doc in html_document(),
        bad in prop::collection::vec((any::<prop::sample::Index>(), 0x80u8..=0xff), 0..8),
    ) {
        let mut bytes = doc.into_bytes();
        for (at, byte) in bad {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, byte);
        }
        run(&String::from_utf8_lossy(&bytes), InputFormat::Html);
    }

    #[test]
    fn any_string_at_all_extracts_either_way(doc in "\\PC{0,400}") {
        run(&doc, InputFormat::Text);
        run(&doc, InputFormat::Html);
    }
}
