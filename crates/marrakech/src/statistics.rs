//! `marrakech import ims|rpw|rpw-corridors|mmp|sdmx-csv|remittance-flows FILE`, and the
//! bundled data sets loaded at first start.
//!
//! The file is read on a blocking thread by the evidence crate's streaming readers; records
//! travel in batches over a channel into one write transaction. A failure anywhere (the file,
//! its layout, the database) rolls the transaction back, so the release already imported
//! stays intact and queryable. A damaged file (cut short, a quote never closed, NUL bytes,
//! not UTF-8) or one without records is refused by the reader. Rejected rows do not stop the
//! import: each is reported with its line and reason, and counted; but a row that repeats the
//! key of an earlier one refuses the whole file (which of the two is right cannot be known).
//! Last, a release that would replace (or follow) the stored one with far fewer records, or
//! without areas or years it had, is refused unless the operator allows it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use marrakech_app::evidence_rows as rows;
use marrakech_core::countries::Reference;
use marrakech_evidence::corridor_averages::CorridorAverages;
use marrakech_evidence::ims::StockObservation;
use marrakech_evidence::mmp::Date;
use marrakech_evidence::mmp::Incident;
use marrakech_evidence::rpw::RpwRecord;
use marrakech_evidence::{ImportError, RejectedRow, RowProblem, Summary};
use marrakech_store::statistics::{
    Coverage, Dataset, DatasetKind, ImportCounts, IncidentRow, NewDataset, ObservationRow, PriceRow,
};
use marrakech_store::{AuditContext, Store};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::cli::StatisticsImportArgs;
use crate::config::Settings;
use crate::serve::{open_store, prepare};

/// Rows sent to the database at a time.
const BATCH: usize = 2_000;

/// Rows on their way to the database.
enum Batch {
    Observations(Vec<ObservationRow>),
    Prices(Vec<PriceRow>),
    Incidents(Vec<IncidentRow>),
}

/// Rejected rows kept to be printed; the others are counted.
const REJECTED_KEPT: usize = 1_000;

/// The rows an import rejected: the first [`REJECTED_KEPT`] of them, and how many in all.
#[derive(Default)]
struct Rejections {
    kept: Vec<RejectedRow>,
    total: u64,
    /// Of them, rows that repeat an earlier row's key.
    repeats: u64,
}

impl Rejections {
    fn push(&mut self, row: RejectedRow) {
        self.total += 1;
        if matches!(row.problem, RowProblem::Repeats { .. }) {
            self.repeats += 1;
        }
        if self.kept.len() < REJECTED_KEPT {
            self.kept.push(row);
        }
    }
}

/// What the rows read cover: areas and years (see `Store::coverage` for what each kind
/// counts).
#[derive(Default)]
struct Covered {
    areas: BTreeSet<String>,
    years: BTreeSet<String>,
}

impl Covered {
    fn area(&mut self, code: &str) {
        if !code.starts_with('_') && !self.areas.contains(code) {
            self.areas.insert(code.to_owned());
        }
    }

    fn period(&mut self, period: &str) {
        let year = period.get(..4).unwrap_or(period);
        if !year.starts_with('_') && !self.years.contains(year) {
            self.years.insert(year.to_owned());
        }
    }

    fn observation(&mut self, o: &ObservationRow) {
        self.area(&o.ref_area);
        self.area(&o.counterpart_area);
        self.period(&o.time_period);
    }
}

/// What the reading thread found, once the file is read.
struct Reading {
    summaries: Vec<Summary>,
    rejected: Rejections,
    /// The newest period in the file: the release, unless the operator named one (or, for
    /// Missing Migrants, the file says when it was exported).
    release: Option<String>,
    /// Missing Migrants: the newest incident date.
    newest_incident: Option<Date>,
    structure: Option<String>,
    /// SDMX-CSV: the dataflows in the file.
    dataflows: BTreeSet<String>,
    covered: Covered,
}

