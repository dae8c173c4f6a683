//! The figures the evidence pages draw and `/api/v1/statistics/...` serves, computed once
//! here from a [`Snapshot`] so that a chart, the table under it, its CSV download and the
//! API always say the same thing.
//!
//! Places are named from core's reference table (UN names), codes stay M49 (migrant stock)
//! or ISO alpha-3 (remittance corridors, as the World Bank publishes them).

use std::collections::BTreeMap;

use marrakech_core::countries::{Country, Reference, M49};
use marrakech_evidence::codes::{Corridor, Iso3, Quarter, Sex};
use marrakech_evidence::missing::{self, Tally};
use marrakech_evidence::mmp::Incident;
use marrakech_evidence::stock::{Area, Change, Direction, StockFigures};
use marrakech_evidence::trajectory::{combine_series, trajectory, SeriesSource, TrackStatus};
use marrakech_store::statistics::Dataset;
use serde::Serialize;

use super::Snapshot;

/// The corridor target of objective 20(a) / SDG 10.c.1: no corridor above 5 %.
pub const CORRIDOR_TARGET: f64 = 5.0;
/// The average cost target: below 3 %.
pub const AVERAGE_TARGET: f64 = 3.0;

/// A country, region or the world, with its code and UN name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// The code it is asked for by: M49 for migrant stock and missing migrants, ISO alpha-3
    /// for remittance corridors.
    pub code: String,
    pub name: String,
}

impl Place {
    pub fn of_m49(m49: M49) -> Place {
        let reference = Reference::official();
        let name = reference
            .country(&m49.to_string())
            .map(|c| c.name.clone())
            .or_else(|| reference.region(m49).map(|r| r.name.clone()))
            .unwrap_or_else(|| format!("M49 {m49}"));
        Place {
            code: m49.to_string(),
            name,
        }
    }

    pub fn of_iso3(iso3: Iso3, published_name: Option<&str>) -> Place {
        let name = Reference::official()
            .country(iso3.as_str())
            .map(|c| c.name.clone())
            .or_else(|| published_name.map(str::to_owned))
            .unwrap_or_else(|| iso3.as_str().to_owned());
        Place {
            code: iso3.as_str().to_owned(),
            name,
        }
    }

    pub fn of_area(area: Area) -> Place {
        match area {
            Area::World => Place {
                code: "001".into(),
                name: "World".into(),
            },
            Area::Country(m) | Area::Region(m) => Place::of_m49(m),
        }
    }
}

/// Where a figure comes from: the line printed under every chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceLine {
    pub dataset: String,
    pub title: String,
    pub source: String,
    pub release: String,
    pub licence: String,
    pub url: Option<String>,
    pub attribution: String,
}

impl SourceLine {
    pub fn of(d: &Dataset) -> SourceLine {
        SourceLine {
            dataset: d.key(),
            title: d.title.clone(),
            source: d.source.clone(),
            release: d.release.clone(),
            licence: d.licence.clone(),
            url: d.url.clone(),
            attribution: d.attribution.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Migrant stock

/// One counterpart of an area's migrants: an origin of its immigrants or a destination of
/// its emigrants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterpart {
    pub place: Place,
    pub migrants: f64,
    /// Of the area's total in that year, per cent.
    pub share: Option<f64>,
}

/// An area's migrant stock one way: the series by year and sex, the change since the first
/// year, and its largest counterparts in the latest year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockProfile {
    pub area: Place,
    pub direction: &'static str,
    pub years: Vec<StockFigures>,
    pub change: Option<Change>,
    pub top_year: Option<u16>,
    pub top: Vec<Counterpart>,
    pub source: SourceLine,
}

pub fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Immigrants => "immigrants",
        Direction::Emigrants => "emigrants",
    }
}

