//! `marrakech serve` and `marrakech migrate`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use marrakech_core::countries::Reference;
use marrakech_core::Compact;
use marrakech_store::{LoadOutcome, Store};
use marrakech_web::search::Search;
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
    let search = open_search(&settings, &store).await?;
    marrakech_web::search::spawn_follower(&search, store.clone());
    let evidence = Arc::new(marrakech_web::evidence::Evidence::new());
    let hub = Arc::new(marrakech_web::hub::Hub::new(
        settings.hub_weights.clone(),
        settings.hub_item_text,
        search.clone(),
    ));
    let app = marrakech_web::app_with_search(
        store.clone(),
        WebConfig {
            https: settings.https,
            // Without a configured address, the one actually bound (port 0 picks a free one).
            public_url: settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}")),
            trust_forwarded: settings.trust_forwarded,
            ..WebConfig::default()
        },
        search,
        evidence.clone(),
        hub.clone(),
    );
    let mailer = crate::mailer::spawn_worker(&settings, store.clone())?;
    let reminders = spawn_overdue_reminders(store.clone(), settings.public_url());
    // The bundled data sets load after the server answers: a first start is as quick as any,
    // and the evidence pages say they are loading until the data is there.
    let bundled_store = store.clone();
    let bundled = tokio::spawn(async move {
        if let Err(error) = crate::statistics::load_bundled(&bundled_store).await {
            tracing::error!(error = %format!("{error:#}"), "the bundled data sets could not be loaded");
        }
        // Compute the figures now rather than on the first visitor's request.
        if let Err(error) = evidence.snapshot(&bundled_store).await {
            tracing::error!(%error, "the evidence figures could not be computed");
        }
        // And the hub's matcher, before the first request is submitted.
        if let Err(error) = hub.warm(&bundled_store).await {
            tracing::error!(%error, "the hub's matcher could not be built");
        }
    });
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
    bundled.abort();
    reminders.abort();
    store.pool().close().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Tells officers of hub requests whose stage runs past its target, every quarter of an hour
/// (each stage once: the store remembers whom it told).
fn spawn_overdue_reminders(store: Store, public_url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
        loop {
            tick.tick().await;
            if let Err(error) = marrakech_web::hub::remind_overdue(&store, &public_url).await {
                tracing::warn!(%error, "overdue hub requests could not be checked");
            }
        }
    })
}

/// Where the search index lives: beside the embedded database, in the data directory.
fn search_dir(settings: &Settings) -> std::path::PathBuf {
    settings.data_dir.join("search-index")
}

/// Opens the server's search index and brings it up to date with the database.
async fn open_search(settings: &Settings, store: &Store) -> anyhow::Result<Arc<Search>> {
    let dir = search_dir(settings);
    let search = Search::open(&dir)
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    let started = Instant::now();
    let done = search
        .catch_up(store)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bring the search index up to date: {e}"))?;
    tracing::info!(
        items = search.len(),
        upserted = done.upserted,
        deleted = done.deleted,
        position = done.position,
        elapsed_ms = started.elapsed().as_millis() as u64,
        dir = %dir.display(),
        "the search index is up to date"
    );
    Ok(Arc::new(search))
}

/// `marrakech search reindex`: rebuilds the index from the published items.
pub async fn reindex(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    prepare(&store).await?;
    let dir = search_dir(settings);
    let search = Search::open(&dir).with_context(|| {
        format!(
            "cannot open the search index in {} (is a server running on it? stop it first)",
            dir.display()
        )
    })?;
    let started = Instant::now();
    let last_report = std::sync::Mutex::new(Instant::now());
    let progress = |done: usize, total: usize| {
        if let Ok(mut last) = last_report.lock() {
            if last.elapsed().as_secs() >= 2 || done == total {
                eprintln!("read {done} of {total} published items");
                *last = Instant::now();
            }
        }
    };
    let count = search
        .rebuild(&store, &progress)
        .await
        .map_err(|e| anyhow::anyhow!("the rebuild failed: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Indexed {count} published items in {seconds:.1} s ({:.0} items/s) into {}.",
        count as f64 / seconds.max(0.001),
        dir.display()
    );
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
