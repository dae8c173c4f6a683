//! `marrakech`: the platform's one binary.

mod accounts;
mod cli;
mod config;
mod export;
mod harvest;
mod mailer;
mod serve;
mod statistics;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{
    AuditCommand, Cli, Command, CompactCommand, ImportCommand, OutboxCommand, SearchCommand,
    UserCommand,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("marrakech: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, the chain of causes, no backtrace.
            eprintln!("marrakech: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = config::Settings::resolve(&cli.global)?;
    config::init_logging(&settings);
    match cli.command {
        Command::Serve(args) => serve::serve(settings.with_serve(&args)).await,
        Command::Migrate => serve::migrate(&settings).await,
        Command::Compact {
            command: CompactCommand::Export(args),
        } => export::compact(&args),
        Command::User {
            command: UserCommand::Create(args),
        } => accounts::create_user(&settings, &args).await,
        Command::Outbox { command } => match command {
            OutboxCommand::List { all } => accounts::outbox_list(&settings, all).await,
            OutboxCommand::Send => mailer::send_due(&settings).await,
        },
        Command::Audit { command } => match command {
            AuditCommand::Verify => accounts::audit_verify(&settings).await,
            AuditCommand::Export { format, output } => {
                accounts::audit_export(&settings, format, output.as_deref()).await
            }
        },
        Command::Import { command } => {
            use marrakech_store::statistics::DatasetKind;
            match command {
                ImportCommand::Ckan(args) => harvest::ckan(&settings, &args).await,
                ImportCommand::Dcat(args) => harvest::dcat(&settings, &args).await,
                ImportCommand::Ims(args) => {
                    statistics::import_file(&settings, DatasetKind::Ims, &args).await
                }
                ImportCommand::Rpw(args) => {
                    statistics::import_file(&settings, DatasetKind::Rpw, &args).await
                }
                ImportCommand::RpwCorridors(args) => {
                    statistics::import_file(&settings, DatasetKind::RpwCorridors, &args).await
                }
                ImportCommand::Mmp(args) => {
                    statistics::import_file(&settings, DatasetKind::Mmp, &args).await
                }
                ImportCommand::SdmxCsv(args) => {
                    statistics::import_file(&settings, DatasetKind::Sdmx, &args).await
                }
                ImportCommand::RemittanceFlows(args) => {
                    statistics::import_file(&settings, DatasetKind::RemittanceFlows, &args).await
                }
            }
        }
        Command::Search {
            command: SearchCommand::Reindex,
        } => serve::reindex(&settings).await,
    }
}
