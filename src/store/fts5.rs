//! What the store reads from FTS5 below SQL: a row's phrase instances (through an
//! auxiliary function of our own), the `unicode61` tokenizer, and the varints of FTS5's
//! own records. Ranking ([`super::rank`]) and snippets ([`super::snippet`]) are built on
//! these in plain Rust.

use std::ffi::{c_int, c_void, CStr};
use std::ptr;

use rusqlite::ffi::{
    self, fts5_api, fts5_tokenizer, sqlite3_context, sqlite3_value, Fts5Context, Fts5ExtensionApi,
    Fts5Tokenizer,
};
use rusqlite::Connection;

/// The auxiliary function `phrase_instances(table)`: a blob describing the current row's
/// matches, read by [`Matches::from_blob`].
pub const PHRASE_INSTANCES: &CStr = c"phrase_instances";

/// Registers [`PHRASE_INSTANCES`] on `conn` (each connection that ranks searches).
pub fn register_phrase_instances(conn: &Connection) -> rusqlite::Result<()> {
    let api = fts5_api_of(conn)?;
    // SAFETY: `api` is the live FTS5 API of this connection's database handle (checked
    // non-null and version 2 or later, which has `xCreateFunction` with this signature);
    // the name is a static C string, and the function keeps no user data.
    let rc = unsafe {
        match (*api).xCreateFunction {
            Some(create) => create(
                api,
                PHRASE_INSTANCES.as_ptr(),
                ptr::null_mut(),
                Some(phrase_instances),
                None,
            ),
            None => ffi::SQLITE_MISUSE,
        }
    };
    check(rc, "cannot register phrase_instances")
}

/// A row's matches as FTS5 reports them: each query phrase's size in tokens, and each
/// instance of a phrase in the row (in FTS5's order: by column, then position).
///
/// Kept as [`PHRASE_INSTANCES`]'s blob and read in place: a search ranks every match of
/// its window with it, and only its page's snippets need the instances themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matches {
    blob: Vec<u8>,
}

/// One instance of a query phrase in a row: the phrase's number in the query, the
/// column, and the position (in tokens) of its first token in that column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instance {
    pub phrase: usize,
    pub column: usize,
    pub offset: usize,
}

impl Matches {
    /// The blob [`PHRASE_INSTANCES`] returns: little-endian `u32`s, the phrase count,
    /// each phrase's size, then a (phrase, column, offset) triple per instance. What a
    /// short blob lacks reads as absent.
    pub fn from_blob(blob: &[u8]) -> Matches {
        Matches {
            blob: blob.to_vec(),
        }
    }

    fn word(&self, i: usize) -> Option<usize> {
        let bytes = self.blob.get(4 * i..4 * i + 4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
    }

    /// The query's phrase count (bounded by the blob: a count is never trusted further).
    pub fn phrase_count(&self) -> usize {
        self.word(0).unwrap_or(0).min(self.blob.len() / 4)
    }

    /// A phrase's size in tokens (1 for a phrase FTS5 did not report).
    pub fn phrase_size(&self, phrase: usize) -> usize {
        if phrase < self.phrase_count() {
            self.word(1 + phrase).unwrap_or(1)
        } else {
            1
        }
    }

    pub fn instances(&self) -> impl Iterator<Item = Instance> + '_ {
        let first = 1 + self.phrase_count();
        let count = (self.blob.len() / 4).saturating_sub(first) / 3;
        (0..count).filter_map(move |i| {
            let at = first + 3 * i;
            Some(Instance {
                phrase: self.word(at)?,
                column: self.word(at + 1)?,
                offset: self.word(at + 2)?,
            })
        })
    }

    /// Each phrase's number of instances in the row, an instance in column `c` counting
    /// `weights[c]` (1 past the end of `weights`), summed in FTS5's order as `bm25()`
    /// sums them, so that the scores are bit for bit the same.
    pub fn frequencies(&self, weights: &[f64]) -> Vec<f64> {
        let mut frequencies = vec![0.0f64; self.phrase_count()];
        for instance in self.instances() {
            let weight = weights.get(instance.column).copied().unwrap_or(1.0);
            if let Some(f) = frequencies.get_mut(instance.phrase) {
                *f += weight;
            }
        }
        frequencies
    }
}