pub fn stock_profile(
    snapshot: &Snapshot,
    area: Area,
    direction: Direction,
    top_n: usize,
) -> Option<StockProfile> {
    let stock = snapshot.stock.as_ref()?;
    let years: Vec<StockFigures> = stock
        .index
        .by_year(area, direction)
        .into_iter()
        .filter(|y| y.total.is_some())
        .map(|mut y| {
            // The evidence crate gives a fraction; every figure here is in per cent.
            y.share_female = y.share_female.map(|s| s * 100.0);
            y
        })
        .collect();
    let first = years.first().map(|y| y.year);
    let last = years.last().map(|y| y.year);
    let change = match (first, last) {
        (Some(f), Some(l)) if f < l => stock.index.change(area, direction, Sex::Total, f, l),
        _ => None,
    };
    let total_last = years.last().and_then(|y| y.total);
    let top = last
        .map(|year| {
            stock
                .index
                .top_counterparts(area, direction, year, Sex::Total, top_n)
                .into_iter()
                .map(|(m49, migrants)| Counterpart {
                    place: Place::of_m49(m49),
                    migrants,
                    share: total_last
                        .filter(|t| *t > 0.0)
                        .map(|t| migrants / t * 100.0),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(StockProfile {
        area: Place::of_area(area),
        direction: direction_name(direction),
        years,
        change,
        top_year: last,
        top,
        source: SourceLine::of(&stock.dataset),
    })
}

/// One country on the world map of immigrant stock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockMapRow {
    pub place: Place,
    pub immigrants: f64,
    pub females: Option<f64>,
    pub share_female: Option<f64>,
    /// Of the world's immigrants that year, per cent.
    pub share_of_world: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockMap {
    pub year: u16,
    pub years: Vec<u16>,
    pub world: Option<f64>,
    pub countries: Vec<StockMapRow>,
    pub source: SourceLine,
}

/// Every country's immigrant stock in `year` (the latest when `None`), largest first.
pub fn stock_map(snapshot: &Snapshot, year: Option<u16>) -> Option<StockMap> {
    let stock = snapshot.stock.as_ref()?;
    let years = stock.index.years().to_vec();
    let year = year.or_else(|| years.last().copied())?;
    if !years.contains(&year) {
        return None;
    }
    let mut totals: BTreeMap<M49, (f64, f64)> = BTreeMap::new();
    for o in stock.index.observations() {
        if o.time_period != year {
            continue;
        }
        let entry = totals.entry(o.ref_area).or_insert((0.0, 0.0));
        match o.sex {
            Sex::Total => entry.0 += o.value,
            Sex::Female => entry.1 += o.value,
            Sex::Male => {}
        }
    }
    let world = stock
        .index
        .value(Area::World, Direction::Immigrants, year, Sex::Total);
    let mut countries: Vec<StockMapRow> = totals
        .into_iter()
        .filter(|(_, (total, _))| *total > 0.0)
        .map(|(m49, (total, females))| StockMapRow {
            place: Place::of_m49(m49),
            immigrants: total,
            females: Some(females),
            share_female: Some(females / total * 100.0),
            share_of_world: world.filter(|w| *w > 0.0).map(|w| total / w * 100.0),
        })
        .collect();
    countries.sort_by(|a, b| {
        b.immigrants
            .total_cmp(&a.immigrants)
            .then(a.place.code.cmp(&b.place.code))
    });
    Some(StockMap {
        year,
        years,
        world,
        countries,
        source: SourceLine::of(&stock.dataset),
    })
}

/// Migrants born in `origin` and living in `destination`, by year and sex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockCorridor {
    pub origin: Place,
    pub destination: Place,
    pub years: Vec<StockFigures>,
    pub source: SourceLine,
}

pub fn stock_corridor(snapshot: &Snapshot, origin: M49, destination: M49) -> Option<StockCorridor> {
    let stock = snapshot.stock.as_ref()?;
    let mut by_year: BTreeMap<u16, StockFigures> = BTreeMap::new();
    for o in stock.index.observations() {
        if o.ref_area != destination || o.counterpart_area != origin {
            continue;
        }
        let y = by_year.entry(o.time_period).or_insert(StockFigures {
            year: o.time_period,
            total: None,
            males: None,
            females: None,
            share_female: None,
        });
        let slot = match o.sex {
            Sex::Total => &mut y.total,
            Sex::Male => &mut y.males,
            Sex::Female => &mut y.females,
        };
        *slot = Some(slot.unwrap_or(0.0) + o.value);
    }
    let years = by_year
        .into_values()
        .map(|mut y| {
            y.share_female = match (y.females, y.total) {
                (Some(f), Some(t)) if t > 0.0 => Some(f / t * 100.0),
                _ => None,
            };
            y
        })
        .collect();
    Some(StockCorridor {
        origin: Place::of_m49(origin),
        destination: Place::of_m49(destination),
        years,
        source: SourceLine::of(&stock.dataset),
    })
}

// ---------------------------------------------------------------------------------------
// Remittance costs

/// Which remittance-cost data a figure was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostBasis {
    /// Provider-level RPW rows (the SDG 10.c.1 methodology).
    ProviderLevel,
    /// The World Bank's published corridor averages (DataBank).
    CorridorAverages,
}

impl CostBasis {
    pub fn describe(self) -> &'static str {
        match self {
            CostBasis::ProviderLevel => {
                "computed here from provider-level Remittance Prices Worldwide rows (SDG 10.c.1 methodology)"
            }
            CostBasis::CorridorAverages => {
                "from the World Bank's published corridor averages: no provider-level Remittance Prices \
                 Worldwide rows are imported, so the Global Average and SmaRT (which average services) \
                 cannot be computed; the mean over corridors and the volume-weighted mean are shown instead"
            }
        }
    }
}

impl From<SeriesSource> for CostBasis {
    fn from(s: SeriesSource) -> CostBasis {
        match s {
            SeriesSource::ProviderLevel => CostBasis::ProviderLevel,
            SeriesSource::CorridorAverage => CostBasis::CorridorAverages,
        }
    }
}

/// One quarter of the global remittance-cost figures, cost of sending USD 200, per cent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostQuarter {
    pub quarter: String,
    /// Simple average over services (provider-level data only).
    pub global_average: Option<f64>,
    /// SmaRT (provider-level data only).
    pub smart: Option<f64>,
    /// Simple mean over corridor averages.
    pub corridor_mean: Option<f64>,
    /// Mean over corridors weighted by remittance volume.
    pub weighted_average: Option<f64>,
    pub corridors: usize,
    pub corridors_above_5: usize,
    pub share_above_5: Option<f64>,
    /// Services priced (provider-level data only).
    pub services: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSeries {
    pub basis: CostBasis,
    pub basis_note: &'static str,
    pub quarters: Vec<CostQuarter>,
    pub sources: Vec<SourceLine>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = values.fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    (n > 0).then(|| sum / n as f64)
}

pub fn cost_series(snapshot: &Snapshot) -> Option<CostSeries> {
    let weights_source = snapshot
        .weights
        .as_ref()
        .map(|w| SourceLine::of(&w.dataset));
    if let Some(prices) = &snapshot.prices {
        let quarters = prices
            .quarters
            .iter()
            .map(|q| CostQuarter {
                quarter: q.quarter.sdmx(),
                global_average: q.global_average,
                smart: q.smart,
                corridor_mean: mean(
                    prices
                        .corridors
                        .iter()
                        .filter(|c| c.quarter == q.quarter)
                        .map(|c| c.average),
                ),
                weighted_average: q.weighted_average,
                corridors: q.corridors,
                corridors_above_5: q.corridors_above_5,
                share_above_5: q.share_above_5,
                services: Some(q.services),
            })
            .collect();
        let mut sources = vec![SourceLine::of(&prices.dataset)];
        sources.extend(weights_source);
        return Some(CostSeries {
            basis: CostBasis::ProviderLevel,
            basis_note: CostBasis::ProviderLevel.describe(),
            quarters,
            sources,
        });
    }
    let averages = snapshot.corridor_averages.as_ref()?;
    let quarters = averages
        .quarters
        .iter()
        .map(|q| CostQuarter {
            quarter: q.quarter.sdmx(),
            global_average: None,
            smart: None,
            corridor_mean: Some(q.mean),
            weighted_average: q.weighted_mean,
            corridors: q.corridors,
            corridors_above_5: q.above_5,
            share_above_5: Some(q.share_above_5),
            services: None,
        })
        .collect();
    let mut sources = vec![SourceLine::of(&averages.dataset)];
    sources.extend(weights_source);
    Some(CostSeries {
        basis: CostBasis::CorridorAverages,
        basis_note: CostBasis::CorridorAverages.describe(),
        quarters,
        sources,
    })
}

/// One quarter of a corridor's average cost (USD 200), saying where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorPoint {
    pub quarter: String,
    pub cost: f64,
    /// The straight-line path from the baseline to 5 % by 2030Q4, at this quarter.
    pub path: Option<f64>,
    pub basis: CostBasis,
}

