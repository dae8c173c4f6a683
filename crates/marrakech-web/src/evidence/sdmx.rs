//! The evidence base as SDMX: the structures (codelists, concepts, data structures,
//! dataflows) and each dataflow's observations, built from a snapshot so that SDMX answers
//! agree with the pages and the JSON API.
//!
//! Dataflows (agency `MARRAKECH`, version `1.0`):
//! - `DF_MIGRANT_STOCK`: migrants by country of destination (REF_AREA), country of origin
//!   (COUNTERPART_AREA) and SEX, by year, as UN DESA publishes them;
//! - `DF_MIGRANT_STOCK_TOTALS`: immigrant and emigrant stock of every country, M49 region and
//!   the world (DIRECTION), by SEX and year;
//! - `DF_RPW_CORRIDOR`: the average total cost of sending USD 200 in each corridor (sending
//!   REF_AREA, receiving COUNTERPART_AREA, ISO3 codes as the World Bank gives them), by quarter;
//! - `DF_SDG_10C1`: SDG 10.c.1 and its companions by quarter (SERIES), world and regions;
//! - `DF_MISSING_MIGRANTS`: dead and missing migrants (MEASURE) by region of incident, by year.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use marrakech_core::countries::Reference;
use marrakech_evidence::stock::{Area, Direction};
use marrakech_evidence::Sex;
use marrakech_sdmx::{
    codelists, Agency, Annotation, ArtefactRef, Attribute, Code, Codelist, Concept, ConceptScheme,
    DataStructure, Dataflow, Dimension, ModelError, Observation, Structures,
};
use marrakech_store::statistics::Dataset;

use super::Snapshot;

pub const AGENCY: &str = "MARRAKECH";
const VERSION: &str = "1.0";

/// One dataflow's observations, sorted by series key then time, with the range of each
/// first-dimension value, so that a query for one country reads only its rows.
pub struct FlowData {
    pub observations: Vec<Observation>,
    pub by_first: HashMap<String, Range<usize>>,
}

impl FlowData {
    fn new(mut observations: Vec<Observation>) -> FlowData {
        observations.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.time.cmp(&b.time)));
        let mut by_first: HashMap<String, Range<usize>> = HashMap::new();
        for (i, o) in observations.iter().enumerate() {
            let first = o.key.first().cloned().unwrap_or_default();
            by_first
                .entry(first)
                .and_modify(|r| r.end = i + 1)
                .or_insert(i..i + 1);
        }
        FlowData {
            observations,
            by_first,
        }
    }
}

/// The published structures and every flow's data.
pub struct Catalog {
    pub structures: Structures,
    pub flows: HashMap<String, FlowData>,
}

fn r(id: &str) -> Result<ArtefactRef, ModelError> {
    ArtefactRef::new(AGENCY, id, VERSION)
}

fn codelist(id: &str, name: &str, codes: &[(&str, &str)]) -> Result<Codelist, ModelError> {
    Codelist::new(
        r(id)?,
        name,
        codes
            .iter()
            .map(|(c, n)| Code::new(c, *n))
            .collect::<Result<_, _>>()?,
    )
}

/// An SDMX code for a free-text name (a Missing Migrants region): `US-Mexico Border` is
/// `US_MEXICO_BORDER`.
pub fn code_for(name: &str) -> String {
    let mut code = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            code.push(c.to_ascii_uppercase());
        } else if !code.ends_with('_') && !code.is_empty() {
            code.push('_');
        }
    }
    let code = code.trim_end_matches('_').to_owned();
    if code.is_empty() {
        "UNKNOWN".to_owned()
    } else {
        code
    }
}

fn provenance(flow: Dataflow, dataset: &Dataset) -> Result<Dataflow, ModelError> {
    flow.with_annotation(Annotation::source(
        format!(
            "{}: {} (release {})",
            dataset.source, dataset.title, dataset.release
        ),
        dataset.url.clone(),
    )?)?
    .with_annotation(Annotation::licence(dataset.licence.clone(), None)?)?
    .with_annotation(Annotation::attribution(dataset.attribution.clone())?)
}

