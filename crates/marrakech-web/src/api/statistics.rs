//! `/api/v1/statistics/...`: the evidence base's data sets, their observations filtered by
//! dimension, and the computed series (migrant stock, SDG 10.c.1 remittance costs, corridors
//! against 5 %, providers compared, dead and missing migrants). Every answer is JSON, or CSV
//! with `format=csv` / `Accept: text/csv`; the evidence pages link their CSV downloads here,
//! so a download holds exactly the figures the chart drew.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::countries::{Reference, M49};
use marrakech_evidence::codes::{Corridor, Iso3, Quarter};
use marrakech_evidence::stock::{Area, Direction};
use marrakech_store::statistics::{Dataset, ObservationFilter, ObservationRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::List;
use super::MAX_PAGE_SIZE;
use crate::csv_out::{csv_response, opt};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::evidence::figures::{self, IncidentFilter, MissingBy, SourceLine};
use crate::evidence::Snapshot;
use crate::params::{Format, Page, Params};
use crate::AppState;

/// A data set as the API describes it: where it comes from, under which licence, and what
/// its import kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetDto {
    /// `{kind}-{release}`, e.g. `ims-2024`.
    pub key: String,
    /// ims, rpw, rpw-corridors, mmp, sdmx or remittance-flows.
    pub kind: String,
    pub release: String,
    pub title: String,
    pub source: String,
    pub licence: String,
    pub url: Option<String>,
    pub attribution: String,
    pub file_name: String,
    pub file_sha256: String,
    pub rows_read: u64,
    pub records: u64,
    pub rejected: u64,
    /// Shipped with Marrakech and loaded at first start.
    pub bundled: bool,
    pub imported_at: String,
}

impl From<&Dataset> for DatasetDto {
    fn from(d: &Dataset) -> DatasetDto {
        DatasetDto {
            key: d.key(),
            kind: d.kind.slug().to_owned(),
            release: d.release.clone(),
            title: d.title.clone(),
            source: d.source.clone(),
            licence: d.licence.clone(),
            url: d.url.clone(),
            attribution: d.attribution.clone(),
            file_name: d.file_name.clone(),
            file_sha256: d.file_sha256.clone(),
            rows_read: d.rows_read,
            records: d.records,
            rejected: d.rejected,
            bundled: d.bundled,
            imported_at: d.imported_at.clone(),
        }
    }
}

const DATASET_CSV_HEADER: [&str; 13] = [
    "key",
    "kind",
    "release",
    "title",
    "source",
    "licence",
    "url",
    "attribution",
    "rows_read",
    "records",
    "rejected",
    "bundled",
    "imported_at",
];

fn dataset_csv_row(d: &DatasetDto) -> Vec<String> {
    vec![
        d.key.clone(),
        d.kind.clone(),
        d.release.clone(),
        d.title.clone(),
        d.source.clone(),
        d.licence.clone(),
        opt(&d.url),
        d.attribution.clone(),
        d.rows_read.to_string(),
        d.records.to_string(),
        d.rejected.to_string(),
        d.bundled.to_string(),
        d.imported_at.clone(),
    ]
}

fn num(v: Option<f64>) -> String {
    v.map(|v| {
        let rounded = (v * 1e6).round() / 1e6;
        rounded.to_string()
    })
    .unwrap_or_default()
}

/// The answer in the negotiated format: `value` as JSON, or the CSV rows `csv` makes of it
/// (computed only when CSV is asked for).
fn json_or_csv<T: Serialize>(
    format: Format,
    value: T,
    filename: &str,
    header: &[&str],
    csv: impl FnOnce(&T) -> Vec<Vec<String>>,
) -> ApiResult<Response> {
    match format {
        Format::Json => Ok(Json(value).into_response()),
        Format::Csv => Ok(csv_response(filename, header, csv(&value))?),
    }
}

async fn snapshot(state: &AppState) -> ApiResult<std::sync::Arc<Snapshot>> {
    Ok(state.evidence.snapshot(&state.store).await?)
}

fn no_data(what: &'static str) -> AppError {
    AppError::not_found(
        "data set",
        what,
        Some("nothing of this kind is imported; see /api/v1/statistics/datasets"),
    )
}

