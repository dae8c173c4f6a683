//! `marrakech serve` and `marrakech migrate`.

use anyhow::Context;
use marrakech_core::countries::Reference;
use marrakech_core::Compact;
use marrakech_store::{LoadOutcome, Store};
use marrakech_web::WebConfig;
use tokio::net::TcpListener;

use crate::config::Settings;

/// Connects to the configured database, creating the embedded one's directory if needed.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    if let Some(path) = &settings.config_file {
        tracing::info!(file = %path.display(), "read the config file");
    }
    if settings.uses_embedded_database() {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(&settings.database_url()).await?;
    tracing::info!(
        backend = store.backend().name(),
        url = %marrakech_store::redact(&settings.database_url()),
        "connected to the database"
    );
    Ok(store)
}

pub async fn prepare(store: &Store) -> anyhow::Result<()> {
    let applied = store.migrate().await?;
    tracing::info!(applied, "migrations are up to date");
    match store
        .load_reference(Compact::official(), Reference::official())
        .await?
    {
        LoadOutcome::Unchanged => tracing::info!("reference data is up to date"),
        LoadOutcome::Loaded {
            passages,
            countries,
        } => tracing::info!(
            passages,
            countries,
            "loaded the compact and the countries table"
        ),
    }
    Ok(())
}

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let applied = store.migrate().await?;
    println!(
        "{} migration(s) applied; the {} database is up to date.",
        applied,
        store.backend().name()
    );
    Ok(())
}

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    prepare(&store).await?;
    let listener = TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let address = listener.local_addr()?;
    let app = marrakech_web::app(
        store.clone(),
        WebConfig {
            https: settings.https,
            public_url: settings.public_url(),
            trust_forwarded: settings.trust_forwarded,
            ..WebConfig::default()
        },
    );
    let mailer = crate::mailer::spawn_worker(&settings, store.clone())?;
    tracing::info!("Marrakech is serving at http://{address}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped")?;
    if let Some(worker) = mailer {
        worker.abort();
    }
    store.pool().close().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight are finished first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
