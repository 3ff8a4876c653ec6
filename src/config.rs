//! Typed settings, layered: `config/default.toml` (built in) < an optional `--config FILE`
//! < `QUOTEWIRE__SECTION__KEY` environment variables < command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The defaults ship inside the binary, so it runs from any directory.
const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub cors: CorsSettings,
    #[serde(default)]
    pub batch: BatchSettings,
}

/// Limits of `POST /v1/articles:batch`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct BatchSettings {
    /// Most articles one request may hold.
    pub max_items: usize,
    /// Largest batch body, in bytes (the server's body limit applies to other requests).
    pub body_limit_bytes: usize,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            max_items: 1000,
            body_limit_bytes: 32 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// `HOST:PORT` to listen on.
    pub addr: String,
    /// Largest request body, in bytes.
    pub body_limit_bytes: usize,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub path: PathBuf,
    pub pool_size: u32,
    /// Page cache of each read connection, in KiB.
    pub reader_cache_kib: u32,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// Who may call the API; see `api::auth`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Hashes of the accepted API keys, as `quotewire hash-key` prints them. Empty: no key
    /// is needed anywhere (the server warns at start-up).
    pub key_hashes: Vec<String>,
    /// Whether GET and HEAD need a key too (health probes and the docs never do).
    pub protect_reads: bool,
}

/// Per-client request budgets; see `api::limits`.
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Sustained requests per second allowed to one client.
    pub per_second: u32,
    /// Requests one client may send at once before the sustained rate applies.
    pub burst: u32,
    /// A header carrying the client's address, set by a trusted reverse proxy in front
    /// (`X-Forwarded-For`: its last entry is used). Unset: the peer address.
    #[serde(default)]
    pub client_ip_header: Option<String>,
}

/// Cross-origin access for browser frontends; see `api::cors`.
#[derive(Debug, Clone, Deserialize)]
pub struct CorsSettings {
    /// Origins (`https://app.example.org`) allowed to call the API from a browser; `*` for
    /// any. Empty: no cross-origin access.
    pub allowed_origins: Vec<String>,
    /// How long browsers may cache a preflight answer, in seconds.
    pub max_age_secs: usize,
}

/// Settings whose environment variable holds a comma-separated list.
const LIST_KEYS: [&str; 2] = ["auth.key_hashes", "cors.allowed_origins"];

/// Settings given on the command line; each wins over every other layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub addr: Option<String>,
    pub db: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid settings: {0}")]
    Invalid(#[from] config::ConfigError),
}

impl Settings {
    /// Loads the layers in order; the process environment is read here and nowhere else.
    pub fn load(overrides: &Overrides) -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULT_TOML,
            config::FileFormat::Toml,
        ));
        if let Some(file) = &overrides.config_file {
            if !file.exists() {
                return Err(ConfigError::MissingFile(file.clone()));
            }
            builder = builder.add_source(config::File::from(file.as_path()));
        }
        builder = builder.add_source(environment());
        if let Some(addr) = &overrides.addr {
            builder = builder.set_override("server.addr", addr.as_str())?;
        }
        if let Some(db) = &overrides.db {
            builder = builder.set_override("database.path", path_str(db))?;
        }
        if let Some(format) = overrides.log_format {
            let name = match format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            };
            builder = builder.set_override("log.format", name)?;
        }
        Ok(builder.build()?.try_deserialize()?)
    }
}

/// `QUOTEWIRE__SECTION__KEY` variables; list settings are split on commas.
fn environment() -> config::Environment {
    LIST_KEYS.iter().fold(
        config::Environment::with_prefix("QUOTEWIRE")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(","),
        |env, key| env.with_list_parse_key(key),
    )
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_defaults_parse() {
        let settings = Settings::load(&Overrides::default()).expect("defaults load");
        assert_eq!(settings.server.body_limit_bytes, 2 * 1024 * 1024);
        assert_eq!(settings.database.path, PathBuf::from("./data/quotewire.db"));
    }

    #[test]
    fn flags_win_over_defaults() {
        let overrides = Overrides {
            addr: Some("0.0.0.0:9999".into()),
            db: Some("/tmp/x.db".into()),
            log_format: Some(LogFormat::Json),
            ..Overrides::default()
        };
        let settings = Settings::load(&overrides).expect("settings load");
        assert_eq!(settings.server.addr, "0.0.0.0:9999");
        assert_eq!(settings.database.path, PathBuf::from("/tmp/x.db"));
        assert_eq!(settings.log.format, LogFormat::Json);
    }

    #[test]
    fn list_settings_are_split_on_commas_in_the_environment() {
        let vars = [
            ("QUOTEWIRE__AUTH__KEY_HASHES", "sha256:aa,sha256:bb"),
            ("QUOTEWIRE__CORS__ALLOWED_ORIGINS", "https://a.example"),
            ("QUOTEWIRE__RATE_LIMIT__PER_SECOND", "7"),
            ("QUOTEWIRE__LOG__LEVEL", "debug,quotewire=trace"),
        ];
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(
                DEFAULT_TOML,
                config::FileFormat::Toml,
            ))
            .add_source(
                environment().source(Some(
                    vars.iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                )),
            )
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        assert_eq!(settings.auth.key_hashes, ["sha256:aa", "sha256:bb"]);
        assert_eq!(settings.cors.allowed_origins, ["https://a.example"]);
        assert_eq!(settings.rate_limit.per_second, 7);
        // Other strings keep their commas.
        assert_eq!(settings.log.level, "debug,quotewire=trace");
    }

    #[test]
    fn the_defaults_open_reads_and_limit_rates() {
        let settings = Settings::load(&Overrides::default()).expect("defaults load");
        assert!(settings.auth.key_hashes.is_empty());
        assert!(!settings.auth.protect_reads);
        assert!(settings.rate_limit.enabled);
        assert!(settings.rate_limit.burst >= settings.rate_limit.per_second);
        assert!(settings.cors.allowed_origins.is_empty());
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let overrides = Overrides {
            config_file: Some("/nonexistent/q.toml".into()),
            ..Overrides::default()
        };
        assert!(matches!(
            Settings::load(&overrides),
            Err(ConfigError::MissingFile(_))
        ));
    }
}