/// The data sets of the evidence base, newest import first.
#[utoipa::path(
    get, path = "/api/v1/statistics/datasets", tag = "statistics",
    params(("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "Every imported release", body = List<DatasetDto>))
)]
pub async fn datasets(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let items: Vec<DatasetDto> = state
        .store
        .datasets()
        .await?
        .iter()
        .map(DatasetDto::from)
        .collect();
    let total = items.len();
    super::respond(
        format,
        List {
            items,
            total,
            limit: None,
            next_cursor: None,
        },
        "datasets.csv",
        &DATASET_CSV_HEADER,
        dataset_csv_row,
    )
}

async fn dataset_by_key(state: &AppState, key: &str) -> Result<Dataset, AppError> {
    state
        .store
        .datasets()
        .await?
        .into_iter()
        .find(|d| d.key() == key)
        .ok_or_else(|| {
            AppError::not_found(
                "data set",
                key,
                Some("keys are {kind}-{release}, e.g. ims-2024; see /api/v1/statistics/datasets"),
            )
        })
}

/// One data set.
#[utoipa::path(
    get, path = "/api/v1/statistics/datasets/{key}", tag = "statistics",
    params(("key" = String, Path, description = "The data set's key, e.g. ims-2024")),
    responses(
        (status = 200, description = "The data set", body = DatasetDto),
        (status = 404, description = "No such data set", body = ErrorBody),
    )
)]
pub async fn dataset(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let d = dataset_by_key(&state, &key).await?;
    Ok(Json(DatasetDto::from(&d)).into_response())
}

const OBSERVATION_CSV_HEADER: [&str; 11] = [
    "INDICATOR",
    "REF_AREA",
    "COUNTERPART_AREA",
    "TIME_PERIOD",
    "SEX",
    "AGE",
    "MIGRATION_STATUS",
    "UNIT_MEASURE",
    "OBS_STATUS",
    "OBS_VALUE",
    "VALUE_TEXT",
];

fn observation_csv_row(o: &ObservationRow) -> Vec<String> {
    vec![
        o.indicator.clone(),
        o.ref_area.clone(),
        o.counterpart_area.clone(),
        o.time_period.clone(),
        o.sex.clone(),
        o.age.clone(),
        o.migration_status.clone(),
        opt(&o.unit_measure),
        opt(&o.obs_status),
        num(o.value),
        opt(&o.value_text),
    ]
}

/// Observations with SDMX-style dimensions, filtered by any of them.
#[utoipa::path(
    get, path = "/api/v1/statistics/datasets/{key}/observations", tag = "statistics",
    params(
        ("key" = String, Path, description = "The data set's key, e.g. ims-2024"),
        ("indicator" = Option<String>, Query, description = "e.g. SM_POP_TOTL (migrant stock)"),
        ("ref_area" = Option<String>, Query, description = "M49 code, e.g. 484"),
        ("counterpart_area" = Option<String>, Query, description = "M49 code of the origin in origin-destination data"),
        ("time_period" = Option<String>, Query, description = "e.g. 2024 or 2020-Q3"),
        ("sex" = Option<String>, Query, description = "_T, M or F"),
        ("age" = Option<String>, Query, description = "an age code, _T for all ages"),
        ("migration_status" = Option<String>, Query, description = "a migration status code"),
        ("limit" = Option<usize>, Query, description = "Page size, 1 to 250, default 100"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv (every matching observation)"),
    ),
    responses(
        (status = 200, description = "A page of observations"),
        (status = 404, description = "No such data set", body = ErrorBody),
    )
)]
pub async fn observations(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let dataset = dataset_by_key(&state, &key).await?;
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = ObservationFilter {
        indicator: params.take("indicator"),
        ref_area: params.take("ref_area"),
        counterpart_area: params.take("counterpart_area"),
        time_period: params.take("time_period"),
        sex: params.take("sex"),
        age: params.take("age"),
        migration_status: params.take("migration_status"),
    };
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    let (limit, offset) = match format {
        Format::Json => (page.limit, page.offset),
        Format::Csv => (usize::MAX >> 2, 0),
    };
    let (rows, total) = state
        .store
        .observations_matching(&dataset.id, &filter, limit, offset)
        .await?;
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Page<'a> {
                dataset: SourceLine,
                items: &'a [ObservationRow],
                total: u64,
                limit: usize,
                next_cursor: Option<String>,
            }
            Ok(Json(Page {
                dataset: SourceLine::of(&dataset),
                items: &rows,
                total,
                limit: page.limit,
                next_cursor: page.next_cursor(usize::try_from(total).unwrap_or(usize::MAX)),
            })
            .into_response())
        }
        Format::Csv => Ok(csv_response(
            &format!("{key}-observations.csv"),
            &OBSERVATION_CSV_HEADER,
            rows.iter().map(observation_csv_row),
        )?),
    }
}