/// Provenance that goes with each kind unless the operator says otherwise.
pub struct Provenance {
    pub title: String,
    pub source: String,
    pub licence: String,
    pub url: Option<String>,
    pub attribution: String,
}

pub fn default_provenance(kind: DatasetKind) -> Provenance {
    let p = |title: &str, source: &str, licence: &str, url: &str, attribution: &str| Provenance {
        title: title.to_owned(),
        source: source.to_owned(),
        licence: licence.to_owned(),
        url: (!url.is_empty()).then(|| url.to_owned()),
        attribution: attribution.to_owned(),
    };
    match kind {
        DatasetKind::Ims => p(
            "International Migrant Stock, Table 1",
            "United Nations, Department of Economic and Social Affairs, Population Division",
            "CC BY 3.0 IGO",
            "https://www.un.org/development/desa/pd/content/international-migrant-stock",
            "Source: UN DESA Population Division, International Migrant Stock (CC BY 3.0 IGO).",
        ),
        DatasetKind::Rpw => p(
            "Remittance Prices Worldwide (provider level)",
            "World Bank",
            "CC BY 4.0",
            "https://remittanceprices.worldbank.org",
            "Source: World Bank, Remittance Prices Worldwide (CC BY 4.0).",
        ),
        DatasetKind::RpwCorridors => p(
            "Remittance Prices Worldwide (corridors): average total cost to remit",
            "World Bank",
            "CC BY 4.0",
            "https://remittanceprices.worldbank.org",
            "Source: World Bank, Remittance Prices Worldwide, corridor averages (CC BY 4.0).",
        ),
        DatasetKind::Mmp => p(
            "Missing Migrants Project: incidents",
            "International Organization for Migration",
            "CC BY 4.0",
            "https://missingmigrants.iom.int",
            "Source: IOM Missing Migrants Project (CC BY 4.0).",
        ),
        DatasetKind::Sdmx => p(
            "SDMX data",
            "as named in the file",
            "as stated by the source",
            "",
            "Source: as named in the file's dataflow.",
        ),
        DatasetKind::RemittanceFlows => p(
            "Bilateral Remittance Estimates",
            "World Bank",
            "CC BY 4.0",
            "https://www.worldbank.org/en/topic/migrationremittancesdiasporaissues/brief/migration-remittances-data",
            "Source: World Bank, Bilateral Remittance Estimates (CC BY 4.0).",
        ),
    }
}

/// A reader that counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(pos)?;
        self.read.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

/// A source the readers can stream and seek.
pub trait Source: Read + Seek + Send {}
impl<T: Read + Seek + Send> Source for T {}

/// Sends rows in batches; a full channel makes the reader wait for the database.
struct Batcher<T> {
    rows: Vec<T>,
    wrap: fn(Vec<T>) -> Batch,
    out: mpsc::Sender<Batch>,
}

impl<T> Batcher<T> {
    fn new(wrap: fn(Vec<T>) -> Batch, out: mpsc::Sender<Batch>) -> Batcher<T> {
        Batcher {
            rows: Vec::with_capacity(BATCH),
            wrap,
            out,
        }
    }

    /// False when the database side has stopped (then reading stops too).
    fn push(&mut self, row: T) -> bool {
        self.rows.push(row);
        if self.rows.len() >= BATCH {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        if self.rows.is_empty() {
            return true;
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH));
        self.out.blocking_send((self.wrap)(rows)).is_ok()
    }
}

