//! The command line. Every option can also come from a `MARRAKECH_*` environment variable
//! or the config file; flags win over the environment, which wins over the file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "marrakech",
    version,
    about = "Marrakech: the Global Compact for Safe, Orderly and Regular Migration as one open platform",
    long_about = "Marrakech runs the system set up by the Global Compact for Safe, Orderly and \
                  Regular Migration (UN General Assembly resolution 73/195).\n\n\
                  Configuration comes from flags, then MARRAKECH_* environment variables, then a \
                  TOML config file (--config, MARRAKECH_CONFIG, or ./marrakech.toml when present), \
                  then defaults. By default the data lives in ./marrakech-data, in an embedded \
                  SQLite database."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML config file (keys: bind, data_dir, database_url, https, log).
    #[arg(long, global = true, env = "MARRAKECH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Directory for the embedded database and other local data [default: ./marrakech-data].
    #[arg(long, global = true, env = "MARRAKECH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: postgres://USER:PASSWORD@HOST/DB for PostgreSQL, or sqlite://PATH
    /// [default: SQLite in the data directory].
    #[arg(
        long,
        global = true,
        env = "MARRAKECH_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Log filter, e.g. `info` or `marrakech=debug,sqlx=warn` [default: info].
    #[arg(long, global = true, env = "MARRAKECH_LOG", value_name = "FILTER")]
    pub log: Option<String>,

    /// The address people reach the site at, for links in emails [default: http://BIND].
    #[arg(long, global = true, env = "MARRAKECH_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// SMTP relay for outgoing email, smtp://[USER:PASSWORD@]HOST[:PORT] (plain SMTP to a
    /// relay you run, which handles TLS onward). Without it, email waits in the outbox.
    #[arg(
        long,
        global = true,
        env = "MARRAKECH_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// The sender of outgoing email [default: Marrakech <no-reply@localhost>].
    #[arg(
        long,
        global = true,
        env = "MARRAKECH_MAIL_FROM",
        value_name = "ADDRESS"
    )]
    pub mail_from: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, load the bundled reference data and serve the platform over HTTP.
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Work with the compact's text as data.
    Compact {
        #[command(subcommand)]
        command: CompactCommand,
    },
    /// Manage user accounts (bootstrap the first administrator).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// See and deliver the email outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Check and export the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Bring data in from other sources.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Maintain the knowledge search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// UN DESA International Migrant Stock, Table 1 (the CSV extract or the original XLSX
    /// workbook).
    Ims(StatisticsImportArgs),
    /// World Bank Remittance Prices Worldwide, provider level (the XLSX workbook, both sheet
    /// layouts, or a CSV of either).
    Rpw(StatisticsImportArgs),
    /// World Bank DataBank export of RPW corridor averages (the wide CSV).
    RpwCorridors(StatisticsImportArgs),
    /// IOM Missing Migrants Project incidents (the legacy, "allData" or 2026 website
    /// layout; CSV or XLSX).
    Mmp(StatisticsImportArgs),
    /// Any SDMX-CSV file (version 1 or 2.0), such as an SDG series from the UN SDG database.
    SdmxCsv(StatisticsImportArgs),
    /// World Bank bilateral remittance estimates (the sending x receiving XLSX matrix): the
    /// weights of the volume-weighted average remittance cost.
    RemittanceFlows(StatisticsImportArgs),
    /// Harvest the packages of a CKAN portal (its Action API, e.g. https://data.example.org)
    /// as published knowledge items marked with their source. Re-running updates what
    /// changed and withdraws what the source no longer lists; it never duplicates.
    Ckan(HarvestArgs),
    /// Harvest the datasets of a DCAT catalogue (JSON-LD, Turtle or RDF/XML; a URL whose
    /// Hydra pages are followed, or a file) as published knowledge items marked with their
    /// source. Re-running updates what changed; it never duplicates.
    Dcat(DcatArgs),
}

