//! `marrakech`: the platform's one binary.

mod cli;
mod config;
mod export;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, CompactCommand};

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
    }
}
