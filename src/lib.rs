//! quotewire: who said what, in the news.
//!
//! The crate is a library with a thin binary (`src/main.rs`). Layers point one way:
//!
//! - [`extract`]: pure text processing (always built): an article's text or HTML in,
//!   its clean body, metadata, quotes and entities out. No HTTP, SQL, I/O or clock.
//! - `store` (feature `server`): SQLite persistence, migrations and queries.
//! - `ingest` (feature `server`): the one code path that turns input into stored articles,
//!   shared by the HTTP API and the `ingest` command.
//! - `api` (feature `server`): actix-web handlers, wire types, errors, OpenAPI.

pub mod extract;
pub mod generate;

#[cfg(feature = "server")]
pub mod api;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod ingest;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod telemetry;
