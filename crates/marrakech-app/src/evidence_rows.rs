//! The evidence crate's records as the store's rows, and back: the one place that says how an
//! imported record is kept. The import command writes rows with these; the snapshot reads
//! them back into the records the computations take.

use std::collections::BTreeMap;
use std::sync::Arc;

use marrakech_core::countries::M49;
use marrakech_evidence::corridor_averages::CorridorAverages;
use marrakech_evidence::ims::{StockObservation, MIGRANT_STOCK};
use marrakech_evidence::mmp::{Date, Incident, RegionName};
use marrakech_evidence::rpw::{Cost, RpwRecord, Speed};
use marrakech_evidence::sdmx::SdmxObservation;
use marrakech_evidence::weights::BilateralFlow;
use marrakech_evidence::{Corridor, Iso3, Quarter, Sex};
use marrakech_store::statistics::{IncidentRow, ObservationRow, PriceRow};

/// The indicator bilateral remittance flows are kept under (USD millions, sending x
/// receiving).
pub const REMITTANCE_FLOW: &str = "RMT_FLOW";
/// Persons, in SDMX's UNIT_MEASURE codelist.
const PERSONS: &str = "PS";

/// Why a stored row could not be read back (a database edited by hand, or by a newer
/// version): the snapshot leaves such rows out and says so in the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored {what} `{value}` cannot be read")]
pub struct RowError {
    pub what: &'static str,
    pub value: String,
}

fn bad(what: &'static str, value: &str) -> RowError {
    RowError {
        what,
        value: value.to_owned(),
    }
}

fn text(value: &Option<Arc<str>>) -> Option<String> {
    value.as_deref().map(str::to_owned)
}

fn shared(value: &Option<String>) -> Option<Arc<str>> {
    value.as_deref().map(Arc::from)
}

pub fn stock_row(o: &StockObservation) -> ObservationRow {
    let mut row = ObservationRow::new(
        o.indicator,
        &o.ref_area.to_string(),
        &o.time_period.to_string(),
        Some(o.value),
    );
    row.counterpart_area = o.counterpart_area.to_string();
    row.sex = o.sex.code().to_owned();
    row.unit_measure = Some(PERSONS.to_owned());
    row.extra = o
        .data_type
        .as_deref()
        .map(|t| serde_json::json!({ "DATA_TYPE": t }).to_string());
    row
}

pub fn stock_observation(row: &ObservationRow) -> Result<StockObservation, RowError> {
    let data_type = row
        .extra
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .and_then(|v| v["DATA_TYPE"].as_str().map(Arc::from));
    Ok(StockObservation {
        line: 0,
        indicator: MIGRANT_STOCK,
        ref_area: row
            .ref_area
            .parse()
            .map_err(|_| bad("REF_AREA", &row.ref_area))?,
        counterpart_area: row
            .counterpart_area
            .parse()
            .map_err(|_| bad("COUNTERPART_AREA", &row.counterpart_area))?,
        time_period: row
            .time_period
            .parse()
            .map_err(|_| bad("TIME_PERIOD", &row.time_period))?,
        sex: Sex::parse(&row.sex).ok_or_else(|| bad("SEX", &row.sex))?,
        value: row.value.ok_or_else(|| bad("OBS_VALUE", ""))?,
        data_type,
    })
}

pub fn price_row(r: &RpwRecord) -> PriceRow {
    PriceRow {
        line: r.line,
        key: r.key(),
        period: r.period.sdmx(),
        source_iso3: r.corridor.source.to_string(),
        destination_iso3: r.corridor.destination.to_string(),
        firm: r.firm.to_string(),
        firm_type: text(&r.firm_type),
        instrument: text(&r.payment_instrument),
        access_point: text(&r.access_point),
        speed: r
            .speed
            .map(|s| s.label().to_owned())
            .or_else(|| text(&r.speed_text)),
        pickup_method: text(&r.pickup_method),
        network_coverage: text(&r.receiving_network_coverage),
        lcu_code: text(&r.cc1.lcu_code),
        cc1_fee: r.cc1.lcu_fee,
        cc1_fx_margin: r.cc1.fx_margin,
        cc1_total: r.cc1.total_cost_pct,
        cc2_fee: r.cc2.lcu_fee,
        cc2_fx_margin: r.cc2.fx_margin,
        cc2_total: r.cc2.total_cost_pct,
        transparent: r.transparent,
    }
}

