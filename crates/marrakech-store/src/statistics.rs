//! The evidence base's data sets: their releases and rows (observations, RPW provider prices,
//! Missing Migrants incidents).
//!
//! An import is one transaction ([`Store::begin_dataset_import`] ... [`DatasetImport::finish`]):
//! the release it replaces stays intact and queryable until the new one commits, and an import
//! that fails or is dropped halfway changes nothing. Rows go in as the importer streams them,
//! in multi-row inserts, so a file never has to fit in memory as SQL.

use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{append, AuditContext};
use crate::{now_text, Store, StoreError};

/// What a data set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// UN DESA International Migrant Stock (observations).
    Ims,
    /// World Bank Remittance Prices Worldwide, provider level (prices).
    Rpw,
    /// World Bank DataBank corridor averages (observations).
    RpwCorridors,
    /// IOM Missing Migrants Project (incidents).
    Mmp,
    /// Any SDMX-CSV file (observations).
    Sdmx,
    /// Bilateral remittance flows, the weights of the volume-weighted average (observations).
    RemittanceFlows,
}

impl DatasetKind {
    pub const ALL: [DatasetKind; 6] = [
        DatasetKind::Ims,
        DatasetKind::Rpw,
        DatasetKind::RpwCorridors,
        DatasetKind::Mmp,
        DatasetKind::Sdmx,
        DatasetKind::RemittanceFlows,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            DatasetKind::Ims => "ims",
            DatasetKind::Rpw => "rpw",
            DatasetKind::RpwCorridors => "rpw-corridors",
            DatasetKind::Mmp => "mmp",
            DatasetKind::Sdmx => "sdmx",
            DatasetKind::RemittanceFlows => "remittance-flows",
        }
    }

    pub fn parse(s: &str) -> Option<DatasetKind> {
        DatasetKind::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// A release to import, with its provenance. Its release (`2024`, `2020-Q3`, `2020-01-08`:
/// releases of one kind sort in time order as text) is often known only once the whole file
/// is read, so it is given to [`DatasetImport::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDataset {
    pub kind: DatasetKind,
    pub title: String,
    pub source: String,
    pub licence: String,
    pub url: Option<String>,
    /// The line a page or an API answer shows under what it takes from the data set.
    pub attribution: String,
    pub file_name: String,
    pub file_sha256: String,
    /// For SDMX-CSV: the structure and its dimensions, as JSON.
    pub structure: Option<String>,
    /// Loaded from the data bundled with the platform rather than by an operator.
    pub bundled: bool,
}

/// A data set's key in URLs: its kind and release (`ims-2024`, `rpw-corridors-2020-q3`), the
/// same for the same release on every instance.
pub fn dataset_key(kind: DatasetKind, release: &str) -> String {
    let release: String = release
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{}", kind.slug(), release.trim_matches('-'))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dataset {
    pub id: String,
    pub kind: DatasetKind,
    pub release: String,
    pub title: String,
    pub source: String,
    pub licence: String,
    pub url: Option<String>,
    pub attribution: String,
    pub file_name: String,
    pub file_sha256: String,
    pub structure: Option<String>,
    pub rows_read: u64,
    pub records: u64,
    pub rejected: u64,
    pub bundled: bool,
    pub imported_at: String,
}

impl Dataset {
    /// `ims-2024`: see [`dataset_key`].
    pub fn key(&self) -> String {
        dataset_key(self.kind, &self.release)
    }
}

/// What an importer counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub rows_read: u64,
    pub records: u64,
    pub rejected: u64,
}

/// One observation. Codes follow SDMX: `_T` total, `_Z` not applicable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationRow {
    pub indicator: String,
    pub ref_area: String,
    pub counterpart_area: String,
    pub time_period: String,
    pub sex: String,
    pub age: String,
    pub migration_status: String,
    pub unit_measure: Option<String>,
    pub obs_status: Option<String>,
    pub value: Option<f64>,
    pub value_text: Option<String>,
    /// Other dimensions and attributes, as a JSON object.
    pub extra: Option<String>,
    /// With the dimensions above, what identifies the observation in its data set (the store
    /// refuses a second one): empty where those dimensions are the whole key (migrant stock,
    /// corridor averages, flows); for SDMX-CSV, the dataflow and every dimension of the
    /// series, since a file may have dimensions without a column of their own.
    pub series_key: String,
}

