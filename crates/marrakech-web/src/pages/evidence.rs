//! The evidence base on the web: an overview with the data sets, then migrant stock
//! (objective 1), remittance costs (objective 20, SDG 10.c.1) and missing migrants
//! (objective 8); the country migration profile (1(j)) on each country page draws on the
//! same figures.
//!
//! Every chart is a [`Figure`]: the SVG, the table it draws (for screen readers, under the
//! chart) and a CSV link. The link is the page's own address with `csv={figure id}`, and
//! the handler answers it with that figure's table as CSV, so a download holds exactly
//! what the chart shows, for the same filters.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use marrakech_charts::{
    Aggregation, BarChart, BarMode, ChartError, ChoroplethMap, ColumnChart, LineChart, MapPoint,
    Order, PointMap, Sequential, Table, Unit, GEOMETRY_ATTRIBUTION, MAP_DISCLAIMER,
};
use marrakech_core::countries::{Country, Reference, M49};
use marrakech_evidence::codes::{Corridor, Iso3};
use marrakech_evidence::stock::{Area, Direction, StockFigures};

use super::countries::Choice;
use super::{Layout, Section};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::evidence::figures::{
    self, CostBasis, IncidentFilter, MissingBy, SourceLine, AVERAGE_TARGET, CORRIDOR_TARGET,
};
use crate::evidence::Snapshot;
use crate::params::Params;
use crate::AppState;

/// A chart with its data table, CSV link and source lines.
pub struct Figure {
    pub id: String,
    pub title: String,
    /// The SVG, escaped by the charts crate.
    pub svg: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub csv_href: String,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
    csv: String,
}

/// What every chart type gives: its picture and its table.
trait Chart {
    fn svg(&self) -> Result<String, ChartError>;
    fn data(&self) -> Result<Table, ChartError>;
}

macro_rules! chart {
    ($($t:ty),*) => {$(
        impl Chart for $t {
            fn svg(&self) -> Result<String, ChartError> { self.render() }
            fn data(&self) -> Result<Table, ChartError> { self.table() }
        }
    )*};
}
chart!(LineChart, BarChart, ColumnChart, ChoroplethMap, PointMap);

/// "Source: UN DESA Population Division, ... (CC BY 3.0 IGO). Data set: ..., release 2024."
/// Attributions are written as the publisher asks, so they lead.
fn source_text(s: &SourceLine) -> String {
    let attribution = if s.attribution.trim().is_empty() {
        format!("Source: {} ({}).", s.source, s.licence)
    } else {
        s.attribution.trim().to_owned()
    };
    format!(
        "{attribution} Data set: {}, release {}.",
        s.title, s.release
    )
}

/// The page's figures and the query string that reproduces the page.
struct Figures {
    path: String,
    query: Vec<(String, String)>,
    list: Vec<Figure>,
}

impl Figures {
    fn new(path: impl Into<String>, query: Vec<(String, String)>) -> Figures {
        Figures {
            path: path.into(),
            query,
            list: Vec::new(),
        }
    }

    fn add(
        &mut self,
        chart: &impl Chart,
        id: &str,
        title: impl Into<String>,
        sources: &[SourceLine],
        notes: Vec<String>,
    ) -> Result<(), AppError> {
        let internal = |e: ChartError| AppError::Internal(format!("chart {id}: {e}"));
        let svg = chart.svg().map_err(internal)?;
        let table = chart.data().map_err(internal)?;
        let (headers, rows) = table.display();
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            query.append_pair(k, v);
        }
        query.append_pair("csv", id);
        self.list.push(Figure {
            id: id.to_owned(),
            title: title.into(),
            svg,
            headers,
            rows,
            csv_href: format!("{}?{}", self.path, query.finish()),
            sources: sources.iter().map(source_text).collect(),
            notes,
            csv: table.to_csv().map_err(|e| AppError::Csv(e.to_string()))?,
        });
        Ok(())
    }

    /// Takes the figure out, for a template that places figures one by one.
    fn take(&mut self, id: &str) -> Option<Figure> {
        let i = self.list.iter().position(|f| f.id == id)?;
        Some(self.list.remove(i))
    }

    /// The answer to `?csv=ID`, when asked.
    fn csv_answer(&self, wanted: &Option<String>) -> Option<Result<Response, AppError>> {
        let wanted = wanted.as_deref()?;
        Some(match self.list.iter().find(|f| f.id == wanted) {
            Some(f) => Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.csv\"", f.id),
                    ),
                ],
                f.csv.clone(),
            )
                .into_response()),
            None => Err(AppError::bad_parameter(
                "csv",
                format!("this page has no chart `{wanted}`"),
            )),
        })
    }
}

/// Migrants by year: total, women and men.
fn stock_by_sex_chart(id: &str, title: String, years: &[StockFigures]) -> LineChart {
    let x = |y: &StockFigures| y.year.to_string();
    LineChart::new(id, title)
        .unit(Unit::Persons)
        .y_label("Migrants")
        .x_label("Year")
        .series("Total", years.iter().map(|y| (x(y), y.total)))
        .series("Women", years.iter().map(|y| (x(y), y.females)))
        .series("Men", years.iter().map(|y| (x(y), y.males)))
}

