//! IOM Missing Migrants Project, incident level.
//!
//! Accepted layouts (recognised from the header; the closest one is named when none fits):
//! - `mmp-legacy`: the 20-column export of 2020 (`Web ID, Region of Incident, Reported Date,
//!   ...`), dates like `January 05, 2020`;
//! - `mmp-alldata`: the 25-column "allData" layout (`Main ID, Incident ID, Incident Type,
//!   ...`);
//! - `mmp-2026`: the 22-column website export (`Main ID, Incident ID, Region, ...`), dates
//!   like `Thu, 01/01/2026 - 12:00` (month first), and no total column.
//!
//! Facts kept as they are in the data: a blank count is unknown (`None`), 0 is zero; the
//! total is the file's where it has one, else dead + missing (blank counting as 0) when
//! either is known; a `(P)` suffix marks a presumed region; several origins can share one
//! field (`Eritrea,Ethiopia,Sudan`) and are split on commas and semicolons; coordinates are
//! one `lat, lon` field. A row whose total disagrees with its dead + missing is rejected.

use std::io::{Read, Seek};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{ImportError, RowProblem};
use crate::table::{
    drive, drive_sheet, match_columns, open_xlsx, require_records, sheet_names, Col, CsvSource,
    HeaderInfo, Import, Layout, Parsed, RowView, Seen, Sink, Summary,
};

const FORMAT: &str = "iom-mmp";

/// A calendar date, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1900..=2100).contains(&year) && (1..=days).contains(&day)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Reads `January 05, 2020`, `Jan 5, 2020`, `Thu, 01/01/2026 - 12:00`, `01/01/2026`
    /// (month first, as IOM's site writes it) and `2020-01-05`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut s = s.trim();
        // `Thu, 01/01/2026 - 12:00`: drop the weekday and the time.
        if let Some((head, rest)) = s.split_once(", ") {
            if head.len() == 3
                && head.chars().all(|c| c.is_ascii_alphabetic())
                && rest.contains('/')
            {
                s = rest;
            }
        }
        if let Some((date, time)) = s.split_once(" - ") {
            if time.contains(':') {
                s = date.trim();
            }
        }
        let num = |t: &str| t.trim().parse::<u16>().ok();
        if let Some((y, rest)) = s.split_once('-') {
            let (m, d) = rest.split_once('-')?;
            if y.len() == 4 {
                let small = |t: &str| num(t).and_then(|n| u8::try_from(n).ok());
                return Date::new(num(y)?, small(m)?, small(d)?);
            }
            return None;
        }
        if s.contains('/') {
            let mut p = s.split('/');
            let (m, d, y) = (p.next()?, p.next()?, p.next()?);
            if p.next().is_some() || y.trim().len() != 4 {
                return None;
            }
            return Date::new(
                num(y)?,
                u8::try_from(num(m)?).ok()?,
                u8::try_from(num(d)?).ok()?,
            );
        }
        // `January 05, 2020`
        let (md, y) = s.split_once(',')?;
        let (m, d) = md.trim().split_once(' ')?;
        Date::new(num(y)?, month_number(m)?, u8::try_from(num(d)?).ok()?)
    }
}

impl std::fmt::Display for Date {
    /// `2020-01-08`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What an MMP release is named after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReleaseBasis {
    /// The workbook's creation date: when IOM's site exported it.
    WorkbookCreated,
    /// A date in the file's name (IOM's downloads are named
    /// `MissingMigrants-Global-2020-01-08T13-41-14.csv`).
    FileName,
    /// Nothing says when the file was exported: the newest incident date in it (the export
    /// is that day or later).
    NewestIncident,
}

impl ReleaseBasis {
    /// Says where the release's date came from, for the import's summary.
    pub fn describe(self) -> &'static str {
        match self {
            ReleaseBasis::WorkbookCreated => "the export date (the workbook's creation date)",
            ReleaseBasis::FileName => "the export date in the file's name",
            ReleaseBasis::NewestIncident => {
                "the newest incident date: neither the file nor its name says when it was exported"
            }
        }
    }
}

/// The last `YYYY-MM-DD` date in a file name, if any.
pub fn date_in_name(name: &str) -> Option<Date> {
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).rev().find_map(|i| {
        let s = name.get(i..i + 10)?;
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let bounded = i == 0 || !bytes[i - 1].is_ascii_digit();
        let after = bytes.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        (bounded
            && after
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10))
        .then(|| Date::parse(s))
        .flatten()
    })
}

