//! Must-hold facts on the real files in ../shared/data. Each test skips with a message when
//! the directory is absent. Expected figures are computed here independently, with a plain
//! `csv` pass over the file, never with the crate's importers.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;

use marrakech_core::countries::{Reference, M49};
use marrakech_evidence::corridor_averages::import_corridor_averages_csv;
use marrakech_evidence::ims::{import_ims_csv, import_ims_xlsx};
use marrakech_evidence::missing::{by_year, overall};
use marrakech_evidence::mmp::import_mmp_csv;
use marrakech_evidence::names::CountryNames;
use marrakech_evidence::stock::{Area, Direction, StockIndex};
use marrakech_evidence::weights::{import_bilateral_matrix_xlsx, VolumeWeights};
use marrakech_evidence::{Corridor, Iso3, Sex};

const YEARS: [u16; 8] = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024];

fn sex_suffix(s: Sex) -> &'static str {
    match s {
        Sex::Total => "total",
        Sex::Male => "males",
        Sex::Female => "females",
    }
}

/// Plain sums of the IMS CSV: (year, sex) for the world, and per destination and origin.
struct ImsSums {
    rows: usize,
    cells: usize,
    world: HashMap<(u16, Sex), f64>,
    by_destination: HashMap<(u16, u16, Sex), f64>,
    by_origin: HashMap<(u16, u16, Sex), f64>,
}

fn ims_sums(path: &std::path::Path) -> ImsSums {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (dest, origin) = (
        col("Location code of destination"),
        col("Location code of origin"),
    );
    let mut s = ImsSums {
        rows: 0,
        cells: 0,
        world: HashMap::new(),
        by_destination: HashMap::new(),
        by_origin: HashMap::new(),
    };
    for record in reader.records() {
        let record = record.unwrap();
        s.rows += 1;
        let d: u16 = record[dest].parse().unwrap();
        let o: u16 = record[origin].parse().unwrap();
        for year in YEARS {
            for sex in Sex::ALL {
                let text = &record[col(&format!("{year}_{}", sex_suffix(sex)))];
                if text.is_empty() {
                    continue;
                }
                s.cells += 1;
                let v: f64 = text.parse().unwrap();
                *s.world.entry((year, sex)).or_default() += v;
                *s.by_destination.entry((d, year, sex)).or_default() += v;
                *s.by_origin.entry((o, year, sex)).or_default() += v;
            }
        }
    }
    s
}

#[test]
fn ims_world_and_country_totals_equal_the_plain_sums_of_the_rows() {
    let Some(dir) = common::data_dir("ims_world_and_country_totals") else {
        return;
    };
    let path = dir.join("undesa-ims-2024-table1-countries.csv");
    let expected = ims_sums(&path);
    assert_eq!(expected.rows, 9_340);
    let reference = Reference::official();
    let import = import_ims_csv(BufReader::new(File::open(&path).unwrap()), reference).unwrap();
    assert!(
        import.rejected.is_empty(),
        "{:?}",
        &import.rejected[..3.min(import.rejected.len())]
    );
    let summary = &import.summaries[0];
    assert_eq!(summary.rows, 9_340);
    assert_eq!((summary.skipped, summary.rejected), (0, 0));
    assert_eq!(import.records.len(), expected.cells);

    let index = StockIndex::new(import.records, reference);
    assert_eq!(index.years(), YEARS);
    for year in YEARS {
        for sex in Sex::ALL {
            let want = expected.world[&(year, sex)];
            for d in [Direction::Immigrants, Direction::Emigrants] {
                assert_eq!(
                    index.value(Area::World, d, year, sex),
                    Some(want),
                    "{year} {sex:?}"
                );
            }
        }
    }
    // 2024, both sexes: about 282 million (the file lacks the "Other" origins).
    let world_2024 = expected.world[&(2024, Sex::Total)];
    assert!((281e6..283e6).contains(&world_2024), "{world_2024}");
    // Every country's immigrant and emigrant totals, by year and sex.
    for country in &reference.countries {
        let code = country.m49.value();
        for year in YEARS {
            for sex in Sex::ALL {
                let area = Area::Country(country.m49);
                assert_eq!(
                    index.value(area, Direction::Immigrants, year, sex),
                    expected.by_destination.get(&(code, year, sex)).copied(),
                    "{} immigrants {year} {sex:?}",
                    country.name
                );
                assert_eq!(
                    index.value(area, Direction::Emigrants, year, sex),
                    expected.by_origin.get(&(code, year, sex)).copied(),
                    "{} emigrants {year} {sex:?}",
                    country.name
                );
            }
        }
    }
    // The four profile countries of the issue have figures both ways.
    for iso in ["MEX", "PHL", "DEU", "NGA"] {
        let area = Area::parse(iso, reference).unwrap();
        let figures = index.by_year(area, Direction::Emigrants);
        let last = figures.last().unwrap();
        assert_eq!(last.year, 2024);
        assert!(
            last.total.unwrap() > 0.0 && last.share_female.is_some(),
            "{iso}"
        );
    }
    // Mexico's emigrants live mostly in the United States (840).
    let mexico = Area::parse("MEX", reference).unwrap();
    let top = index.top_destinations(mexico, 2024, Sex::Total, 1);
    assert_eq!(top[0].0, M49::new(840).unwrap());
}