/// The largest origins or destinations, in the order given.
fn counterparts_chart(id: &str, title: String, top: &[figures::Counterpart]) -> BarChart {
    BarChart::new(id, title)
        .unit(Unit::Persons)
        .value_label("Migrants")
        .category_label("Country")
        .bars(top.iter().map(|c| (c.place.name.clone(), c.migrants)))
        .order(Order::AsGiven)
}

/// A corridor's cost by quarter against its straight path to 5 % by 2030.
fn corridor_cost_chart(id: &str, title: String, detail: &figures::CorridorDetail) -> LineChart {
    LineChart::new(id, title)
        .unit(Unit::Percent)
        .y_label("Cost, % of the amount sent")
        .x_label("Quarter")
        .decimals(2)
        .series(
            "Corridor average",
            detail.points.iter().map(|p| (p.quarter.clone(), p.cost)),
        )
        .series(
            "Path to 5 % by 2030",
            detail.points.iter().map(|p| (p.quarter.clone(), p.path)),
        )
        .reference_line(CORRIDOR_TARGET, "5 %")
}

/// Dead and missing migrants stacked by row (a year each).
fn dead_and_missing_chart(id: &str, title: String, rows: &[figures::MissingRow]) -> ColumnChart {
    ColumnChart::new(id, title)
        .mode(BarMode::Stacked)
        .unit(Unit::Persons)
        .y_label("People")
        .x_label("Year")
        .series("Dead", rows.iter().map(|r| (r.key.clone(), r.dead as f64)))
        .series(
            "Missing",
            rows.iter().map(|r| (r.key.clone(), r.missing as f64)),
        )
}

fn html(t: &impl Template) -> PageResult<Response> {
    Ok(Html(t.render()?).into_response())
}

async fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, AppError> {
    state.evidence.snapshot(&state.store).await
}

fn country_choices(selected: Option<&str>) -> Vec<Choice> {
    let mut list: Vec<&Country> = Reference::official().countries.iter().collect();
    list.sort_by_key(|c| c.sort_key());
    list.into_iter()
        .map(|c| Choice {
            value: c.iso3.clone(),
            label: c.name.clone(),
            selected: selected.is_some_and(|s| s.eq_ignore_ascii_case(&c.iso3)),
        })
        .collect()
}

fn country_param(params: &mut Params, name: &str) -> Result<Option<&'static Country>, AppError> {
    match params.take(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(code) => Reference::official()
            .country(&code)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_parameter(
                    name,
                    format!("`{code}` is not a country's M49 or ISO code"),
                )
            }),
    }
}

fn percent_label(v: f64) -> String {
    format!("{v:.1} %")
}

// ---------------------------------------------------------------------------------------
// Overview

pub struct DatasetLine {
    pub key: String,
    pub title: String,
    pub source: String,
    pub release: String,
    pub licence: String,
    pub url: Option<String>,
    pub records: u64,
    pub rejected: u64,
    pub imported_at: String,
    pub bundled: bool,
    pub attribution: String,
}

#[derive(Template)]
#[template(path = "evidence/index.html")]
struct OverviewPage {
    layout: Layout,
    datasets: Vec<DatasetLine>,
    world_migrants: Option<(u16, String)>,
    cost: Option<(String, String, String)>,
    dead_and_missing: Option<(String, String)>,
}

pub async fn overview(auth: Auth, State(state): State<AppState>) -> PageResult<Response> {
    let snapshot = snapshot(&state).await?;
    let datasets = snapshot
        .datasets
        .iter()
        .map(|d| DatasetLine {
            key: d.key(),
            title: d.title.clone(),
            source: d.source.clone(),
            release: d.release.clone(),
            licence: d.licence.clone(),
            url: d.url.clone(),
            records: d.records,
            rejected: d.rejected,
            imported_at: d.imported_at.clone(),
            bundled: d.bundled,
            attribution: d.attribution.clone(),
        })
        .collect();
    let world_migrants = figures::stock_profile(&snapshot, Area::World, Direction::Immigrants, 1)
        .and_then(|p| {
            let last = p.years.last()?;
            Some((last.year, marrakech_charts::format_number(last.total?)))
        });
    let cost = figures::cost_series(&snapshot).and_then(|s| {
        let q = s.quarters.last()?;
        let value = q.global_average.or(q.corridor_mean)?;
        let label = match s.basis {
            CostBasis::ProviderLevel => "Global Average",
            CostBasis::CorridorAverages => "mean over corridors",
        };
        Some((q.quarter.clone(), percent_label(value), label.to_owned()))
    });
    let dead_and_missing =
        figures::missing_breakdown(&snapshot, MissingBy::Year, &IncidentFilter::default()).map(
            |b| {
                let first = b.rows.first().map(|r| r.key.clone()).unwrap_or_default();
                let last = b.rows.last().map(|r| r.key.clone()).unwrap_or_default();
                (
                    format!("{first}–{last}"),
                    marrakech_charts::format_thousands(b.overall.dead_and_missing as f64, 0),
                )
            },
        );
    html(&OverviewPage {
        layout: Layout::new("Evidence base", Some(Section::Evidence), &auth).described(
            "Migration statistics, remittance costs (SDG 10.c.1) and missing migrants, from open \
             data sets, with their sources.",
        ),
        datasets,
        world_migrants,
        cost,
        dead_and_missing,
    })
}

