//! The `quotewire` binary: parses the command line and calls into the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use quotewire::config::{LogFormat, Overrides, Settings};
use quotewire::extract::{extract, InputFormat, KnownMetadata};
use quotewire::ingest::{self, files, IngestError, Ingested};
use quotewire::store::Store;

/// mimalloc rather than the system allocator: the extractor makes many small, short-lived
/// allocations per article, and the server many per request; in a profile of `extract`,
/// glibc's malloc and free were over a tenth of the instructions. Its `override` feature
/// (Cargo.toml) makes it the C code's `malloc` too, so the bundled SQLite's allocations
/// come from the same reused memory rather than glibc's per-thread arenas, which trimmed
/// and refaulted pages under load (speaker pages and searches ~8% cheaper).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Who said what, in the news: extract quotes and entities from articles and serve them
/// as a JSON REST API.
#[derive(Parser)]
#[command(name = "quotewire", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API (the default when no command is given).
    Serve(ServeArgs),
    /// Print the extraction of each FILE as JSON, without touching a database. One file
    /// gives one JSON object; several give one compact object per line (NDJSON), in order.
    Extract(ExtractArgs),
    /// Store the articles in files and folders (recursively): .txt and .html (one article
    /// each), .json (one article object, as POSTed to /v1/articles), .ndjson (one per line).
    Ingest(IngestArgs),
    /// Write every article or quote matching the filters to stdout as NDJSON, one list
    /// item per line (the same objects as GET /v1/articles and GET /v1/quotes).
    Export(ExportArgs),
    /// Print the OpenAPI 3.1 document of the API.
    Openapi,
    /// Read an API key on standard input (one line) and print the hash to put in
    /// `auth.key_hashes` (QUOTEWIRE__AUTH__KEY_HASHES). Make keys long and random, e.g.
    /// `openssl rand -base64 32 > api.key; quotewire hash-key < api.key`.
    HashKey,
    /// Write a reproducible corpus of realistic generated articles (for benchmarks) into
    /// OUT_DIR as NDJSON files of 1,000 articles each, ready for `ingest`.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// How many articles to write.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// The corpus seed: the same count and seed always give the same articles.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write into (created when missing).
    #[arg(value_name = "OUT_DIR")]
    out_dir: PathBuf,
}

/// Settings shared by the commands that open the database.
#[derive(Args, Clone, Default)]
struct CommonArgs {
    /// A TOML settings file layered over the built-in defaults (config/default.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// SQLite database file; its folder is created when missing [default: ./data/quotewire.db].
    #[arg(long, value_name = "PATH", env = "QUOTEWIRE_DB")]
    db: Option<PathBuf>,
    /// Log format [default: text, or log.format from the settings].
    #[arg(long, value_enum)]
    log_format: Option<LogFormatArg>,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, or server.addr from the settings].
    #[arg(long, value_name = "HOST:PORT", env = "QUOTEWIRE_ADDR")]
    addr: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct ExtractArgs {
    /// Article files: .html/.htm are read as HTML, anything else is sniffed.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print a single file's JSON indented (several files are always one line each).
    #[arg(long)]
    pretty: bool,
}

#[derive(Args)]
struct IngestArgs {
    /// Files and folders to load.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Articles written per transaction.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch_size: u32,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct ExportArgs {
    #[command(subcommand)]
    list: ExportList,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Subcommand)]
enum ExportList {
    /// Articles, newest first (best match first with --q); without their bodies.
    Articles(ExportArticleFilters),
    /// Quotes, newest article first (best match first with --q).
    Quotes(ExportQuoteFilters),
}

/// The filters of GET /v1/articles.
#[derive(Args)]
struct ExportArticleFilters {
    /// Full-text search over title and body.
    #[arg(long)]
    q: Option<String>,
    /// Exact publisher name.
    #[arg(long)]
    source: Option<String>,
    /// Exact byline.
    #[arg(long)]
    byline: Option<String>,
    /// Published on or after this date or date-time.
    #[arg(long)]
    published_after: Option<String>,
    /// Published before this date or date-time.
    #[arg(long)]
    published_before: Option<String>,
}