/// Every statistics import: streaming, all or nothing, idempotent. Re-importing a release
/// replaces it; another release is kept beside it; every rejected row is reported with its
/// line and reason.
#[derive(Debug, Args)]
pub struct StatisticsImportArgs {
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The release [default: the newest period in the file].
    #[arg(long)]
    pub release: Option<String>,
    /// The sheet to read, for workbooks with several.
    #[arg(long)]
    pub sheet: Option<String>,
    /// The data set's title [default: the source's usual title].
    #[arg(long)]
    pub title: Option<String>,
    /// Who publishes it.
    #[arg(long)]
    pub source: Option<String>,
    /// Its licence.
    #[arg(long)]
    pub licence: Option<String>,
    /// Where it is published.
    #[arg(long)]
    pub url: Option<String>,
    /// The attribution line shown with every figure taken from it.
    #[arg(long)]
    pub attribution: Option<String>,
    /// Refuse a release that would have more than this share (per cent) fewer records than
    /// the stored release it replaces or follows.
    #[arg(long, value_name = "PERCENT", default_value_t = 10.0, value_parser = percent)]
    pub max_shrink: f64,
    /// Import even a release that shrinks by more than --max-shrink, or that drops areas or
    /// years the stored release has.
    #[arg(long)]
    pub allow_shrink: bool,
}

/// A share in per cent, 0 to 100.
fn percent(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a share in per cent (0 to 100)")),
    }
}

#[derive(Debug, Args)]
pub struct HarvestArgs {
    /// The source: a CKAN site's address.
    #[arg(value_name = "URL")]
    pub source: String,
    /// Import the valid records even if some are broken (each broken one is reported).
    /// Without it, one broken record means nothing is imported.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Packages fetched per request.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub rows: usize,
}

#[derive(Debug, Args)]
pub struct DcatArgs {
    /// The source: a catalogue's URL, or a file.
    #[arg(value_name = "URL-OR-FILE")]
    pub source: String,
    /// Import the valid records even if some are broken (each broken one is reported).
    /// Without it, one broken record means nothing is imported.
    #[arg(long)]
    pub skip_invalid: bool,
    /// The serialization, when neither the file's extension nor the server says it.
    #[arg(long, value_enum)]
    pub format: Option<RdfFormatArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RdfFormatArg {
    Jsonld,
    Ttl,
    Rdf,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the published items in the database. Run it with the
    /// server stopped (a running server holds the index).
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with a role. Prints a single-use link to set the password, or, with
    /// --password-stdin, sets the password read from standard input.
    Create(UserCreateArgs),
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    #[arg(long)]
    pub email: String,
    /// The person's name [default: the part of the email before @].
    #[arg(long)]
    pub name: Option<String>,
    /// administrator, secretariat, reviewer, fund-manager, steering-committee, focal-point or
    /// contributor.
    #[arg(long)]
    pub role: String,
    /// For a reviewer: internal or external.
    #[arg(long, value_name = "KIND")]
    pub reviewer_kind: Option<String>,
    /// For a focal point: the country's M49 code or ISO alpha-3 code.
    #[arg(long)]
    pub country: Option<String>,
    /// For a contributor: the organization's id.
    #[arg(long)]
    pub organization: Option<String>,
    /// Read the password from standard input instead of printing a link.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List the messages waiting to be sent.
    List {
        /// Show sent messages too (the latest 200).
        #[arg(long)]
        all: bool,
    },
    /// Deliver the messages that are due now, over the configured SMTP relay.
    Send,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first entry that was edited, removed or reordered.
    Verify,
    /// Write the whole audit trail, oldest first.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "MARRAKECH_BIND", value_name = "ADDR")]
    pub bind: Option<String>,

    /// The site is reached over HTTPS (directly or behind a proxy): send HSTS.
    #[arg(long, env = "MARRAKECH_HTTPS", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub https: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum CompactCommand {
    /// Write the compact (principles, objectives, actions, paragraphs, footnotes) as JSON or CSV.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// json: the whole structure; csv: one row per citable passage.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,

    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}