// ---------------------------------------------------------------------------------------
// Migrant stock

#[derive(Template)]
#[template(path = "evidence/migrant_stock.html")]
struct StockPage {
    layout: Layout,
    available: bool,
    year: u16,
    years: Vec<Choice>,
    measure: &'static str,
    map: Option<Figure>,
    origins: Vec<Choice>,
    destinations: Vec<Choice>,
    origin: Option<String>,
    destination: Option<String>,
    corridor: Option<Figure>,
    corridor_empty: bool,
    top: Vec<Figure>,
    disclaimer: &'static str,
    geometry: &'static str,
}

pub async fn migrant_stock(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Response> {
    let year = params.take_with("year", "a year such as 2024", |v| v.parse::<u16>().ok())?;
    let measure = params
        .take_with("measure", "immigrants or share_female", |v| match v {
            "immigrants" => Some("immigrants"),
            "share_female" => Some("share_female"),
            _ => None,
        })?
        .unwrap_or("immigrants");
    let origin = country_param(&mut params, "origin")?;
    let destination = country_param(&mut params, "destination")?;
    let csv = params.take("csv");
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let layout = Layout::new("Migrant stock", Some(Section::Evidence), &auth).described(
        "International migrants by country of residence and of birth: a world map and an \
         origin-destination explorer (UN DESA International Migrant Stock).",
    );
    let Some(map_data) = figures::stock_map(&snapshot, year) else {
        if year.is_some() && snapshot.stock.is_some() {
            return Err(AppError::bad_parameter(
                "year",
                "the migrant stock release has no figures for this year",
            )
            .into());
        }
        return html(&StockPage {
            layout,
            available: false,
            year: 0,
            years: Vec::new(),
            measure,
            map: None,
            origins: Vec::new(),
            destinations: Vec::new(),
            origin: None,
            destination: None,
            corridor: None,
            corridor_empty: false,
            top: Vec::new(),
            disclaimer: MAP_DISCLAIMER,
            geometry: GEOMETRY_ATTRIBUTION,
        });
    };
    let mut query = vec![
        ("year".to_owned(), map_data.year.to_string()),
        ("measure".to_owned(), measure.to_owned()),
    ];
    if let Some(o) = origin {
        query.push(("origin".into(), o.iso3.clone()));
    }
    if let Some(d) = destination {
        query.push(("destination".into(), d.iso3.clone()));
    }
    let mut figs = Figures::new("/evidence/migrant-stock", query);
    let sources = [map_data.source.clone()];
    let parse = |code: &str| code.parse::<M49>().ok();
    let (title, map) = if measure == "share_female" {
        let t = format!("Women among international migrants, {}", map_data.year);
        let m = ChoroplethMap::new("stock-map", t.clone())
            .unit(Unit::Percent)
            .legend_title("Women, % of immigrants")
            .scheme(Sequential::Oranges)
            .decimals(1)
            .values(
                map_data
                    .countries
                    .iter()
                    .filter_map(|c| Some((parse(&c.place.code)?, c.share_female?))),
            );
        (t, m)
    } else {
        let t = format!(
            "International migrants living in each country, {}",
            map_data.year
        );
        let m = ChoroplethMap::new("stock-map", t.clone())
            .unit(Unit::Persons)
            .legend_title("Immigrants")
            .scheme(Sequential::YlGnBu)
            .values(
                map_data
                    .countries
                    .iter()
                    .filter_map(|c| Some((parse(&c.place.code)?, c.immigrants))),
            );
        (t, m)
    };
    let map = match destination.or(origin) {
        Some(c) => map.highlight(c.m49),
        None => map,
    };
    figs.add(&map, "stock-map", title, &sources, vec![
        "Country rows of Table 1 only: migrants whose origin is unknown or \"Other\" are not in the file, so totals are below UN DESA's published world figure.".into(),
    ])?;

    let mut corridor_empty = false;
    if let (Some(o), Some(d)) = (origin, destination) {
        if let Some(c) = figures::stock_corridor(&snapshot, o.m49, d.m49) {
            corridor_empty = c.years.is_empty();
            if !corridor_empty {
                let chart = stock_by_sex_chart(
                    "corridor",
                    format!(
                        "Born in {}, living in {}",
                        c.origin.name, c.destination.name
                    ),
                    &c.years,
                );
                let title = format!(
                    "Migrants born in {} living in {}",
                    c.origin.name, c.destination.name
                );
                figs.add(&chart, "corridor", title, &sources, Vec::new())?;
            }
        }
    }
    for (country, direction, id) in [
        (destination, Direction::Immigrants, "top-origins"),
        (origin, Direction::Emigrants, "top-destinations"),
    ] {
        let Some(country) = country else { continue };
        let Some(p) = figures::stock_profile(&snapshot, Area::Country(country.m49), direction, 15)
        else {
            continue;
        };
        let year = p.top_year.unwrap_or(map_data.year);
        let title = match direction {
            Direction::Immigrants => format!(
                "Where migrants living in {} were born, {year}",
                country.name
            ),
            Direction::Emigrants => format!("Where migrants born in {} live, {year}", country.name),
        };
        let chart = counterparts_chart(id, title.clone(), &p.top);
        figs.add(&chart, id, title, &sources, Vec::new())?;
    }
    if let Some(answer) = figs.csv_answer(&csv) {
        return Ok(answer?);
    }
    let years = map_data
        .years
        .iter()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: *y == map_data.year,
        })
        .collect();
    let map = figs.take("stock-map");
    let corridor = figs.take("corridor");
    html(&StockPage {
        layout,
        available: true,
        year: map_data.year,
        years,
        measure,
        map,
        origins: country_choices(origin.map(|c| c.iso3.as_str())),
        destinations: country_choices(destination.map(|c| c.iso3.as_str())),
        origin: origin.map(|c| c.name.clone()),
        destination: destination.map(|c| c.name.clone()),
        corridor,
        corridor_empty,
        top: figs.list,
        disclaimer: MAP_DISCLAIMER,
        geometry: GEOMETRY_ATTRIBUTION,
    })
}