/// A corridor's latest cost and where it stands against 5 % by 2030.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorSummary {
    pub from: Place,
    pub to: Place,
    pub latest_quarter: String,
    pub latest: f64,
    pub above_5: bool,
    pub baseline_quarter: Option<String>,
    pub baseline: Option<f64>,
    pub path_at_latest: Option<f64>,
    /// `on-track`, `off-track`, or `None` with a single observation.
    pub status: Option<&'static str>,
    pub basis: CostBasis,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorDetail {
    pub summary: CorridorSummary,
    pub points: Vec<CorridorPoint>,
    pub sources: Vec<SourceLine>,
}

fn status_name(s: TrackStatus) -> &'static str {
    match s {
        TrackStatus::OnTrack => "on-track",
        TrackStatus::OffTrack => "off-track",
    }
}

/// A corridor's series, each point saying where it came from.
type CombinedSeries = Vec<(Quarter, f64, SeriesSource)>;
/// The sending and receiving countries' names as the World Bank published them.
type PublishedNames = [Option<String>; 2];

/// Every corridor with data, each series combining provider-level figures with the
/// published averages for the quarters provider rows do not cover.
fn corridor_series(snapshot: &Snapshot) -> BTreeMap<Corridor, (CombinedSeries, PublishedNames)> {
    let mut provider: BTreeMap<Corridor, Vec<(Quarter, f64)>> = BTreeMap::new();
    let mut names: BTreeMap<Corridor, [Option<String>; 2]> = BTreeMap::new();
    if let Some(prices) = &snapshot.prices {
        for c in &prices.corridors {
            provider
                .entry(c.corridor)
                .or_default()
                .push((c.quarter, c.average));
        }
    }
    let mut published: BTreeMap<Corridor, Vec<(Quarter, f64)>> = BTreeMap::new();
    if let Some(averages) = &snapshot.corridor_averages {
        for s in &averages.series {
            published
                .entry(s.corridor)
                .or_default()
                .extend(s.values.iter().copied());
            names.entry(s.corridor).or_insert([
                s.source_name.as_deref().map(str::to_owned),
                s.destination_name.as_deref().map(str::to_owned),
            ]);
        }
    }
    let corridors: std::collections::BTreeSet<Corridor> =
        provider.keys().chain(published.keys()).copied().collect();
    corridors
        .into_iter()
        .map(|c| {
            let mut p = provider.remove(&c).unwrap_or_default();
            p.sort_by_key(|(q, _)| *q);
            let mut q = published.remove(&c).unwrap_or_default();
            q.sort_by_key(|(q, _)| *q);
            let combined = combine_series(&p, &q);
            (c, (combined, names.remove(&c).unwrap_or_default()))
        })
        .collect()
}

