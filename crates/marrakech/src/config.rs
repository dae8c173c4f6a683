//! Settings: flags and environment (through clap), then the config file, then defaults.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

use crate::cli::{GlobalArgs, ServeArgs};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "marrakech-data";
pub const DEFAULT_CONFIG_FILE: &str = "marrakech.toml";

/// The config file's keys; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    https: Option<bool>,
    log: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    trust_forwarded: Option<bool>,
    /// The connection hub's matching weights (`[hub_weights.partner]`, `[hub_weights.item]`
    /// ...); fields left out keep their defaults.
    hub_weights: Option<marrakech_hub::Weights>,
    /// Where matching's text similarity for knowledge items comes from: `bm25` (the hub's
    /// own, the default) or `search-index` (the knowledge platform's, every UN language).
    hub_item_text: Option<marrakech_app::hub::ItemText>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    /// Set when the database is given; otherwise SQLite in `data_dir`.
    database_url: Option<String>,
    pub https: bool,
    pub log: String,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub trust_forwarded: bool,
    pub hub_weights: marrakech_hub::Weights,
    pub hub_item_text: marrakech_app::hub::ItemText,
    /// The config file read, if any.
    pub config_file: Option<PathBuf>,
    file: FileConfigValues,
}

/// What the file said about serve-only settings, kept for [`Settings::with_serve`].
#[derive(Debug, Clone, Default)]
struct FileConfigValues {
    bind: Option<String>,
    https: Option<bool>,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Settings> {
        let (file, file_path) = match &args.config {
            Some(path) => (read_config(path)?, Some(path.clone())),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => (
                read_config(Path::new(DEFAULT_CONFIG_FILE))?,
                Some(PathBuf::from(DEFAULT_CONFIG_FILE)),
            ),
            None => (FileConfig::default(), None),
        };
        let hub_weights = file.hub_weights.clone().unwrap_or_default();
        if let Err(e) = hub_weights.validate() {
            bail!("the config file's hub_weights cannot be used: {e}");
        }
        Ok(Settings {
            hub_weights,
            hub_item_text: file.hub_item_text.unwrap_or_default(),
            bind: file.bind.clone().unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            data_dir: args
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            database_url: args.database_url.clone().or(file.database_url),
            https: file.https.unwrap_or(false),
            log: args
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
            public_url: args.public_url.clone().or(file.public_url),
            smtp_url: args.smtp_url.clone().or(file.smtp_url),
            mail_from: args
                .mail_from
                .clone()
                .or(file.mail_from)
                .unwrap_or_else(|| "Marrakech <no-reply@localhost>".to_owned()),
            trust_forwarded: std::env::var("MARRAKECH_TRUST_FORWARDED")
                .ok()
                .map(|v| v == "true" || v == "1")
                .or(file.trust_forwarded)
                .unwrap_or(false),
            config_file: file_path,
            file: FileConfigValues {
                bind: file.bind,
                https: file.https,
            },
        })
    }

    /// Applies `serve`'s own flags over the file's values.
    pub fn with_serve(mut self, args: &ServeArgs) -> Settings {
        self.bind = args
            .bind
            .clone()
            .or(self.file.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.to_owned());
        self.https = args.https.or(self.file.https).unwrap_or(false);
        self
    }

    /// The database URL: the one given, or the embedded SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("marrakech.db").display()
            ),
        }
    }

    /// The site's public address, for links in emails.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
    }

    /// Whether the database is the embedded default, whose directory we must create.
    pub fn uses_embedded_database(&self) -> bool {
        self.database_url.is_none()
    }
}

fn read_config(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    match toml::from_str(&text) {
        Ok(config) => Ok(config),
        Err(e) => bail!(
            "the config file {} is not valid: {}",
            path.display(),
            e.message()
        ),
    }
}

pub fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    // sqlx logs every statement at info; keep that for when it is asked for.
    let filter = if settings.log.contains("sqlx") {
        filter
    } else {
        filter.add_directive("sqlx=warn".parse().expect("a valid directive"))
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
