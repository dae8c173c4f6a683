//! World Bank Remittance Prices Worldwide (RPW), provider level: one row per provider x
//! corridor x quarter x product.
//!
//! Accepted layouts (from XLSX or CSV; header matched without case, spaces or punctuation):
//! - `rpw-2016`: sheet `Dataset (from Q2 2016)`, 42 lower-case columns, periods `2025_3Q`;
//! - `rpw-legacy`: sheet `Dataset (up to Q1 2016)`, 30 upper-case columns (`PERIOD`,
//!   `SOURCE_CODE`, ..., `NOTE1`, `PICK-UP METHOD`), periods spelt any of the ways
//!   [`Quarter::parse`] reads.
//!
//! Required: `period`, `firm`, `cc1 total cost %`, `transparent`, and either both
//! `source_code` and `destination_code` or `corridor`. The other known columns are optional;
//! unknown ones are reported; trailing unlabeled columns are counted and ignored.
//!
//! Row rules: `transparent` reads yes/no (also y/n, true/false, 1/0) and stays `None` when
//! blank; negative costs are kept (promotions); the payment instrument, access point and
//! pickup method are lower-cased, because their case varies between releases; the corridor
//! is source ISO3 + destination ISO3, and a `corridor` cell that disagrees with the codes
//! rejects the row.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::sync::Arc;

use serde::Serialize;

use crate::codes::{Corridor, Iso3, Quarter};
use crate::error::{ImportError, RowProblem};
use crate::table::{
    drive, drive_sheet, match_columns, open_xlsx, opt, req, require_records, sheet_names, Col,
    CsvSource, HeaderInfo, Import, Layout, Parsed, RowView, Seen, Sink, Summary,
};

const FORMAT: &str = "rpw";

/// The two data sheets of the published workbook.
pub const SHEET_2016: &str = "Dataset (from Q2 2016)";
pub const SHEET_LEGACY: &str = "Dataset (up to Q1 2016)";

/// How fast the money arrives, as RPW records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Speed {
    LessThanOneHour,
    SameDay,
    NextDay,
    TwoDays,
    ThreeToFiveDays,
    SixDaysOrMore,
}

impl Speed {
    pub const ALL: [Speed; 6] = [
        Speed::LessThanOneHour,
        Speed::SameDay,
        Speed::NextDay,
        Speed::TwoDays,
        Speed::ThreeToFiveDays,
        Speed::SixDaysOrMore,
    ];

    /// RPW's wording.
    pub fn label(self) -> &'static str {
        match self {
            Speed::LessThanOneHour => "Less than one hour",
            Speed::SameDay => "Same day",
            Speed::NextDay => "Next day",
            Speed::TwoDays => "2 days",
            Speed::ThreeToFiveDays => "3-5 days",
            Speed::SixDaysOrMore => "6 days or more",
        }
    }

    /// The most days delivery takes; `None` for "6 days or more" (no upper bound).
    pub fn max_days(self) -> Option<u8> {
        match self {
            Speed::LessThanOneHour | Speed::SameDay => Some(0),
            Speed::NextDay => Some(1),
            Speed::TwoDays => Some(2),
            Speed::ThreeToFiveDays => Some(5),
            Speed::SixDaysOrMore => None,
        }
    }

    /// Reads RPW's labels and the usual variants, in any case.
    pub fn parse(s: &str) -> Option<Speed> {
        let l = s
            .to_lowercase()
            .replace(['–', '—'], "-")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Some(match l.as_str() {
            "less than one hour" | "less than 1 hour" | "< 1 hour" | "<1 hour"
            | "within one hour" | "within 1 hour" | "minutes" | "instant" => Speed::LessThanOneHour,
            "same day" | "same-day" => Speed::SameDay,
            "next day" | "next-day" | "1 day" | "one day" => Speed::NextDay,
            "2 days" | "two days" => Speed::TwoDays,
            "3-5 days" | "3 - 5 days" | "3 to 5 days" => Speed::ThreeToFiveDays,
            "6 days or more" | "6 or more days" | "6+ days" | "more than 5 days" => {
                Speed::SixDaysOrMore
            }
            _ => return None,
        })
    }
}