fn detail_of(
    corridor: Corridor,
    series: &[(Quarter, f64, SeriesSource)],
    names: &[Option<String>; 2],
) -> Option<CorridorDetail> {
    let (latest_q, latest, latest_source) = *series.last()?;
    let plain: Vec<(Quarter, f64)> = series.iter().map(|(q, v, _)| (*q, *v)).collect();
    let path = trajectory(&plain, CORRIDOR_TARGET);
    let summary = CorridorSummary {
        from: Place::of_iso3(corridor.source, names[0].as_deref()),
        to: Place::of_iso3(corridor.destination, names[1].as_deref()),
        latest_quarter: latest_q.sdmx(),
        latest,
        above_5: latest > CORRIDOR_TARGET,
        baseline_quarter: path.as_ref().map(|t| t.baseline_quarter.sdmx()),
        baseline: path.as_ref().map(|t| t.baseline),
        path_at_latest: path.as_ref().map(|t| t.path_at_latest),
        status: path.as_ref().map(|t| status_name(t.status)),
        basis: latest_source.into(),
    };
    let points = series
        .iter()
        .map(|(q, v, s)| CorridorPoint {
            quarter: q.sdmx(),
            cost: *v,
            path: path
                .as_ref()
                .filter(|t| *q >= t.baseline_quarter)
                .map(|t| t.path(*q)),
            basis: (*s).into(),
        })
        .collect();
    Some(CorridorDetail {
        summary,
        points,
        sources: Vec::new(),
    })
}

