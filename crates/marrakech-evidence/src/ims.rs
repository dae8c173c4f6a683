//! UN DESA International Migrant Stock, Table 1 (destination x origin, by sex and year).
//!
//! Accepted layouts:
//! - the CSV extract (`undesa-ims-2024-table1-countries.csv`): one header row, year columns
//!   named `{year}_total`, `{year}_males`, `{year}_females`;
//! - the original workbook: title rows, then a row of block headings ("Total", "Males",
//!   "Females", or UN DESA's longer "... (both sexes)" wording) above a header row that starts
//!   with `Index` and has bare years under each block. A heading spans its block, so it is
//!   carried to the right until the next one. Bare years with no heading at all take the
//!   published order: first block total, second males, third females.
//!
//! Each row gives one [`StockObservation`] per non-blank year x sex cell. Rows whose
//! destination or origin is not a country (the workbook's World, region and "Other" rows,
//! codes such as 900 or 1834) are skipped and counted: totals for areas are computed from
//! the country rows (see [`crate::stock`]), so keeping both would count people twice.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::sync::Arc;

use marrakech_core::countries::{Reference, M49};
use serde::Serialize;

use crate::codes::Sex;
use crate::error::{ImportError, RowProblem};
use crate::sdmx::SdmxObservation;
use crate::table::{
    drive, drive_sheet, match_columns, open_xlsx, opt, req, require_records, Col, CsvSource,
    HeaderInfo, Import, Layout, Parsed, RowView, Seen, Sink, Summary,
};

/// The SDG indicator code under which migrant stock is published.
pub const MIGRANT_STOCK: &str = "SM_POP_TOTL";

const FORMAT: &str = "undesa-ims";

/// One figure of Table 1: people born in (or citizens of) `counterpart_area` living in
/// `ref_area` at mid-year `time_period`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockObservation {
    /// Where it came from in the file.
    pub line: u64,
    pub indicator: &'static str,
    /// REF_AREA: the country of destination (M49).
    pub ref_area: M49,
    /// COUNTERPART_AREA: the country of origin (M49).
    pub counterpart_area: M49,
    /// TIME_PERIOD: the year.
    pub time_period: u16,
    pub sex: Sex,
    pub value: f64,
    /// UN DESA's estimate type for the destination (`B`, `C`, `I`, `R`, combined as in
    /// `B R`); shared by all observations of the row.
    pub data_type: Option<Arc<str>>,
}

impl StockObservation {
    /// The observation with SDMX dimension names, as the statistics store keeps them.
    pub fn to_sdmx(&self) -> SdmxObservation {
        let mut o = SdmxObservation {
            dataflow: "UN_DESA:IMS(2024)".to_owned(),
            ..SdmxObservation::default()
        };
        o.dimensions
            .insert("INDICATOR".into(), self.indicator.to_owned());
        o.dimensions
            .insert("REF_AREA".into(), self.ref_area.to_string());
        o.dimensions
            .insert("COUNTERPART_AREA".into(), self.counterpart_area.to_string());
        o.dimensions
            .insert("SEX".into(), self.sex.code().to_owned());
        o.time_period = Some(self.time_period.to_string());
        o.value = Some(self.value);
        o.attributes.insert("UNIT_MEASURE".into(), "PS".into());
        if let Some(dt) = &self.data_type {
            o.attributes.insert("DATA_TYPE".into(), dt.to_string());
        }
        o
    }
}

const COLUMNS: [Col; 7] = [
    opt("Index", &[]),
    opt(
        "Region, development group, country or area of destination",
        &[],
    ),
    opt("Coverage", &["Notes of destination", "Notes"]),
    opt(
        "Data type",
        &["Type of data of destination", "Type of data"],
    ),
    req("Location code of destination", &[]),
    opt("Region, development group, country or area of origin", &[]),
    req("Location code of origin", &[]),
];
const DATA_TYPE: usize = 3;
const DEST: usize = 4;
const ORIGIN: usize = 6;

struct ImsLayout {
    countries: HashSet<u16>,
    pos: Vec<Option<usize>>,
    /// (column, year, sex) of every value column.
    values: Vec<(usize, u16, Sex)>,
    /// Their names in messages (`2024 _T`), made once rather than per cell.
    value_names: Vec<String>,
    /// Data-type strings are few; share them.
    data_types: HashMap<String, Arc<str>>,
}

impl ImsLayout {
    fn new(reference: &Reference) -> ImsLayout {
        ImsLayout {
            countries: reference.countries.iter().map(|c| c.m49.value()).collect(),
            pos: Vec::new(),
            values: Vec::new(),
            value_names: Vec::new(),
            data_types: HashMap::new(),
        }
    }