pub fn rpw_record(p: &PriceRow) -> Result<RpwRecord, RowError> {
    let iso = |s: &str, what| Iso3::parse(s).map_err(|_| bad(what, s));
    let cost = |fee, margin, total, amount: f64| Cost {
        lcu_amount: None,
        denomination_amount: Some(amount),
        lcu_code: shared(&p.lcu_code),
        lcu_fee: fee,
        lcu_fx_rate: None,
        fx_margin: margin,
        total_cost_pct: total,
    };
    Ok(RpwRecord {
        line: p.line,
        id: None,
        period: Quarter::parse(&p.period).map_err(|_| bad("period", &p.period))?,
        corridor: Corridor::new(
            iso(&p.source_iso3, "source")?,
            iso(&p.destination_iso3, "destination")?,
        ),
        source_name: None,
        destination_name: None,
        firm: Arc::from(p.firm.as_str()),
        firm_type: shared(&p.firm_type),
        payment_instrument: shared(&p.instrument),
        access_point: shared(&p.access_point),
        speed: p.speed.as_deref().and_then(Speed::parse),
        speed_text: shared(&p.speed),
        cc1: cost(p.cc1_fee, p.cc1_fx_margin, p.cc1_total, 200.0),
        cc2: cost(p.cc2_fee, p.cc2_fx_margin, p.cc2_total, 500.0),
        interbank_fx: None,
        transparent: p.transparent,
        receiving_network_coverage: shared(&p.network_coverage),
        pickup_location: None,
        pickup_method: shared(&p.pickup_method),
    })
}

/// A corridor's published averages, one observation per quarter; the corridor's ends are
/// kept as ISO3 codes, as the World Bank publishes them (Kosovo `XKX` has no M49 code).
pub fn corridor_rows(c: &CorridorAverages) -> Vec<ObservationRow> {
    c.values
        .iter()
        .map(|(quarter, value)| {
            let mut row = ObservationRow::new(
                &c.series,
                c.corridor.source.as_str(),
                &quarter.sdmx(),
                Some(*value),
            );
            row.counterpart_area = c.corridor.destination.to_string();
            row.unit_measure = Some("PT".to_owned());
            row
        })
        .collect()
}

/// The rows of one data set of corridor averages, grouped back into corridors.
pub fn corridor_averages(rows: &[ObservationRow]) -> Result<Vec<CorridorAverages>, RowError> {
    let mut by_corridor: BTreeMap<(String, String, String), Vec<(Quarter, f64)>> = BTreeMap::new();
    for row in rows {
        let quarter =
            Quarter::parse(&row.time_period).map_err(|_| bad("TIME_PERIOD", &row.time_period))?;
        if let Some(value) = row.value {
            by_corridor
                .entry((
                    row.ref_area.clone(),
                    row.counterpart_area.clone(),
                    row.indicator.clone(),
                ))
                .or_default()
                .push((quarter, value));
        }
    }
    by_corridor
        .into_iter()
        .map(|((source, destination, series), mut values)| {
            values.sort_by_key(|(q, _)| *q);
            Ok(CorridorAverages {
                line: 0,
                corridor: Corridor::new(
                    Iso3::parse(&source).map_err(|_| bad("REF_AREA", &source))?,
                    Iso3::parse(&destination).map_err(|_| bad("COUNTERPART_AREA", &destination))?,
                ),
                source_name: None,
                destination_name: None,
                series: Arc::from(series.as_str()),
                values,
            })
        })
        .collect()
}

pub fn flow_row(f: &BilateralFlow, year: &str) -> ObservationRow {
    let mut row = ObservationRow::new(
        REMITTANCE_FLOW,
        f.corridor.source.as_str(),
        year,
        Some(f.usd_millions),
    );
    row.counterpart_area = f.corridor.destination.to_string();
    row.unit_measure = Some("USD_MN".to_owned());
    row
}

pub fn bilateral_flow(row: &ObservationRow) -> Result<BilateralFlow, RowError> {
    Ok(BilateralFlow {
        corridor: Corridor::new(
            Iso3::parse(&row.ref_area).map_err(|_| bad("REF_AREA", &row.ref_area))?,
            Iso3::parse(&row.counterpart_area)
                .map_err(|_| bad("COUNTERPART_AREA", &row.counterpart_area))?,
        ),
        usd_millions: row.value.ok_or_else(|| bad("OBS_VALUE", ""))?,
    })
}

fn join(list: impl Iterator<Item = String>) -> Option<String> {
    let joined = list.collect::<Vec<_>>().join("; ");
    (!joined.is_empty()).then_some(joined)
}