/// The creation date a workbook's document properties record (`docProps/core.xml`,
/// `dcterms:created`), as written (the local date of the machine that wrote it); `None`
/// when the file is not a workbook or records none. Reads from the start and leaves the
/// reader where it was found.
pub fn workbook_created<RS: Read + Seek>(reader: &mut RS) -> Option<Date> {
    let start = reader.stream_position().ok()?;
    let found = (|| {
        let mut archive = zip::ZipArchive::new(&mut *reader).ok()?;
        let mut core = String::new();
        archive
            .by_name("docProps/core.xml")
            .ok()?
            .read_to_string(&mut core)
            .ok()?;
        let mut xml = quick_xml::Reader::from_str(&core);
        let mut inside = false;
        loop {
            match xml.read_event().ok()? {
                quick_xml::events::Event::Start(e) => {
                    inside = e.local_name().as_ref() == b"created";
                }
                quick_xml::events::Event::Text(t) if inside => {
                    let text = t.decode().ok()?;
                    return Date::parse(text.get(..10)?);
                }
                quick_xml::events::Event::End(_) => inside = false,
                quick_xml::events::Event::Eof => return None,
                _ => {}
            }
        }
    })();
    reader.seek(std::io::SeekFrom::Start(start)).ok()?;
    found
}

/// An MMP release's date: the export date where the file (a workbook's creation date) or
/// its name says it, else the newest incident date. An export date earlier than an
/// incident in the file cannot be one, and is passed over.
pub fn release_date(
    workbook_created: Option<Date>,
    file_name: &str,
    newest_incident: Option<Date>,
) -> Option<(Date, ReleaseBasis)> {
    let plausible = |d: &Date| newest_incident.is_none_or(|n| *d >= n);
    workbook_created
        .filter(plausible)
        .map(|d| (d, ReleaseBasis::WorkbookCreated))
        .or_else(|| {
            date_in_name(file_name)
                .filter(plausible)
                .map(|d| (d, ReleaseBasis::FileName))
        })
        .or_else(|| newest_incident.map(|d| (d, ReleaseBasis::NewestIncident)))
}

/// `Jan`, `January`, `1`, `01`.
fn month_number(s: &str) -> Option<u8> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let l = s.trim_end_matches('.').to_ascii_lowercase();
    if l.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|n| n.starts_with(&l))
        .map(|i| i as u8 + 1)
}

/// A region name with IOM's presumed-region mark (`(P)`) split off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionName {
    pub name: Arc<str>,
    pub presumed: bool,
}

impl RegionName {
    pub fn parse(s: &str) -> Option<RegionName> {
        let t = s.trim();
        let (name, presumed) = match t.strip_suffix("(P)").or_else(|| t.strip_suffix("(p)")) {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        (!name.is_empty()).then(|| RegionName {
            name: Arc::from(name),
            presumed,
        })
    }
}

/// One incident record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub line: u64,
    /// Groups split or cumulative incidents (newer layouts only).
    pub main_id: Option<Arc<str>>,
    /// `Incident ID`, or the legacy `Web ID`.
    pub incident_id: Arc<str>,
    pub incident_type: Option<Arc<str>>,
    pub region: RegionName,
    pub date: Option<Date>,
    pub year: u16,
    pub month: Option<u8>,
    pub dead: Option<u32>,
    pub missing: Option<u32>,
    /// Dead and missing: the file's total, or dead + missing where there is no total.
    pub total: Option<u32>,
    pub survivors: Option<u32>,
    pub females: Option<u32>,
    pub males: Option<u32>,
    pub children: Option<u32>,
    /// Countries of origin, split; "Unknown" entries dropped.
    pub origin_countries: Vec<Arc<str>>,
    /// Regions of origin, split, each with its presumed mark.
    pub origin_regions: Vec<RegionName>,
    pub cause_of_death: Option<Arc<str>>,
    pub country_of_incident: Option<Arc<str>>,
    pub route: Option<Arc<str>>,
    pub location: Option<Arc<str>>,
    /// (latitude, longitude).
    pub coordinates: Option<(f64, f64)>,
    pub unsd_grouping: Option<Arc<str>>,
    pub information_source: Option<Arc<str>>,
    pub url: Option<Arc<str>>,
    pub source_quality: Option<u32>,
}

/// The fields any layout can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    MainId,
    IncidentId,
    IncidentType,
    Region,
    Date,
    Year,
    Month,
    Dead,
    Missing,
    Total,
    Survivors,
    Females,
    Males,
    Children,
    OriginCountry,
    OriginRegion,
    Cause,
    CountryOfIncident,
    Route,
    Location,
    Coordinates,
    Unsd,
    Source,
    Url,
    Quality,
}
const FIELDS: usize = 25;