/// [`PHRASE_INSTANCES`]: what `bm25()` and `snippet()` in SQLite's fts5_aux.c ask of a
/// row through the same API calls, handed back whole.
unsafe extern "C" fn phrase_instances(
    api: *const Fts5ExtensionApi,
    fts: *mut Fts5Context,
    ctx: *mut sqlite3_context,
    _n_values: c_int,
    _values: *mut *mut sqlite3_value,
) {
    // SAFETY: FTS5 calls this with its API and the current row's context, valid for the
    // duration of the call.
    let api = unsafe { &*api };
    let (Some(phrase_count), Some(phrase_size), Some(inst_count), Some(inst)) =
        (api.xPhraseCount, api.xPhraseSize, api.xInstCount, api.xInst)
    else {
        unsafe { ffi::sqlite3_result_error_code(ctx, ffi::SQLITE_MISUSE) };
        return;
    };
    let phrases = unsafe { phrase_count(fts) }.max(0);
    let mut words: Vec<u32> = Vec::with_capacity(1 + phrases as usize + 3 * 4);
    words.push(phrases as u32);
    for phrase in 0..phrases {
        words.push(unsafe { phrase_size(fts, phrase) }.max(0) as u32);
    }
    let mut instances: c_int = 0;
    let mut rc = unsafe { inst_count(fts, &mut instances) };
    for i in 0..instances {
        if rc != ffi::SQLITE_OK {
            break;
        }
        let (mut phrase, mut column, mut offset) = (0, 0, 0);
        rc = unsafe { inst(fts, i, &mut phrase, &mut column, &mut offset) };
        words.extend([phrase, column, offset].map(|n| n.max(0) as u32));
    }
    if rc != ffi::SQLITE_OK {
        unsafe { ffi::sqlite3_result_error_code(ctx, rc) };
        return;
    }
    let blob: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    // SAFETY: SQLITE_TRANSIENT makes SQLite copy the blob before `blob` is dropped.
    unsafe {
        ffi::sqlite3_result_blob(
            ctx,
            blob.as_ptr().cast(),
            blob.len() as c_int,
            ffi::SQLITE_TRANSIENT(),
        )
    };
}

/// An instance of FTS5's `unicode61` tokenizer with its default options: the tokenizer
/// under the full-text tables' `porter`, which changes a token's text but never its
/// place, so its spans are the tables' token positions.
pub struct Unicode61 {
    tokenizer: *mut Fts5Tokenizer,
    methods: fts5_tokenizer,
}

impl Unicode61 {
    pub fn new(conn: &Connection) -> rusqlite::Result<Unicode61> {
        let api = fts5_api_of(conn)?;
        let mut user_data: *mut c_void = ptr::null_mut();
        // SAFETY: an all-`None` table of function pointers is a valid `fts5_tokenizer`.
        let mut methods: fts5_tokenizer = unsafe { std::mem::zeroed() };
        let mut tokenizer: *mut Fts5Tokenizer = ptr::null_mut();
        // SAFETY: `api` is this connection's live FTS5 API; `xFindTokenizer` fills
        // `user_data` and `methods` for a built-in tokenizer, whose `xCreate` with no
        // arguments writes a new instance (or null) to `tokenizer`.
        let rc = unsafe {
            match (*api).xFindTokenizer {
                Some(find) => {
                    let rc = find(api, c"unicode61".as_ptr(), &mut user_data, &mut methods);
                    match (rc, methods.xCreate) {
                        (ffi::SQLITE_OK, Some(create)) => {
                            create(user_data, ptr::null_mut(), 0, &mut tokenizer)
                        }
                        (ffi::SQLITE_OK, None) => ffi::SQLITE_MISUSE,
                        (rc, _) => rc,
                    }
                }
                None => ffi::SQLITE_MISUSE,
            }
        };
        check(rc, "cannot create the unicode61 tokenizer")?;
        if tokenizer.is_null() || methods.xTokenize.is_none() {
            check(ffi::SQLITE_MISUSE, "no unicode61 tokenizer")?;
        }
        Ok(Unicode61 { tokenizer, methods })
    }

    /// The byte spans of `text`'s tokens, in order, into `spans` (cleared first).
    pub fn spans(&self, text: &str, spans: &mut Vec<(usize, usize)>) -> rusqlite::Result<()> {
        spans.clear();
        let Some(tokenize) = self.methods.xTokenize else {
            return check(ffi::SQLITE_MISUSE, "no unicode61 tokenizer");
        };
        let length = c_int::try_from(text.len())
            .map_err(|_| rusqlite::Error::ToSqlConversionFailure("text too long".into()))?;
        // SAFETY: `self.tokenizer` is a live instance (created in `new`, deleted only on
        // drop, and `&self` is not shared across threads: the type is not `Sync`); the
        // text pointer and length describe `text`, which outlives the call; the callback
        // gets back the `spans` pointer given here, which is alive and borrowed mutably
        // for the call.
        let rc = unsafe {
            tokenize(
                self.tokenizer,
                (spans as *mut Vec<(usize, usize)>).cast(),
                ffi::FTS5_TOKENIZE_DOCUMENT,
                text.as_ptr().cast(),
                length,
                Some(push_span),
            )
        };
        check(rc, "cannot tokenize")
    }
}