pub fn incident_row(i: &Incident) -> IncidentRow {
    let count = |v: Option<u32>| v.map(i64::from);
    IncidentRow {
        line: i.line,
        incident_id: i.incident_id.to_string(),
        main_id: text(&i.main_id),
        incident_type: text(&i.incident_type),
        region: i.region.name.to_string(),
        region_presumed: i.region.presumed,
        incident_date: i
            .date
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
        year: i64::from(i.year),
        month: i.month.map(i64::from),
        dead: count(i.dead),
        missing: count(i.missing),
        total: count(i.total),
        survivors: count(i.survivors),
        females: count(i.females),
        males: count(i.males),
        children: count(i.children),
        origin_countries: join(i.origin_countries.iter().map(|c| c.to_string())),
        origin_regions: join(i.origin_regions.iter().map(|r| {
            if r.presumed {
                format!("{} (P)", r.name)
            } else {
                r.name.to_string()
            }
        })),
        cause_of_death: text(&i.cause_of_death),
        country_of_incident: text(&i.country_of_incident),
        route: text(&i.route),
        location: text(&i.location),
        latitude: i.coordinates.map(|c| c.0),
        longitude: i.coordinates.map(|c| c.1),
        unsd_grouping: text(&i.unsd_grouping),
        information_source: text(&i.information_source),
        url: text(&i.url),
        source_quality: i.source_quality.map(i64::from),
    }
}

pub fn incident(r: &IncidentRow) -> Result<Incident, RowError> {
    let count = |v: Option<i64>, what| -> Result<Option<u32>, RowError> {
        v.map(|n| u32::try_from(n).map_err(|_| bad(what, &n.to_string())))
            .transpose()
    };
    let split = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .map(|s| s.split("; ").map(str::to_owned).collect())
            .unwrap_or_default()
    };
    Ok(Incident {
        line: r.line,
        main_id: shared(&r.main_id),
        incident_id: Arc::from(r.incident_id.as_str()),
        incident_type: shared(&r.incident_type),
        region: RegionName {
            name: Arc::from(r.region.as_str()),
            presumed: r.region_presumed,
        },
        date: r.incident_date.as_deref().and_then(Date::parse),
        year: u16::try_from(r.year).map_err(|_| bad("year", &r.year.to_string()))?,
        month: r.month.and_then(|m| u8::try_from(m).ok()),
        dead: count(r.dead, "dead")?,
        missing: count(r.missing, "missing")?,
        total: count(r.total, "total")?,
        survivors: count(r.survivors, "survivors")?,
        females: count(r.females, "females")?,
        males: count(r.males, "males")?,
        children: count(r.children, "children")?,
        origin_countries: split(&r.origin_countries)
            .into_iter()
            .map(Arc::from)
            .collect(),
        origin_regions: split(&r.origin_regions)
            .iter()
            .filter_map(|s| RegionName::parse(s))
            .collect(),
        cause_of_death: shared(&r.cause_of_death),
        country_of_incident: shared(&r.country_of_incident),
        route: shared(&r.route),
        location: shared(&r.location),
        coordinates: r.latitude.zip(r.longitude),
        unsd_grouping: shared(&r.unsd_grouping),
        information_source: shared(&r.information_source),
        url: shared(&r.url),
        source_quality: r.source_quality.and_then(|q| u32::try_from(q).ok()),
    })
}

/// The SDMX dimensions kept in their own columns; the others go to `extra`.
const OWN_COLUMNS: [&str; 6] = [
    "REF_AREA",
    "COUNTERPART_AREA",
    "SEX",
    "AGE",
    "MIGRATION_STATUS",
    "TIME_PERIOD",
];