struct Spec {
    name: &'static str,
    columns: &'static [(F, &'static str, bool)],
}

const LEGACY: Spec = Spec {
    name: "mmp-legacy",
    columns: &[
        (F::IncidentId, "Web ID", true),
        (F::Region, "Region of Incident", true),
        (F::Date, "Reported Date", true),
        (F::Year, "Reported Year", true),
        (F::Month, "Reported Month", false),
        (F::Dead, "Number Dead", true),
        (F::Missing, "Minimum Estimated Number of Missing", true),
        (F::Total, "Total Dead and Missing", true),
        (F::Survivors, "Number of Survivors", false),
        (F::Females, "Number of Females", false),
        (F::Males, "Number of Males", false),
        (F::Children, "Number of Children", false),
        (F::Cause, "Cause of Death", false),
        (F::Location, "Location Description", false),
        (F::Source, "Information Source", false),
        (F::Coordinates, "Location Coordinates", false),
        (F::Route, "Migration Route", false),
        (F::Url, "URL", false),
        (F::Unsd, "UNSD Geographical Grouping", false),
        (F::Quality, "Source Quality", false),
    ],
};

const ALL_DATA: Spec = Spec {
    name: "mmp-alldata",
    columns: &[
        (F::MainId, "Main ID", true),
        (F::IncidentId, "Incident ID", true),
        (F::IncidentType, "Incident Type", false),
        (F::Region, "Region of Incident", true),
        (F::Date, "Incident Date", true),
        (F::Year, "Incident Year", true),
        (F::Month, "Month", false),
        (F::Dead, "Number of Dead", true),
        (F::Missing, "Minimum Estimated Number of Missing", true),
        (F::Total, "Total Number of Dead and Missing", true),
        (F::Survivors, "Number of Survivors", false),
        (F::Females, "Number of Females", false),
        (F::Males, "Number of Males", false),
        (F::Children, "Number of Children", false),
        (F::OriginCountry, "Country of Origin", false),
        (F::OriginRegion, "Region of Origin", false),
        (F::Cause, "Cause of Death", false),
        (F::CountryOfIncident, "Country of Incident", false),
        (F::Route, "Migration Route", false),
        (F::Location, "Location of Incident", false),
        (F::Coordinates, "Coordinates", false),
        (F::Unsd, "UNSD Geographical Grouping", false),
        (F::Source, "Information Source", false),
        (F::Url, "URL", false),
        (F::Quality, "Source Quality", false),
    ],
};

const EXPORT_2026: Spec = Spec {
    name: "mmp-2026",
    columns: &[
        (F::MainId, "Main ID", true),
        (F::IncidentId, "Incident ID", true),
        (F::Region, "Region", true),
        (F::Date, "Incident Date", true),
        (F::Year, "Year", true),
        (F::Month, "Reported Month", false),
        (F::Dead, "Number Dead", true),
        (F::Missing, "Minimum Estimated Number of Missing", true),
        (F::Survivors, "Number of Survivors", false),
        (F::Females, "Number of Females", false),
        (F::Males, "Number of Males", false),
        (F::Children, "Number of Children", false),
        (F::OriginRegion, "Region of Origin", false),
        (F::Cause, "Cause of Death", false),
        (F::OriginCountry, "Country of Origin", false),
        (F::Location, "Location of death", false),
        (F::Source, "Information Source", false),
        (F::Coordinates, "Coordinates", false),
        (F::Route, "Migration route", false),
        (F::Url, "URL", false),
        (F::Unsd, "UNSD Geographical Grouping", false),
        (F::Quality, "Source Quality", false),
    ],
};

const SPECS: [Spec; 3] = [LEGACY, ALL_DATA, EXPORT_2026];

#[derive(Default)]
struct MmpLayout {
    /// Column of each field, indexed by `F as usize`.
    pos: [Option<usize>; FIELDS],
    names: [&'static str; FIELDS],
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', ';']).map(str::trim).filter(|t| !t.is_empty())
}

impl MmpLayout {
    fn col(&self, f: F) -> Option<usize> {
        self.pos[f as usize]
    }