impl ObservationRow {
    /// An observation of `indicator` with every other dimension at its default.
    pub fn new(indicator: &str, ref_area: &str, time_period: &str, value: Option<f64>) -> Self {
        ObservationRow {
            indicator: indicator.to_owned(),
            ref_area: ref_area.to_owned(),
            counterpart_area: "_Z".to_owned(),
            time_period: time_period.to_owned(),
            sex: "_T".to_owned(),
            age: "_T".to_owned(),
            migration_status: "_Z".to_owned(),
            unit_measure: None,
            obs_status: None,
            value,
            value_text: None,
            extra: None,
            series_key: String::new(),
        }
    }
}

/// Dimension filters on observations; `None` leaves a dimension free.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservationFilter {
    pub indicator: Option<String>,
    pub ref_area: Option<String>,
    pub counterpart_area: Option<String>,
    pub time_period: Option<String>,
    pub sex: Option<String>,
    pub age: Option<String>,
    pub migration_status: Option<String>,
}

impl ObservationFilter {
    /// Each filter with the column it tests; the column names are fixed here, never input.
    fn columns(&self) -> [(&'static str, Option<&str>); 7] {
        [
            ("indicator", self.indicator.as_deref()),
            ("ref_area", self.ref_area.as_deref()),
            ("counterpart_area", self.counterpart_area.as_deref()),
            ("time_period", self.time_period.as_deref()),
            ("sex", self.sex.as_deref()),
            ("age", self.age.as_deref()),
            ("migration_status", self.migration_status.as_deref()),
        ]
    }
}

fn observation_row(r: &AnyRow) -> Result<ObservationRow, sqlx::Error> {
    Ok(ObservationRow {
        indicator: r.try_get("indicator")?,
        ref_area: r.try_get("ref_area")?,
        counterpart_area: r.try_get("counterpart_area")?,
        time_period: r.try_get("time_period")?,
        sex: r.try_get("sex")?,
        age: r.try_get("age")?,
        migration_status: r.try_get("migration_status")?,
        unit_measure: r.try_get("unit_measure")?,
        obs_status: r.try_get("obs_status")?,
        value: r.try_get("value")?,
        value_text: r.try_get("value_text")?,
        extra: r.try_get("extra")?,
        series_key: r.try_get("series_key")?,
    })
}

/// One RPW service in one corridor and quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    pub line: u64,
    /// What identifies the row in its data set (the store refuses a second one): the
    /// evidence crate's `RpwRecord::key`.
    pub key: String,
    /// `2020-Q3`
    pub period: String,
    pub source_iso3: String,
    pub destination_iso3: String,
    pub firm: String,
    pub firm_type: Option<String>,
    pub instrument: Option<String>,
    pub access_point: Option<String>,
    pub speed: Option<String>,
    pub pickup_method: Option<String>,
    /// RPW's `receiving network coverage`.
    pub network_coverage: Option<String>,
    pub lcu_code: Option<String>,
    pub cc1_fee: Option<f64>,
    pub cc1_fx_margin: Option<f64>,
    pub cc1_total: Option<f64>,
    pub cc2_fee: Option<f64>,
    pub cc2_fx_margin: Option<f64>,
    pub cc2_total: Option<f64>,
    pub transparent: Option<bool>,
}

/// One Missing Migrants incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentRow {
    pub line: u64,
    pub incident_id: String,
    pub main_id: Option<String>,
    pub incident_type: Option<String>,
    pub region: String,
    pub region_presumed: bool,
    /// `YYYY-MM-DD`
    pub incident_date: Option<String>,
    pub year: i64,
    pub month: Option<i64>,
    pub dead: Option<i64>,
    pub missing: Option<i64>,
    pub total: Option<i64>,
    pub survivors: Option<i64>,
    pub females: Option<i64>,
    pub males: Option<i64>,
    pub children: Option<i64>,
    /// Several, separated by `; `.
    pub origin_countries: Option<String>,
    /// Several, separated by `; `, each presumed one ending in ` (P)`.
    pub origin_regions: Option<String>,
    pub cause_of_death: Option<String>,
    pub country_of_incident: Option<String>,
    pub route: Option<String>,
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub unsd_grouping: Option<String>,
    pub information_source: Option<String>,
    pub url: Option<String>,
    pub source_quality: Option<i64>,
}

