//! Fuzz target `extract`: any bytes, read lossily as text and as HTML, go through the
//! whole extractor without a panic, and every span it returns slices the body.
//!
//! Run with `cargo +nightly fuzz run extract` from the repository root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quotewire::extract::{extract, InputFormat, KnownMetadata, Span};

fn check(body: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= body.len());
    assert!(body.is_char_boundary(span.start) && body.is_char_boundary(span.end));
}

fuzz_target!(|data: &[u8]| {
    let content = String::from_utf8_lossy(data);
    for format in [InputFormat::Text, InputFormat::Html] {
        let out = extract(&content, format, &KnownMetadata::default());
        for quote in &out.quotes {
            check(&out.body, quote.span);
            check(&out.body, quote.sentence);
            if let Some(cue) = quote.cue_span {
                check(&out.body, cue);
            }
            if let Some(speaker) = &quote.speaker {
                check(&out.body, speaker.mention);
            }
        }
        for entity in &out.entities {
            for mention in &entity.mentions {
                check(&out.body, *mention);
            }
        }
    }
});