/// The filters of GET /v1/quotes.
#[derive(Args)]
struct ExportQuoteFilters {
    /// Entity id (e_...) or name of the speaker.
    #[arg(long)]
    speaker: Option<String>,
    /// Only quotes of this article (id).
    #[arg(long)]
    article: Option<String>,
    /// Comma-separated kinds among direct, partial, term [default: direct,partial].
    #[arg(long)]
    kind: Option<String>,
    /// Full-text search over the quote text.
    #[arg(long)]
    q: Option<String>,
    /// From articles published on or after this date or date-time.
    #[arg(long)]
    published_after: Option<String>,
    /// From articles published before this date or date-time.
    #[arg(long)]
    published_before: Option<String>,
    /// Only quotes whose text mentions this entity (id).
    #[arg(long)]
    about: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(arg: LogFormatArg) -> Self {
        match arg {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(args),
        Command::Extract(args) => extract_files(&args),
        Command::Ingest(args) => ingest_paths(&args),
        Command::Export(args) => export_list(args),
        Command::Openapi => print_stdout(&quotewire::api::openapi_json()),
        Command::HashKey => hash_key(),
        Command::Generate(args) => generate_corpus(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_settings(common: &CommonArgs, addr: Option<String>) -> Result<Settings, String> {
    let overrides = Overrides {
        config_file: common.config.clone(),
        addr,
        db: common.db.clone(),
        log_format: common.log_format.map(LogFormat::from),
    };
    Settings::load(&overrides).map_err(|e| e.to_string())
}

/// Settings, logging and the database: what every command that stores articles starts with.
fn start_with_store(
    common: &CommonArgs,
    addr: Option<String>,
) -> Result<(Settings, Store), String> {
    let settings = load_settings(common, addr)?;
    quotewire::telemetry::init(&settings.log);
    let store = Store::open(&settings.database).map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            settings.database.path.display()
        )
    })?;
    Ok((settings, store))
}

fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let (settings, store) = start_with_store(&args.common, args.addr)?;
    actix_web::rt::System::new().block_on(async move {
        let app = quotewire::api::server::Application::build(&settings, store)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.server.addr))?;
        tracing::info!(
            addr = %settings.server.addr,
            port = app.port(),
            db = %settings.database.path.display(),
            api_keys = settings.auth.key_hashes.iter().filter(|h| !h.trim().is_empty()).count(),
            reads_need_key = settings.auth.protect_reads,
            rate_limit = %if settings.rate_limit.enabled {
                format!("{}/s, burst {}", settings.rate_limit.per_second, settings.rate_limit.burst)
            } else {
                "off".to_owned()
            },
            "quotewire serving; API docs at /docs"
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

fn hash_key() -> Result<ExitCode, String> {
    use quotewire::api::auth::{hash_key, MIN_KEY_CHARS};
    if std::io::stdin().is_terminal() {
        eprintln!("Paste the API key and press Enter (it is not stored):");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the key from standard input: {e}"))?;
    let key = line.trim_end_matches(['\r', '\n']);
    if key.trim() != key || key.chars().count() < MIN_KEY_CHARS {
        return Err(format!(
            "a key must be at least {MIN_KEY_CHARS} characters without surrounding spaces \
             (e.g. `openssl rand -base64 32`)"
        ));
    }
    print_stdout(&format!("{}\n", hash_key(key)))
}

fn extract_files(args: &ExtractArgs) -> Result<ExitCode, String> {
    let single = args.files.len() == 1;
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for path in &args.files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                failed = true;
                // Keep one line per file so a reader can pair lines with files.
                if !single {
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::json!({"error": e.to_string(), "file": path.display().to_string()})
                    );
                }
                continue;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let is_html = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        let format = if is_html {
            InputFormat::Html
        } else {
            InputFormat::sniff(&text)
        };
        let extraction = extract(&text, format, &KnownMetadata::default());
        let json = if single && args.pretty {
            serde_json::to_string_pretty(&extraction)
        } else {
            serde_json::to_string(&extraction)
        }
        .map_err(|e| e.to_string())?;
        writeln!(out, "{json}").map_err(|e| e.to_string())?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn generate_corpus(args: &GenerateArgs) -> Result<ExitCode, String> {
    const PER_FILE: u64 = 1000;
    let fail = |e: std::io::Error| format!("{}: {e}", args.out_dir.display());
    std::fs::create_dir_all(&args.out_dir).map_err(fail)?;
    for shard in 0..args.count.div_ceil(PER_FILE) {
        let path = args.out_dir.join(format!("articles-{shard:05}.ndjson"));
        let file = std::fs::File::create(&path).map_err(fail)?;
        let mut out = std::io::BufWriter::new(file);
        let last = ((shard + 1) * PER_FILE).min(args.count);
        for index in shard * PER_FILE..last {
            let article = quotewire::generate::article(args.seed, index);
            let line = serde_json::to_string(&article).map_err(|e| e.to_string())?;
            writeln!(out, "{line}").map_err(fail)?;
        }
        out.flush().map_err(fail)?;
    }
    eprintln!(
        "wrote {} articles to {}",
        args.count,
        args.out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn export_list(args: ExportArgs) -> Result<ExitCode, String> {
    use quotewire::api::export::{self, ListArticlesQuery, ListQuotesQuery};
    let (_, store) = start_with_store(&args.common, None)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.list {
        ExportList::Articles(f) => export::export_articles(
            &store,
            &ListArticlesQuery {
                q: f.q,
                source: f.source,
                byline: f.byline,
                published_after: f.published_after,
                published_before: f.published_before,
                ..ListArticlesQuery::default()
            },
            &mut out,
        ),
        ExportList::Quotes(f) => export::export_quotes(
            &store,
            &ListQuotesQuery {
                speaker: f.speaker,
                article: f.article,
                kind: f.kind,
                q: f.q,
                published_after: f.published_after,
                published_before: f.published_before,
                about: f.about,
                ..ListQuotesQuery::default()
            },
            &mut out,
        ),
    };
    written.map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn print_stdout(text: &str) -> Result<ExitCode, String> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// Totals for the summary at the end of `ingest`.
#[derive(Default)]
struct IngestSummary {
    ingested: usize,
    duplicates: usize,
    rejected: Vec<(String, String)>,
}

impl IngestSummary {
    fn count(&mut self, origin: String, result: Result<Ingested, IngestError>) {
        match result {
            Ok(Ingested::Created { .. }) => self.ingested += 1,
            Ok(Ingested::Duplicate { .. }) => self.duplicates += 1,
            Err(IngestError::Invalid(errors)) => {
                self.rejected.push((origin, ingest::describe(&errors)))
            }
            Err(IngestError::Store(e)) => self.rejected.push((origin, format!("not stored: {e}"))),
        }
    }

    fn processed(&self) -> usize {
        self.ingested + self.duplicates + self.rejected.len()
    }
}

fn ingest_paths(args: &IngestArgs) -> Result<ExitCode, String> {
    let (_, store) = start_with_store(&args.common, None)?;
    let (paths, problems) = files::find_article_files(&args.paths);
    let mut summary = IngestSummary::default();

    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(paths.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };

    // Files are read lazily (NDJSON line by line) on this thread, extracted on every core
    // and written `batch_size` per transaction by one writer; the queues between the
    // stages are bounded, so memory does not grow with the corpus.
    let started = std::time::Instant::now();
    let mut unreadable = Vec::new();
    let inputs = paths
        .iter()
        .flat_map(|path| {
            progress.inc(1);
            files::read_articles(path)
        })
        .filter_map(|article| match article.input {
            Ok(input) => Some((article.origin, input)),
            Err(reason) => {
                unreadable.push((article.origin, reason));
                None
            }
        });
    let written = ingest::pipeline::ingest_stream(
        &store,
        inputs,
        args.batch_size as usize,
        |origin, result| {
            summary.count(origin, result);
            let done = summary.processed();
            if done % 64 == 0 {
                let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
                progress.set_message(format!("{done} articles, {rate:.0} articles/s"));
            }
        },
    );
    progress.finish_and_clear();
    written.map_err(|e| format!("database write failed: {e}"))?;
    if summary.ingested > 0 {
        store
            .optimize_search()
            .map_err(|e| format!("cannot merge the search indexes: {e}"))?;
    }
    let elapsed = started.elapsed().as_secs_f64();

    summary
        .rejected
        .splice(0..0, problems.into_iter().chain(unreadable));
    println!(
        "ingested {}, duplicates {}, rejected {} ({} articles in {elapsed:.1} s, {:.0} articles/s)",
        summary.ingested,
        summary.duplicates,
        summary.rejected.len(),
        summary.processed(),
        summary.processed() as f64 / elapsed.max(0.001),
    );
    for (origin, reason) in &summary.rejected {
        println!("  rejected {origin}: {reason}");
    }
    Ok(ExitCode::SUCCESS)
}
