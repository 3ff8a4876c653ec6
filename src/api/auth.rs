//! API keys: who may write (and, with `auth.protect_reads`, read).
//!
//! The server keeps only hashes of keys, as `sha256:` + 64 hex digits (what
//! `quotewire hash-key` prints). The hash is plain, unsalted SHA-256 on purpose: keys are
//! long random tokens (`hash-key` refuses fewer than [`MIN_KEY_CHARS`] characters), so a
//! stolen hash cannot be brute-forced and salt or a slow KDF would buy nothing, while a
//! slow KDF on every request would hand attackers a cheap way to burn CPU. A presented
//! key is hashed once and compared with every configured hash in constant time.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::routes::RouteTable;
use crate::config::AuthSettings;

/// Shortest key `hash-key` accepts: 32 characters of base64 carry 192 random bits.
pub const MIN_KEY_CHARS: usize = 32;

/// The non-standard header some clients find easier than `Authorization`.
pub const API_KEY_HEADER: &str = "x-api-key";

const HASH_PREFIX: &str = "sha256:";

/// The hash of `key` as stored in `auth.key_hashes`.
pub fn hash_key(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut hex = String::with_capacity(HASH_PREFIX.len() + 64);
    hex.push_str(HASH_PREFIX);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The configured keys' hashes and what they protect. Built once per server.
#[derive(Debug, Clone)]
pub struct Keyring {
    hashes: Vec<[u8; 32]>,
    protect_reads: bool,
}

/// Who is calling, resolved once per request and kept in its extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// No key was presented.
    Anonymous,
    /// A presented key matched the configured key with this index.
    Key(usize),
    /// A key was presented but matches none.
    InvalidKey,
}

impl Keyring {
    pub fn from_settings(settings: &AuthSettings) -> Result<Keyring, String> {
        let hashes = settings
            .key_hashes
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty())
            .map(parse_hash)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Keyring {
            hashes,
            protect_reads: settings.protect_reads,
        })
    }

    /// No key configured: every operation is open.
    pub fn is_open(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn protects_reads(&self) -> bool {
        self.protect_reads && !self.is_open()
    }

    /// Which configured key `key` is, comparing with all of them in constant time.
    fn identify(&self, key: &str) -> Caller {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for (index, hash) in self.hashes.iter().enumerate() {
            // No early exit: the time taken does not depend on which key matched.
            if bool::from(hash.ct_eq(&digest)) {
                found = Some(index);
            }
        }
        found.map_or(Caller::InvalidKey, Caller::Key)
    }

    /// The request's caller, computed on first use and then read from its extensions.
    pub fn caller(&self, req: &ServiceRequest) -> Caller {
        if let Some(caller) = req.extensions().get::<Caller>() {
            return *caller;
        }
        let caller = match presented_key(req) {
            None => Caller::Anonymous,
            Some(key) => self.identify(key),
        };
        req.extensions_mut().insert(caller);
        caller
    }

    /// How the log names a caller: never the key, only the start of its hash.
    fn label(&self, caller: Caller) -> String {
        match caller {
            Caller::Anonymous => "anonymous".to_owned(),
            Caller::InvalidKey => "invalid-key".to_owned(),
            Caller::Key(index) => {
                let prefix: String = self.hashes[index][..4]
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect();
                format!("key:{prefix}")
            }
        }
    }

    /// Whether this request needs a valid key. Requests that match no operation go on
    /// without one, to their 404 or 405: no handler runs for them.
    fn needs_key(&self, req: &ServiceRequest) -> bool {
        if self.is_open() || is_public_path(req.path()) {
            return false;
        }
        let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
        if is_read && !self.protect_reads {
            return false;
        }
        let method = if is_read {
            "GET"
        } else {
            req.method().as_str()
        };
        match req.app_data::<web::Data<RouteTable>>() {
            Some(table) => table
                .allowed(req.path())
                .is_some_and(|allowed| allowed.iter().any(|m| m == method)),
            None => true,
        }
    }
}

/// Health probes and the API's own documentation never need a key.
pub fn is_public_path(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/openapi.json" | "/docs") || path.starts_with("/docs/")
}

fn parse_hash(text: &str) -> Result<[u8; 32], String> {
    let invalid = || {
        format!(
            "auth.key_hashes: `{text}` is not a key hash; make one with `quotewire hash-key` \
             (it looks like sha256: and 64 hex digits)"
        )
    };
    let hex = text.strip_prefix(HASH_PREFIX).ok_or_else(invalid)?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
    }
    Ok(hash)
}

/// The key from `Authorization: Bearer KEY` or else `X-Api-Key: KEY`.
fn presented_key(req: &ServiceRequest) -> Option<&str> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    bearer
        .or_else(|| {
            req.headers()
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|key| !key.is_empty())
}

/// Middleware (for `actix_web::middleware::from_fn`): 401 for a request that needs a key
/// and has no valid one.
pub async fn require_key(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(keyring) = req.app_data::<web::Data<Keyring>>().cloned() {
        let caller = keyring.caller(&req);
        tracing::Span::current().record("caller", keyring.label(caller).as_str());
        if keyring.needs_key(&req) {
            let refusal = match caller {
                Caller::Key(_) => None,
                Caller::Anonymous => Some(ApiError::MissingKey),
                Caller::InvalidKey => Some(ApiError::InvalidKey),
            };
            if let Some(error) = refusal {
                tracing::info!(
                    code = error.code(),
                    "request refused for want of a valid API key"
                );
                return Ok(req.into_response(error.error_response()));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(keys: &[&str]) -> Keyring {
        Keyring::from_settings(&AuthSettings {
            key_hashes: keys.iter().map(|k| hash_key(k)).collect(),
            protect_reads: false,
        })
        .unwrap()
    }

    #[test]
    fn a_hash_is_sha256_hex_with_its_scheme() {
        // SHA-256("abc"), a published test vector.
        assert_eq!(
            hash_key("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keys_are_identified_by_their_hash_only() {
        let ring = keyring(&["first-key", "second-key"]);
        assert_eq!(ring.identify("second-key"), Caller::Key(1));
        assert_eq!(ring.identify("first-key"), Caller::Key(0));
        assert_eq!(ring.identify("first-keyx"), Caller::InvalidKey);
        assert_eq!(ring.identify(&hash_key("first-key")), Caller::InvalidKey);
    }

    #[test]
    fn callers_are_labelled_by_their_hash_never_their_key() {
        let ring = keyring(&["first-key"]);
        let label = ring.label(ring.identify("first-key"));
        assert_eq!(label, format!("key:{}", &hash_key("first-key")[7..15]));
        assert_eq!(ring.label(ring.identify("nope")), "invalid-key");
        assert_eq!(ring.label(Caller::Anonymous), "anonymous");
    }

    #[test]
    fn malformed_hashes_are_refused_and_blanks_ignored() {
        for bad in ["abc", "sha256:xyz", "sha256:abcd", "md5:0123"] {
            let settings = AuthSettings {
                key_hashes: vec![bad.into()],
                protect_reads: false,
            };
            assert!(Keyring::from_settings(&settings).is_err(), "{bad}");
        }
        let blank = AuthSettings {
            key_hashes: vec![" ".into(), String::new()],
            protect_reads: true,
        };
        let ring = Keyring::from_settings(&blank).unwrap();
        assert!(ring.is_open() && !ring.protects_reads());
    }
}