    fn text<V: RowView>(&self, row: &V, f: F) -> Option<Arc<str>> {
        row.text(self.col(f)).map(|t| {
            // Collapse runs of spaces and line breaks, allocating only when there are any.
            if t.contains("  ") || t.contains(['\n', '\r', '\t']) {
                Arc::from(t.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
            } else {
                Arc::from(t.as_ref())
            }
        })
    }

    fn count<V: RowView>(&self, row: &V, f: F) -> Result<Option<u32>, RowProblem> {
        row.count(self.col(f), self.names[f as usize])
    }
}

impl Layout for MmpLayout {
    type Record = Incident;
    /// IOM's incident id (`Web ID` in the legacy layout, `Incident ID` since): one Main ID
    /// may cover several incidents, one incident id never.
    type Key = Arc<str>;

    fn key(&self, i: &Incident) -> Arc<str> {
        i.incident_id.clone()
    }

    fn describe(&self, id: &Arc<str>) -> String {
        format!("incident {id}")
    }

    fn format(&self) -> &'static str {
        FORMAT
    }

    fn header(
        &mut self,
        _previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>> {
        let mut closest: Option<Vec<String>> = None;
        for spec in &SPECS {
            let cols: Vec<Col> = spec
                .columns
                .iter()
                .map(|&(_, name, required)| Col {
                    name,
                    aliases: &[],
                    required,
                })
                .collect();
            let m = match_columns(header, &cols);
            if !m.missing.is_empty() {
                if closest.as_ref().is_none_or(|c| m.missing.len() < c.len()) {
                    closest = Some(m.missing);
                }
                continue;
            }
            for (&(field, name, _), p) in spec.columns.iter().zip(&m.pos) {
                self.pos[field as usize] = *p;
                self.names[field as usize] = name;
            }
            return Ok(HeaderInfo {
                layout: spec.name.to_owned(),
                unknown: m.unmatched.into_iter().map(|(_, h)| h).collect(),
                unlabeled: m.unlabeled,
            });
        }
        Err(closest.unwrap_or_default())
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        line: u64,
        out: &mut Vec<Incident>,
    ) -> Result<Parsed, RowProblem> {
        let name = |f: F| self.names[f as usize];
        let incident_id = self
            .text(row, F::IncidentId)
            .ok_or_else(|| RowProblem::missing(name(F::IncidentId)))?;
        let region = row
            .text(self.col(F::Region))
            .and_then(|t| RegionName::parse(&t))
            .ok_or_else(|| RowProblem::missing(name(F::Region)))?;
        let date = match row.text(self.col(F::Date)) {
            None => None,
            Some(t) => Some(
                Date::parse(&t).ok_or_else(|| RowProblem::invalid(name(F::Date), &t, "a date"))?,
            ),
        };
        let year_text = row
            .text(self.col(F::Year))
            .ok_or_else(|| RowProblem::missing(name(F::Year)))?;
        let year = year_text
            .parse::<u16>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| RowProblem::invalid(name(F::Year), &year_text, "a year"))?;
        let month = match row.text(self.col(F::Month)) {
            None => None,
            Some(t) => Some(
                month_number(&t)
                    .ok_or_else(|| RowProblem::invalid(name(F::Month), &t, "a month"))?,
            ),
        };
        let dead = self.count(row, F::Dead)?;
        let missing = self.count(row, F::Missing)?;
        let sum = (dead.is_some() || missing.is_some())
            .then(|| dead.unwrap_or(0).saturating_add(missing.unwrap_or(0)));
        let total = match self.count(row, F::Total)? {
            Some(t) => {
                if dead.is_some() && missing.is_some() && sum != Some(t) {
                    return Err(RowProblem::Inconsistent(format!(
                        "{} is {t} but dead + missing is {}",
                        name(F::Total),
                        sum.unwrap_or(0)
                    )));
                }
                Some(t)
            }
            None => sum,
        };
        let origin_countries = row
            .text(self.col(F::OriginCountry))
            .map(|t| {
                split_list(&t)
                    .filter(|c| !c.eq_ignore_ascii_case("unknown"))
                    .map(Arc::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut origin_regions: Vec<RegionName> = Vec::new();
        if let Some(t) = row.text(self.col(F::OriginRegion)) {
            for r in split_list(&t).filter_map(RegionName::parse) {
                if !r.name.eq_ignore_ascii_case("unknown")
                    && !origin_regions.iter().any(|x| x.name == r.name)
                {
                    origin_regions.push(r);
                }
            }
        }
        let coordinates = match row.text(self.col(F::Coordinates)) {
            None => None,
            Some(t) => {
                let bad = || RowProblem::invalid(name(F::Coordinates), &t, "`lat, lon`");
                let (lat, lon) = t.split_once(',').ok_or_else(bad)?;
                let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
                let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(bad());
                }
                Some((lat, lon))
            }
        };
        out.push(Incident {
            line,
            main_id: self.text(row, F::MainId),
            incident_id,
            incident_type: self.text(row, F::IncidentType),
            region,
            date,
            year,
            month,
            dead,
            missing,
            total,
            survivors: self.count(row, F::Survivors)?,
            females: self.count(row, F::Females)?,
            males: self.count(row, F::Males)?,
            children: self.count(row, F::Children)?,
            origin_countries,
            origin_regions,
            cause_of_death: self.text(row, F::Cause),
            country_of_incident: self.text(row, F::CountryOfIncident),
            route: self.text(row, F::Route),
            location: self.text(row, F::Location),
            coordinates,
            unsd_grouping: self.text(row, F::Unsd),
            information_source: self.text(row, F::Source),
            url: self.text(row, F::Url),
            source_quality: self.count(row, F::Quality)?,
        });
        Ok(Parsed::Records)
    }
}

/// Streams incidents from CSV (any of the three layouts) into `sink`.
pub fn read_mmp_csv<R: Read, K: Sink<Incident> + ?Sized>(
    reader: R,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let summary = drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut MmpLayout::default(),
        None,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// Streams incidents from the first sheet of a workbook into `sink`.
pub fn read_mmp_xlsx<RS: Read + Seek, K: Sink<Incident> + ?Sized>(
    reader: RS,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let mut workbook = open_xlsx(FORMAT, reader)?;
    let names = sheet_names(&workbook);
    let Some(first) = names.first().cloned() else {
        return Err(ImportError::NoHeader { format: FORMAT });
    };
    let summary = drive_sheet(
        &mut workbook,
        &first,
        &mut MmpLayout::default(),
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// [`read_mmp_csv`] collected in memory.
pub fn import_mmp_csv<R: Read>(reader: R) -> Result<Import<Incident>, ImportError> {
    let mut import = Import::default();
    let summary = read_mmp_csv(reader, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_layout() {
        let d = Date::new(2020, 1, 5).unwrap();
        assert_eq!(Date::parse("January 05, 2020"), Some(d));
        assert_eq!(Date::parse("Jan 5, 2020"), Some(d));
        assert_eq!(Date::parse("Sun, 01/05/2020 - 12:00"), Some(d));
        assert_eq!(Date::parse("01/05/2020"), Some(d));
        assert_eq!(Date::parse("2020-01-05"), Some(d));
        for bad in [
            "",
            "February 30, 2020",
            "13/01/2020",
            "Smarch 1, 2020",
            "2020",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("February 29, 2020").map(|d| d.day), Some(29));
        assert_eq!(Date::parse("February 29, 2019"), None);
    }

    #[test]
    fn release_dates_prefer_the_export_date() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(
            date_in_name("MissingMigrants-Global-2020-01-08T13-41-14.csv"),
            Some(d(2020, 1, 8))
        );
        assert_eq!(date_in_name("iom-mmp-incidents-2014-2025-04.xlsx"), None);
        assert_eq!(date_in_name("iom-mmp-incidents-2014-2020.csv"), None);
        assert_eq!(date_in_name("x-12020-01-08.csv"), None);
        assert_eq!(date_in_name("mmp-2020-02-30.csv"), None);
        let newest = Some(d(2020, 1, 5));
        assert_eq!(
            release_date(None, "mmp-2020-01-08.csv", newest),
            Some((d(2020, 1, 8), ReleaseBasis::FileName))
        );
        assert_eq!(
            release_date(Some(d(2020, 1, 9)), "mmp-2020-01-08.csv", newest),
            Some((d(2020, 1, 9), ReleaseBasis::WorkbookCreated))
        );
        // A date before the newest incident is not an export date.
        assert_eq!(
            release_date(Some(d(2019, 1, 1)), "mmp-2014-01-01.csv", newest),
            Some((d(2020, 1, 5), ReleaseBasis::NewestIncident))
        );
        assert_eq!(
            release_date(None, "iom-mmp-incidents-2014-2020.csv", newest),
            Some((d(2020, 1, 5), ReleaseBasis::NewestIncident))
        );
        assert_eq!(release_date(None, "x.csv", None), None);
    }

    #[test]
    fn months() {
        assert_eq!(month_number("Jan"), Some(1));
        assert_eq!(month_number("september"), Some(9));
        assert_eq!(month_number("Sept"), Some(9));
        assert_eq!(month_number("12"), Some(12));
        assert_eq!(month_number("Ja"), None);
        assert_eq!(month_number("13"), None);
    }

    #[test]
    fn presumed_regions() {
        let r = RegionName::parse("Sub-Saharan Africa (P)").unwrap();
        assert_eq!((&*r.name, r.presumed), ("Sub-Saharan Africa", true));
        assert!(!RegionName::parse("Europe").unwrap().presumed);
        assert_eq!(RegionName::parse(" (P)"), None);
    }

    #[test]
    fn the_2026_export() {
        let text = "Main ID,Incident ID,Region,Incident Date,Year,Reported Month,Number Dead,Minimum Estimated Number of Missing,Number of Survivors,Number of Females,Number of Males,Number of Children,Region of Origin,Cause of Death,Country of Origin,Location of death,Information Source,Coordinates,Migration route,URL,UNSD Geographical Grouping,Source Quality
2026.MMP001,2026.MMP001,Mediterranean,\"Thu, 01/01/2026 - 12:00\",2026,January,3,,10,,,,\"Northern Africa, Sub-Saharan Africa (P)\",Drowning,\"Eritrea,Ethiopia,Sudan\",Off Libya,IOM,\"32.9, 13.1\",Central Mediterranean,,Northern Africa,4
2026.MMP002,2026.MMP002,Mediterranean,\"Fri, 01/02/2026 - 12:00\",2026,January,,,,,,,Unknown,Unknown,Unknown,,,,,,,
2026.MMP003,2026.MMP003,Mediterranean,\"Fri, 01/02/2026 - 12:00\",2026,January,0,2,,,,,,,,,,\"132.9, 13.1\",,,,
";
        let import = import_mmp_csv(text.as_bytes()).unwrap();
        assert_eq!(import.summaries[0].layout, "mmp-2026");
        assert_eq!(import.records.len(), 2);
        let a = &import.records[0];
        assert_eq!(a.date, Date::new(2026, 1, 1));
        assert_eq!((a.dead, a.missing, a.total), (Some(3), None, Some(3)));
        assert_eq!(a.origin_countries.len(), 3);
        assert_eq!(a.origin_regions.len(), 2);
        assert!(a.origin_regions[1].presumed);
        assert_eq!(a.coordinates, Some((32.9, 13.1)));
        let b = &import.records[1];
        assert_eq!(
            (b.dead, b.missing, b.total),
            (None, None, None),
            "blank is unknown"
        );
        assert!(b.origin_countries.is_empty() && b.origin_regions.is_empty());
        assert_eq!(
            import.rejected[0].to_string(),
            "line 4: Coordinates `132.9, 13.1` is not `lat, lon`"
        );
    }

    #[test]
    fn the_all_data_layout_checks_totals() {
        let text = "Main ID,Incident ID,Incident Type,Region of Incident,Incident Date,Incident Year,Month,Number of Dead,Minimum Estimated Number of Missing,Total Number of Dead and Missing,Number of Survivors,Number of Females,Number of Males,Number of Children,Country of Origin,Region of Origin,Cause of Death,Country of Incident,Migration Route,Location of Incident,Coordinates,UNSD Geographical Grouping,Information Source,URL,Source Quality
2019.MMP1,2019.MMP1,Incident,North America,2019-03-02,2019,Mar,2,0,2,,,,,Mexico,Central America,Violence,United States of America,US-Mexico border crossing,Arizona,\"31.6, -111.9\",Northern America,Pima County,,5
2019.MMP1,2019.MMP2,Split Incident,North America,2019-03-02,2019,Mar,1,1,3,,,,,Mexico,Central America,Violence,United States of America,,Arizona,,Northern America,,,5
";
        let import = import_mmp_csv(text.as_bytes()).unwrap();
        assert_eq!(import.summaries[0].layout, "mmp-alldata");
        assert_eq!(import.records.len(), 1);
        assert_eq!(import.records[0].main_id.as_deref(), Some("2019.MMP1"));
        assert_eq!(
            import.rejected[0].to_string(),
            "line 3: Total Number of Dead and Missing is 3 but dead + missing is 2"
        );
    }

    #[test]
    fn wrong_layout_names_the_closest_layouts_missing_columns() {
        let text = "Web ID,Region of Incident,Reported Date,Reported Year,Number Dead\n";
        let err = import_mmp_csv(text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "iom-mmp: wrong layout, missing columns `Minimum Estimated Number of Missing`, \
             `Total Dead and Missing`"
        );
    }
}
