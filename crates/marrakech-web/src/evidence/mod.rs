//! The evidence base as the server reads it: the newest release of each data set, loaded
//! from the store into the evidence crate's records, with the figures computed from them
//! (SDG 10.c.1, corridors above 5 %, migrant stock by area, dead and missing by year...).
//!
//! The data sets are small enough to hold (the bundled ones take about 30 MB), and computing
//! from memory keeps every page and API answer in milliseconds. [`Evidence::snapshot`] checks
//! one cheap version query per request and reloads when an import changed the data sets;
//! requests meanwhile keep the previous snapshot.

pub mod figures;
/// How records are kept as rows: the application layer's.
pub use marrakech_app::evidence_rows as rows;
pub mod sdmx;

use std::sync::{Arc, RwLock};

use marrakech_core::countries::Reference;
use marrakech_evidence::corridor_averages::{quarter_summaries, CorridorAverages, QuarterSummary};
use marrakech_evidence::mmp::Incident;
use marrakech_evidence::rpw::RpwRecord;
use marrakech_evidence::sdg10c1::{self, CorridorQuarter, QuarterFigures};
use marrakech_evidence::stock::StockIndex;
use marrakech_evidence::weights::VolumeWeights;
use marrakech_store::statistics::{Dataset, DatasetKind, ObservationRow};
use marrakech_store::Store;
use tokio::sync::Mutex;

use crate::error::AppError;

/// Migrant stock: one release of UN DESA's International Migrant Stock.
pub struct Stock {
    pub dataset: Dataset,
    pub index: StockIndex,
}

/// Provider-level remittance prices and what SDG 10.c.1 computes from them.
pub struct Prices {
    pub dataset: Dataset,
    pub records: Vec<RpwRecord>,
    pub quarters: Vec<QuarterFigures>,
    pub corridors: Vec<CorridorQuarter>,
}

/// The World Bank's published corridor averages, and the per-quarter figures they allow.
pub struct CorridorSeries {
    pub dataset: Dataset,
    pub series: Vec<CorridorAverages>,
    pub quarters: Vec<QuarterSummary>,
}

pub struct Weights {
    pub dataset: Dataset,
    pub weights: VolumeWeights,
}

pub struct Missing {
    pub dataset: Dataset,
    pub incidents: Vec<Incident>,
}

/// An SDMX-CSV data set, kept as its rows.
pub struct SdmxSet {
    pub dataset: Dataset,
    pub rows: Vec<ObservationRow>,
}

/// Everything the evidence pages and APIs read, as of one version of the data sets.
pub struct Snapshot {
    pub version: String,
    pub datasets: Vec<Dataset>,
    pub stock: Option<Stock>,
    pub prices: Option<Prices>,
    pub corridor_averages: Option<CorridorSeries>,
    pub weights: Option<Weights>,
    pub missing: Option<Missing>,
    /// Imported SDMX-CSV files.
    pub sdmx_sets: Vec<SdmxSet>,
    /// The evidence as SDMX structures and dataflows.
    pub catalog: Option<sdmx::Catalog>,
    /// Every remittance corridor's series and path to 5 % (provider-level figures where
    /// there are some, published averages otherwise).
    pub corridors:
        std::collections::BTreeMap<marrakech_evidence::Corridor, figures::CorridorDetail>,
}

impl Snapshot {
    /// An empty snapshot: nothing imported yet.
    fn empty(version: String) -> Snapshot {
        Snapshot {
            version,
            datasets: Vec::new(),
            stock: None,
            prices: None,
            corridor_averages: None,
            weights: None,
            missing: None,
            sdmx_sets: Vec::new(),
            catalog: None,
            corridors: Default::default(),
        }
    }

    /// The newest release of each kind.
    fn latest(datasets: &[Dataset], kind: DatasetKind) -> Option<Dataset> {
        datasets
            .iter()
            .filter(|d| d.kind == kind)
            .max_by(|a, b| a.release.cmp(&b.release))
            .cloned()
    }

