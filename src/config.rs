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
        builder = builder.add_source(
            config::Environment::with_prefix("QUOTEWIRE")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
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