    /// A country code, `Ok(None)` for an aggregate (a number that is no country).
    fn area<V: RowView>(&self, row: &V, col: usize) -> Result<Option<M49>, RowProblem> {
        let field = COLUMNS[col].name;
        let Some(text) = row.text(self.pos[col]) else {
            return Err(RowProblem::missing(field));
        };
        let digits = text.trim_end_matches(".0");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
            return Err(RowProblem::invalid(field, &text, "an M49 code"));
        }
        let n: u32 = digits
            .parse()
            .map_err(|_| RowProblem::invalid(field, &text, "an M49 code"))?;
        if n > 999 || !self.countries.contains(&(n as u16)) {
            return Ok(None);
        }
        M49::new(n as u16)
            .map(Some)
            .map_err(|_| RowProblem::invalid(field, &text, "an M49 code"))
    }
}

/// `1990_total`, `1990 males`, `1990-Females`, or a bare `1990`.
fn year_column(cell: &str) -> Option<(u16, Option<Sex>)> {
    let t = cell.trim();
    let year: u16 = t.get(..4)?.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let rest = t[4..].trim_start_matches([' ', '_', '-']);
    if rest.is_empty() {
        return Some((year, None));
    }
    Sex::parse(rest).map(|s| (year, Some(s)))
}

/// An observation's key: destination, origin, sex, year (M49 codes as numbers).
type ImsKey = (u16, u16, Sex, u16);

impl Layout for ImsLayout {
    type Record = StockObservation;
    type Key = ImsKey;

    fn key(&self, o: &StockObservation) -> ImsKey {
        (
            o.ref_area.value(),
            o.counterpart_area.value(),
            o.sex,
            o.time_period,
        )
    }

    fn describe(&self, &(destination, origin, sex, year): &ImsKey) -> String {
        format!(
            "destination {destination:03}, origin {origin:03}, sex {}, {year}",
            sex.code()
        )
    }