unsafe extern "C" fn push_span(
    spans: *mut c_void,
    _flags: c_int,
    _token: *const std::ffi::c_char,
    _token_length: c_int,
    start: c_int,
    end: c_int,
) -> c_int {
    // SAFETY: `spans` is the `Vec` that `Unicode61::spans` passed, borrowed for the call.
    let spans = unsafe { &mut *spans.cast::<Vec<(usize, usize)>>() };
    spans.push((start.max(0) as usize, end.max(0) as usize));
    ffi::SQLITE_OK
}

impl Drop for Unicode61 {
    fn drop(&mut self) {
        if let Some(delete) = self.methods.xDelete {
            // SAFETY: the instance was created by this tokenizer's `xCreate` and is
            // deleted once, here.
            unsafe { delete(self.tokenizer) };
        }
    }
}

/// The connection's `fts5_api`, fetched the documented way: `SELECT fts5(?1)` with a
/// pointer bound to `?1` under the type name "fts5_api_ptr".
fn fts5_api_of(conn: &Connection) -> rusqlite::Result<*mut fts5_api> {
    let mut api: *mut fts5_api = ptr::null_mut();
    // SAFETY: the statement is prepared, stepped and finalised on this connection's own
    // handle, which outlives it; the bound pointer is to `api`, alive throughout, and
    // SQLite only writes an `fts5_api*` through it.
    let rc = unsafe {
        let db = conn.handle();
        let mut stmt = ptr::null_mut();
        let rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        );
        if rc != ffi::SQLITE_OK {
            rc
        } else {
            ffi::sqlite3_bind_pointer(
                stmt,
                1,
                (&mut api as *mut *mut fts5_api).cast(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
            ffi::sqlite3_step(stmt);
            ffi::sqlite3_finalize(stmt)
        }
    };
    check(rc, "cannot reach the FTS5 API")?;
    // SAFETY: non-null, so it points at SQLite's static FTS5 API object.
    if api.is_null() || unsafe { (*api).iVersion } < 2 {
        return check(ffi::SQLITE_MISUSE, "this SQLite has no FTS5 API version 2").map(|_| api);
    }
    Ok(api)
}

fn check(rc: c_int, what: &str) -> rusqlite::Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(rc),
            Some(what.to_owned()),
        ))
    }
}

/// SQLite's variable-length integers, one after another, as FTS5 stores its records:
/// seven bits a byte, high bit set on all but the last, and a ninth byte of eight bits.
pub fn varints(mut bytes: &[u8]) -> Vec<u64> {
    let mut values = Vec::new();
    while !bytes.is_empty() {
        let mut value = 0u64;
        let mut used = 0;
        for (i, &byte) in bytes.iter().enumerate().take(9) {
            used = i + 1;
            if i == 8 {
                value = (value << 8) | u64::from(byte);
                break;
            }
            value = (value << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                break;
            }
        }
        values.push(value);
        bytes = &bytes[used..];
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_decode_as_sqlite_writes_them() {
        assert_eq!(varints(&[0x05, 0x81, 0x00, 0x7f]), vec![5, 128, 127]);
        assert_eq!(varints(&[0xff; 9]), vec![u64::MAX]);
        assert_eq!(varints(&[]), Vec::<u64>::new());
    }

    #[test]
    fn a_short_blob_reads_as_what_it_holds() {
        let words = |ws: &[u32]| ws.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>();
        let m = Matches::from_blob(&words(&[2, 1, 2, 0, 1, 5, 1, 0, 7, 9]));
        assert_eq!(m.phrase_size(1), 2);
        assert_eq!(
            m.instances().collect::<Vec<_>>(),
            [
                Instance {
                    phrase: 0,
                    column: 1,
                    offset: 5
                },
                Instance {
                    phrase: 1,
                    column: 0,
                    offset: 7
                }
            ]
        );
        assert_eq!(m.frequencies(&[10.0, 1.0]), vec![1.0, 10.0]);
        assert_eq!(m.phrase_size(5), 1);
        let empty = Matches::from_blob(&[]);
        assert_eq!((empty.phrase_count(), empty.instances().count()), (0, 0));
        let huge = Matches::from_blob(&words(&[u32::MAX, 3]));
        assert_eq!(
            (huge.frequencies(&[]).len(), huge.instances().count()),
            (2, 0)
        );
    }

    #[test]
    fn unicode61_spans_are_byte_ranges_of_words() {
        let conn = Connection::open_in_memory().unwrap();
        let tokenizer = Unicode61::new(&conn).unwrap();
        let mut spans = Vec::new();
        let text = "“Ünïcode,” she said: 東京 — ok.";
        tokenizer.spans(text, &mut spans).unwrap();
        let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(words, ["Ünïcode", "she", "said", "東京", "ok"]);
        tokenizer.spans("", &mut spans).unwrap();
        assert!(spans.is_empty());
    }
}