/// One cost block: `cc1` is the equivalent of USD 200, `cc2` of USD 500.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cost {
    /// The amount sent, in the sending country's currency.
    pub lcu_amount: Option<f64>,
    /// The amount sent in USD (200 or 500).
    pub denomination_amount: Option<f64>,
    pub lcu_code: Option<Arc<str>>,
    pub lcu_fee: Option<f64>,
    pub lcu_fx_rate: Option<f64>,
    /// Per cent. Stored as 0 by RPW when the service is not transparent (then unknown).
    pub fx_margin: Option<f64>,
    /// Per cent of the amount: fee / amount x 100 + FX margin. Negative for promotions.
    pub total_cost_pct: Option<f64>,
}

/// One RPW survey row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RpwRecord {
    pub line: u64,
    pub id: Option<Arc<str>>,
    pub period: Quarter,
    pub corridor: Corridor,
    pub source_name: Option<Arc<str>>,
    pub destination_name: Option<Arc<str>>,
    pub firm: Arc<str>,
    pub firm_type: Option<Arc<str>>,
    /// Lower case (`cash`, `bank account`).
    pub payment_instrument: Option<Arc<str>>,
    /// Lower case (`agent`, `online`).
    pub access_point: Option<Arc<str>>,
    pub speed: Option<Speed>,
    /// The speed as written (kept, since a spelling [`Speed::parse`] does not know leaves
    /// `speed` empty).
    pub speed_text: Option<Arc<str>>,
    pub cc1: Cost,
    pub cc2: Cost,
    pub interbank_fx: Option<f64>,
    /// `None` when the cell is blank.
    pub transparent: Option<bool>,
    pub receiving_network_coverage: Option<Arc<str>>,
    pub pickup_location: Option<Arc<str>>,
    /// Lower case (`cash`, `bank account`, `mobile wallet`).
    pub pickup_method: Option<Arc<str>>,
}

impl RpwRecord {
    /// The row's key. RPW numbers its rows (`id`): where the file has ids, the key is the
    /// quarter and the id. Without them (the legacy sheet), it is everything that describes
    /// the service and its prices in the quarter, so only a row that says again exactly what
    /// another said is a repeat (it would count twice in every average).
    pub fn key(&self) -> String {
        if let Some(id) = &self.id {
            return format!("{}, id {id}", self.period.sdmx());
        }
        let t = |v: &Option<Arc<str>>| v.as_deref().unwrap_or("-").to_owned();
        let n = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_else(|| "-".to_owned());
        let cost = |c: &Cost| {
            format!(
                "{} {} fee {} rate {} margin {} total {}",
                n(c.lcu_amount),
                t(&c.lcu_code),
                n(c.lcu_fee),
                n(c.lcu_fx_rate),
                n(c.fx_margin),
                n(c.total_cost_pct)
            )
        };
        format!(
            "{}, {}, {} ({}), {} / {} / {} / {} / {} / {}, {}; {}",
            self.period.sdmx(),
            self.corridor,
            self.firm,
            t(&self.firm_type),
            t(&self.payment_instrument),
            t(&self.access_point),
            t(&self.speed_text),
            t(&self.pickup_method),
            t(&self.pickup_location),
            t(&self.receiving_network_coverage),
            cost(&self.cc1),
            cost(&self.cc2),
        )
    }
}