// ---------------------------------------------------------------------------------------
// Remittance costs

pub struct CorridorLine {
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub latest: String,
    pub quarter: String,
    pub status: String,
}

/// Corridors above 5 % a page at a time.
const ABOVE_PAGE_SIZE: usize = 50;

/// Paging and sorting links of a table.
#[derive(Default)]
pub struct Pager {
    pub range: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub by_cost: String,
    pub by_corridor: String,
    /// `cost`, `-cost` or `corridor`.
    pub sort: String,
}

pub struct ProviderLine {
    pub rank: usize,
    pub firm: String,
    pub firm_type: String,
    pub instrument: String,
    pub access_point: String,
    pub speed: String,
    pub transparent: String,
    pub usd200: [String; 3],
    pub usd500: [String; 3],
}

#[derive(Template)]
#[template(path = "evidence/remittance_costs.html")]
struct CostsPage {
    layout: Layout,
    available: bool,
    basis_note: String,
    global: Option<Figure>,
    above: Option<Figure>,
    froms: Vec<Choice>,
    tos: Vec<Choice>,
    amount: u16,
    corridor_name: Option<String>,
    corridor: Option<Figure>,
    corridor_status: Option<String>,
    corridor_missing: bool,
    providers: Vec<ProviderLine>,
    providers_quarter: Option<String>,
    providers_note: Option<String>,
    providers_csv: Option<String>,
    above_list: Vec<CorridorLine>,
    above_pager: Pager,
    above_quarter: Option<String>,
    corridors_csv: String,
    sources: Vec<String>,
}

fn pct(v: Option<f64>) -> String {
    v.map(percent_label).unwrap_or_else(|| "no data".into())
}