fn area_param(params: &mut Params, name: &str, default: Option<Area>) -> Result<Area, AppError> {
    let reference = Reference::official();
    match params.take(name) {
        None => default.ok_or_else(|| {
            AppError::bad_parameter(
                name,
                "required: a country (M49 or ISO code), an M49 region code, or world",
            )
        }),
        Some(code) => Area::parse(&code, reference).ok_or_else(|| {
            AppError::bad_parameter(
                name,
                format!("`{code}` is not a country (M49 or ISO code), an M49 region code or world"),
            )
        }),
    }
}

fn country_m49(params: &mut Params, name: &str) -> Result<M49, AppError> {
    let code = params
        .take(name)
        .ok_or_else(|| AppError::bad_parameter(name, "required: a country's M49 or ISO code"))?;
    Reference::official()
        .country(&code)
        .map(|c| c.m49)
        .ok_or_else(|| {
            AppError::bad_parameter(name, format!("`{code}` is not a country's M49 or ISO code"))
        })
}

fn direction_param(params: &mut Params) -> Result<Direction, AppError> {
    params
        .take_with("direction", "immigrants or emigrants", |v| match v {
            "immigrants" => Some(Direction::Immigrants),
            "emigrants" => Some(Direction::Emigrants),
            _ => None,
        })
        .map(|d| d.unwrap_or(Direction::Immigrants))
}

const STOCK_CSV_HEADER: [&str; 7] = [
    "area",
    "area_name",
    "direction",
    "year",
    "total",
    "males",
    "females",
];

/// An area's migrant stock by year and sex, its change, and its largest counterparts.
#[utoipa::path(
    get, path = "/api/v1/statistics/migrant-stock", tag = "statistics",
    params(
        ("area" = Option<String>, Query, description = "A country (M49 or ISO code), an M49 region code, or world (default)"),
        ("direction" = Option<String>, Query, description = "immigrants (living in the area, default) or emigrants (born in it)"),
        ("top" = Option<usize>, Query, description = "How many counterparts to list, 1 to 50, default 10"),
        ("format" = Option<String>, Query, description = "json (default) or csv (the series by year)"),
    ),
    responses(
        (status = 200, description = "The series, the change since the first year, the top origins (immigrants) or destinations (emigrants) in the latest year"),
        (status = 400, description = "A malformed parameter", body = ErrorBody),
    )
)]
pub async fn migrant_stock(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let area = area_param(&mut params, "area", Some(Area::World))?;
    let direction = direction_param(&mut params)?;
    let top = params
        .take_with("top", "a number from 1 to 50", |v| {
            v.parse::<usize>().ok().filter(|n| (1..=50).contains(n))
        })?
        .unwrap_or(10);
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let profile =
        figures::stock_profile(&snapshot, area, direction, top).ok_or_else(|| no_data("ims"))?;
    json_or_csv(
        format,
        profile,
        "migrant-stock.csv",
        &STOCK_CSV_HEADER,
        |profile| {
            profile
                .years
                .iter()
                .map(|y| {
                    vec![
                        profile.area.code.clone(),
                        profile.area.name.clone(),
                        profile.direction.to_owned(),
                        y.year.to_string(),
                        num(y.total),
                        num(y.males),
                        num(y.females),
                    ]
                })
                .collect()
        },
    )
}

const MAP_CSV_HEADER: [&str; 7] = [
    "m49",
    "name",
    "year",
    "immigrants",
    "females",
    "share_female",
    "share_of_world",
];

/// Every country's immigrant stock in one year: the data of the world map.
#[utoipa::path(
    get, path = "/api/v1/statistics/migrant-stock/map", tag = "statistics",
    params(
        ("year" = Option<u16>, Query, description = "One of the release's years; the latest by default"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "Countries, largest immigrant stock first"),
        (status = 400, description = "A year the release does not have", body = ErrorBody),
    )
)]
pub async fn migrant_stock_map(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let year = params.take_with("year", "a year such as 2024", |v| v.parse::<u16>().ok())?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    if snapshot.stock.is_none() {
        return Err(no_data("ims").into());
    }
    let map = figures::stock_map(&snapshot, year).ok_or_else(|| {
        AppError::bad_parameter(
            "year",
            "the migrant stock release has no figures for this year",
        )
    })?;
    let filename = format!("migrant-stock-{}.csv", map.year);
    json_or_csv(format, map, &filename, &MAP_CSV_HEADER, |map| {
        map.countries
            .iter()
            .map(|c| {
                vec![
                    c.place.code.clone(),
                    c.place.name.clone(),
                    map.year.to_string(),
                    num(Some(c.immigrants)),
                    num(c.females),
                    num(c.share_female),
                    num(c.share_of_world),
                ]
            })
            .collect()
    })
}