/// The SDG 10.c.1 series codes, and what each is.
pub const SDG_SERIES: [(&str, &str); 8] = [
    (
        "GLOBAL_AVG",
        "Global Average total cost of sending USD 200 (simple average over services)",
    ),
    (
        "SMART",
        "SmaRT: average over corridors of the three cheapest qualifying services",
    ),
    ("WEIGHTED_AVG", "Volume-weighted average total cost"),
    (
        "REGIONAL_AVG",
        "Average total cost of sending USD 200 to the region",
    ),
    (
        "CORRIDORS_ABOVE_5",
        "Corridors whose average total cost is above 5 %",
    ),
    (
        "SHARE_ABOVE_5",
        "Share of corridors whose average total cost is above 5 %",
    ),
    ("CORRIDOR_MEAN", "Mean of the published corridor averages"),
    (
        "WEIGHTED_CORRIDOR_MEAN",
        "Volume-weighted mean of the published corridor averages",
    ),
];

/// Builds the structures and data from a snapshot. Flows whose data set is not imported are
/// left out, so the catalogue never lists a flow without data.
pub fn catalog(snapshot: &Snapshot) -> Result<Catalog, ModelError> {
    let reference = Reference::official();
    let mut s = Structures::new(Agency::marrakech());
    let mut flows = HashMap::new();

    s.add_codelist(codelists::m49_areas(r("CL_AREA")?)?)?;
    s.add_codelist(codelist(
        "CL_SEX",
        "Sex",
        &[("F", "Female"), ("M", "Male"), ("_T", "Total")],
    )?)?;
    s.add_codelist(codelist(
        "CL_DIRECTION",
        "Direction of migration",
        &[
            (
                "IMMIGRANTS",
                "Immigrants: living in the area, born elsewhere",
            ),
            ("EMIGRANTS", "Emigrants: born in the area, living elsewhere"),
        ],
    )?)?;
    s.add_codelist(codelist(
        "CL_SDG_10C1_SERIES",
        "SDG 10.c.1 series",
        &SDG_SERIES,
    )?)?;
    s.add_codelist(codelist(
        "CL_SOURCE_DETAIL",
        "What a remittance cost figure is computed from",
        &[
            ("PROVIDER_LEVEL", "Provider-level RPW survey rows"),
            (
                "CORRIDOR_AVERAGES",
                "The World Bank's published corridor averages",
            ),
        ],
    )?)?;
    s.add_codelist(codelist(
        "CL_MMP_MEASURE",
        "Missing migrants measure",
        &[
            ("DEAD", "Dead"),
            ("MISSING", "Missing (minimum estimate)"),
            ("TOTAL", "Dead and missing"),
        ],
    )?)?;
    // ISO3 country codes for the remittance corridors: the reference's, plus any code the
    // World Bank uses that it lacks (Kosovo).
    let mut iso3: BTreeMap<String, String> = reference
        .countries
        .iter()
        .map(|c| (c.iso3.clone(), c.name.clone()))
        .collect();
    if let Some(c) = &snapshot.corridor_averages {
        for series in &c.series {
            for code in [
                series.corridor.source.as_str(),
                series.corridor.destination.as_str(),
            ] {
                iso3.entry(code.to_owned()).or_insert_with(|| match code {
                    "XKX" => "Kosovo".to_owned(),
                    other => other.to_owned(),
                });
            }
        }
    }
    let iso3_codes: Vec<(String, String)> = iso3.into_iter().collect();
    s.add_codelist(Codelist::new(
        r("CL_AREA_ISO3")?,
        "Countries and areas (ISO 3166-1 alpha-3, as the World Bank uses them)",
        iso3_codes
            .iter()
            .map(|(c, n)| Code::new(c, n.clone()))
            .collect::<Result<_, _>>()?,
    )?)?;
    let regions: BTreeSet<String> = snapshot
        .missing
        .as_ref()
        .map(|m| {
            m.incidents
                .iter()
                .map(|i| i.region.name.to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut region_codes: BTreeMap<String, String> = BTreeMap::new();
    for name in &regions {
        region_codes
            .entry(code_for(name))
            .or_insert_with(|| name.clone());
    }
    if !region_codes.is_empty() {
        s.add_codelist(Codelist::new(
            r("CL_MMP_REGION")?,
            "Regions of incident (IOM Missing Migrants Project)",
            region_codes
                .iter()
                .map(|(c, n)| Code::new(c, n.clone()))
                .collect::<Result<_, _>>()?,
        )?)?;
    }
    let concepts = [
        ("REF_AREA", "Reference area"),
        ("COUNTERPART_AREA", "Counterpart area"),
        ("SEX", "Sex"),
        ("DIRECTION", "Direction of migration"),
        ("SERIES", "Series"),
        ("MEASURE", "Measure"),
        ("REGION", "Region of incident"),
        ("TIME_PERIOD", "Time period"),
        ("OBS_VALUE", "Observation value"),
        (
            "DATA_TYPE",
            "UN DESA estimate type (B born abroad, C citizenship, R refugees added, I imputed)",
        ),
        ("SOURCE_DETAIL", "What the figure is computed from"),
        ("UNIT_MEASURE", "Unit of measure"),
    ];
    s.add_concept_scheme(ConceptScheme::new(
        r("CS_MARRAKECH")?,
        "Marrakech's statistical concepts",
        concepts
            .iter()
            .map(|(c, n)| Concept::new(c, *n))
            .collect::<Result<_, _>>()?,
    )?)?;

    if let Some(stock) = &snapshot.stock {
        s.add_data_structure(DataStructure::new(
            r("DSD_MIGRANT_STOCK")?,
            "International migrant stock by destination, origin and sex",
            r("CS_MARRAKECH")?,
            vec![
                Dimension::coded("REF_AREA", r("CL_AREA")?)?,
                Dimension::coded("COUNTERPART_AREA", r("CL_AREA")?)?,
                Dimension::coded("SEX", r("CL_SEX")?)?,
            ],
            vec![Attribute::uncoded("DATA_TYPE")?],
        )?)?;
        s.add_dataflow(provenance(
            Dataflow::new(
                r("DF_MIGRANT_STOCK")?,
                "International migrant stock",
                Some("Persons living in the country of destination (REF_AREA) who were born in (or are citizens of) the country of origin (COUNTERPART_AREA), at mid-year.".to_owned()),
                r("DSD_MIGRANT_STOCK")?,
            )?,
            &stock.dataset,
        )?)?;
        let observations = stock
            .index
            .observations()
            .iter()
            .map(|o| Observation {
                key: vec![
                    o.ref_area.to_string(),
                    o.counterpart_area.to_string(),
                    o.sex.code().to_owned(),
                ],
                time: o.time_period.to_string(),
                value: Some(o.value),
                attributes: vec![o.data_type.as_deref().map(str::to_owned)],
            })
            .collect();
        flows.insert("DF_MIGRANT_STOCK".to_owned(), FlowData::new(observations));

        s.add_data_structure(DataStructure::new(
            r("DSD_MIGRANT_STOCK_TOTALS")?,
            "Immigrant and emigrant stock by area and sex",
            r("CS_MARRAKECH")?,
            vec![
                Dimension::coded("REF_AREA", r("CL_AREA")?)?,
                Dimension::coded("DIRECTION", r("CL_DIRECTION")?)?,
                Dimension::coded("SEX", r("CL_SEX")?)?,
            ],
            Vec::new(),
        )?)?;
        s.add_dataflow(provenance(
            Dataflow::new(
                r("DF_MIGRANT_STOCK_TOTALS")?,
                "Immigrant and emigrant stock by country, region and the world",
                Some("Totals of DF_MIGRANT_STOCK over the other end of each corridor: immigrants living in the area, emigrants born in it and living elsewhere.".to_owned()),
                r("DSD_MIGRANT_STOCK_TOTALS")?,
            )?,
            &stock.dataset,
        )?)?;
        let mut areas = vec![Area::World];
        areas.extend(reference.regions.iter().map(|r| Area::Region(r.code)));
        areas.extend(reference.countries.iter().map(|c| Area::Country(c.m49)));
        let mut observations = Vec::new();
        for area in areas {
            let code = match area {
                Area::World => codelists::WORLD.to_owned(),
                Area::Country(m) | Area::Region(m) => m.to_string(),
            };
            for (direction, name) in [
                (Direction::Immigrants, "IMMIGRANTS"),
                (Direction::Emigrants, "EMIGRANTS"),
            ] {
                for figures in stock.index.by_year(area, direction) {
                    for (sex, value) in [
                        (Sex::Total, figures.total),
                        (Sex::Male, figures.males),
                        (Sex::Female, figures.females),
                    ] {
                        if let Some(value) = value {
                            observations.push(Observation {
                                key: vec![code.clone(), name.to_owned(), sex.code().to_owned()],
                                time: figures.year.to_string(),
                                value: Some(value),
                                attributes: Vec::new(),
                            });
                        }
                    }
                }
            }
        }
        flows.insert(
            "DF_MIGRANT_STOCK_TOTALS".to_owned(),
            FlowData::new(observations),
        );
    }

    if let Some(corridors) = &snapshot.corridor_averages {
        s.add_data_structure(DataStructure::new(
            r("DSD_RPW_CORRIDOR")?,
            "Average total cost to remit in a corridor",
            r("CS_MARRAKECH")?,
            vec![
                Dimension::coded("REF_AREA", r("CL_AREA_ISO3")?)?,
                Dimension::coded("COUNTERPART_AREA", r("CL_AREA_ISO3")?)?,
            ],
            vec![Attribute::coded("SOURCE_DETAIL", r("CL_SOURCE_DETAIL")?)?],
        )?)?;
        s.add_dataflow(provenance(
            Dataflow::new(
                r("DF_RPW_CORRIDOR")?,
                "Remittance cost by corridor",
                Some("Average total cost, in per cent, of sending the equivalent of USD 200 from the sending country (REF_AREA) to the receiving country (COUNTERPART_AREA), by quarter.".to_owned()),
                r("DSD_RPW_CORRIDOR")?,
            )?,
            &corridors.dataset,
        )?)?;
        let mut observations: Vec<Observation> = corridors
            .series
            .iter()
            .flat_map(|c| {
                c.values.iter().map(move |(q, v)| Observation {
                    key: vec![
                        c.corridor.source.to_string(),
                        c.corridor.destination.to_string(),
                    ],
                    time: q.sdmx(),
                    value: Some(*v),
                    attributes: vec![Some("CORRIDOR_AVERAGES".to_owned())],
                })
            })
            .collect();
        // Provider-level figures, where imported, take the place of the published average.
        if let Some(prices) = &snapshot.prices {
            let provider: HashMap<(String, String, String), f64> = prices
                .corridors
                .iter()
                .map(|c| {
                    (
                        (
                            c.corridor.source.to_string(),
                            c.corridor.destination.to_string(),
                            c.quarter.sdmx(),
                        ),
                        c.average,
                    )
                })
                .collect();
            observations.retain(|o| {
                !provider.contains_key(&(o.key[0].clone(), o.key[1].clone(), o.time.clone()))
            });
            observations.extend(provider.into_iter().map(|((from, to, time), value)| {
                Observation {
                    key: vec![from, to],
                    time,
                    value: Some(value),
                    attributes: vec![Some("PROVIDER_LEVEL".to_owned())],
                }
            }));
        }
        flows.insert("DF_RPW_CORRIDOR".to_owned(), FlowData::new(observations));
    }

    if snapshot.corridor_averages.is_some() || snapshot.prices.is_some() {
        s.add_data_structure(DataStructure::new(
            r("DSD_SDG_10C1")?,
            "SDG 10.c.1 remittance costs",
            r("CS_MARRAKECH")?,
            vec![
                Dimension::coded("SERIES", r("CL_SDG_10C1_SERIES")?)?,
                Dimension::coded("REF_AREA", r("CL_AREA")?)?,
            ],
            vec![Attribute::coded("SOURCE_DETAIL", r("CL_SOURCE_DETAIL")?)?],
        )?)?;
        let dataset = snapshot
            .prices
            .as_ref()
            .map(|p| &p.dataset)
            .or(snapshot.corridor_averages.as_ref().map(|c| &c.dataset));
        if let Some(dataset) = dataset {
            s.add_dataflow(provenance(
                Dataflow::new(
                    r("DF_SDG_10C1")?,
                    "SDG 10.c.1: remittance costs as a proportion of the amount remitted",
                    Some("The Global Average, SmaRT, weighted and regional averages and corridors above 5 %, by quarter; SOURCE_DETAIL says whether each figure comes from provider-level rows or published corridor averages.".to_owned()),
                    r("DSD_SDG_10C1")?,
                )?,
                dataset,
            )?)?;
        }
        let mut observations = Vec::new();
        let mut push =
            |series: &str, area: &str, time: String, value: Option<f64>, source: &str| {
                if let Some(value) = value {
                    observations.push(Observation {
                        key: vec![series.to_owned(), area.to_owned()],
                        time,
                        value: Some(value),
                        attributes: vec![Some(source.to_owned())],
                    });
                }
            };
        if let Some(prices) = &snapshot.prices {
            for q in &prices.quarters {
                let t = q.quarter.sdmx();
                push(
                    "GLOBAL_AVG",
                    "001",
                    t.clone(),
                    q.global_average,
                    "PROVIDER_LEVEL",
                );
                push("SMART", "001", t.clone(), q.smart, "PROVIDER_LEVEL");
                push(
                    "WEIGHTED_AVG",
                    "001",
                    t.clone(),
                    q.weighted_average,
                    "PROVIDER_LEVEL",
                );
                push(
                    "CORRIDORS_ABOVE_5",
                    "001",
                    t.clone(),
                    Some(q.corridors_above_5 as f64),
                    "PROVIDER_LEVEL",
                );
                push(
                    "SHARE_ABOVE_5",
                    "001",
                    t.clone(),
                    q.share_above_5,
                    "PROVIDER_LEVEL",
                );
                for region in &q.regions {
                    push(
                        "REGIONAL_AVG",
                        &region.region.to_string(),
                        t.clone(),
                        Some(region.average),
                        "PROVIDER_LEVEL",
                    );
                }
            }
        }
        if let Some(c) = &snapshot.corridor_averages {
            for q in &c.quarters {
                let t = q.quarter.sdmx();
                push(
                    "CORRIDOR_MEAN",
                    "001",
                    t.clone(),
                    Some(q.mean),
                    "CORRIDOR_AVERAGES",
                );
                push(
                    "WEIGHTED_CORRIDOR_MEAN",
                    "001",
                    t.clone(),
                    q.weighted_mean,
                    "CORRIDOR_AVERAGES",
                );
                if snapshot.prices.is_none() {
                    push(
                        "CORRIDORS_ABOVE_5",
                        "001",
                        t.clone(),
                        Some(q.above_5 as f64),
                        "CORRIDOR_AVERAGES",
                    );
                    push(
                        "SHARE_ABOVE_5",
                        "001",
                        t.clone(),
                        Some(q.share_above_5),
                        "CORRIDOR_AVERAGES",
                    );
                }
            }
        }
        flows.insert("DF_SDG_10C1".to_owned(), FlowData::new(observations));
    }

    if let Some(missing) = &snapshot.missing {
        s.add_data_structure(DataStructure::new(
            r("DSD_MISSING_MIGRANTS")?,
            "Dead and missing migrants by region of incident",
            r("CS_MARRAKECH")?,
            vec![
                Dimension::coded("REGION", r("CL_MMP_REGION")?)?,
                Dimension::coded("MEASURE", r("CL_MMP_MEASURE")?)?,
            ],
            Vec::new(),
        )?)?;
        s.add_dataflow(provenance(
            Dataflow::new(
                r("DF_MISSING_MIGRANTS")?,
                "Dead and missing migrants",
                Some("Migrants recorded dead or missing in the process of migration, by region of incident and year of the incident.".to_owned()),
                r("DSD_MISSING_MIGRANTS")?,
            )?,
            &missing.dataset,
        )?)?;
        let mut tallies: BTreeMap<(String, u16), (u64, u64, u64)> = BTreeMap::new();
        for i in &missing.incidents {
            let t = tallies
                .entry((code_for(&i.region.name), i.year))
                .or_default();
            t.0 += u64::from(i.dead.unwrap_or(0));
            t.1 += u64::from(i.missing.unwrap_or(0));
            t.2 += u64::from(i.total.unwrap_or(0));
        }
        let observations = tallies
            .into_iter()
            .flat_map(|((region, year), (dead, missing, total))| {
                [("DEAD", dead), ("MISSING", missing), ("TOTAL", total)].map(|(m, v)| Observation {
                    key: vec![region.clone(), m.to_owned()],
                    time: year.to_string(),
                    value: Some(v as f64),
                    attributes: Vec::new(),
                })
            })
            .collect();
        flows.insert(
            "DF_MISSING_MIGRANTS".to_owned(),
            FlowData::new(observations),
        );
    }
    Ok(Catalog {
        structures: s,
        flows,
    })
}

#[cfg(test)]
mod tests {
    use super::code_for;

    #[test]
    fn region_names_become_codes() {
        assert_eq!(code_for("US-Mexico Border"), "US_MEXICO_BORDER");
        assert_eq!(code_for("Horn of Africa"), "HORN_OF_AFRICA");
        assert_eq!(code_for(" -- "), "UNKNOWN");
    }
}