fn cost_sources(snapshot: &Snapshot) -> Vec<SourceLine> {
    let mut sources = Vec::new();
    if let Some(p) = &snapshot.prices {
        sources.push(SourceLine::of(&p.dataset));
    }
    if let Some(a) = &snapshot.corridor_averages {
        sources.push(SourceLine::of(&a.dataset));
    }
    sources
}

/// Every corridor's series, summary and path to 5 %: computed once per snapshot (see
/// [`Snapshot::corridors`]), since every remittance page and country profile reads them.
pub fn corridor_table(snapshot: &Snapshot) -> BTreeMap<Corridor, CorridorDetail> {
    let sources = cost_sources(snapshot);
    corridor_series(snapshot)
        .into_iter()
        .filter_map(|(c, (series, names))| {
            let mut detail = detail_of(c, &series, &names)?;
            detail.sources = sources.clone();
            Some((c, detail))
        })
        .collect()
}

/// Corridors, optionally only those from `from` and/or to `to`, in corridor order.
pub fn corridors(
    snapshot: &Snapshot,
    from: Option<Iso3>,
    to: Option<Iso3>,
) -> Vec<CorridorSummary> {
    snapshot
        .corridors
        .iter()
        .filter(|(c, _)| {
            from.is_none_or(|f| c.source == f) && to.is_none_or(|t| c.destination == t)
        })
        .map(|(_, d)| d.summary.clone())
        .collect()
}

pub fn corridor_detail(snapshot: &Snapshot, corridor: Corridor) -> Option<CorridorDetail> {
    snapshot.corridors.get(&corridor).cloned()
}

/// One remittance service in a corridor and quarter, as objective 20(f) asks to compare them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderRow {
    pub firm: String,
    pub firm_type: Option<String>,
    pub instrument: Option<String>,
    pub access_point: Option<String>,
    pub speed: Option<String>,
    pub transparent: Option<bool>,
    /// Sending USD 200: the fee as a share of the amount, the FX margin and the total, per cent.
    pub usd200_fee: Option<f64>,
    pub usd200_fx_margin: Option<f64>,
    pub usd200_total: Option<f64>,
    pub usd500_fee: Option<f64>,
    pub usd500_fx_margin: Option<f64>,
    pub usd500_total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderComparison {
    pub from: Place,
    pub to: Place,
    pub quarter: Option<String>,
    /// Quarters with provider-level rows for this corridor, newest first.
    pub quarters: Vec<String>,
    /// `200` or `500`: the amount the ranking is by.
    pub ranked_by: u16,
    pub providers: Vec<ProviderRow>,
    /// Why the list is empty, when it is.
    pub note: Option<String>,
    pub sources: Vec<SourceLine>,
}