/// Migrants born in one country and living in another, by year and sex.
#[utoipa::path(
    get, path = "/api/v1/statistics/migrant-stock/corridor", tag = "statistics",
    params(
        ("origin" = String, Query, description = "Country of birth (M49 or ISO code)"),
        ("destination" = String, Query, description = "Country of residence (M49 or ISO code)"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "The corridor's series (empty when the release has no such pair)"),
        (status = 400, description = "A missing or unknown country", body = ErrorBody),
    )
)]
pub async fn migrant_stock_corridor(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let origin = country_m49(&mut params, "origin")?;
    let destination = country_m49(&mut params, "destination")?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let corridor =
        figures::stock_corridor(&snapshot, origin, destination).ok_or_else(|| no_data("ims"))?;
    json_or_csv(
        format,
        corridor,
        "migrant-stock-corridor.csv",
        &["origin", "destination", "year", "total", "males", "females"],
        |corridor| {
            corridor
                .years
                .iter()
                .map(|y| {
                    vec![
                        corridor.origin.code.clone(),
                        corridor.destination.code.clone(),
                        y.year.to_string(),
                        num(y.total),
                        num(y.males),
                        num(y.females),
                    ]
                })
                .collect()
        },
    )
}

const COST_CSV_HEADER: [&str; 10] = [
    "quarter",
    "global_average",
    "smart",
    "corridor_mean",
    "weighted_average",
    "corridors",
    "corridors_above_5",
    "share_above_5",
    "services",
    "basis",
];

/// SDG 10.c.1 per quarter: the Global Average, SmaRT, the volume-weighted average and the
/// corridors above 5 %.
#[utoipa::path(
    get, path = "/api/v1/statistics/remittance-costs", tag = "statistics",
    params(("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "The quarters, with the basis they were computed on (provider-level or corridor-averages) and the source lines"))
)]
pub async fn remittance_costs(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let series = figures::cost_series(&snapshot).ok_or_else(|| no_data("rpw"))?;
    let basis = match series.basis {
        figures::CostBasis::ProviderLevel => "provider-level",
        figures::CostBasis::CorridorAverages => "corridor-averages",
    };
    json_or_csv(
        format,
        series,
        "remittance-costs.csv",
        &COST_CSV_HEADER,
        |series| {
            series
                .quarters
                .iter()
                .map(|q| {
                    vec![
                        q.quarter.clone(),
                        num(q.global_average),
                        num(q.smart),
                        num(q.corridor_mean),
                        num(q.weighted_average),
                        q.corridors.to_string(),
                        q.corridors_above_5.to_string(),
                        num(q.share_above_5),
                        opt(&q.services),
                        basis.to_owned(),
                    ]
                })
                .collect()
        },
    )
}

fn iso3_param(params: &mut Params, name: &str) -> Result<Option<Iso3>, AppError> {
    let Some(code) = params.take(name) else {
        return Ok(None);
    };
    let reference = Reference::official();
    let iso3 = reference
        .country(&code)
        .map(|c| c.iso3.clone())
        .unwrap_or_else(|| code.to_ascii_uppercase());
    Iso3::parse(&iso3).map(Some).map_err(|_| {
        AppError::bad_parameter(name, format!("`{code}` is not a country's ISO or M49 code"))
    })
}

fn basis_name(b: figures::CostBasis) -> &'static str {
    match b {
        figures::CostBasis::ProviderLevel => "provider-level",
        figures::CostBasis::CorridorAverages => "corridor-averages",
    }
}