pub async fn remittance_costs(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Response> {
    let from = country_param(&mut params, "from")?;
    let to = country_param(&mut params, "to")?;
    let amount = params
        .take_with("amount", "200 or 500", |v| {
            v.parse::<u16>().ok().filter(|a| *a == 200 || *a == 500)
        })?
        .unwrap_or(200);
    let sort = params
        .take_with("sort", "cost, -cost or corridor", |v| match v {
            "cost" | "-cost" | "corridor" => Some(v.to_owned()),
            _ => None,
        })?
        .unwrap_or_else(|| "-cost".to_owned());
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    let csv = params.take("csv");
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let layout = Layout::new("Remittance costs", Some(Section::Evidence), &auth).described(
        "The cost of sending remittances against the compact's 3 % and 5 % targets (objective 20, \
         SDG 10.c.1), by corridor and by service provider.",
    );
    let mut query = Vec::new();
    if let Some(f) = from {
        query.push(("from".to_owned(), f.iso3.clone()));
    }
    if let Some(t) = to {
        query.push(("to".to_owned(), t.iso3.clone()));
    }
    query.push(("amount".to_owned(), amount.to_string()));
    let mut figs = Figures::new("/evidence/remittance-costs", query);
    let Some(series) = figures::cost_series(&snapshot) else {
        return html(&CostsPage {
            layout,
            available: false,
            basis_note: String::new(),
            global: None,
            above: None,
            froms: Vec::new(),
            tos: Vec::new(),
            amount,
            corridor_name: None,
            corridor: None,
            corridor_status: None,
            corridor_missing: false,
            providers: Vec::new(),
            providers_quarter: None,
            providers_note: None,
            providers_csv: None,
            above_list: Vec::new(),
            above_pager: Pager::default(),
            above_quarter: None,
            corridors_csv: String::new(),
            sources: Vec::new(),
        });
    };
    let provider_level = series.basis == CostBasis::ProviderLevel;
    let quarters: Vec<String> = series.quarters.iter().map(|q| q.quarter.clone()).collect();
    let mut global = LineChart::new("global", "Average cost of sending USD 200")
        .unit(Unit::Percent)
        .y_label("Cost, % of the amount sent")
        .x_label("Quarter")
        .x_values(quarters.clone())
        .decimals(2);
    if provider_level {
        global = global
            .series(
                "Global Average",
                series
                    .quarters
                    .iter()
                    .map(|q| (q.quarter.clone(), q.global_average)),
            )
            .series(
                "SmaRT",
                series.quarters.iter().map(|q| (q.quarter.clone(), q.smart)),
            );
    } else {
        global = global.series(
            "Mean over corridors",
            series
                .quarters
                .iter()
                .map(|q| (q.quarter.clone(), q.corridor_mean)),
        );
    }
    global = global
        .series(
            "Volume-weighted average",
            series
                .quarters
                .iter()
                .map(|q| (q.quarter.clone(), q.weighted_average)),
        )
        .reference_line(CORRIDOR_TARGET, "5 %: no corridor above, by 2030")
        .reference_line(AVERAGE_TARGET, "3 %: SDG 10.c target");
    figs.add(
        &global,
        "global",
        "Average cost of sending USD 200, by quarter",
        &series.sources,
        vec![format!("Figures are {}.", series.basis_note)],
    )?;

    let above = ColumnChart::new("above-5", "Corridors costing more than 5 %")
        .mode(BarMode::Stacked)
        .unit(Unit::Plain)
        .y_label("Corridors")
        .x_label("Quarter")
        .categories(quarters.clone())
        .series(
            "Above 5 %",
            series
                .quarters
                .iter()
                .map(|q| (q.quarter.clone(), q.corridors_above_5 as f64)),
        )
        .series(
            "5 % or less",
            series.quarters.iter().map(|q| {
                (
                    q.quarter.clone(),
                    q.corridors.saturating_sub(q.corridors_above_5) as f64,
                )
            }),
        );
    figs.add(
        &above,
        "above-5",
        "Corridors above and at or below 5 %, by quarter",
        &series.sources,
        Vec::new(),
    )?;

    // The corridor chosen: its series against its path to 5 % by 2030, and its services.
    let mut corridor_name = None;
    let mut corridor_status = None;
    let mut corridor_missing = false;
    let mut providers = Vec::new();
    let mut providers_quarter = None;
    let mut providers_note = None;
    let mut providers_csv = None;
    if let (Some(f), Some(t)) = (from, to) {
        corridor_name = Some(format!("{} to {}", f.name, t.name));
        let codes = Iso3::parse(&f.iso3).ok().zip(Iso3::parse(&t.iso3).ok());
        if let Some((fc, tc)) = codes {
            let corridor = Corridor::new(fc, tc);
            match figures::corridor_detail(&snapshot, corridor) {
                Some(detail) => {
                    let s = &detail.summary;
                    corridor_status = Some(format!(
                        "{} in {}: {}{}",
                        percent_label(s.latest),
                        s.latest_quarter,
                        if s.above_5 { "above 5 %" } else { "at or below 5 %" },
                        match (s.status, s.path_at_latest, &s.baseline_quarter) {
                            (Some(st), Some(path), Some(bq)) => format!(
                                "; {} on the straight line from {} to 5 % in 2030-Q4, which stands at {} now",
                                if st == "on-track" { "on track" } else { "off track" },
                                bq,
                                percent_label(path)
                            ),
                            _ => String::new(),
                        }
                    ));
                    let chart = corridor_cost_chart(
                        "corridor-cost",
                        format!("Cost of sending USD 200 from {} to {}", f.name, t.name),
                        &detail,
                    );
                    let mut notes = Vec::new();
                    if detail
                        .points
                        .iter()
                        .any(|p| p.basis == CostBasis::CorridorAverages)
                    {
                        notes.push("Quarters without provider-level rows use the World Bank's published corridor average.".to_owned());
                    }
                    figs.add(
                        &chart,
                        "corridor-cost",
                        corridor_name.clone().unwrap_or_default(),
                        &detail.sources,
                        notes,
                    )?;
                }
                None => corridor_missing = true,
            }
            let comparison = figures::providers(&snapshot, corridor, None, amount);
            providers_quarter = comparison.quarter.clone();
            providers_note = comparison.note.clone();
            providers_csv = Some(format!(
                "/api/v1/statistics/remittance-costs/providers?from={}&to={}&amount={amount}{}&format=csv",
                f.iso3,
                t.iso3,
                comparison.quarter.as_deref().map(|q| format!("&quarter={q}")).unwrap_or_default()
            ));
            providers = comparison
                .providers
                .iter()
                .enumerate()
                .map(|(i, p)| ProviderLine {
                    rank: i + 1,
                    firm: p.firm.clone(),
                    firm_type: p.firm_type.clone().unwrap_or_default(),
                    instrument: p.instrument.clone().unwrap_or_default(),
                    access_point: p.access_point.clone().unwrap_or_default(),
                    speed: p.speed.clone().unwrap_or_default(),
                    transparent: match p.transparent {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "not recorded".into(),
                    },
                    usd200: [
                        pct(p.usd200_fee),
                        pct(p.usd200_fx_margin),
                        pct(p.usd200_total),
                    ],
                    usd500: [
                        pct(p.usd500_fee),
                        pct(p.usd500_fx_margin),
                        pct(p.usd500_total),
                    ],
                })
                .collect();
        }
    }
    if let Some(answer) = figs.csv_answer(&csv) {
        return Ok(answer?);
    }
    let latest = quarters.last().cloned();
    // The corridors above 5 % in the latest quarter: sortable, a page at a time.
    let mut above: Vec<figures::CorridorSummary> = figures::corridors(&snapshot, None, None)
        .into_iter()
        .filter(|c| c.above_5 && Some(&c.latest_quarter) == latest.as_ref())
        .collect();
    match sort.as_str() {
        "cost" => above.sort_by(|a, b| a.latest.total_cmp(&b.latest)),
        "-cost" => above.sort_by(|a, b| b.latest.total_cmp(&a.latest)),
        _ => above.sort_by(|a, b| (&a.from.name, &a.to.name).cmp(&(&b.from.name, &b.to.name))),
    }
    let above_total = above.len();
    let pages = above_total.div_ceil(ABOVE_PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::bad_parameter(
            "page",
            format!("page {page} is past the last page ({pages})"),
        )
        .into());
    }
    let link = |sort: &str, page: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let (Some(f), Some(t)) = (from, to) {
            q.append_pair("from", &f.iso3).append_pair("to", &t.iso3);
        }
        q.append_pair("amount", &amount.to_string())
            .append_pair("sort", sort)
            .append_pair("page", &page.to_string());
        format!("/evidence/remittance-costs?{}#above-5-list", q.finish())
    };
    let above_first = (page - 1) * ABOVE_PAGE_SIZE;
    let above_list = above
        .into_iter()
        .skip(above_first)
        .take(ABOVE_PAGE_SIZE)
        .map(|c| CorridorLine {
            from: c.from.code.clone(),
            from_name: c.from.name.clone(),
            to: c.to.code.clone(),
            to_name: c.to.name.clone(),
            latest: percent_label(c.latest),
            quarter: c.latest_quarter.clone(),
            status: match c.status {
                Some("on-track") => "on track".into(),
                Some(_) => "off track".into(),
                None => "one observation".into(),
            },
        })
        .collect::<Vec<_>>();
    let above_pager = Pager {
        range: format!(
            "{}–{} of {above_total}",
            above_first + usize::from(above_total > 0),
            above_first + above_list.len()
        ),
        previous: (page > 1).then(|| link(&sort, page - 1)),
        next: (page < pages).then(|| link(&sort, page + 1)),
        by_cost: link(if sort == "-cost" { "cost" } else { "-cost" }, 1),
        by_corridor: link("corridor", 1),
        sort: sort.clone(),
    };
    let sources = series.sources.iter().map(source_text).collect();
    html(&CostsPage {
        layout,
        available: true,
        basis_note: series.basis_note.to_owned(),
        global: figs.take("global"),
        above: figs.take("above-5"),
        froms: country_choices(from.map(|c| c.iso3.as_str())),
        tos: country_choices(to.map(|c| c.iso3.as_str())),
        amount,
        corridor_name,
        corridor: figs.take("corridor-cost"),
        corridor_status,
        corridor_missing,
        providers,
        providers_quarter,
        providers_note,
        providers_csv,
        above_list,
        above_pager,
        above_quarter: latest,
        corridors_csv: "/api/v1/statistics/remittance-costs/corridors?above_5=true&format=csv"
            .into(),
        sources,
    })
}