const COLUMNS: &[Col] = &[
    opt("id", &[]),
    req("period", &["survey period", "quarter"]),
    opt("source_code", &["source code", "sending country code"]),
    opt("source_name", &[]),
    opt("source_region", &[]),
    opt("source_income", &[]),
    opt("source_lending", &[]),
    opt("source_G8G20", &[]),
    opt("destination_code", &["receiving country code"]),
    opt("destination_name", &[]),
    opt("destination_region", &[]),
    opt("destination_income", &[]),
    opt("destination_lending", &[]),
    opt("destination_G8G20", &[]),
    req("firm", &["firm name", "provider"]),
    opt("firm_type", &["firm type"]),
    opt("payment instrument", &["instrument"]),
    opt("access point", &[]),
    opt("speed actual", &["speed"]),
    opt("cc1 lcu amount", &[]),
    opt("cc1 denomination amount", &[]),
    opt("cc1 lcu code", &[]),
    opt("cc1 lcu fee", &[]),
    opt("cc1 lcu fx rate", &[]),
    opt("cc1 fx margin", &[]),
    req(
        "cc1 total cost %",
        &["cc1 total cost", "cc1 total cost percent"],
    ),
    opt("cc2 lcu amount", &[]),
    opt("cc2 denomination amount", &[]),
    opt("cc2 lcu code", &[]),
    opt("cc2 lcu fee", &[]),
    opt("cc2 lcu fx rate", &[]),
    opt("cc2 fx margin", &[]),
    opt(
        "cc2 total cost %",
        &["cc2 total cost", "cc2 total cost percent"],
    ),
    opt("inter lcu bank fx", &["interbank fx", "inter bank fx"]),
    req("transparent", &["transparency"]),
    opt("Standard Note", &["note1", "note 1"]),
    opt("note2", &["note 2"]),
    opt("receiving network coverage", &[]),
    opt("pickup location", &["pick-up location"]),
    opt("pickup method", &["pick-up method"]),
    opt("date", &[]),
    opt("corridor", &[]),
];

// Positions in COLUMNS.
const ID: usize = 0;
const PERIOD: usize = 1;
const SOURCE_CODE: usize = 2;
const SOURCE_NAME: usize = 3;
const DEST_CODE: usize = 8;
const DEST_NAME: usize = 9;
const FIRM: usize = 14;
const FIRM_TYPE: usize = 15;
const INSTRUMENT: usize = 16;
const ACCESS: usize = 17;
const SPEED: usize = 18;
const CC1: usize = 19;
const CC2: usize = 26;
const INTERBANK: usize = 33;
const TRANSPARENT: usize = 34;
const COVERAGE: usize = 37;
const PICKUP_LOCATION: usize = 38;
const PICKUP_METHOD: usize = 39;
const CORRIDOR: usize = 41;

/// Shares the repeated texts (names, firms, instruments) between records: a 204,000-row
/// workbook has a few thousand distinct values.
#[derive(Default)]
struct Interner(HashMap<Box<str>, Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        // Unbounded growth would only come from unique texts (ids, notes), which are not
        // interned.
        self.0.insert(Box::from(s), a.clone());
        a
    }
}

#[derive(Default)]
struct RpwLayout {
    pos: Vec<Option<usize>>,
    strings: Interner,
}

/// `yes`/`no` and the usual variants.
fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

impl RpwLayout {
    fn text<V: RowView>(&mut self, row: &V, col: usize) -> Option<Arc<str>> {
        row.text(self.pos[col]).map(|t| self.strings.get(&t))
    }

    /// Lower case with single spaces: `Bank Account` and `BANK  ACCOUNT` are one instrument.
    fn folded<V: RowView>(&mut self, row: &V, col: usize) -> Option<Arc<str>> {
        row.text(self.pos[col]).map(|t| {
            let f = t
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            self.strings.get(&f)
        })
    }

    fn num<V: RowView>(&self, row: &V, col: usize) -> Result<Option<f64>, RowProblem> {
        row.number(self.pos[col], COLUMNS[col].name)
    }

    fn cost<V: RowView>(&mut self, row: &V, first: usize) -> Result<Cost, RowProblem> {
        Ok(Cost {
            lcu_amount: self.num(row, first)?,
            denomination_amount: self.num(row, first + 1)?,
            lcu_code: self.text(row, first + 2),
            lcu_fee: self.num(row, first + 3)?,
            lcu_fx_rate: self.num(row, first + 4)?,
            fx_margin: self.num(row, first + 5)?,
            total_cost_pct: self.num(row, first + 6)?,
        })
    }

    fn code<V: RowView>(&self, row: &V, col: usize) -> Result<Option<Iso3>, RowProblem> {
        match row.text(self.pos[col]) {
            None => Ok(None),
            Some(t) => Iso3::parse(&t)
                .map(Some)
                .map_err(|_| RowProblem::invalid(COLUMNS[col].name, &t, "an ISO3 code")),
        }
    }
}

impl Layout for RpwLayout {
    type Record = RpwRecord;
    type Key = String;

    fn key(&self, r: &RpwRecord) -> String {
        r.key()
    }