/// Remittance corridors with their latest cost and their path to 5 % by 2030; with both
/// `from` and `to`, that corridor's whole series.
#[utoipa::path(
    get, path = "/api/v1/statistics/remittance-costs/corridors", tag = "statistics",
    params(
        ("from" = Option<String>, Query, description = "Sending country (ISO or M49 code)"),
        ("to" = Option<String>, Query, description = "Receiving country (ISO or M49 code)"),
        ("above_5" = Option<bool>, Query, description = "true: only corridors whose latest cost is above 5 %"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "Corridor summaries, or one corridor's series and trajectory"),
        (status = 404, description = "No data for that corridor", body = ErrorBody),
    )
)]
pub async fn remittance_corridors(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let from = iso3_param(&mut params, "from")?;
    let to = iso3_param(&mut params, "to")?;
    let above_5 = params.take_bool("above_5")?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    if let (Some(f), Some(t)) = (from, to) {
        let corridor = Corridor::new(f, t);
        let detail = figures::corridor_detail(&snapshot, corridor).ok_or_else(|| {
            AppError::not_found(
                "remittance corridor",
                &format!("{}-{}", f.as_str(), t.as_str()),
                Some(
                    "see /api/v1/statistics/remittance-costs/corridors for the corridors with data",
                ),
            )
        })?;
        return match format {
            Format::Json => Ok(Json(detail).into_response()),
            Format::Csv => Ok(csv_response(
                &format!("corridor-{}-{}.csv", f.as_str(), t.as_str()),
                &["from", "to", "quarter", "cost", "path_to_5", "basis"],
                detail.points.iter().map(|p| {
                    vec![
                        f.as_str().to_owned(),
                        t.as_str().to_owned(),
                        p.quarter.clone(),
                        num(Some(p.cost)),
                        num(p.path),
                        basis_name(p.basis).to_owned(),
                    ]
                }),
            )?),
        };
    }
    let mut list = figures::corridors(&snapshot, from, to);
    if let Some(a) = above_5 {
        list.retain(|c| c.above_5 == a);
    }
    match format {
        Format::Json => {
            let total = list.len();
            Ok(Json(List {
                items: list,
                total,
                limit: None,
                next_cursor: None,
            })
            .into_response())
        }
        Format::Csv => Ok(csv_response(
            "corridors.csv",
            &[
                "from",
                "from_name",
                "to",
                "to_name",
                "latest_quarter",
                "latest",
                "above_5",
                "baseline_quarter",
                "baseline",
                "path_at_latest",
                "status",
                "basis",
            ],
            list.iter().map(|c| {
                vec![
                    c.from.code.clone(),
                    c.from.name.clone(),
                    c.to.code.clone(),
                    c.to.name.clone(),
                    c.latest_quarter.clone(),
                    num(Some(c.latest)),
                    c.above_5.to_string(),
                    opt(&c.baseline_quarter),
                    num(c.baseline),
                    num(c.path_at_latest),
                    c.status.unwrap_or_default().to_owned(),
                    basis_name(c.basis).to_owned(),
                ]
            }),
        )?),
    }
}

/// The services of one corridor compared (objective 20(f)): cheapest first for USD 200 or
/// 500, with fee, FX margin, speed, instrument and transparency.
#[utoipa::path(
    get, path = "/api/v1/statistics/remittance-costs/providers", tag = "statistics",
    params(
        ("from" = String, Query, description = "Sending country (ISO or M49 code)"),
        ("to" = String, Query, description = "Receiving country (ISO or M49 code)"),
        ("quarter" = Option<String>, Query, description = "e.g. 2020-Q3; the newest with data by default"),
        ("amount" = Option<u16>, Query, description = "200 (default) or 500: the amount to rank by"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "The ranked services, or an empty list with a note saying why"),
        (status = 400, description = "A missing or malformed parameter", body = ErrorBody),
    )
)]
pub async fn remittance_providers(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let from = iso3_param(&mut params, "from")?
        .ok_or_else(|| AppError::bad_parameter("from", "required: the sending country"))?;
    let to = iso3_param(&mut params, "to")?
        .ok_or_else(|| AppError::bad_parameter("to", "required: the receiving country"))?;
    let quarter = params.take_with("quarter", "a quarter such as 2020-Q3", |v| {
        Quarter::parse(v).ok()
    })?;
    let amount = params
        .take_with("amount", "200 or 500", |v| {
            v.parse::<u16>().ok().filter(|a| *a == 200 || *a == 500)
        })?
        .unwrap_or(200);
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let comparison = figures::providers(&snapshot, Corridor::new(from, to), quarter, amount);
    json_or_csv(
        format,
        comparison,
        &format!("providers-{}-{}.csv", from.as_str(), to.as_str()),
        &[
            "rank",
            "firm",
            "firm_type",
            "instrument",
            "access_point",
            "speed",
            "transparent",
            "usd200_fee",
            "usd200_fx_margin",
            "usd200_total",
            "usd500_fee",
            "usd500_fx_margin",
            "usd500_total",
        ],
        |comparison| {
            comparison
                .providers
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    vec![
                        (i + 1).to_string(),
                        p.firm.clone(),
                        opt(&p.firm_type),
                        opt(&p.instrument),
                        opt(&p.access_point),
                        opt(&p.speed),
                        opt(&p.transparent),
                        num(p.usd200_fee),
                        num(p.usd200_fx_margin),
                        num(p.usd200_total),
                        num(p.usd500_fee),
                        num(p.usd500_fx_margin),
                        num(p.usd500_total),
                    ]
                })
                .collect()
        },
    )
}