// ---------------------------------------------------------------------------------------
// Missing migrants

#[derive(Template)]
#[template(path = "evidence/missing_migrants.html")]
struct MissingPage {
    layout: Layout,
    available: bool,
    years: Vec<Choice>,
    groupings: Vec<Choice>,
    filtered: bool,
    total: String,
    figures: Vec<Figure>,
    disclaimer: &'static str,
    geometry: &'static str,
}

pub async fn missing_migrants(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Response> {
    let filter = crate::api::statistics::incident_filter(&mut params)?;
    let csv = params.take("csv");
    params.finish()?;
    let snapshot = snapshot(&state).await?;
    let layout = Layout::new("Missing migrants", Some(Section::Evidence), &auth).described(
        "Migrants recorded dead or missing on their way (objective 8): trends, routes, causes and \
         a map of incidents (IOM Missing Migrants Project).",
    );
    let Some(by_year) = figures::missing_breakdown(&snapshot, MissingBy::Year, &filter) else {
        return html(&MissingPage {
            layout,
            available: false,
            years: Vec::new(),
            groupings: Vec::new(),
            filtered: false,
            total: String::new(),
            figures: Vec::new(),
            disclaimer: MAP_DISCLAIMER,
            geometry: GEOMETRY_ATTRIBUTION,
        });
    };
    let mut query = Vec::new();
    if let Some(y) = filter.year {
        query.push(("year".to_owned(), y.to_string()));
    }
    if let Some(g) = &filter.grouping {
        query.push(("grouping".to_owned(), g.clone()));
    }
    let scope = match (&filter.year, &filter.grouping) {
        (None, None) => String::new(),
        (Some(y), None) => format!(", {y}"),
        (None, Some(g)) => format!(", {g}"),
        (Some(y), Some(g)) => format!(", {g}, {y}"),
    };
    let mut figs = Figures::new("/evidence/missing-migrants", query);
    let sources = [by_year.source.clone()];
    let trend = dead_and_missing_chart(
        "by-year",
        format!("Dead and missing migrants by year{scope}"),
        &by_year.rows,
    );
    figs.add(
        &trend,
        "by-year",
        format!("Dead and missing by year{scope}"),
        &sources,
        vec![
            "Dead and missing are minimum estimates: the project counts only what it can verify."
                .into(),
        ],
    )?;
    for (by, id) in [
        (MissingBy::Route, "by-route"),
        (MissingBy::Cause, "by-cause"),
        (MissingBy::Region, "by-region"),
    ] {
        if let Some(b) = figures::missing_breakdown(&snapshot, by, &filter) {
            let title = format!("Dead and missing by {}{scope}", by.label().to_lowercase());
            let chart = BarChart::new(id, title.clone())
                .unit(Unit::Persons)
                .value_label("Dead and missing")
                .category_label(by.label())
                .bars(
                    b.rows
                        .iter()
                        .map(|r| (r.key.clone(), r.dead_and_missing as f64)),
                )
                .order(Order::AsGiven)
                .limit(15);
            figs.add(&chart, id, title, &sources, Vec::new())?;
        }
    }
    let points = figures::incident_points(&snapshot, &filter);
    let map = PointMap::new(
        "incidents-map",
        format!("Where migrants died or went missing{scope}"),
    )
    .unit(Unit::Persons)
    .value_label("dead and missing")
    .item_label("incidents")
    .aggregation(Aggregation::Auto)
    .points(points.iter().map(|p| {
        MapPoint::new(p.latitude, p.longitude, p.dead_and_missing as f64).label(p.region.clone())
    }));
    figs.add(&map, "incidents-map", format!("Incidents{scope}"), &sources, vec![format!(
        "{} incidents with coordinates; nearby incidents are drawn as one circle when there are many. \
         Every incident is in the incidents CSV of the API: /api/v1/statistics/missing-migrants/incidents?format=csv",
        points.len()
    )])?;
    if let Some(answer) = figs.csv_answer(&csv) {
        return Ok(answer?);
    }
    let all_years = figures::missing_years(&snapshot);
    let years = all_years
        .iter()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: filter.year == Some(*y),
        })
        .collect();
    let groupings =
        figures::missing_breakdown(&snapshot, MissingBy::Grouping, &IncidentFilter::default())
            .map(|b| {
                let mut names: Vec<String> = b
                    .rows
                    .into_iter()
                    .map(|r| r.key)
                    .filter(|k| k != "Unknown")
                    .collect();
                names.sort();
                names
                    .into_iter()
                    .map(|n| Choice {
                        selected: filter.grouping.as_deref() == Some(n.as_str()),
                        value: n.clone(),
                        label: n,
                    })
                    .collect()
            })
            .unwrap_or_default();
    html(&MissingPage {
        layout,
        available: true,
        years,
        groupings,
        filtered: filter != IncidentFilter::default(),
        total: marrakech_charts::format_thousands(by_year.overall.dead_and_missing as f64, 0),
        figures: figs.list,
        disclaimer: MAP_DISCLAIMER,
        geometry: GEOMETRY_ATTRIBUTION,
    })
}