    fn describe(&self, key: &String) -> String {
        key.clone()
    }

    fn format(&self) -> &'static str {
        FORMAT
    }

    fn header_scan(&self) -> usize {
        10
    }

    fn header(
        &mut self,
        _previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>> {
        let m = match_columns(header, COLUMNS);
        let mut missing = m.missing;
        let has = |c: usize| m.pos[c].is_some();
        if !(has(CORRIDOR) || (has(SOURCE_CODE) && has(DEST_CODE))) {
            for c in [SOURCE_CODE, DEST_CODE] {
                if !has(c) {
                    missing.push(format!("{} (or corridor)", COLUMNS[c].name));
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        // The legacy sheet is the one in capitals.
        let upper = header
            .iter()
            .flat_map(|h| h.chars())
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase());
        self.pos = m.pos;
        Ok(HeaderInfo {
            layout: if upper { "rpw-legacy" } else { "rpw-2016" }.to_owned(),
            unknown: m.unmatched.into_iter().map(|(_, h)| h).collect(),
            unlabeled: m.unlabeled,
        })
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        line: u64,
        out: &mut Vec<RpwRecord>,
    ) -> Result<Parsed, RowProblem> {
        let period_text = row
            .text(self.pos[PERIOD])
            .ok_or_else(|| RowProblem::missing("period"))?;
        let period = Quarter::parse(&period_text)
            .map_err(|_| RowProblem::invalid("period", &period_text, "a quarter"))?;
        let source = self.code(row, SOURCE_CODE)?;
        let destination = self.code(row, DEST_CODE)?;
        let named = match row.text(self.pos[CORRIDOR]) {
            None => None,
            Some(t) => Some(
                Corridor::parse(&t)
                    .map_err(|_| RowProblem::invalid("corridor", &t, "two ISO3 codes"))?,
            ),
        };
        let corridor = match (source, destination, named) {
            (Some(s), Some(d), Some(c)) if c != Corridor::new(s, d) => {
                return Err(RowProblem::Inconsistent(format!(
                    "corridor `{c}` disagrees with source_code `{s}` and destination_code `{d}`"
                )));
            }
            (Some(s), Some(d), _) => Corridor::new(s, d),
            (None, None, Some(c)) => c,
            (Some(s), None, Some(c)) if c.source == s => c,
            (None, Some(d), Some(c)) if c.destination == d => c,
            (None, _, _) => return Err(RowProblem::missing("source_code")),
            (_, None, _) => return Err(RowProblem::missing("destination_code")),
        };
        let firm = self
            .text(row, FIRM)
            .ok_or_else(|| RowProblem::missing("firm"))?;
        let transparent = match row.text(self.pos[TRANSPARENT]) {
            None => None,
            Some(t) => Some(
                parse_yes_no(&t)
                    .ok_or_else(|| RowProblem::invalid("transparent", &t, "yes or no"))?,
            ),
        };
        let speed_text = self.text(row, SPEED);
        let speed = speed_text.as_deref().and_then(Speed::parse);
        let cc1 = self.cost(row, CC1)?;
        let cc2 = self.cost(row, CC2)?;
        out.push(RpwRecord {
            line,
            id: row.text(self.pos[ID]).map(|t| Arc::from(t.as_ref())),
            period,
            corridor,
            source_name: self.text(row, SOURCE_NAME),
            destination_name: self.text(row, DEST_NAME),
            firm,
            firm_type: self.text(row, FIRM_TYPE),
            payment_instrument: self.folded(row, INSTRUMENT),
            access_point: self.folded(row, ACCESS),
            speed,
            speed_text,
            cc1,
            cc2,
            interbank_fx: self.num(row, INTERBANK)?,
            transparent,
            receiving_network_coverage: self.text(row, COVERAGE),
            pickup_location: self.text(row, PICKUP_LOCATION),
            pickup_method: self.folded(row, PICKUP_METHOD),
        });
        Ok(Parsed::Records)
    }
}

/// Streams RPW rows from CSV (either layout) into `sink`.
pub fn read_rpw_csv<R: Read, K: Sink<RpwRecord> + ?Sized>(
    reader: R,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let summary = drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut RpwLayout::default(),
        None,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// Streams every data sheet of an RPW workbook into `sink`, one summary per sheet: the
/// sheets whose name starts with `Dataset`, or the only sheet of a one-sheet workbook.
pub fn read_rpw_xlsx<RS: Read + Seek, K: Sink<RpwRecord> + ?Sized>(
    reader: RS,
    sink: &mut K,
) -> Result<Vec<Summary>, ImportError> {
    let mut workbook = open_xlsx(FORMAT, reader)?;
    let names = sheet_names(&workbook);
    let mut sheets: Vec<String> = names
        .iter()
        .filter(|n| n.trim().to_ascii_lowercase().starts_with("dataset"))
        .cloned()
        .collect();
    if sheets.is_empty() && names.len() == 1 {
        sheets = names.clone();
    }
    if sheets.is_empty() {
        return Err(ImportError::SheetNotFound {
            format: FORMAT,
            wanted: vec![SHEET_2016.to_owned(), SHEET_LEGACY.to_owned()],
            found: names,
        });
    }
    let mut summaries = Vec::new();
    // One interner across sheets: the legacy and current sheets share names and firms.
    let mut layout = RpwLayout::default();
    // One set of keys across sheets too: a row may not repeat one of another sheet.
    let mut seen = Seen::default();
    for sheet in sheets {
        let summary = drive_sheet(&mut workbook, &sheet, &mut layout, &mut seen, sink)?;
        let stopped = summary.stopped;
        summaries.push(summary);
        if stopped {
            break;
        }
    }
    require_records(&summaries)?;
    Ok(summaries)
}

/// [`read_rpw_csv`] collected in memory.
pub fn import_rpw_csv<R: Read>(reader: R) -> Result<Import<RpwRecord>, ImportError> {
    let mut import = Import::default();
    let summary = read_rpw_csv(reader, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

/// [`read_rpw_xlsx`] collected in memory.
pub fn import_rpw_xlsx<RS: Read + Seek>(reader: RS) -> Result<Import<RpwRecord>, ImportError> {
    let mut import = Import::default();
    import.summaries = read_rpw_xlsx(reader, &mut import)?;
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_2016: &str = "id,period,source_code,source_name,source_region,source_income,source_lending,source_G8G20,destination_code,destination_name,destination_region,destination_income,destination_lending,destination_G8G20,firm,firm_type,payment instrument,access point,speed actual,cc1 lcu amount,cc1 denomination amount,cc1 lcu code,cc1 lcu fee,cc1 lcu fx rate,cc1 fx margin,cc1 total cost %,cc2 lcu amount,cc2 denomination amount,cc2 lcu code,cc2 lcu fee,cc2 lcu fx rate,cc2 fx margin,cc2 total cost %,inter lcu bank fx,transparent,Standard Note,note2,receiving network coverage,pickup location,pickup method,date,corridor,,";

    #[test]
    fn current_layout_with_trailing_columns() {
        let text = format!(
            "{HEADER_2016}\n\
             1,2025_3Q,KEN,Kenya,SSA,LMI,IDA,,TZA,Tanzania,SSA,LMI,IDA,,Bank A,Bank,CASH,Branch,Next day,26000,200,KES,1300,2550,1.5,6.5,65000,500,KES,1950,2550,1.5,4.5,2588,yes,,,Nationwide,,Cash,2025-09-01,KENTZA,,x\n\
             2,2025_3Q,KEN,Kenya,SSA,LMI,IDA,,TZA,Tanzania,SSA,LMI,IDA,,Promo,Money Transfer Operator,cash,Online,Less than one hour,26000,200,KES,0,2590,-0.5,-0.5,,,,,,,,2588,NO,,,,,cash,,KENTZA,,\n\
             3,2025Q3,KEN,Kenya,,,,,TZA,Tanzania,,,,,Bad,Bank,cash,,Warp speed,,,,,,,5,,,,,,,,,maybe,,,,,,,,,\n\
             4,2025_3Q,KEN,Kenya,,,,,TZA,Tanzania,,,,,Bad,Bank,cash,,,,,,,,,5,,,,,,,,,yes,,,,,,,UGATZA,,\n\
             5,2025_5Q,KEN,,,,,,TZA,,,,,,Bad,Bank,,,,,,,,,,5,,,,,,,,,yes,,,,,,,,,\n"
        );
        let import = import_rpw_csv(text.as_bytes()).unwrap();
        let s = &import.summaries[0];
        assert_eq!(s.layout, "rpw-2016");
        assert_eq!(s.unlabeled_columns, 2);
        assert!(s.unknown_columns.is_empty());
        assert_eq!(import.records.len(), 2);
        let a = &import.records[0];
        assert_eq!(a.period, Quarter::new(2025, 3).unwrap());
        assert_eq!(a.corridor.to_string(), "KENTZA");
        assert_eq!(a.payment_instrument.as_deref(), Some("cash"));
        assert_eq!(a.speed, Some(Speed::NextDay));
        assert_eq!(a.cc1.total_cost_pct, Some(6.5));
        assert_eq!(a.cc2.total_cost_pct, Some(4.5));
        assert_eq!(a.transparent, Some(true));
        let b = &import.records[1];
        assert_eq!(b.transparent, Some(false));
        assert_eq!(b.cc1.total_cost_pct, Some(-0.5), "promotions stay negative");
        assert_eq!(b.payment_instrument, a.payment_instrument, "case folded");
        let reasons: Vec<String> = import.rejected.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            reasons,
            [
                "line 4: transparent `maybe` is not yes or no",
                "line 5: corridor `UGATZA` disagrees with source_code `KEN` and destination_code `TZA`",
                "line 6: period `2025_5Q` is not a quarter",
            ]
        );
    }

    #[test]
    fn legacy_layout() {
        let text = "PERIOD,SOURCE_CODE,SOURCE_NAME,DESTINATION_CODE,DESTINATION_NAME,FIRM,FIRM_TYPE,PAYMENT INSTRUMENT,SPEED ACTUAL,CC1 LCU AMOUNT,CC1 DENOMINATION AMOUNT,CC1 LCU CODE,CC1 LCU FEE,CC1 LCU FX RATE,CC1 FX MARGIN,CC1 TOTAL COST %,CC2 LCU AMOUNT,CC2 DENOMINATION AMOUNT,CC2 LCU CODE,CC2 LCU FEE,CC2 LCU FX RATE,CC2 FX MARGIN,CC2 TOTAL COST %,INTER LCU BANK FX,TRANSPARENT,NOTE1,NOTE2,PICK-UP METHOD,DATE,CORRIDOR
Q1 2011,USA,United States,MEX,Mexico,Bank B,Bank,Bank Account,3-5 days,200,200,USD,10,12.1,2,7,500,500,USD,15,12.1,2,5,12.35,Yes,,,Bank account,,USAMEX
";
        let import = import_rpw_csv(text.as_bytes()).unwrap();
        assert_eq!(import.summaries[0].layout, "rpw-legacy");
        assert!(import.rejected.is_empty(), "{:?}", import.rejected);
        let r = &import.records[0];
        assert_eq!(r.period, Quarter::new(2011, 1).unwrap());
        assert_eq!(r.payment_instrument.as_deref(), Some("bank account"));
        assert_eq!(r.pickup_method.as_deref(), Some("bank account"));
        assert_eq!(r.speed, Some(Speed::ThreeToFiveDays));
        assert_eq!(r.cc1.total_cost_pct, Some(7.0));
    }

    #[test]
    fn wrong_layout_is_one_error() {
        let err = import_rpw_csv("id,foo,bar\n1,2,3\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rpw: wrong layout, missing columns `period`, `firm`, `cc1 total cost %`, \
             `transparent`, `source_code (or corridor)`, `destination_code (or corridor)`"
        );
    }

    #[test]
    fn speeds() {
        for s in Speed::ALL {
            assert_eq!(Speed::parse(s.label()), Some(s));
            assert_eq!(Speed::parse(&s.label().to_uppercase()), Some(s));
        }
        assert_eq!(Speed::parse("3 – 5 days"), Some(Speed::ThreeToFiveDays));
        assert_eq!(Speed::parse("soon"), None);
        assert_eq!(Speed::ThreeToFiveDays.max_days(), Some(5));
        assert_eq!(Speed::SixDaysOrMore.max_days(), None);
    }
}