    async fn load(store: &Store, version: String) -> Result<Snapshot, AppError> {
        let datasets = store.datasets().await?;
        let mut snapshot = Snapshot::empty(version);
        let reference = Reference::official();
        let skipped = |what: &str, e: rows::RowError| {
            tracing::warn!(error = %e, what, "a stored row was left out of the evidence snapshot");
        };

        if let Some(dataset) = Snapshot::latest(&datasets, DatasetKind::RemittanceFlows) {
            let flows = store
                .observations_of(&dataset.id)
                .await?
                .iter()
                .filter_map(|r| rows::bilateral_flow(r).map_err(|e| skipped("flow", e)).ok())
                .collect::<Vec<_>>();
            snapshot.weights = Some(Weights {
                dataset,
                weights: VolumeWeights::from_flows(flows),
            });
        }
        if let Some(dataset) = Snapshot::latest(&datasets, DatasetKind::Ims) {
            let observations = store
                .observations_of(&dataset.id)
                .await?
                .iter()
                .filter_map(|r| {
                    rows::stock_observation(r)
                        .map_err(|e| skipped("stock", e))
                        .ok()
                })
                .collect::<Vec<_>>();
            let index = tokio::task::spawn_blocking(move || {
                StockIndex::new(observations, Reference::official())
            })
            .await
            .map_err(|e| AppError::Internal(format!("stock index: {e}")))?;
            snapshot.stock = Some(Stock { dataset, index });
        }
        if let Some(dataset) = Snapshot::latest(&datasets, DatasetKind::Rpw) {
            let records = store
                .prices_of(&dataset.id)
                .await?
                .iter()
                .filter_map(|r| rows::rpw_record(r).map_err(|e| skipped("price", e)).ok())
                .collect::<Vec<_>>();
            let mut options = sdg10c1::Options::new(reference);
            if let Some(w) = &snapshot.weights {
                options = options.with_weights(&w.weights);
            }
            let quarters = sdg10c1::compute(&records, &options);
            let corridors = sdg10c1::corridor_quarters(&records, &options);
            snapshot.prices = Some(Prices {
                dataset,
                records,
                quarters,
                corridors,
            });
        }
        if let Some(dataset) = Snapshot::latest(&datasets, DatasetKind::RpwCorridors) {
            let stored = store.observations_of(&dataset.id).await?;
            let series = rows::corridor_averages(&stored).unwrap_or_else(|e| {
                skipped("corridor average", e);
                Vec::new()
            });
            let quarters =
                quarter_summaries(&series, snapshot.weights.as_ref().map(|w| &w.weights));
            snapshot.corridor_averages = Some(CorridorSeries {
                dataset,
                series,
                quarters,
            });
        }
        if let Some(dataset) = Snapshot::latest(&datasets, DatasetKind::Mmp) {
            let incidents = store
                .incidents_of(&dataset.id)
                .await?
                .iter()
                .filter_map(|r| rows::incident(r).map_err(|e| skipped("incident", e)).ok())
                .collect();
            snapshot.missing = Some(Missing { dataset, incidents });
        }
        for dataset in datasets.iter().filter(|d| d.kind == DatasetKind::Sdmx) {
            let rows = store.observations_of(&dataset.id).await?;
            snapshot.sdmx_sets.push(SdmxSet {
                dataset: dataset.clone(),
                rows,
            });
        }
        snapshot.datasets = datasets;
        snapshot.corridors = figures::corridor_table(&snapshot);
        match sdmx::catalog(&snapshot) {
            Ok(catalog) => snapshot.catalog = Some(catalog),
            Err(e) => tracing::error!(error = %e, "the SDMX structures could not be built"),
        }
        Ok(snapshot)
    }
}

/// The server's current snapshot, and the lock that lets one request rebuild it while the
/// others read the previous one.
#[derive(Default)]
pub struct Evidence {
    current: RwLock<Option<Arc<Snapshot>>>,
    rebuilding: Mutex<()>,
}

impl Evidence {
    pub fn new() -> Evidence {
        Evidence::default()
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// The snapshot of the data sets as they are now.
    pub async fn snapshot(&self, store: &Store) -> Result<Arc<Snapshot>, AppError> {
        let version = store.statistics_version().await?;
        if let Some(current) = self.current().filter(|c| c.version == version) {
            return Ok(current);
        }
        let _rebuilding = self.rebuilding.lock().await;
        if let Some(current) = self.current().filter(|c| c.version == version) {
            return Ok(current);
        }
        let started = std::time::Instant::now();
        let snapshot = Arc::new(Snapshot::load(store, version).await?);
        tracing::info!(
            datasets = snapshot.datasets.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "loaded the evidence data sets"
        );
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        Ok(snapshot)
    }
}