    fn format(&self) -> &'static str {
        FORMAT
    }

    fn header_scan(&self) -> usize {
        30
    }

    fn header(
        &mut self,
        previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>> {
        let m = match_columns(header, &COLUMNS);
        let mut missing = m.missing;
        // Block headings carried to the right: the heading in force at each column.
        let mut block: Vec<Option<Sex>> = vec![None; header.len()];
        if let Some(prev) = previous {
            let mut current = None;
            for (i, slot) in block.iter_mut().enumerate() {
                if let Some(cell) = prev.get(i).filter(|c| !c.trim().is_empty()) {
                    current = Sex::parse(cell);
                }
                *slot = current;
            }
        }
        let mut values = Vec::new();
        let mut seen = HashSet::new();
        let mut unknown = Vec::new();
        for (i, cell) in m.unmatched {
            let Some((year, sex)) = year_column(&cell) else {
                unknown.push(cell);
                continue;
            };
            let sex = match sex.or(block[i]) {
                Some(s) => s,
                // No heading: the published order, total then males then females.
                None => match values.iter().filter(|(_, y, _)| *y == year).count() {
                    0 => Sex::Total,
                    1 => Sex::Male,
                    2 => Sex::Female,
                    _ => {
                        unknown.push(cell);
                        continue;
                    }
                },
            };
            if seen.insert((year, sex)) {
                values.push((i, year, sex));
            } else {
                unknown.push(cell);
            }
        }
        if values.is_empty() {
            missing.push("year columns (e.g. `2024_total`)".to_owned());
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let layout = if values
            .iter()
            .any(|&(i, _, _)| year_column(&header[i]).and_then(|y| y.1).is_some())
        {
            "ims-table1-csv"
        } else {
            "ims-table1-xlsx"
        };
        self.pos = m.pos;
        self.value_names = values
            .iter()
            .map(|(_, year, sex)| format!("{year} {}", sex.code()))
            .collect();
        self.values = values;
        Ok(HeaderInfo {
            layout: layout.to_owned(),
            unknown,
            unlabeled: m.unlabeled,
        })
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        line: u64,
        out: &mut Vec<StockObservation>,
    ) -> Result<Parsed, RowProblem> {
        let destination = self.area(row, DEST)?;
        let origin = self.area(row, ORIGIN)?;
        let (Some(destination), Some(origin)) = (destination, origin) else {
            return Ok(Parsed::Skip);
        };
        let data_type = match row.text(self.pos[DATA_TYPE]) {
            None => None,
            Some(text) => {
                let valid = text
                    .split_whitespace()
                    .all(|t| matches!(t, "B" | "C" | "I" | "R"));
                if !valid {
                    return Err(RowProblem::invalid(
                        COLUMNS[DATA_TYPE].name,
                        &text,
                        "UN DESA estimate types (B, C, I, R)",
                    ));
                }
                let key = text.split_whitespace().collect::<Vec<_>>().join(" ");
                Some(
                    self.data_types
                        .entry(key.clone())
                        .or_insert_with(|| Arc::from(key.as_str()))
                        .clone(),
                )
            }
        };
        for (&(col, year, sex), field) in self.values.iter().zip(&self.value_names) {
            let Some(value) = row.number(Some(col), field)? else {
                continue;
            };
            if value < 0.0 {
                return Err(RowProblem::invalid(
                    field,
                    &value.to_string(),
                    "a number of people (not negative)",
                ));
            }
            out.push(StockObservation {
                line,
                indicator: MIGRANT_STOCK,
                ref_area: destination,
                counterpart_area: origin,
                time_period: year,
                sex,
                value,
                data_type: data_type.clone(),
            });
        }
        Ok(Parsed::Records)
    }
}

/// Streams Table 1 from CSV into `sink`, countries checked against `reference`.
pub fn read_ims_csv<R: Read, K: Sink<StockObservation> + ?Sized>(
    reader: R,
    reference: &Reference,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let mut layout = ImsLayout::new(reference);
    let summary = drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut layout,
        None,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// Streams Table 1 from the original workbook: the sheet named `sheet`, or else `Table 1`,
/// or else the first sheet.
pub fn read_ims_xlsx<RS: Read + Seek, K: Sink<StockObservation> + ?Sized>(
    reader: RS,
    sheet: Option<&str>,
    reference: &Reference,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let mut workbook = open_xlsx(FORMAT, reader)?;
    let names = crate::table::sheet_names(&workbook);
    let chosen = match sheet {
        Some(s) => names.iter().find(|n| n.eq_ignore_ascii_case(s)).cloned(),
        None => names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case("table 1"))
            .or(names.first())
            .cloned(),
    };
    let Some(chosen) = chosen else {
        return Err(ImportError::SheetNotFound {
            format: FORMAT,
            wanted: vec![sheet.unwrap_or("Table 1").to_owned()],
            found: names,
        });
    };
    let mut layout = ImsLayout::new(reference);
    let summary = drive_sheet(
        &mut workbook,
        &chosen,
        &mut layout,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// [`read_ims_csv`] collected in memory.
pub fn import_ims_csv<R: Read>(
    reader: R,
    reference: &Reference,
) -> Result<Import<StockObservation>, ImportError> {
    let mut import = Import::default();
    let summary = read_ims_csv(reader, reference, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

/// [`read_ims_xlsx`] collected in memory.
pub fn import_ims_xlsx<RS: Read + Seek>(
    reader: RS,
    sheet: Option<&str>,
    reference: &Reference,
) -> Result<Import<StockObservation>, ImportError> {
    let mut import = Import::default();
    let summary = read_ims_xlsx(reader, sheet, reference, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}Index,\"Region, development group, country or area of destination\",Coverage,Data type,Location code of destination,\"Region, development group, country or area of origin\",Location code of origin,1990_total,2024_total,1990_males,2024_males,1990_females,2024_females,Remarks
1,Burundi,,B R,108,Kenya,404,186,1377,104,779,82,598,
2,Burundi,,B R,108,Rwanda,646,,85969,,38992,,46977,x
3,Burundi,,B,108,World,900,1,1,1,1,0,0,
4,Burundi,,Q,108,Kenya,404,1,1,1,1,0,0,
5,Burundi,,B,108,Kenya,404,-5,1,1,1,0,0,
6,Burundi,,B,1O8,Kenya,404,1,1,1,1,0,0,
";

    #[test]
    fn csv_rows_become_observations_and_bad_rows_are_named() {
        let import = import_ims_csv(CSV.as_bytes(), Reference::official()).unwrap();
        let s = &import.summaries[0];
        assert_eq!(s.layout, "ims-table1-csv");
        assert_eq!(s.unknown_columns, ["Remarks"]);
        // Row 1: 6 values; row 2: 3 non-blank values; row 3 (World) skipped.
        assert_eq!(import.records.len(), 9);
        assert_eq!(s.skipped, 1);
        let first = &import.records[0];
        assert_eq!(first.ref_area.to_string(), "108");
        assert_eq!(first.counterpart_area.to_string(), "404");
        assert_eq!(
            (first.time_period, first.sex, first.value),
            (1990, Sex::Total, 186.0)
        );
        assert_eq!(first.data_type.as_deref(), Some("B R"));
        let reasons: Vec<String> = import.rejected.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "line 5: Data type `Q` is not UN DESA estimate types (B, C, I, R)",
                "line 6: 1990 _T `-5` is not a number of people (not negative)",
                "line 7: Location code of destination `1O8` is not an M49 code",
            ]
        );
    }

    #[test]
    fn a_wrong_layout_names_every_missing_column() {
        let err = import_ims_csv("a,b\n1,2\n".as_bytes(), Reference::official()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "undesa-ims: wrong layout, missing columns `Location code of destination`, \
             `Location code of origin`, `year columns (e.g. `2024_total`)`"
        );
    }

    #[test]
    fn sdmx_form() {
        let import = import_ims_csv(CSV.as_bytes(), Reference::official()).unwrap();
        let o = import.records[0].to_sdmx();
        assert_eq!(o.dimensions["REF_AREA"], "108");
        assert_eq!(o.dimensions["COUNTERPART_AREA"], "404");
        assert_eq!(o.dimensions["SEX"], "_T");
        assert_eq!(o.dimensions["INDICATOR"], "SM_POP_TOTL");
        assert_eq!(o.time_period.as_deref(), Some("1990"));
        assert_eq!(o.attributes["DATA_TYPE"], "B R");
    }
}