// ---------------------------------------------------------------------------------------
// The country migration profile (objective 1(j)) on the country page

/// A country's profile: what the country page shows under its facts.
pub struct Profile {
    pub figures: Vec<Figure>,
    /// Remittance corridors into and out of the country, latest cost first.
    pub corridors_in: Vec<CorridorLine>,
    pub corridors_out: Vec<CorridorLine>,
    pub cost_sources: Vec<String>,
    pub missing_grouping: Option<String>,
    pub missing_from_note: Option<String>,
    pub stock_facts: Vec<(String, String)>,
}

impl Profile {
    /// The corridors into and out of the country, each with its heading.
    pub fn corridor_groups(&self, country: &str) -> Vec<(String, &[CorridorLine])> {
        vec![
            (format!("Sending money to {country}"), &self.corridors_in),
            (format!("Sending money from {country}"), &self.corridors_out),
        ]
    }
}

fn corridor_lines(list: Vec<figures::CorridorSummary>) -> Vec<CorridorLine> {
    let mut list = list;
    list.sort_by(|a, b| b.latest.total_cmp(&a.latest));
    list.into_iter()
        .map(|c| CorridorLine {
            from: c.from.code.clone(),
            from_name: c.from.name.clone(),
            to: c.to.code.clone(),
            to_name: c.to.name.clone(),
            latest: percent_label(c.latest),
            quarter: c.latest_quarter,
            status: match (c.above_5, c.status) {
                (false, _) => "at or below 5 %".into(),
                (true, Some("on-track")) => "above 5 %, on track".into(),
                (true, Some(_)) => "above 5 %, off track".into(),
                (true, None) => "above 5 %".into(),
            },
        })
        .collect()
}