#[test]
fn ims_original_workbook_layout_gives_the_same_observations_as_the_csv() {
    let Some(dir) = common::data_dir("ims_original_workbook_layout") else {
        return;
    };
    let path = dir.join("undesa-ims-2024-table1-countries.csv");
    let reference = Reference::official();
    let from_csv = import_ims_csv(BufReader::new(File::open(&path).unwrap()), reference).unwrap();
    // Rewrite the CSV in the original layout: title rows, block headings, bare years.
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Table 1").unwrap();
    ws.write_string(0, 0, "International Migrant Stock 2024")
        .unwrap();
    ws.write_string(1, 0, "Table 1. International migrant stock at mid-year by sex and by region, country or area of destination and origin, 1990-2024").unwrap();
    ws.write_string(
        3,
        0,
        "United Nations, Department of Economic and Social Affairs, Population Division (2024)",
    )
    .unwrap();
    for (i, heading) in ["Total", "Males", "Females"].iter().enumerate() {
        ws.write_string(8, 7 + 8 * i as u16, *heading).unwrap();
    }
    for (c, h) in [
        "Index",
        "Region, development group, country or area of destination",
        "Notes of destination",
        "Type of data of destination",
        "Location code of destination",
        "Region, development group, country or area of origin",
        "Location code of origin",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(9, c as u16, *h).unwrap();
    }
    for block in 0..3u16 {
        for (i, y) in YEARS.iter().enumerate() {
            ws.write_number(9, 7 + block * 8 + i as u16, *y as f64)
                .unwrap();
        }
    }
    // A World row above the countries, as in the original table: skipped as an aggregate.
    ws.write_number(10, 4, 900.0).unwrap();
    ws.write_number(10, 6, 900.0).unwrap();
    ws.write_number(10, 7, 1.0).unwrap();
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let row = 11 + r as u32;
        for c in 0..record.len() {
            let v = &record[c];
            if v.is_empty() {
                continue;
            }
            match (c, v.parse::<f64>()) {
                (2, _) | (3, _) => ws.write_string(row, c as u16, v).unwrap(),
                (_, Ok(n)) => ws.write_number(row, c as u16, n).unwrap(),
                _ => ws.write_string(row, c as u16, v).unwrap(),
            };
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let from_xlsx = import_ims_xlsx(std::io::Cursor::new(bytes), None, reference).unwrap();
    let summary = &from_xlsx.summaries[0];
    assert_eq!(summary.layout, "ims-table1-xlsx");
    assert_eq!(summary.header_line, 10);
    assert_eq!(summary.skipped, 1, "the World row");
    assert!(from_xlsx.rejected.is_empty());
    let key = |o: &marrakech_evidence::ims::StockObservation| {
        (
            o.ref_area,
            o.counterpart_area,
            o.time_period,
            o.sex,
            o.value.to_bits(),
            o.data_type.clone(),
        )
    };
    let a: Vec<_> = from_csv.records.iter().map(key).collect();
    let b: Vec<_> = from_xlsx.records.iter().map(key).collect();
    assert_eq!(a, b);
}

/// Plain pass over the MMP file: records and, per year, the sums of the total and dead
/// columns (thousands separators allowed, as in `1,022`).
fn mmp_plain(path: &std::path::Path) -> (usize, BTreeMap<u16, (u64, u64)>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut n = 0;
    let mut by_year: BTreeMap<u16, (u64, u64)> = BTreeMap::new();
    let num = |s: &str| -> u64 {
        if s.is_empty() {
            0
        } else {
            s.replace(',', "").parse().unwrap()
        }
    };
    for record in reader.records() {
        let r = record.unwrap();
        n += 1;
        let e = by_year.entry(r[3].parse().unwrap()).or_default();
        e.0 += num(&r[7]);
        e.1 += num(&r[5]);
    }
    (n, by_year)
}

#[test]
fn mmp_every_row_is_accounted_for_and_yearly_totals_equal_the_files() {
    let Some(dir) = common::data_dir("mmp_every_row_is_accounted_for") else {
        return;
    };
    let path = dir.join("iom-mmp-incidents-2014-2020.csv");
    let (records, plain) = mmp_plain(&path);
    // SOURCES.md says 6,250 incidents: the file has 6,251 lines, a header and 6,250 lines
    // of data, but one incident's location holds a line break inside its quotes (Web ID
    // 40674), so there are 6,249 incident records.
    assert_eq!(records, 6_249);
    let import = import_mmp_csv(BufReader::new(File::open(&path).unwrap())).unwrap();
    assert_eq!(import.summaries[0].layout, "mmp-legacy");
    assert_eq!(import.records.len() + import.rejected.len(), records);
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    let multi_line = import
        .records
        .iter()
        .find(|i| &*i.incident_id == "40674")
        .unwrap();
    assert!(multi_line
        .location
        .as_deref()
        .unwrap()
        .starts_with("Río Bravo"));
    let ours = by_year(&import.records);
    assert_eq!(ours.len(), plain.len());
    for row in &ours {
        let (total, dead) = plain[&row.key];
        assert_eq!(
            (row.tally.total, row.tally.dead),
            (total, dead),
            "{}",
            row.key
        );
    }
    // 34,534 dead and missing in all.
    assert_eq!(
        overall(&import.records).total,
        plain.values().map(|v| v.0).sum::<u64>()
    );
    assert_eq!(overall(&import.records).total, 34_534);
}

#[test]
fn databank_corridor_averages_import_whole() {
    let Some(dir) = common::data_dir("databank_corridor_averages") else {
        return;
    };
    let path = dir.join("wb-rpw-corridor-average-2011q1-2020q3.csv");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    let (mut corridors, mut values) = (0, 0);
    for r in reader.records() {
        let r = r.unwrap();
        if r.get(1).is_some_and(|c| !c.is_empty()) {
            corridors += 1;
            values += r
                .iter()
                .skip(6)
                .filter(|v| !v.is_empty() && *v != "..")
                .count();
        }
    }
    let import = import_corridor_averages_csv(BufReader::new(File::open(&path).unwrap())).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    assert_eq!(import.records.len(), corridors);
    assert_eq!(
        import.records.iter().map(|c| c.values.len()).sum::<usize>(),
        values
    );
    assert_eq!(
        import.summaries[0].skipped, 5,
        "3 blank lines and 2 footer lines"
    );
    let aus_ind = import
        .records
        .iter()
        .find(|c| c.corridor == Corridor::parse("AUSIND").unwrap())
        .unwrap();
    assert_eq!(
        aus_ind.values.first().map(|v| v.0.to_string()).as_deref(),
        Some("2012Q1")
    );
}

#[test]
fn bilateral_matrix_gives_weights_for_every_named_country() {
    let Some(dir) = common::data_dir("bilateral_matrix") else {
        return;
    };
    let path = dir.join("wb-bilateral-remittances-2017.xlsx");
    let import = import_bilateral_matrix_xlsx(
        BufReader::new(File::open(&path).unwrap()),
        CountryNames::official(),
    )
    .unwrap();
    let summary = &import.summaries[0];
    assert!(
        summary.unknown_columns.is_empty(),
        "{:?}",
        summary.unknown_columns
    );
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    // 214 countries each way; 11,901 positive cells (counted with openpyxl when the test
    // was written); the WORLD row and the notes below are skipped.
    assert_eq!(summary.rows - summary.skipped, 214);
    assert_eq!(import.records.len(), 11_901);
    let weights = VolumeWeights::from_flows(import.records);
    let iso = |s: &str| Iso3::parse(s).unwrap();
    let usa_mex = weights
        .weight(Corridor::new(iso("USA"), iso("MEX")))
        .unwrap();
    assert!((29_000.0..32_000.0).contains(&usa_mex), "{usa_mex}");
    // India -> Pakistan is `-` in the matrix: no estimate, no weight.
    assert_eq!(weights.weight(Corridor::new(iso("IND"), iso("PAK"))), None);
    let reference = Reference::official();
    assert_eq!(
        weights.weight_m49(reference, M49::new(840).unwrap(), M49::new(484).unwrap()),
        Some(usa_mex)
    );
}

/// The whole register as published in 2025 (the "allData" layout, one sheet): every incident
/// id once, every row accounted for, and the workbook's creation date is the export date
/// its release is named after.
#[test]
fn mmp_register_of_2025_has_one_row_per_incident() {
    let Some(dir) = common::data_dir("mmp_register_of_2025_has_one_row_per_incident") else {
        return;
    };
    let path = dir.join("iom-mmp-incidents-2014-2025-04.xlsx");
    let mut file = BufReader::new(File::open(&path).unwrap());
    let created = marrakech_evidence::mmp::workbook_created(&mut file);
    let mut import = marrakech_evidence::Import::default();
    let summary = marrakech_evidence::mmp::read_mmp_xlsx(file, &mut import).unwrap();
    // 68 rows are rejected for what they hold (negative missing counts, source qualities
    // such as `3,5`), none for repeating an incident id.
    assert_eq!(
        (
            summary.rows,
            summary.records,
            summary.rejected,
            summary.duplicates
        ),
        (19_255, 19_187, 68, 0)
    );
    let date = |y, m, d| marrakech_evidence::mmp::Date::new(y, m, d).unwrap();
    assert_eq!(created, Some(date(2025, 5, 5)));
    let newest = import.records.iter().filter_map(|i| i.date).max();
    assert!(newest.is_some_and(|n| n <= date(2025, 5, 5)), "{newest:?}");
    assert_eq!(
        marrakech_evidence::mmp::release_date(
            created,
            "iom-mmp-incidents-2014-2025-04.xlsx",
            newest
        ),
        Some((
            date(2025, 5, 5),
            marrakech_evidence::mmp::ReleaseBasis::WorkbookCreated
        ))
    );
}