pub(crate) fn incident_filter(params: &mut Params) -> Result<IncidentFilter, AppError> {
    Ok(IncidentFilter {
        year: params.take_with("year", "a year such as 2019", |v| v.parse::<u16>().ok())?,
        grouping: params.take("grouping"),
    })
}

/// Dead and missing migrants broken down by year, region of incident, route, cause of
/// death, region of origin or UN M49 grouping.
#[utoipa::path(
    get, path = "/api/v1/statistics/missing-migrants", tag = "statistics",
    params(
        ("by" = Option<String>, Query, description = "year (default), region, route, cause, origin or grouping"),
        ("year" = Option<u16>, Query, description = "Only incidents of this year"),
        ("grouping" = Option<String>, Query, description = "Only incidents in this UN M49 sub-region or intermediate region, e.g. Northern Africa"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "The rows with incidents, dead, missing and their total, and the overall total"),
        (status = 400, description = "A malformed parameter", body = ErrorBody),
    )
)]
pub async fn missing_migrants(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let by = params
        .take_with(
            "by",
            "year, region, route, cause, origin or grouping",
            MissingBy::parse,
        )?
        .unwrap_or(MissingBy::Year);
    let filter = incident_filter(&mut params)?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let breakdown =
        figures::missing_breakdown(&snapshot, by, &filter).ok_or_else(|| no_data("mmp"))?;
    json_or_csv(
        format,
        breakdown,
        &format!("missing-migrants-by-{}.csv", by.as_str()),
        &[
            by.as_str(),
            "incidents",
            "dead",
            "missing",
            "dead_and_missing",
        ],
        |breakdown| {
            breakdown
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.key.clone(),
                        r.incidents.to_string(),
                        r.dead.to_string(),
                        r.missing.to_string(),
                        r.dead_and_missing.to_string(),
                    ]
                })
                .collect()
        },
    )
}

/// Incidents with their coordinates: the points of the map.
#[utoipa::path(
    get, path = "/api/v1/statistics/missing-migrants/incidents", tag = "statistics",
    params(
        ("year" = Option<u16>, Query, description = "Only incidents of this year"),
        ("grouping" = Option<String>, Query, description = "Only incidents in this UN M49 grouping"),
        ("limit" = Option<usize>, Query, description = "Page size, 1 to 250, default 100 (JSON)"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv (every matching incident)"),
    ),
    responses((status = 200, description = "A page of incidents with coordinates"))
)]
pub async fn missing_incidents(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = incident_filter(&mut params)?;
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    if snapshot.missing.is_none() {
        return Err(no_data("mmp").into());
    }
    let points = figures::incident_points(&snapshot, &filter);
    match format {
        Format::Json => {
            let total = points.len();
            let items: Vec<_> = points
                .into_iter()
                .skip(page.offset)
                .take(page.limit)
                .collect();
            Ok(Json(List {
                items,
                total,
                limit: Some(page.limit),
                next_cursor: page.next_cursor(total),
            })
            .into_response())
        }
        Format::Csv => Ok(csv_response(
            "missing-migrants-incidents.csv",
            &[
                "id",
                "date",
                "year",
                "latitude",
                "longitude",
                "dead_and_missing",
                "region",
                "route",
                "cause",
            ],
            points.iter().map(|p| {
                vec![
                    p.id.clone(),
                    opt(&p.date),
                    p.year.to_string(),
                    p.latitude.to_string(),
                    p.longitude.to_string(),
                    p.dead_and_missing.to_string(),
                    p.region.clone(),
                    opt(&p.route),
                    opt(&p.cause),
                ]
            }),
        )?),
    }
}