/// A value bound into a multi-row insert.
enum Bind {
    Text(Option<String>),
    Real(Option<f64>),
    Int(Option<i64>),
}

/// Rows per `INSERT`: well under SQLite's 32,766 parameters for the widest table.
const ROWS_PER_INSERT: usize = 20;

/// An import in progress: one open write transaction. Dropping it rolls back.
pub struct DatasetImport {
    tx: Transaction<'static, Any>,
    /// For the planner statistics refreshed after the commit.
    pool: sqlx::AnyPool,
    dataset: NewDataset,
    id: String,
    /// Set by [`DatasetImport::rename_same_file`].
    rename_same_file: bool,
}

/// What [`DatasetImport::finish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub dataset: Dataset,
    /// An earlier import of the same release was replaced.
    pub replaced: bool,
    /// The releases under which this very file (same kind, same checksum) had been imported
    /// before: importing it under another name renames it, so they are gone.
    pub renamed_from: Vec<String>,
}

/// What a stored release covers, to compare a new release with before it replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub records: u64,
    /// The areas it has figures for (countries, by the codes the data set uses).
    pub areas: std::collections::BTreeSet<String>,
    /// The years it has figures for.
    pub years: std::collections::BTreeSet<String>,
}

/// Serialises the loading of the bundled data sets between servers that start together on
/// one database (see [`Store::lock_bundled_load`]); [`BundledLoadLock::release`] ends it.
pub struct BundledLoadLock {
    conn: Option<sqlx::pool::PoolConnection<Any>>,
}

/// The key of PostgreSQL's advisory lock around loading the bundled data sets ("MRKB").
const BUNDLED_LOAD_LOCK: i64 = 0x4d52_4b42;

impl BundledLoadLock {
    pub async fn release(mut self) -> Result<(), StoreError> {
        if let Some(mut conn) = self.conn.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(BUNDLED_LOAD_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

impl Drop for BundledLoadLock {
    fn drop(&mut self) {
        // Not released (an error on the way): close the session, which ends its lock.
        if let Some(conn) = self.conn.take() {
            drop(conn.detach());
        }
    }
}

const DATASET_COLUMNS: &str = "id, kind, release, title, source, licence, url, attribution, \
     file_name, file_sha256, structure, rows_read, records, rejected, bundled, imported_at";

fn dataset_from_row(row: &AnyRow) -> Result<Dataset, StoreError> {
    let kind: String = row.try_get("kind")?;
    let count = |name: &str| -> Result<u64, sqlx::Error> {
        row.try_get::<i64, _>(name).map(|n| n.max(0) as u64)
    };
    Ok(Dataset {
        id: row.try_get("id")?,
        kind: DatasetKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
            what: "data set kind",
            value: kind.clone(),
        })?,
        release: row.try_get("release")?,
        title: row.try_get("title")?,
        source: row.try_get("source")?,
        licence: row.try_get("licence")?,
        url: row.try_get("url")?,
        attribution: row.try_get("attribution")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        structure: row.try_get("structure")?,
        rows_read: count("rows_read")?,
        records: count("records")?,
        rejected: count("rejected")?,
        bundled: row.try_get::<i64, _>("bundled")? == 1,
        imported_at: row.try_get("imported_at")?,
    })
}

impl Store {
    /// Waits until no other server is loading the bundled data sets, then holds that right
    /// until the lock is released: on PostgreSQL a session advisory lock on a connection of
    /// its own; on SQLite nothing is needed, since an import's `BEGIN IMMEDIATE` transaction
    /// already excludes every other writer and the check that the kind is still empty runs
    /// before it (see the caller).
    pub async fn lock_bundled_load(&self) -> Result<BundledLoadLock, StoreError> {
        match self.backend() {
            crate::Backend::Sqlite => Ok(BundledLoadLock { conn: None }),
            crate::Backend::Postgres => {
                let mut conn = self.pool().acquire().await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(BUNDLED_LOAD_LOCK)
                    .execute(&mut *conn)
                    .await?;
                Ok(BundledLoadLock { conn: Some(conn) })
            }
        }
    }