/// Builds the profile, or answers `?csv=ID` for one of its charts.
pub async fn country_profile(
    state: &AppState,
    country: &Country,
    csv: &Option<String>,
) -> Result<Result<Profile, Response>, AppError> {
    let snapshot = snapshot(state).await?;
    let mut figs = Figures::new(format!("/countries/{}", country.iso3), Vec::new());
    let area = Area::Country(country.m49);
    let mut stock_facts = Vec::new();
    for (direction, id) in [
        (Direction::Immigrants, "immigrants"),
        (Direction::Emigrants, "emigrants"),
    ] {
        let Some(p) = figures::stock_profile(&snapshot, area, direction, 10) else {
            continue;
        };
        if p.years.is_empty() {
            continue;
        }
        let sources = [p.source.clone()];
        let (title, top_title) = match direction {
            Direction::Immigrants => (
                format!("International migrants living in {}", country.name),
                format!("Where they were born, {}", p.top_year.unwrap_or_default()),
            ),
            Direction::Emigrants => (
                format!("Migrants born in {} living abroad", country.name),
                format!("Where they live, {}", p.top_year.unwrap_or_default()),
            ),
        };
        if let (Some(last), Some(change)) = (p.years.last(), &p.change) {
            stock_facts.push((
                title.clone(),
                format!(
                    "{} in {} ({}{} since {}){}",
                    marrakech_charts::format_number(last.total.unwrap_or_default()),
                    last.year,
                    if change.absolute >= 0.0 { "+" } else { "−" },
                    marrakech_charts::format_number(change.absolute.abs()),
                    change.from_year,
                    last.share_female
                        .map(|s| format!("; {s:.1} % women"))
                        .unwrap_or_default()
                ),
            ));
        }
        let trend = stock_by_sex_chart(id, title.clone(), &p.years);
        figs.add(&trend, id, format!("{title}, by sex"), &sources, Vec::new())?;
        let top_id = format!("{id}-top");
        let top = counterparts_chart(&top_id, format!("{title}: {top_title}"), &p.top);
        figs.add(
            &top,
            &top_id,
            format!("{title}: {top_title}"),
            &sources,
            Vec::new(),
        )?;
    }

    let iso3 = Iso3::parse(&country.iso3).ok();
    let corridors_in = corridor_lines(figures::corridors(&snapshot, None, iso3));
    let corridors_out = corridor_lines(figures::corridors(&snapshot, iso3, None));
    let mut cost_sources = Vec::new();
    if let Some(s) = figures::cost_series(&snapshot) {
        cost_sources = s.sources.iter().map(source_text).collect();
    }
    // The costliest corridor into the country (or out of it) as a trend against 5 %.
    let featured = corridors_in
        .first()
        .map(|c| (c.from.clone(), c.to.clone()))
        .or_else(|| {
            corridors_out
                .first()
                .map(|c| (c.from.clone(), c.to.clone()))
        });
    if let Some((f, t)) = featured {
        if let (Ok(fc), Ok(tc)) = (Iso3::parse(&f), Iso3::parse(&t)) {
            if let Some(detail) = figures::corridor_detail(&snapshot, Corridor::new(fc, tc)) {
                let title = format!(
                    "Cost of sending USD 200 from {} to {}",
                    detail.summary.from.name, detail.summary.to.name
                );
                let chart = corridor_cost_chart("remittance-cost", title.clone(), &detail)
                    .reference_line(AVERAGE_TARGET, "3 %");
                figs.add(
                    &chart,
                    "remittance-cost",
                    title,
                    &detail.sources,
                    vec![
                        "The country's costliest corridor in the latest quarter with data.".into(),
                    ],
                )?;
            }
        }
    }

    let mut missing_grouping = None;
    if let Some((grouping, b)) = figures::missing_in_region_of(&snapshot, country) {
        let title = format!("Dead and missing migrants in {grouping}, by year");
        let chart = dead_and_missing_chart("missing", title.clone(), &b.rows);
        figs.add(
            &chart,
            "missing",
            title,
            std::slice::from_ref(&b.source),
            vec![format!(
                "Incidents whose UN M49 grouping is {grouping}, the region {} is in.",
                country.name
            )],
        )?;
        missing_grouping = Some(grouping);
    }
    let missing_from_note = match figures::missing_from_region_of(&snapshot, country) {
        Some((region, rows)) => {
            let total: u64 = rows.iter().map(|r| r.dead_and_missing).sum();
            Some(format!(
                "{} people from {region} are recorded dead or missing.",
                marrakech_charts::format_thousands(total as f64, 0)
            ))
        }
        None if snapshot.missing.is_some() => Some(
            "The loaded Missing Migrants release does not record the region of origin, so migrants \
             from the region cannot be counted."
                .into(),
        ),
        None => None,
    };
    if let Some(answer) = figs.csv_answer(csv) {
        return answer.map(Err);
    }
    Ok(Ok(Profile {
        figures: figs.list,
        corridors_in,
        corridors_out,
        cost_sources,
        missing_grouping,
        missing_from_note,
        stock_facts,
    }))
}