fn is_workbook(source: &mut dyn Source) -> std::io::Result<bool> {
    let mut magic = [0u8; 4];
    let n = source.read(&mut magic)?;
    source.seek(SeekFrom::Start(0))?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

/// The sink an importer streams into: each good record goes to `store` (false when the
/// database side has stopped, which stops the reading), each bad one is kept to be reported.
/// Once a row has repeated an earlier row's key the file will be refused, so records are no
/// longer stored, but the reading goes on to count every repeat.
fn streamed<'a, R>(
    rejected: &'a mut Rejections,
    mut store: impl FnMut(R) -> bool + 'a,
) -> impl FnMut(Result<R, RejectedRow>) -> std::ops::ControlFlow<()> + 'a {
    use std::ops::ControlFlow;
    move |row| match row {
        Ok(_) if rejected.repeats > 0 => ControlFlow::Continue(()),
        Ok(record) => {
            if store(record) {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        }
        Err(r) => {
            rejected.push(r);
            ControlFlow::Continue(())
        }
    }
}

/// Reads the whole file on this (blocking) thread, sending rows as they come.
fn read_file(
    kind: DatasetKind,
    source: Box<dyn Source>,
    workbook: bool,
    sheet: Option<String>,
    out: mpsc::Sender<Batch>,
) -> Result<Reading, ImportError> {
    let reference = Reference::official();
    let mut rejected = Rejections::default();
    let mut summaries = Vec::new();
    let mut release: Option<String> = None;
    let mut newest_incident: Option<Date> = None;
    let mut newest = |candidate: String| {
        if release.as_ref().is_none_or(|r| candidate > *r) {
            release = Some(candidate);
        }
    };
    let mut structure = None;
    let mut dataflows = BTreeSet::new();
    let mut covered = Covered::default();
    match kind {
        DatasetKind::Ims => {
            let mut batch = Batcher::new(Batch::Observations, out);
            let mut sink = streamed(&mut rejected, |o: StockObservation| {
                newest(o.time_period.to_string());
                let row = rows::stock_row(&o);
                covered.observation(&row);
                batch.push(row)
            });
            summaries.push(if workbook {
                marrakech_evidence::ims::read_ims_xlsx(
                    source,
                    sheet.as_deref(),
                    reference,
                    &mut sink,
                )?
            } else {
                marrakech_evidence::ims::read_ims_csv(source, reference, &mut sink)?
            });
            drop(sink);
            batch.flush();
        }
        DatasetKind::Rpw => {
            let mut batch = Batcher::new(Batch::Prices, out);
            let mut sink = streamed(&mut rejected, |r: RpwRecord| {
                newest(r.period.sdmx());
                let row = rows::price_row(&r);
                covered.area(&row.source_iso3);
                covered.area(&row.destination_iso3);
                covered.period(&row.period);
                batch.push(row)
            });
            if workbook {
                summaries.extend(marrakech_evidence::rpw::read_rpw_xlsx(source, &mut sink)?);
            } else {
                summaries.push(marrakech_evidence::rpw::read_rpw_csv(source, &mut sink)?);
            }
            drop(sink);
            batch.flush();
        }
        DatasetKind::RpwCorridors => {
            let mut batch = Batcher::new(Batch::Observations, out);
            let mut sink = streamed(&mut rejected, |c: CorridorAverages| {
                let mut open = true;
                for o in rows::corridor_rows(&c) {
                    newest(o.time_period.clone());
                    covered.observation(&o);
                    open &= batch.push(o);
                }
                open
            });
            summaries.push(
                marrakech_evidence::corridor_averages::read_corridor_averages_csv(
                    source, &mut sink,
                )?,
            );
            drop(sink);
            batch.flush();
        }
        DatasetKind::Mmp => {
            let mut batch = Batcher::new(Batch::Incidents, out);
            let mut sink = streamed(&mut rejected, |i: Incident| {
                if let Some(d) = i.date {
                    if newest_incident.is_none_or(|n| d > n) {
                        newest_incident = Some(d);
                    }
                }
                newest(match i.date {
                    Some(d) => d.to_string(),
                    None => i.year.to_string(),
                });
                let row = rows::incident_row(&i);
                if let Some(country) = &row.country_of_incident {
                    covered.area(country);
                }
                covered.period(&row.year.to_string());
                batch.push(row)
            });
            summaries.push(if workbook {
                marrakech_evidence::mmp::read_mmp_xlsx(source, &mut sink)?
            } else {
                marrakech_evidence::mmp::read_mmp_csv(source, &mut sink)?
            });
            drop(sink);
            batch.flush();
        }
        DatasetKind::Sdmx => {
            let mut batch = Batcher::new(Batch::Observations, out);
            let mut flows = std::collections::BTreeMap::<
                String,
                (std::collections::BTreeSet<String>, String),
            >::new();
            let mut sink = streamed(
                &mut rejected,
                |o: marrakech_evidence::sdmx::SdmxObservation| {
                    let entry = flows.entry(o.dataflow.clone()).or_default();
                    entry.0.extend(o.dimensions.keys().cloned());
                    if let Some(t) = &o.time_period {
                        if *t > entry.1 {
                            entry.1 = t.clone();
                        }
                    }
                    let mut row = rows::sdmx_row(&o);
                    // The store's key: the dataflow and the whole series key.
                    row.series_key = o.key();
                    covered.observation(&row);
                    batch.push(row)
                },
            );
            summaries.push(marrakech_evidence::sdmx::read_sdmx_csv(source, &mut sink)?);
            drop(sink);
            batch.flush();
            dataflows = flows.keys().cloned().collect();
            // The release: the dataflows and the newest period each holds.
            release = Some(
                flows
                    .iter()
                    .map(|(flow, (_, newest))| format!("{flow} {newest}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
            .filter(|r| !r.is_empty());
            structure = Some(
                serde_json::json!(flows
                    .iter()
                    .map(|(flow, (dims, _))| serde_json::json!({"dataflow": flow, "dimensions": dims}))
                    .collect::<Vec<_>>())
                .to_string(),
            );
        }
        DatasetKind::RemittanceFlows => {
            let mut batch = Batcher::new(Batch::Observations, out);
            let mut sink = streamed(
                &mut rejected,
                |f: marrakech_evidence::weights::BilateralFlow| {
                    let row = rows::flow_row(&f, "_Z");
                    covered.observation(&row);
                    batch.push(row)
                },
            );
            summaries.push(marrakech_evidence::weights::read_bilateral_matrix_xlsx(
                source,
                marrakech_evidence::names::CountryNames::official(),
                &mut sink,
            )?);
            drop(sink);
            batch.flush();
        }
    }
    Ok(Reading {
        summaries,
        rejected,
        release,
        newest_incident,
        structure,
        dataflows,
        covered,
    })
}

/// The outcome of one import, for the closing summary.
pub struct Outcome {
    pub dataset: marrakech_store::statistics::Dataset,
    pub replaced: bool,
    /// The releases this same file had been imported under, now renamed.
    pub renamed_from: Vec<String>,
    /// Where the release's name came from.
    pub release_basis: &'static str,
    /// The first rejected rows (all of them up to a thousand), and how many in all.
    pub rejected: Vec<RejectedRow>,
    pub rejected_total: u64,
    pub summaries: Vec<Summary>,
    pub seconds: f64,
}

/// What to import and how to describe it.
pub struct Request {
    pub kind: DatasetKind,
    pub file_name: String,
    pub release: Option<String>,
    pub sheet: Option<String>,
    pub provenance: Provenance,
    pub bundled: bool,
    /// The largest share (per cent) of records a release may lose against the stored one.
    pub max_shrink: f64,
    /// Import even what the shrink check refuses.
    pub allow_shrink: bool,
}

/// A few items named, then how many more: `484, 320, 340 and 12 more`.
fn some_of<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> String {
    const NAMED: usize = 5;
    let n = items.len();
    let named: Vec<&str> = items.take(NAMED).map(String::as_str).collect();
    if n > NAMED {
        format!("{} and {} more", named.join(", "), n - NAMED)
    } else {
        named.join(", ")
    }
}

/// Compares a new release with the stored one it replaces or follows: what would be lost.
fn shrink_problems(
    stored: &Coverage,
    records: u64,
    covered: &Covered,
    max_shrink: f64,
) -> Option<String> {
    let mut problems = Vec::new();
    if stored.records > records {
        let lost = (stored.records - records) as f64 / stored.records as f64 * 100.0;
        if lost > max_shrink {
            problems.push(format!(
                "shrink it from {} to {} records ({lost:.1} % fewer; at most {max_shrink} % \
                 is allowed)",
                group_digits(stored.records),
                group_digits(records),
            ));
        }
    }
    let areas: Vec<&String> = stored.areas.difference(&covered.areas).collect();
    if !areas.is_empty() {
        problems.push(format!(
            "drop {} area{} it has ({})",
            areas.len(),
            if areas.len() == 1 { "" } else { "s" },
            some_of(areas.into_iter())
        ));
    }
    let years: Vec<&String> = stored.years.difference(&covered.years).collect();
    if !years.is_empty() {
        problems.push(format!(
            "drop {} year{} it has ({})",
            years.len(),
            if years.len() == 1 { "" } else { "s" },
            some_of(years.into_iter())
        ));
    }
    (!problems.is_empty()).then(|| problems.join(", and "))
}

/// The dataflows an SDMX data set's structure names.
fn dataflows_of(dataset: &Dataset) -> BTreeSet<String> {
    dataset
        .structure
        .as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| {
            v.as_array().map(|flows| {
                flows
                    .iter()
                    .filter_map(|f| f["dataflow"].as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// The stored release a new one is checked against: the release of the same name when it is
/// re-imported, else the newest stored release of the kind when the new one sorts at or
/// after it (it would then be what pages show); for SDMX-CSV, only releases of the same
/// dataflows count. An older release imported beside newer ones replaces nothing.
async fn baseline(
    store: &Store,
    kind: DatasetKind,
    release: &str,
    dataflows: &BTreeSet<String>,
) -> anyhow::Result<Option<Dataset>> {
    let stored: Vec<Dataset> = store
        .datasets_of(kind)
        .await?
        .into_iter()
        .filter(|d| kind != DatasetKind::Sdmx || !dataflows_of(d).is_disjoint(dataflows))
        .collect();
    if let Some(same) = stored.iter().find(|d| d.release == release) {
        return Ok(Some(same.clone()));
    }
    Ok(stored
        .into_iter()
        .next()
        .filter(|newest| release >= newest.release.as_str()))
}

/// Imports one file into `store` in one transaction.
pub async fn import(
    store: &Store,
    ctx: &AuditContext,
    request: Request,
    source: Box<dyn Source>,
    size: u64,
    sha256: String,
    progress: &ProgressBar,
) -> anyhow::Result<Option<Outcome>> {
    // The same bytes under another release name: the operator renames it.
    let mut rename = false;
    if let Some(same) = store.same_dataset(request.kind, &sha256).await? {
        if request.release.as_ref().is_none_or(|r| *r == same.release) {
            progress.finish_and_clear();
            tracing::info!(dataset = %same.key(), "this file is already imported; nothing to do");
            return Ok(None);
        }
        rename = true;
    }
    let started = Instant::now();
    let mut source = source;
    let workbook = is_workbook(&mut *source).context("cannot read the file")?;
    let workbook_created = if workbook && request.kind == DatasetKind::Mmp {
        marrakech_evidence::mmp::workbook_created(&mut source)
    } else {
        None
    };
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: source,
        read: read.clone(),
    };
    let (sender, mut receiver) = mpsc::channel::<Batch>(4);
    let kind = request.kind;
    let sheet = request.sheet.clone();
    let reader = tokio::task::spawn_blocking(move || {
        read_file(kind, Box::new(counting), workbook, sheet, sender)
    });
    let mut import = store
        .begin_dataset_import(&NewDataset {
            kind,
            title: request.provenance.title.clone(),
            source: request.provenance.source.clone(),
            licence: request.provenance.licence.clone(),
            url: request.provenance.url.clone(),
            attribution: request.provenance.attribution.clone(),
            file_name: request.file_name.clone(),
            file_sha256: sha256,
            structure: None,
            bundled: request.bundled,
        })
        .await?;
    if rename {
        import.rename_same_file();
    }
    progress.set_length(size);
    let mut stored = 0u64;
    while let Some(batch) = receiver.recv().await {
        stored += match batch {
            Batch::Observations(rows) => {
                import.observations(&rows).await?;
                rows.len()
            }
            Batch::Prices(rows) => {
                import.prices(&rows).await?;
                rows.len()
            }
            Batch::Incidents(rows) => {
                import.incidents(&rows).await?;
                rows.len()
            }
        } as u64;
        progress.set_position(read.load(Ordering::Relaxed).min(size));
        progress.set_message(format!("{stored} rows stored"));
    }
    let reading = reader
        .await
        .context("the file reader stopped unexpectedly")?
        .with_context(|| format!("cannot import {}", request.file_name))?;
    if let Some(structure) = &reading.structure {
        import.set_structure(structure).await?;
    }
    if reading.rejected.repeats > 0 {
        progress.finish_and_clear();
        let repeats: Vec<String> = reading
            .rejected
            .kept
            .iter()
            .filter(|r| matches!(r.problem, RowProblem::Repeats { .. }))
            .take(3)
            .map(|r| r.to_string())
            .collect();
        let count = reading.rejected.repeats;
        let more = if count > repeats.len() as u64 {
            format!("; and {} more", group_digits(count - repeats.len() as u64))
        } else {
            String::new()
        };
        bail!(
            "{}: {} row{} repeat{} the key of an earlier row ({}{more}); a data set holds one \
             value per key and which of two is right cannot be known, so nothing was imported: \
             remove the repeated rows",
            request.file_name,
            group_digits(count),
            if count == 1 { "" } else { "s" },
            if count == 1 { "s" } else { "" },
            repeats.join("; ")
        );
    }
    let mmp_release = (request.kind == DatasetKind::Mmp)
        .then(|| {
            marrakech_evidence::mmp::release_date(
                workbook_created,
                &request.file_name,
                reading.newest_incident,
            )
        })
        .flatten();
    let (release, release_basis) = match (&request.release, &mmp_release, &reading.release) {
        (Some(given), _, _) => (given.clone(), "as given with --release"),
        (None, Some((date, basis)), _) => (date.to_string(), basis.describe()),
        (None, None, Some(found)) => (found.clone(), "the newest period in the file"),
        (None, None, None) => bail!(
            "{} holds no record to date the release by: pass --release",
            request.file_name
        ),
    };
    if !request.allow_shrink {
        if let Some(previous) = baseline(store, kind, &release, &reading.dataflows).await? {
            let coverage = store.coverage(&previous).await?;
            if let Some(problems) =
                shrink_problems(&coverage, stored, &reading.covered, request.max_shrink)
            {
                progress.finish_and_clear();
                bail!(
                    "{}: release {release} would replace or follow release {stored} of the same \
                     data and {problems}; nothing was imported and release {stored} stays as it \
                     was. Check the file; to import it all the same, pass --allow-shrink (or a \
                     larger --max-shrink)",
                    request.file_name,
                    stored = previous.release,
                );
            }
        }
    }
    let counts = ImportCounts {
        rows_read: reading.summaries.iter().map(|s| s.rows).sum(),
        records: stored,
        rejected: reading.rejected.total,
    };
    let imported = import.finish(ctx, &release, counts).await?;
    progress.finish_and_clear();
    Ok(Some(Outcome {
        dataset: imported.dataset,
        replaced: imported.replaced,
        renamed_from: imported.renamed_from,
        release_basis,
        rejected: reading.rejected.kept,
        rejected_total: reading.rejected.total,
        summaries: reading.summaries,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

fn sha256_of(source: &mut dyn Source) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    source.seek(SeekFrom::Start(0))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn progress_bar(visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// `1,234,567`, as the pages write counts.
fn group_digits(n: u64) -> String {
    marrakech_charts::format_thousands(n as f64, 0)
}

/// `marrakech import KIND FILE`.
pub async fn import_file(
    settings: &Settings,
    kind: DatasetKind,
    args: &StatisticsImportArgs,
) -> anyhow::Result<()> {
    let path = Path::new(&args.file);
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut source: Box<dyn Source> = Box::new(BufReader::with_capacity(1 << 16, file));
    let sha256 =
        sha256_of(&mut *source).with_context(|| format!("cannot read {}", path.display()))?;
    let store = open_store(settings).await?;
    prepare(&store).await?;
    let mut provenance = default_provenance(kind);
    if let Some(t) = &args.title {
        provenance.title = t.clone();
    }
    if let Some(s) = &args.source {
        provenance.source = s.clone();
    }
    if let Some(l) = &args.licence {
        provenance.licence = l.clone();
    }
    if let Some(u) = &args.url {
        provenance.url = Some(u.clone());
    }
    if let Some(a) = &args.attribution {
        provenance.attribution = a.clone();
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.clone());
    let progress = progress_bar(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let outcome = import(
        &store,
        &AuditContext {
            actor_id: None,
            actor_role: Some("command-line".into()),
        },
        Request {
            kind,
            file_name: file_name.clone(),
            release: args.release.clone(),
            sheet: args.sheet.clone(),
            provenance,
            bundled: false,
            max_shrink: args.max_shrink,
            allow_shrink: args.allow_shrink,
        },
        source,
        size,
        sha256,
        &progress,
    )
    .await?;
    let Some(outcome) = outcome else {
        println!("{file_name} is already imported, unchanged: nothing to do.");
        return Ok(());
    };
    for r in &outcome.rejected {
        eprintln!("rejected {r}");
    }
    if outcome.rejected_total > outcome.rejected.len() as u64 {
        eprintln!(
            "... and {} more rejected rows",
            group_digits(outcome.rejected_total - outcome.rejected.len() as u64)
        );
    }
    let d = &outcome.dataset;
    let skipped: u64 = outcome.summaries.iter().map(|s| s.skipped).sum();
    let unknown: Vec<String> = outcome
        .summaries
        .iter()
        .flat_map(|s| s.unknown_columns.iter().cloned())
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "columns this importer does not know (ignored): {}",
            unknown.join(", ")
        );
    }
    let renamed = if outcome.renamed_from.is_empty() {
        String::new()
    } else {
        format!(
            "; the same file was imported as release {}, now renamed",
            outcome.renamed_from.join(", ")
        )
    };
    println!(
        "Imported {} (release {}: {}) as `{}`: {} rows read, {} records stored, {} rejected, {} skipped, in {:.1} s{}{renamed}.",
        d.title,
        d.release,
        outcome.release_basis,
        d.key(),
        group_digits(d.rows_read),
        group_digits(d.records),
        group_digits(d.rejected),
        group_digits(skipped),
        outcome.seconds,
        if outcome.replaced { "; it replaces the earlier import of this release" } else { "" },
    );
    Ok(())
}

/// A data set compiled into the binary.
struct Bundled {
    kind: DatasetKind,
    file_name: &'static str,
    bytes: &'static [u8],
    gzipped: bool,
    release: &'static str,
    title: &'static str,
}

const BUNDLED: [Bundled; 4] = [
    Bundled {
        kind: DatasetKind::RemittanceFlows,
        file_name: "wb-bilateral-remittances-2017.xlsx",
        bytes: include_bytes!("../../../data/evidence/wb-bilateral-remittances-2017.xlsx"),
        gzipped: false,
        release: "2017",
        title: "Bilateral Remittance Estimates for 2017",
    },
    Bundled {
        kind: DatasetKind::Ims,
        file_name: "undesa-ims-2024-table1-countries.csv",
        bytes: include_bytes!("../../../data/evidence/undesa-ims-2024-table1-countries.csv.gz"),
        gzipped: true,
        release: "2024",
        title: "International Migrant Stock 2024, Table 1 (country rows)",
    },
    Bundled {
        kind: DatasetKind::RpwCorridors,
        file_name: "wb-rpw-corridor-average-2011q1-2020q3.csv",
        bytes: include_bytes!(
            "../../../data/evidence/wb-rpw-corridor-average-2011q1-2020q3.csv.gz"
        ),
        gzipped: true,
        release: "2020-Q3",
        title: "Remittance Prices Worldwide (corridors), 2011 Q1 to 2020 Q3",
    },
    Bundled {
        kind: DatasetKind::Mmp,
        file_name: "iom-mmp-incidents-2014-2020.csv",
        bytes: include_bytes!("../../../data/evidence/iom-mmp-incidents-2014-2020.csv.gz"),
        gzipped: true,
        release: "2020-01-08",
        title: "Missing Migrants Project: incidents 2014-2020 (export of 8 January 2020)",
    },
];

/// Imports each bundled data set whose kind has no data set yet: a fresh instance shows real
/// figures, and an operator's own imports are never overwritten.
///
/// Servers starting together on one database take turns (`Store::lock_bundled_load`): the
/// first loads, the others then find every kind loaded. Should an import fail all the same,
/// a kind that another server has loaded meanwhile counts as loaded.
pub async fn load_bundled(store: &Store) -> anyhow::Result<()> {
    let lock = store.lock_bundled_load().await?;
    let loaded = load_bundled_locked(store).await;
    lock.release().await?;
    loaded
}

async fn load_bundled_locked(store: &Store) -> anyhow::Result<()> {
    let (mut loaded, mut present) = (0, 0);
    for bundled in &BUNDLED {
        if store.latest_dataset(bundled.kind).await?.is_some() {
            present += 1;
            continue;
        }
        let bytes = if bundled.gzipped {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(bundled.bytes)
                .read_to_end(&mut out)
                .with_context(|| format!("the bundled {} is damaged", bundled.file_name))?;
            out
        } else {
            bundled.bytes.to_vec()
        };
        let size = bytes.len() as u64;
        let mut source: Box<dyn Source> = Box::new(Cursor::new(bytes));
        let sha256 = sha256_of(&mut *source)?;
        let mut provenance = default_provenance(bundled.kind);
        provenance.title = bundled.title.to_owned();
        let outcome = import(
            store,
            &AuditContext::system(),
            Request {
                kind: bundled.kind,
                file_name: bundled.file_name.to_owned(),
                release: Some(bundled.release.to_owned()),
                sheet: None,
                provenance,
                bundled: true,
                max_shrink: 0.0,
                allow_shrink: true,
            },
            source,
            size,
            sha256,
            &ProgressBar::hidden(),
        )
        .await;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            // Another server got there first (a database without the lock's help).
            Err(_) if store.latest_dataset(bundled.kind).await?.is_some() => {
                tracing::info!(
                    kind = bundled.kind.slug(),
                    "another server loaded this bundled data set"
                );
                present += 1;
                continue;
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("cannot load the bundled {}", bundled.file_name))
            }
        };
        if let Some(o) = outcome {
            loaded += 1;
            tracing::info!(
                dataset = %o.dataset.key(),
                records = o.dataset.records,
                rejected = o.dataset.rejected,
                seconds = o.seconds,
                "loaded a bundled data set"
            );
        } else {
            present += 1;
        }
    }
    tracing::info!(
        loaded,
        present,
        "the bundled data sets are in place ({loaded} loaded now, {present} there already)"
    );
    Ok(())
}