    /// Every release of `kind`, newest first.
    pub async fn datasets_of(&self, kind: DatasetKind) -> Result<Vec<Dataset>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset WHERE kind = $1 ORDER BY release DESC"
        ))
        .bind(kind.slug().to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(dataset_from_row).collect()
    }

    /// What a stored release covers: its records, areas and years. Areas are the countries
    /// at either end (destination and origin, sending and receiving; the country of incident
    /// for Missing Migrants, whose regions are named differently from one layout to the
    /// next); years are the first four characters of each period.
    pub async fn coverage(&self, dataset: &Dataset) -> Result<Coverage, StoreError> {
        let (areas_sql, years_sql) = match dataset.kind {
            DatasetKind::Rpw => (
                "SELECT source_iso3 AS a FROM rpw_price WHERE dataset_id = $1 \
                 UNION SELECT destination_iso3 FROM rpw_price WHERE dataset_id = $1",
                "SELECT DISTINCT SUBSTR(period, 1, 4) AS y FROM rpw_price WHERE dataset_id = $1",
            ),
            DatasetKind::Mmp => (
                "SELECT DISTINCT country_of_incident AS a FROM mmp_incident \
                 WHERE dataset_id = $1 AND country_of_incident IS NOT NULL",
                "SELECT DISTINCT CAST(year AS TEXT) AS y FROM mmp_incident WHERE dataset_id = $1",
            ),
            _ => (
                "SELECT ref_area AS a FROM stat_observation WHERE dataset_id = $1 \
                 UNION SELECT counterpart_area FROM stat_observation WHERE dataset_id = $1",
                "SELECT DISTINCT SUBSTR(time_period, 1, 4) AS y FROM stat_observation \
                 WHERE dataset_id = $1",
            ),
        };
        let column = |sql: &'static str, name: &'static str| {
            let id = dataset.id.clone();
            async move {
                sqlx::query(sql)
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
                    .iter()
                    .map(|r| r.try_get::<String, _>(name))
                    .collect::<Result<std::collections::BTreeSet<String>, sqlx::Error>>()
            }
        };
        // SDMX's "not applicable" and "total" codes (`_Z`, `_T`) are no area and no year.
        let mut areas = column(areas_sql, "a").await?;
        areas.retain(|a| !a.starts_with('_'));
        let mut years = column(years_sql, "y").await?;
        years.retain(|y| !y.starts_with('_'));
        Ok(Coverage {
            records: dataset.records,
            areas,
            years,
        })
    }

    /// The data set of `kind` already imported from exactly this file, if any: importing it
    /// again would change nothing.
    pub async fn same_dataset(
        &self,
        kind: DatasetKind,
        file_sha256: &str,
    ) -> Result<Option<Dataset>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset WHERE kind = $1 AND file_sha256 = $2"
        ))
        .bind(kind.slug().to_owned())
        .bind(file_sha256.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(dataset_from_row).transpose()
    }

    /// Opens the import of a release: a write transaction, invisible to readers until it
    /// commits. [`DatasetImport::finish`] names the release and replaces any earlier import of
    /// it.
    pub async fn begin_dataset_import(
        &self,
        dataset: &NewDataset,
    ) -> Result<DatasetImport, StoreError> {
        let mut tx = self.pool().begin_with(self.backend().begin_write()).await?;
        // The release is written when known (`finish`); until then a placeholder unique to
        // this import keeps (kind, release) unique.
        let id = crate::new_id();
        sqlx::query(&format!(
            "INSERT INTO stat_dataset ({DATASET_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, 0, $12, $13)"
        ))
        .bind(id.clone())
        .bind(dataset.kind.slug().to_owned())
        .bind(id.clone())
        .bind(dataset.title.clone())
        .bind(dataset.source.clone())
        .bind(dataset.licence.clone())
        .bind(dataset.url.clone())
        .bind(dataset.attribution.clone())
        .bind(dataset.file_name.clone())
        .bind(dataset.file_sha256.clone())
        .bind(dataset.structure.clone())
        .bind(i64::from(dataset.bundled))
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        Ok(DatasetImport {
            tx,
            pool: self.pool().clone(),
            dataset: dataset.clone(),
            id,
            rename_same_file: false,
        })
    }

    pub async fn datasets(&self) -> Result<Vec<Dataset>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset ORDER BY kind, release DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(dataset_from_row).collect()
    }

    pub async fn dataset(&self, id: &str) -> Result<Option<Dataset>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset WHERE id = $1"
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(dataset_from_row).transpose()
    }

    /// The newest release of `kind`.
    pub async fn latest_dataset(&self, kind: DatasetKind) -> Result<Option<Dataset>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset WHERE kind = $1 ORDER BY release DESC LIMIT 1"
        ))
        .bind(kind.slug().to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(dataset_from_row).transpose()
    }

    /// Changes whenever a data set is imported, replaced or removed: caches of derived figures
    /// compare it to know they are stale.
    pub async fn statistics_version(&self) -> Result<String, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(imported_at), '') AS latest FROM stat_dataset",
        )
        .fetch_one(self.pool())
        .await?;
        let n: i64 = row.try_get("n")?;
        let latest: String = row.try_get("latest")?;
        Ok(format!("{n}/{latest}"))
    }

    pub async fn observations_of(
        &self,
        dataset_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator, ref_area, counterpart_area, time_period, sex, age, migration_status, \
             unit_measure, obs_status, value, value_text, extra, series_key FROM stat_observation \
             WHERE dataset_id = $1",
        )
        .bind(dataset_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(observation_row)
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// A page of a data set's observations matching every dimension filter given, in a
    /// stable order (indicator, area, counterpart, period, sex, age, status), and how many
    /// match in all.
    pub async fn observations_matching(
        &self,
        dataset_id: &str,
        filter: &ObservationFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<ObservationRow>, u64), StoreError> {
        let mut conditions = vec!["dataset_id = $1".to_owned()];
        let mut binds = vec![dataset_id.to_owned()];
        for (column, value) in filter.columns() {
            if let Some(v) = value {
                binds.push(v.to_owned());
                conditions.push(format!("{column} = ${}", binds.len()));
            }
        }
        let condition = conditions.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM stat_observation WHERE {condition}");
        let mut count = sqlx::query(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        let page_sql = format!(
            "SELECT indicator, ref_area, counterpart_area, time_period, sex, age, migration_status, \
             unit_measure, obs_status, value, value_text, extra, series_key FROM stat_observation \
             WHERE {condition} ORDER BY indicator, ref_area, counterpart_area, time_period, sex, \
             age, migration_status, series_key LIMIT {} OFFSET {}",
            limit.min(i64::MAX as usize),
            offset.min(i64::MAX as usize)
        );
        let mut page = sqlx::query(&page_sql);
        for b in &binds {
            page = page.bind(b.clone());
        }
        let rows = page.fetch_all(self.pool()).await?;
        let rows = rows
            .iter()
            .map(observation_row)
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    pub async fn prices_of(&self, dataset_id: &str) -> Result<Vec<PriceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT line, row_key, period, source_iso3, destination_iso3, firm, firm_type, instrument, \
             access_point, speed, pickup_method, network_coverage, lcu_code, cc1_fee, cc1_fx_margin, cc1_total, \
             cc2_fee, cc2_fx_margin, cc2_total, transparent FROM rpw_price WHERE dataset_id = $1 \
             ORDER BY line",
        )
        .bind(dataset_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let line: i64 = r.try_get("line")?;
                let transparent: Option<i64> = r.try_get("transparent")?;
                Ok(PriceRow {
                    line: line.max(0) as u64,
                    key: r.try_get("row_key")?,
                    period: r.try_get("period")?,
                    source_iso3: r.try_get("source_iso3")?,
                    destination_iso3: r.try_get("destination_iso3")?,
                    firm: r.try_get("firm")?,
                    firm_type: r.try_get("firm_type")?,
                    instrument: r.try_get("instrument")?,
                    access_point: r.try_get("access_point")?,
                    speed: r.try_get("speed")?,
                    pickup_method: r.try_get("pickup_method")?,
                    network_coverage: r.try_get("network_coverage")?,
                    lcu_code: r.try_get("lcu_code")?,
                    cc1_fee: r.try_get("cc1_fee")?,
                    cc1_fx_margin: r.try_get("cc1_fx_margin")?,
                    cc1_total: r.try_get("cc1_total")?,
                    cc2_fee: r.try_get("cc2_fee")?,
                    cc2_fx_margin: r.try_get("cc2_fx_margin")?,
                    cc2_total: r.try_get("cc2_total")?,
                    transparent: transparent.map(|t| t == 1),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    pub async fn incidents_of(&self, dataset_id: &str) -> Result<Vec<IncidentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT line, incident_id, main_id, incident_type, region, region_presumed, \
             incident_date, year, month, dead, missing, total, survivors, females, males, children, \
             origin_countries, origin_regions, cause_of_death, country_of_incident, route, location, \
             latitude, longitude, unsd_grouping, information_source, url, source_quality \
             FROM mmp_incident WHERE dataset_id = $1 ORDER BY line",
        )
        .bind(dataset_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let line: i64 = r.try_get("line")?;
                Ok(IncidentRow {
                    line: line.max(0) as u64,
                    incident_id: r.try_get("incident_id")?,
                    main_id: r.try_get("main_id")?,
                    incident_type: r.try_get("incident_type")?,
                    region: r.try_get("region")?,
                    region_presumed: r.try_get::<i64, _>("region_presumed")? == 1,
                    incident_date: r.try_get("incident_date")?,
                    year: r.try_get("year")?,
                    month: r.try_get("month")?,
                    dead: r.try_get("dead")?,
                    missing: r.try_get("missing")?,
                    total: r.try_get("total")?,
                    survivors: r.try_get("survivors")?,
                    females: r.try_get("females")?,
                    males: r.try_get("males")?,
                    children: r.try_get("children")?,
                    origin_countries: r.try_get("origin_countries")?,
                    origin_regions: r.try_get("origin_regions")?,
                    cause_of_death: r.try_get("cause_of_death")?,
                    country_of_incident: r.try_get("country_of_incident")?,
                    route: r.try_get("route")?,
                    location: r.try_get("location")?,
                    latitude: r.try_get("latitude")?,
                    longitude: r.try_get("longitude")?,
                    unsd_grouping: r.try_get("unsd_grouping")?,
                    information_source: r.try_get("information_source")?,
                    url: r.try_get("url")?,
                    source_quality: r.try_get("source_quality")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

impl DatasetImport {
    /// Makes this import a rename: on [`DatasetImport::finish`], releases of the same kind
    /// imported from the same file (same checksum) under another name are removed, so the file
    /// is stored once, under the name given now.
    pub fn rename_same_file(&mut self) {
        self.rename_same_file = true;
    }

    /// Records the structure an SDMX-CSV file was read with (known once it is read).
    pub async fn set_structure(&mut self, structure: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE stat_dataset SET structure = $1 WHERE id = $2")
            .bind(structure.to_owned())
            .bind(self.id.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Bind>>,
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let width = columns.len() + 1;
            let mut sql = format!(
                "INSERT INTO {table} (dataset_id, {}) VALUES ",
                columns.join(", ")
            );
            for (r, _) in chunk.iter().enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${}", r * width + c + 1));
                }
                sql.push(')');
            }
            let mut query = sqlx::query(&sql);
            for row in chunk {
                query = query.bind(self.id.clone());
                for value in row {
                    query = match value {
                        Bind::Text(v) => query.bind(v.clone()),
                        Bind::Real(v) => query.bind(*v),
                        Bind::Int(v) => query.bind(*v),
                    };
                }
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn observations(&mut self, rows: &[ObservationRow]) -> Result<(), StoreError> {
        let binds = rows
            .iter()
            .map(|o| {
                vec![
                    Bind::Text(Some(o.indicator.clone())),
                    Bind::Text(Some(o.ref_area.clone())),
                    Bind::Text(Some(o.counterpart_area.clone())),
                    Bind::Text(Some(o.time_period.clone())),
                    Bind::Text(Some(o.sex.clone())),
                    Bind::Text(Some(o.age.clone())),
                    Bind::Text(Some(o.migration_status.clone())),
                    Bind::Text(o.unit_measure.clone()),
                    Bind::Text(o.obs_status.clone()),
                    Bind::Real(o.value),
                    Bind::Text(o.value_text.clone()),
                    Bind::Text(o.extra.clone()),
                    Bind::Text(Some(o.series_key.clone())),
                ]
            })
            .collect();
        self.insert(
            "stat_observation",
            &[
                "indicator",
                "ref_area",
                "counterpart_area",
                "time_period",
                "sex",
                "age",
                "migration_status",
                "unit_measure",
                "obs_status",
                "value",
                "value_text",
                "extra",
                "series_key",
            ],
            binds,
        )
        .await
    }

    pub async fn prices(&mut self, rows: &[PriceRow]) -> Result<(), StoreError> {
        let binds = rows
            .iter()
            .map(|p| {
                vec![
                    Bind::Int(Some(p.line as i64)),
                    Bind::Text(Some(p.key.clone())),
                    Bind::Text(Some(p.period.clone())),
                    Bind::Text(Some(p.source_iso3.clone())),
                    Bind::Text(Some(p.destination_iso3.clone())),
                    Bind::Text(Some(p.firm.clone())),
                    Bind::Text(p.firm_type.clone()),
                    Bind::Text(p.instrument.clone()),
                    Bind::Text(p.access_point.clone()),
                    Bind::Text(p.speed.clone()),
                    Bind::Text(p.pickup_method.clone()),
                    Bind::Text(p.network_coverage.clone()),
                    Bind::Text(p.lcu_code.clone()),
                    Bind::Real(p.cc1_fee),
                    Bind::Real(p.cc1_fx_margin),
                    Bind::Real(p.cc1_total),
                    Bind::Real(p.cc2_fee),
                    Bind::Real(p.cc2_fx_margin),
                    Bind::Real(p.cc2_total),
                    Bind::Int(p.transparent.map(i64::from)),
                ]
            })
            .collect();
        self.insert(
            "rpw_price",
            &[
                "line",
                "row_key",
                "period",
                "source_iso3",
                "destination_iso3",
                "firm",
                "firm_type",
                "instrument",
                "access_point",
                "speed",
                "pickup_method",
                "network_coverage",
                "lcu_code",
                "cc1_fee",
                "cc1_fx_margin",
                "cc1_total",
                "cc2_fee",
                "cc2_fx_margin",
                "cc2_total",
                "transparent",
            ],
            binds,
        )
        .await
    }

    pub async fn incidents(&mut self, rows: &[IncidentRow]) -> Result<(), StoreError> {
        let binds = rows
            .iter()
            .map(|i| {
                vec![
                    Bind::Int(Some(i.line as i64)),
                    Bind::Text(Some(i.incident_id.clone())),
                    Bind::Text(i.main_id.clone()),
                    Bind::Text(i.incident_type.clone()),
                    Bind::Text(Some(i.region.clone())),
                    Bind::Int(Some(i64::from(i.region_presumed))),
                    Bind::Text(i.incident_date.clone()),
                    Bind::Int(Some(i.year)),
                    Bind::Int(i.month),
                    Bind::Int(i.dead),
                    Bind::Int(i.missing),
                    Bind::Int(i.total),
                    Bind::Int(i.survivors),
                    Bind::Int(i.females),
                    Bind::Int(i.males),
                    Bind::Int(i.children),
                    Bind::Text(i.origin_countries.clone()),
                    Bind::Text(i.origin_regions.clone()),
                    Bind::Text(i.cause_of_death.clone()),
                    Bind::Text(i.country_of_incident.clone()),
                    Bind::Text(i.route.clone()),
                    Bind::Text(i.location.clone()),
                    Bind::Real(i.latitude),
                    Bind::Real(i.longitude),
                    Bind::Text(i.unsd_grouping.clone()),
                    Bind::Text(i.information_source.clone()),
                    Bind::Text(i.url.clone()),
                    Bind::Int(i.source_quality),
                ]
            })
            .collect();
        self.insert(
            "mmp_incident",
            &[
                "line",
                "incident_id",
                "main_id",
                "incident_type",
                "region",
                "region_presumed",
                "incident_date",
                "year",
                "month",
                "dead",
                "missing",
                "total",
                "survivors",
                "females",
                "males",
                "children",
                "origin_countries",
                "origin_regions",
                "cause_of_death",
                "country_of_incident",
                "route",
                "location",
                "latitude",
                "longitude",
                "unsd_grouping",
                "information_source",
                "url",
                "source_quality",
            ],
            binds,
        )
        .await
    }

    /// Names the release, removes any earlier import of it, records the counts and the audit
    /// entry, and commits: the new release becomes visible, and the one it replaces is gone, at
    /// the same instant.
    pub async fn finish(
        mut self,
        ctx: &AuditContext,
        release: &str,
        counts: ImportCounts,
    ) -> Result<Imported, StoreError> {
        let kind = self.dataset.kind;
        // The same file under another release: the operator renames it.
        let renamed_from: Vec<String> = if !self.rename_same_file {
            Vec::new()
        } else {
            sqlx::query(
                "SELECT release FROM stat_dataset WHERE kind = $1 AND file_sha256 = $2 \
             AND release <> $3 AND id <> $4",
            )
            .bind(kind.slug().to_owned())
            .bind(self.dataset.file_sha256.clone())
            .bind(release.to_owned())
            .bind(self.id.clone())
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("release"))
            .collect::<Result<_, sqlx::Error>>()?
        };
        if !renamed_from.is_empty() {
            sqlx::query(
                "DELETE FROM stat_dataset WHERE kind = $1 AND file_sha256 = $2 \
                 AND release <> $3 AND id <> $4",
            )
            .bind(kind.slug().to_owned())
            .bind(self.dataset.file_sha256.clone())
            .bind(release.to_owned())
            .bind(self.id.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        let replaced =
            sqlx::query("DELETE FROM stat_dataset WHERE kind = $1 AND release = $2 AND id <> $3")
                .bind(kind.slug().to_owned())
                .bind(release.to_owned())
                .bind(self.id.clone())
                .execute(&mut *self.tx)
                .await?
                .rows_affected()
                > 0;
        sqlx::query(
            "UPDATE stat_dataset SET release = $1, rows_read = $2, records = $3, rejected = $4 WHERE id = $5",
        )
        .bind(release.to_owned())
        .bind(counts.rows_read as i64)
        .bind(counts.records as i64)
        .bind(counts.rejected as i64)
        .bind(self.id.clone())
        .execute(&mut *self.tx)
        .await?;
        let final_id = self.id.clone();
        append(
            &mut self.tx,
            ctx,
            "statistics.import",
            Some(("dataset", &final_id)),
            json!({
                "kind": kind.slug(),
                "release": release,
                "file": self.dataset.file_name,
                "sha256": self.dataset.file_sha256,
                "rows_read": counts.rows_read,
                "records": counts.records,
                "rejected": counts.rejected,
                "replaced": replaced,
                "renamed_from": renamed_from,
                "bundled": self.dataset.bundled,
            }),
        )
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {DATASET_COLUMNS} FROM stat_dataset WHERE id = $1"
        ))
        .bind(final_id)
        .fetch_one(&mut *self.tx)
        .await?;
        let dataset = dataset_from_row(&row)?;
        self.tx.commit().await?;
        // Fresh planner statistics, so that a query by area uses an index rather than
        // reading the whole data set (SQLite has none until asked). Failing to refresh them
        // only costs speed, so it does not fail the import.
        let _ = sqlx::query("ANALYZE stat_observation")
            .execute(&self.pool)
            .await;
        Ok(Imported {
            dataset,
            replaced,
            renamed_from,
        })
    }
}
