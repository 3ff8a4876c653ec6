//! API tests: the real application on a free port over a fresh SQLite file per test.
//! Set `TEST_LOG=1` to see the server's logs.

mod archive;
mod articles;
mod batch;
mod caching;
mod docs;
mod entities;
mod errors;
mod export;
mod helpers;
mod hostile;
mod quotes;
mod search;
mod security;
