//! Hand-written JSON for the hottest answers, the single article and pages of quotes: their
//! strings (a 4 KB body, quotes and their sentences) are escaped sixteen bytes at a time
//! (SSE2, on every x86-64) or eight (elsewhere, and for the tail), where serde_json's
//! escaper looks at every byte (it was a tenth of a point read's CPU, and most of a quote
//! page's serialising). The output is byte for byte what serde_json writes.

/// Eight copies of a byte, for the word-at-a-time tests below.
const fn splat(byte: u8) -> u64 {
    0x0101_0101_0101_0101 * byte as u64
}

const LOW_BITS: u64 = splat(0x7f);

/// The high bit of each zero byte of `word`, and of no other byte (no borrows between
/// bytes, unlike the shorter `(x - 0x01..) & !x` test).
fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW_BITS) + LOW_BITS) | word | LOW_BITS)
}

/// The high bit of each byte of `word` that needs escaping: a control character (bits
/// 5 to 7 clear), `"` or `\`.
fn escaped_bytes(word: u64) -> u64 {
    zero_bytes(word & splat(0xe0))
        | zero_bytes(word ^ splat(b'"'))
        | zero_bytes(word ^ splat(b'\\'))
}

/// Appends `text` as a JSON string, escaped exactly as serde_json escapes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Clean bytes are copied in runs: `run` is where the pending one starts.
    let (mut run, mut at) = (0, 0);
    loop {
        match scan(bytes, at) {
            Scan::Clean(len) => at += len,
            Scan::Escape(found) => {
                let escaped = escape(bytes[found]).expect("the scan found a byte to escape");
                out.extend_from_slice(&bytes[run..found]);
                out.extend_from_slice(escaped.as_bytes());
                run = found + 1;
                at = found + 1;
            }
            Scan::Done => break,
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Appends `value` with `write`, or `null` when there is none.
pub fn write_nullable<T: ?Sized>(
    out: &mut Vec<u8>,
    value: Option<&T>,
    write: impl FnOnce(&mut Vec<u8>, &T),
) {
    match value {
        Some(value) => write(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends `text` as a JSON string, or `null`.
pub fn write_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    write_nullable(out, text, write_str);
}

/// Appends an integer as JSON.
pub fn write_int(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// What `bytes` hold from a position on: a clean stretch to skip, or the next byte to escape.
enum Scan {
    Clean(usize),
    Escape(usize),
    Done,
}

/// Looks at the bytes from `at`: sixteen at a time where it can, then eight, then the last
/// few one by one.
fn scan(bytes: &[u8], at: usize) -> Scan {
    let step = |first: Option<usize>, len: usize| match first {
        Some(offset) => Scan::Escape(at + offset),
        None => Scan::Clean(len),
    };
    if let Some(chunk) = bytes.get(at..at + 16) {
        return step(
            first_escaped_of_16(chunk.try_into().expect("sixteen bytes")),
            16,
        );
    }
    if let Some(word) = bytes.get(at..at + 8) {
        return step(first_escaped_of_8(word.try_into().expect("eight bytes")), 8);
    }
    match bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .position(|&b| escape(b).is_some())
    {
        Some(offset) => Scan::Escape(at + offset),
        None => Scan::Done,
    }
}

/// The first of eight bytes that needs escaping.
fn first_escaped_of_8(word: &[u8; 8]) -> Option<usize> {
    match escaped_bytes(u64::from_le_bytes(*word)) {
        0 => None,
        // Little-endian: the lowest set bit is the first such byte.
        mask => Some(mask.trailing_zeros() as usize / 8),
    }
}

/// The first of sixteen bytes that needs escaping, in one SSE2 test.
#[cfg(target_arch = "x86_64")]
fn first_escaped_of_16(chunk: &[u8; 16]) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics exist on every CPU
    // this code runs on; the load reads exactly the sixteen bytes `chunk` borrows, and
    // `_mm_loadu_si128` needs no alignment.
    let mask = unsafe {
        let word = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        // A control character is a byte at most 0x1f: unsigned min(byte, 0x1f) == byte.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(word, _mm_set1_epi8(0x1f)), word);
        let quote = _mm_cmpeq_epi8(word, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(word, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash)))
    };
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// The first of sixteen bytes that needs escaping, as two eight-byte tests: the 16-byte
/// step where there is no SSE2 (and, in tests, the yardstick of the SSE2 one).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn first_escaped_of_16_by_words(chunk: &[u8; 16]) -> Option<usize> {
    let (low, high) = chunk.split_at(8);
    first_escaped_of_8(low.try_into().expect("eight bytes"))
        .or_else(|| first_escaped_of_8(high.try_into().expect("eight bytes")).map(|i| i + 8))
}

#[cfg(not(target_arch = "x86_64"))]
use first_escaped_of_16_by_words as first_escaped_of_16;

/// The escape of a byte that needs one, as serde_json writes it.
fn escape(byte: u8) -> Option<&'static str> {
    const CONTROL: [&str; 32] = [
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011",
        "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019",
        "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    ];
    match byte {
        b'"' => Some("\\\""),
        b'\\' => Some("\\\\"),
        0..=0x1f => Some(CONTROL[usize::from(byte)]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_does() {
        for byte in 0u8..0x80 {
            let c = char::from(byte);
            // The byte alone, and at each position of a word with clean neighbours.
            for at in 0..10 {
                let text: String = (0..17).map(|i| if i == at { c } else { 'a' }).collect();
                assert_eq!(
                    ours(&text),
                    serde_json::to_string(&text).unwrap(),
                    "{byte:#x}"
                );
            }
        }
    }

    #[test]
    fn the_sixteen_byte_tests_agree() {
        for byte in 0u8..=255 {
            for at in 0..16 {
                let mut chunk = [b'a'; 16];
                chunk[at] = byte;
                // A second byte to escape further on: the first must still be found.
                chunk[15 - at / 2] = b'"';
                assert_eq!(
                    first_escaped_of_16(&chunk),
                    first_escaped_of_16_by_words(&chunk),
                    "{byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn mixed_text_matches_serde_json() {
        let texts = [
            "",
            "plain",
            "“Curly” quotes — and é, ß, 中文, 🎉 emoji",
            "She said: \"no\".\n\nA path C:\\dir\\file\t\r\u{1}\u{1f}\u{7f}\u{8}\u{c}",
            "\"\"\"\"\"\"\"\"\"\\\\\\\\\\\\\\\\\\\n\n\n\n\n\n\n\n\n",
            "exactly8",
            "seven b",
            "€uro bytes straddle words: €€€€€€€€€€",
        ];
        for text in texts {
            assert_eq!(ours(text), serde_json::to_string(text).unwrap(), "{text:?}");
            let long = text.repeat(37);
            assert_eq!(ours(&long), serde_json::to_string(&long).unwrap());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_escaped_as_serde_json_does(text in "(?s).{0,80}", ascii in "[\\x00-\\x7f]{0,80}") {
            proptest::prop_assert_eq!(ours(&text), serde_json::to_string(&text).unwrap());
            proptest::prop_assert_eq!(ours(&ascii), serde_json::to_string(&ascii).unwrap());
        }
    }
}