/// The services of a corridor in one quarter (the newest by default), cheapest first for
/// the amount asked (USD 200 or 500); services without a total for it come last.
pub fn providers(
    snapshot: &Snapshot,
    corridor: Corridor,
    quarter: Option<Quarter>,
    ranked_by: u16,
) -> ProviderComparison {
    let from = Place::of_iso3(corridor.source, None);
    let to = Place::of_iso3(corridor.destination, None);
    let Some(prices) = &snapshot.prices else {
        return ProviderComparison {
            from,
            to,
            quarter: None,
            quarters: Vec::new(),
            ranked_by,
            providers: Vec::new(),
            note: Some(
                "No provider-level Remittance Prices Worldwide data is imported, so services cannot \
                 be compared; an administrator loads it with `marrakech import rpw FILE`. The corridor's \
                 published average is shown instead."
                    .into(),
            ),
            sources: cost_sources(snapshot),
        };
    };
    let mut quarters: Vec<Quarter> = prices
        .records
        .iter()
        .filter(|r| r.corridor == corridor)
        .map(|r| r.period)
        .collect();
    quarters.sort();
    quarters.dedup();
    quarters.reverse();
    let chosen = quarter.or_else(|| quarters.first().copied());
    let pct = |c: &marrakech_evidence::rpw::Cost| {
        (
            match (c.total_cost_pct, c.fx_margin) {
                (Some(t), Some(m)) => Some(t - m),
                _ => None,
            },
            c.fx_margin,
            c.total_cost_pct,
        )
    };
    let mut rows: Vec<ProviderRow> = prices
        .records
        .iter()
        .filter(|r| r.corridor == corridor && Some(r.period) == chosen)
        .map(|r| {
            let (f2, m2, t2) = pct(&r.cc1);
            let (f5, m5, t5) = pct(&r.cc2);
            ProviderRow {
                firm: r.firm.to_string(),
                firm_type: r.firm_type.as_deref().map(str::to_owned),
                instrument: r.payment_instrument.as_deref().map(str::to_owned),
                access_point: r.access_point.as_deref().map(str::to_owned),
                speed: r
                    .speed
                    .map(|s| s.label().to_owned())
                    .or_else(|| r.speed_text.as_deref().map(str::to_owned)),
                transparent: r.transparent,
                usd200_fee: f2,
                usd200_fx_margin: m2,
                usd200_total: t2,
                usd500_fee: f5,
                usd500_fx_margin: m5,
                usd500_total: t5,
            }
        })
        .collect();
    let key = |r: &ProviderRow| {
        if ranked_by == 500 {
            r.usd500_total
        } else {
            r.usd200_total
        }
    };
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.firm.cmp(&b.firm)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.firm.cmp(&b.firm),
    });
    let note = rows.is_empty().then(|| match chosen {
        None => "The imported provider-level data has no services in this corridor.".to_owned(),
        Some(q) => format!("No services were priced in this corridor in {}.", q.sdmx()),
    });
    ProviderComparison {
        from,
        to,
        quarter: chosen.map(Quarter::sdmx),
        quarters: quarters.into_iter().map(Quarter::sdmx).collect(),
        ranked_by,
        providers: rows,
        note,
        sources: cost_sources(snapshot),
    }
}

// ---------------------------------------------------------------------------------------
// Missing migrants

/// How dead and missing migrants are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingBy {
    Year,
    Region,
    Route,
    Cause,
    Origin,
    Grouping,
}

impl MissingBy {
    pub const ALL: [MissingBy; 6] = [
        MissingBy::Year,
        MissingBy::Region,
        MissingBy::Route,
        MissingBy::Cause,
        MissingBy::Origin,
        MissingBy::Grouping,
    ];