/// An SDMX-CSV observation: the indicator is the `INDICATOR` or `SERIES` dimension (or the
/// dataflow when it has neither); `UNIT_MEASURE` and `OBS_STATUS` are read from dimensions or
/// attributes; everything else is kept in `extra`, so nothing in the file is lost.
pub fn sdmx_row(o: &SdmxObservation) -> ObservationRow {
    let dims = &o.dimensions;
    let get = |k: &str| dims.get(k).or_else(|| o.attributes.get(k)).cloned();
    let indicator = get("INDICATOR")
        .or_else(|| get("SERIES"))
        .unwrap_or_else(|| o.dataflow.clone());
    let mut row = ObservationRow::new(
        &indicator,
        &get("REF_AREA").unwrap_or_else(|| "_Z".to_owned()),
        o.time_period.as_deref().unwrap_or("_Z"),
        o.value,
    );
    row.counterpart_area = get("COUNTERPART_AREA").unwrap_or_else(|| "_Z".to_owned());
    row.sex = get("SEX").unwrap_or_else(|| "_T".to_owned());
    row.age = get("AGE").unwrap_or_else(|| "_T".to_owned());
    row.migration_status = get("MIGRATION_STATUS").unwrap_or_else(|| "_Z".to_owned());
    row.unit_measure = get("UNIT_MEASURE");
    row.obs_status = get("OBS_STATUS");
    row.value_text = o.value_text.clone();
    let mut extra = serde_json::Map::new();
    extra.insert("DATAFLOW".into(), o.dataflow.clone().into());
    for (k, v) in dims.iter().chain(&o.attributes) {
        if !OWN_COLUMNS.contains(&k.as_str())
            && !matches!(
                k.as_str(),
                "INDICATOR" | "SERIES" | "UNIT_MEASURE" | "OBS_STATUS"
            )
        {
            extra.insert(k.clone(), v.clone().into());
        }
    }
    row.extra = Some(serde_json::Value::Object(extra).to_string());
    row
}

/// An M49 code when the text is one.
pub fn m49(code: &str) -> Option<M49> {
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use marrakech_core::countries::Reference;

    #[test]
    fn records_round_trip_through_rows() {
        let reference = Reference::official();
        let ims = "Index,\"Region, development group, country or area of destination\",Coverage,Data type,Location code of destination,\"Region, development group, country or area of origin\",Location code of origin,1990_total,1990_males,1990_females\n\
                   1,Burundi,,B R,108,Kenya,404,186,104,82\n";
        let import = marrakech_evidence::ims::import_ims_csv(ims.as_bytes(), reference).unwrap();
        assert_eq!(import.records.len(), 3);
        for o in &import.records {
            let back = stock_observation(&stock_row(o)).unwrap();
            assert_eq!(
                back,
                StockObservation {
                    line: 0,
                    ..o.clone()
                }
            );
        }
        let generated = marrakech_evidence_records();
        for r in &generated {
            let back = rpw_record(&price_row(r)).unwrap();
            assert_eq!(back.corridor, r.corridor);
            assert_eq!(back.period, r.period);
            assert_eq!(back.cc1.total_cost_pct, r.cc1.total_cost_pct);
            assert_eq!(back.transparent, r.transparent);
            assert_eq!(back.speed, r.speed);
            // SmaRT reads it: a service on a limited network does not qualify.
            assert_eq!(
                back.receiving_network_coverage,
                r.receiving_network_coverage
            );
        }
        assert!(generated
            .iter()
            .any(|r| r.receiving_network_coverage.is_some()));
    }

    /// A few provider rows from an RPW CSV of the current layout.
    fn marrakech_evidence_records() -> Vec<RpwRecord> {
        let csv = "period,source_code,destination_code,firm,firm_type,payment instrument,access point,speed actual,cc1 lcu fee,cc1 fx margin,cc1 total cost %,transparent,receiving network coverage\n\
                   2020_3Q,USA,MEX,Firm A,MTO,Cash,Agent,Less than one hour,5,1.2,3.7,yes,Nationwide\n\
                   2020_3Q,USA,MEX,Bank B,Bank,Bank account,Branch,3-5 days,20,0,10,no,Limited network\n";
        marrakech_evidence::rpw::import_rpw_csv(csv.as_bytes())
            .unwrap()
            .records
    }

    #[test]
    fn incidents_round_trip_through_rows() {
        let csv = "Web ID,Region of Incident,Reported Date,Reported Year,Reported Month,Number Dead,Minimum Estimated Number of Missing,Total Dead and Missing,Number of Survivors,Number of Females,Number of Males,Number of Children,Cause of Death,Location Description,Information Source,Location Coordinates,Migration Route,URL,UNSD Geographical Grouping,Source Quality\n\
                   52673,Mediterranean,\"January 05, 2020\",2020,Jan,1,2,3,,,1,,Drowning,Off Libya,IOM,\"33.1, 12.2\",Central Mediterranean,,Uncategorized,4\n";
        let import = marrakech_evidence::mmp::import_mmp_csv(csv.as_bytes()).unwrap();
        assert_eq!(import.rejected, vec![]);
        let i = &import.records[0];
        assert_eq!(incident(&incident_row(i)).unwrap(), *i);
    }
}