    pub fn parse(s: &str) -> Option<MissingBy> {
        MissingBy::ALL.into_iter().find(|b| b.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MissingBy::Year => "year",
            MissingBy::Region => "region",
            MissingBy::Route => "route",
            MissingBy::Cause => "cause",
            MissingBy::Origin => "origin",
            MissingBy::Grouping => "grouping",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MissingBy::Year => "Year",
            MissingBy::Region => "Region of incident",
            MissingBy::Route => "Migration route",
            MissingBy::Cause => "Cause of death",
            MissingBy::Origin => "Region of origin",
            MissingBy::Grouping => "UN M49 grouping of the incident",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingRow {
    pub key: String,
    pub incidents: u64,
    pub dead: u64,
    pub missing: u64,
    pub dead_and_missing: u64,
}

impl MissingRow {
    fn new(key: String, t: &Tally) -> MissingRow {
        MissingRow {
            key,
            incidents: t.incidents,
            dead: t.dead,
            missing: t.missing,
            dead_and_missing: t.total,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingBreakdown {
    pub by: MissingBy,
    pub rows: Vec<MissingRow>,
    pub overall: MissingRow,
    pub source: SourceLine,
}

/// Incidents filtered by year and by the M49 grouping (sub-region) they happened in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub year: Option<u16>,
    pub grouping: Option<String>,
}

impl IncidentFilter {
    fn keeps(&self, i: &Incident) -> bool {
        self.year.is_none_or(|y| i.year == y)
            && self.grouping.as_deref().is_none_or(|g| {
                i.unsd_grouping
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(g))
            })
    }
}

const UNKNOWN: &str = "Unknown";

pub fn missing_breakdown(
    snapshot: &Snapshot,
    by: MissingBy,
    filter: &IncidentFilter,
) -> Option<MissingBreakdown> {
    let data = snapshot.missing.as_ref()?;
    let incidents: Vec<Incident> = data
        .incidents
        .iter()
        .filter(|i| filter.keeps(i))
        .cloned()
        .collect();
    let text = |k: &Option<std::sync::Arc<str>>| {
        k.as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(UNKNOWN)
            .to_owned()
    };
    let mut rows: Vec<MissingRow> = match by {
        MissingBy::Year => missing::by_year(&incidents)
            .iter()
            .map(|r| MissingRow::new(r.key.to_string(), &r.tally))
            .collect(),
        MissingBy::Region => missing::by_region_of_incident(&incidents)
            .iter()
            .map(|r| MissingRow::new(r.key.to_string(), &r.tally))
            .collect(),
        MissingBy::Route => missing::by_route(&incidents)
            .iter()
            .map(|r| MissingRow::new(text(&r.key), &r.tally))
            .collect(),
        MissingBy::Cause => missing::by_cause(&incidents)
            .iter()
            .map(|r| MissingRow::new(text(&r.key), &r.tally))
            .collect(),
        MissingBy::Grouping => missing::breakdown(&incidents, |i| text(&i.unsd_grouping))
            .iter()
            .map(|r| MissingRow::new(r.key.clone(), &r.tally))
            .collect(),
        MissingBy::Origin => missing::by_region_of_origin(&incidents)
            .iter()
            .map(|r| {
                let key = match &r.key {
                    missing::OriginKey::Region(name) => name.to_string(),
                    missing::OriginKey::Several => "Several regions".to_owned(),
                    missing::OriginKey::Unknown => UNKNOWN.to_owned(),
                };
                MissingRow::new(key, &r.tally)
            })
            .collect(),
    };
    if by != MissingBy::Year {
        rows.sort_by(|a, b| {
            b.dead_and_missing
                .cmp(&a.dead_and_missing)
                .then(a.key.cmp(&b.key))
        });
    }
    Some(MissingBreakdown {
        by,
        rows,
        overall: MissingRow::new("All".into(), &missing::overall(&incidents)),
        source: SourceLine::of(&data.dataset),
    })
}

/// An incident on the map. Location descriptions and sources are public in the data set;
/// it names no one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentPoint {
    pub id: String,
    pub date: Option<String>,
    pub year: u16,
    pub latitude: f64,
    pub longitude: f64,
    pub dead_and_missing: u64,
    pub region: String,
    pub route: Option<String>,
    pub cause: Option<String>,
}

/// Incidents with coordinates, in data-set order.
pub fn incident_points(snapshot: &Snapshot, filter: &IncidentFilter) -> Vec<IncidentPoint> {
    let Some(data) = snapshot.missing.as_ref() else {
        return Vec::new();
    };
    data.incidents
        .iter()
        .filter(|i| filter.keeps(i))
        .filter_map(|i| {
            let (latitude, longitude) = i.coordinates?;
            Some(IncidentPoint {
                id: i.incident_id.to_string(),
                date: i
                    .date
                    .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
                year: i.year,
                latitude,
                longitude,
                dead_and_missing: u64::from(
                    i.total
                        .unwrap_or(i.dead.unwrap_or(0) + i.missing.unwrap_or(0)),
                ),
                region: i.region.name.to_string(),
                route: i.route.as_deref().map(str::to_owned),
                cause: i.cause_of_death.as_deref().map(str::to_owned),
            })
        })
        .collect()
}

/// The years the missing-migrants data covers.
pub fn missing_years(snapshot: &Snapshot) -> Vec<u16> {
    let mut years: Vec<u16> = snapshot
        .missing
        .as_ref()
        .map(|m| m.incidents.iter().map(|i| i.year).collect())
        .unwrap_or_default();
    years.sort_unstable();
    years.dedup();
    years
}

/// The M49 groupings (sub-region or intermediate region names) that describe `country` in
/// the missing-migrants data, narrowest first.
pub fn groupings_of(country: &Country) -> Vec<String> {
    [
        &country.intermediate_region,
        &country.subregion,
        &country.region,
    ]
    .into_iter()
    .flatten()
    .map(|a| a.name.clone())
    .collect()
}

/// Incidents in a country's M49 grouping (its intermediate region where the data uses it,
/// else its sub-region), by year; and the grouping's name.
pub fn missing_in_region_of(
    snapshot: &Snapshot,
    country: &Country,
) -> Option<(String, MissingBreakdown)> {
    let data = snapshot.missing.as_ref()?;
    let grouping = groupings_of(country).into_iter().find(|g| {
        data.incidents.iter().any(|i| {
            i.unsd_grouping
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(g))
        })
    })?;
    let filter = IncidentFilter {
        year: None,
        grouping: Some(grouping.clone()),
    };
    missing_breakdown(snapshot, MissingBy::Year, &filter).map(|b| (grouping, b))
}

/// Dead and missing whose recorded region of origin is one of the country's M49 areas, by
/// year; `None` when the loaded release records no region of origin.
pub fn missing_from_region_of(
    snapshot: &Snapshot,
    country: &Country,
) -> Option<(String, Vec<MissingRow>)> {
    let data = snapshot.missing.as_ref()?;
    let names = groupings_of(country);
    let mut matched: Option<String> = None;
    let mut by_year: BTreeMap<u16, Tally> = BTreeMap::new();
    for i in &data.incidents {
        let hit = i.origin_regions.iter().find_map(|r| {
            names
                .iter()
                .find(|n| r.name.eq_ignore_ascii_case(n))
                .cloned()
        });
        if let Some(name) = hit {
            matched.get_or_insert(name);
            by_year.entry(i.year).or_default().add(i);
        }
    }
    let name = matched?;
    Some((
        name,
        by_year
            .iter()
            .map(|(y, t)| MissingRow::new(y.to_string(), t))
            .collect(),
    ))
}
