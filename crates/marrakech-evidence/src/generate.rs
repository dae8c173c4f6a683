//! A generator of realistic RPW provider-level data (feature `generate`): the real workbook
//! is 50 MB and not on our machines, so tests and benchmarks make their own of the same
//! layout. Deterministic: the same seed and row count give the same rows, and row `i` can
//! be made on its own (the in-memory rows and the workbook's rows are the same rows).
//!
//! What is realistic about it: real sending and receiving countries (ISO3 codes, UN names
//! and M49 sub-regions from core's reference) in corridors the RPW survey covers; fictional
//! providers of the four kinds RPW surveys (banks, money transfer operators, post offices,
//! mobile operators) with stable products across quarters; quarters 2016Q2 onward; total
//! costs mostly between 2 and 12 %, banks dearer and mobile operators cheaper, slowly
//! falling over time; about 5 % non-transparent rows (FX margin stored as 0); a few
//! negative promotions; RPW's six speeds; instrument spellings in varying case; trailing
//! unlabeled columns with the odd stray value.

use std::io::{Seek, Write};
use std::sync::Arc;

use marrakech_core::countries::Reference;
use thiserror::Error;

use crate::codes::{Corridor, Iso3, Quarter};
use crate::rpw::{Cost, RpwRecord, Speed, SHEET_2016};
use crate::table::format_number;
use crate::weights::{BilateralFlow, VolumeWeights};

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
}

/// Sending countries, their currency and its rough units per USD, and where they send.
const CORRIDORS: &[(&str, &str, f64, &[&str])] = &[
    (
        "USA",
        "USD",
        1.0,
        &[
            "MEX", "GTM", "SLV", "HND", "DOM", "HTI", "JAM", "COL", "PHL", "IND", "CHN", "VNM",
            "NGA", "GHA", "KEN", "ETH", "NIC", "ECU", "PER", "BRA", "PAK", "BGD",
        ],
    ),
    (
        "CAN",
        "CAD",
        1.35,
        &["IND", "PHL", "CHN", "JAM", "HTI", "PAK", "NGA", "LKA"],
    ),
    (
        "GBR",
        "GBP",
        0.79,
        &[
            "IND", "PAK", "BGD", "NGA", "GHA", "KEN", "POL", "ROU", "CHN", "PHL", "LKA", "ZAF",
            "UGA", "JAM",
        ],
    ),
    (
        "DEU",
        "EUR",
        0.92,
        &[
            "TUR", "POL", "ROU", "SRB", "BIH", "HRV", "RUS", "UKR", "SYR", "VNM", "ALB", "XKX",
        ],
    ),
    (
        "FRA",
        "EUR",
        0.92,
        &[
            "MAR", "DZA", "TUN", "SEN", "MLI", "CIV", "CMR", "VNM", "HTI", "COM",
        ],
    ),
    (
        "ITA",
        "EUR",
        0.92,
        &[
            "ROU", "ALB", "MAR", "PHL", "BGD", "SEN", "CHN", "UKR", "PER", "IND",
        ],
    ),
    (
        "ESP",
        "EUR",
        0.92,
        &[
            "MAR", "COL", "ECU", "BOL", "ROU", "PER", "DOM", "SEN", "NGA",
        ],
    ),
    ("NLD", "EUR", 0.92, &["SUR", "MAR", "TUR", "GHA"]),
    ("BEL", "EUR", 0.92, &["MAR", "COD", "CMR"]),
    ("PRT", "EUR", 0.92, &["BRA", "CPV", "AGO", "MOZ"]),
    ("GRC", "EUR", 0.92, &["ALB", "BGR"]),
    (
        "CHE",
        "CHF",
        0.88,
        &["ITA", "PRT", "SRB", "TUR", "ESP", "XKX"],
    ),
    ("SWE", "SEK", 10.5, &["IRQ", "SOM", "ETH", "POL"]),
    ("NOR", "NOK", 10.6, &["POL", "LTU", "PHL", "SOM"]),
    (
        "SAU",
        "SAR",
        3.75,
        &[
            "IND", "PAK", "BGD", "PHL", "EGY", "IDN", "NPL", "LKA", "YEM", "SDN", "JOR",
        ],
    ),
    (
        "ARE",
        "AED",
        3.67,
        &[
            "IND", "PAK", "BGD", "PHL", "EGY", "NPL", "LKA", "JOR", "LBN", "ETH",
        ],
    ),
    (
        "QAT",
        "QAR",
        3.64,
        &["IND", "NPL", "BGD", "PHL", "LKA", "PAK"],
    ),
    (
        "KWT",
        "KWD",
        0.31,
        &["IND", "EGY", "BGD", "PHL", "PAK", "LKA"],
    ),
    (
        "RUS",
        "RUB",
        90.0,
        &[
            "UZB", "TJK", "KGZ", "ARM", "AZE", "UKR", "MDA", "GEO", "KAZ",
        ],
    ),
    (
        "JPN",
        "JPY",
        145.0,
        &["PHL", "CHN", "BRA", "VNM", "THA", "KOR"],
    ),
    (
        "KOR",
        "KRW",
        1300.0,
        &["CHN", "VNM", "PHL", "IDN", "MNG", "UZB", "NPL"],
    ),
    (
        "AUS",
        "AUD",
        1.5,
        &[
            "CHN", "IND", "PHL", "VNM", "FJI", "PNG", "TON", "WSM", "VUT",
        ],
    ),
    (
        "NZL",
        "NZD",
        1.62,
        &["FJI", "TON", "WSM", "CHN", "IND", "PHL"],
    ),
    (
        "SGP",
        "SGD",
        1.34,
        &["IND", "BGD", "CHN", "MYS", "PHL", "IDN", "MMR"],
    ),
    (
        "MYS",
        "MYR",
        4.6,
        &["IDN", "BGD", "NPL", "PHL", "IND", "MMR"],
    ),
    ("THA", "THB", 35.0, &["MMR", "KHM", "LAO"]),
    (
        "ZAF",
        "ZAR",
        18.5,
        &[
            "ZWE", "MOZ", "LSO", "MWI", "BWA", "ZMB", "NGA", "SWZ", "AGO",
        ],
    ),
    ("BRA", "BRL", 5.0, &["BOL", "PRY", "HTI", "PER"]),
    ("CHL", "CLP", 900.0, &["PER", "BOL", "COL", "HTI"]),
    ("TZA", "TZS", 2500.0, &["KEN", "UGA", "RWA", "BDI"]),
    ("KEN", "KES", 130.0, &["TZA", "UGA", "RWA"]),
    ("NGA", "NGN", 1200.0, &["GHA", "BEN", "TGO"]),
    ("CIV", "XOF", 600.0, &["BFA", "MLI"]),
];

const HIGH_INCOME: &[&str] = &[
    "USA", "CAN", "GBR", "DEU", "FRA", "ITA", "ESP", "NLD", "BEL", "PRT", "GRC", "CHE", "SWE",
    "NOR", "SAU", "ARE", "QAT", "KWT", "JPN", "KOR", "AUS", "NZL", "SGP", "POL", "ROU", "HRV",
    "LTU", "BGR", "CHL", "RUS",
];
const LOW_INCOME: &[&str] = &[
    "ETH", "HTI", "MLI", "MWI", "MOZ", "BFA", "BDI", "SOM", "SYR", "YEM", "TGO", "UGA", "RWA",
    "COD", "SDN",
];
const UPPER_MIDDLE: &[&str] = &[
    "MEX", "COL", "ECU", "PER", "BRA", "CHN", "TUR", "SRB", "BIH", "ALB", "KAZ", "MYS", "THA",
    "ZAF", "BWA", "JOR", "DOM", "JAM", "GTM", "SLV", "PRY", "ARM", "AZE", "GEO", "MDA", "FJI",
    "TON", "IDN", "IRQ", "SUR", "XKX",
];
const G8: &[&str] = &["USA", "CAN", "GBR", "DEU", "FRA", "ITA", "JPN", "RUS"];
const G20: &[&str] = &[
    "AUS", "BRA", "CHN", "IND", "IDN", "KOR", "MEX", "SAU", "ZAF", "TUR",
];

/// Provider names are fictional: generated prices must not be read as real firms' prices.
const FIRM_WORDS: &[&str] = &[
    "Atlas", "Meridian", "Sahel", "Andes", "Baobab", "Coral", "Harbor", "Summit", "Lotus", "Cedar",
    "Horizon", "Monsoon", "Pioneer", "Kestrel", "Zephyr", "Savanna",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bank,
    Mto,
    Post,
    Mobile,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Bank => "Bank",
            Kind::Mto => "Money Transfer Operator",
            Kind::Post => "Post office",
            Kind::Mobile => "Mobile operator",
        }
    }
}

/// SplitMix64: tiny, fast, good enough for test data, and needs no dependency.
struct Rng(u64);

impl Rng {
    fn new(parts: &[u64]) -> Rng {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for p in parts {
            s = (s ^ p).wrapping_mul(0xBF58_476D_1CE4_E5B9).rotate_left(31);
        }
        Rng(s)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

struct Country {
    code: Iso3,
    name: Arc<str>,
    region: Arc<str>,
    income: &'static str,
    lending: &'static str,
    g8g20: &'static str,
}

fn country(reference: &Reference, code: &str) -> Option<Country> {
    let iso = Iso3::parse(code).ok()?;
    let (name, region): (Arc<str>, Arc<str>) = match reference.country(code) {
        Some(c) => (
            Arc::from(c.name.as_str()),
            Arc::from(c.subregion.as_ref().map(|a| a.name.as_str()).unwrap_or("")),
        ),
        // Kosovo: a World Bank code, not in ISO 3166-1.
        None if code == "XKX" => (Arc::from("Kosovo"), Arc::from("Southern Europe")),
        None => return None,
    };
    let income = if HIGH_INCOME.contains(&code) {
        "High income"
    } else if LOW_INCOME.contains(&code) {
        "Low income"
    } else if UPPER_MIDDLE.contains(&code) {
        "Upper middle income"
    } else {
        "Lower middle income"
    };
    let lending = match income {
        "High income" => "..",
        "Low income" => "IDA",
        "Upper middle income" => "IBRD",
        _ => "Blend",
    };
    let g8g20 = if G8.contains(&code) {
        "G8 & G20"
    } else if G20.contains(&code) {
        "G20"
    } else {
        ""
    };
    Some(Country {
        code: iso,
        name,
        region,
        income,
        lending,
        g8g20,
    })
}

struct CorridorInfo {
    corridor: Corridor,
    source: Arc<Country>,
    destination: Arc<Country>,
    currency: Arc<str>,
    rate: f64,
    /// The corridor's cost level in per cent before provider and time effects.
    level: f64,
}

/// One provider's product in a corridor, stable across quarters.
struct Product {
    firm: Arc<str>,
    kind: Kind,
    kind_label: Arc<str>,
    /// As recorded (case varies) and as the importer folds it.
    instrument: Arc<str>,
    instrument_folded: Arc<str>,
    access_folded: Arc<str>,
    pickup_folded: Arc<str>,
    speed_label: Arc<str>,
    access: Arc<str>,
    pickup: Arc<str>,
    speed: Speed,
    coverage: Arc<str>,
    factor: f64,
    transparent: bool,
}

/// A deterministic RPW data set of a given size.
pub struct RpwGenerator {
    seed: u64,
    rows: usize,
    corridors: Vec<CorridorInfo>,
    quarters: Vec<Quarter>,
    /// Products per corridor: enough slots for the densest corridor-quarter.
    products: Vec<Vec<Product>>,
}

/// The header of the current layout, 42 columns.
pub const HEADER_2016: [&str; 42] = [
    "id",
    "period",
    "source_code",
    "source_name",
    "source_region",
    "source_income",
    "source_lending",
    "source_G8G20",
    "destination_code",
    "destination_name",
    "destination_region",
    "destination_income",
    "destination_lending",
    "destination_G8G20",
    "firm",
    "firm_type",
    "payment instrument",
    "access point",
    "speed actual",
    "cc1 lcu amount",
    "cc1 denomination amount",
    "cc1 lcu code",
    "cc1 lcu fee",
    "cc1 lcu fx rate",
    "cc1 fx margin",
    "cc1 total cost %",
    "cc2 lcu amount",
    "cc2 denomination amount",
    "cc2 lcu code",
    "cc2 lcu fee",
    "cc2 lcu fx rate",
    "cc2 fx margin",
    "cc2 total cost %",
    "inter lcu bank fx",
    "transparent",
    "Standard Note",
    "note2",
    "receiving network coverage",
    "pickup location",
    "pickup method",
    "date",
    "corridor",
];

/// Two trailing columns without a header, as in recent releases.
const TRAILING: usize = 2;

impl RpwGenerator {
    /// `rows` rows over the quarters 2016Q2..=2025Q3.
    pub fn new(rows: usize, seed: u64) -> RpwGenerator {
        let reference = Reference::official();
        let mut corridors = Vec::new();
        for &(source, currency, rate, destinations) in CORRIDORS {
            let Some(src) = country(reference, source) else {
                continue;
            };
            let src = Arc::new(src);
            let currency: Arc<str> = Arc::from(currency);
            for dest in destinations.iter() {
                let Some(dst) = country(reference, dest) else {
                    continue;
                };
                let corridor = Corridor::new(src.code, dst.code);
                let mut rng = Rng::new(&[seed, corridor.packed() as u64, 1]);
                // Most corridors cost 4-9 %; intra-African and small-island corridors more.
                let mut level = rng.range(4.0, 9.0);
                if matches!(
                    source,
                    "ZAF" | "TZA" | "KEN" | "NGA" | "CIV" | "AUS" | "NZL"
                ) {
                    level *= 1.4;
                }
                corridors.push(CorridorInfo {
                    corridor,
                    source: src.clone(),
                    destination: Arc::new(dst),
                    currency: currency.clone(),
                    rate,
                    level,
                });
            }
        }
        let mut quarters = Vec::new();
        let mut q = Quarter::new(2016, 2).ok();
        let last = Quarter::new(2025, 3).ok();
        while let (Some(cur), Some(end)) = (q, last) {
            if cur > end {
                break;
            }
            quarters.push(cur);
            q = cur.next();
        }
        let slots = if corridors.is_empty() || quarters.is_empty() {
            0
        } else {
            rows.div_ceil(corridors.len() * quarters.len())
        };
        let products = corridors
            .iter()
            .map(|c| (0..slots).map(|s| product(seed, c, s)).collect())
            .collect();
        RpwGenerator {
            seed,
            rows,
            corridors,
            quarters,
            products,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn corridors(&self) -> impl Iterator<Item = Corridor> + '_ {
        self.corridors.iter().map(|c| c.corridor)
    }

    pub fn quarters(&self) -> &[Quarter] {
        &self.quarters
    }

    /// Where row `i` sits: (quarter, corridor, product slot). Rows go quarter by quarter,
    /// and within a quarter corridor by corridor, so each corridor-quarter gets its share.
    fn place(&self, i: usize) -> (usize, usize, usize) {
        let q = i * self.quarters.len() / self.rows;
        let first = (q * self.rows).div_ceil(self.quarters.len());
        let j = i - first;
        (q, j % self.corridors.len(), j / self.corridors.len())
    }

    /// Row `i` (0-based) as the importer would read it from the workbook; `None` past the
    /// end.
    pub fn record(&self, i: usize) -> Option<RpwRecord> {
        (i < self.rows).then(|| self.make(i))
    }

    fn make(&self, i: usize) -> RpwRecord {
        let (qi, ci, slot) = self.place(i);
        let quarter = self.quarters[qi];
        let c = &self.corridors[ci];
        let p = &self.products[ci][slot];
        let mut rng = Rng::new(&[self.seed, i as u64, 2]);
        // Costs fall about 1 % a quarter, to no less than 60 % of the 2016 level.
        let trend = (1.0 - 0.01 * qi as f64).max(0.6);
        let total_target = (c.level * trend * p.factor * rng.range(0.85, 1.15)).clamp(0.8, 25.0);
        let margin_share = match p.kind {
            Kind::Mobile => rng.range(0.1, 0.4),
            _ => rng.range(0.2, 0.6),
        };
        let rate = c.rate * rng.range(0.98, 1.02);
        let lcu200 = round(200.0 * rate, 2);
        let lcu500 = round(500.0 * rate, 2);
        let promotion = rng.unit() < 0.003;
        let (fee200, margin) = if promotion {
            (0.0, -round(rng.range(0.1, 1.0), 2))
        } else {
            let margin = round(total_target * margin_share, 2);
            let fee = round((total_target - margin) / 100.0 * lcu200, 2);
            (fee, margin)
        };
        // Fees are mostly flat, so sending 500 costs relatively less.
        let fee500 = round(fee200 * rng.range(1.0, 1.6), 2);
        // A non-transparent service hides its margin: RPW stores 0.
        let margin = if p.transparent { margin } else { 0.0 };
        let total = |fee: f64, amount: f64| round(fee / amount * 100.0 + margin, 4);
        let fx_rate = rate * (1.0 - margin / 100.0);
        let cost = |amount: f64, usd: f64, fee: f64| Cost {
            lcu_amount: Some(amount),
            denomination_amount: Some(usd),
            lcu_code: Some(c.currency.clone()),
            lcu_fee: Some(fee),
            lcu_fx_rate: Some(round(fx_rate, 4)),
            fx_margin: Some(margin),
            total_cost_pct: Some(total(fee, amount)),
        };
        RpwRecord {
            line: i as u64 + 2,
            id: Some(Arc::from((i + 1).to_string().as_str())),
            period: quarter,
            corridor: c.corridor,
            source_name: Some(c.source.name.clone()),
            destination_name: Some(c.destination.name.clone()),
            firm: p.firm.clone(),
            firm_type: Some(p.kind_label.clone()),
            payment_instrument: Some(p.instrument_folded.clone()),
            access_point: Some(p.access_folded.clone()),
            speed: Some(p.speed),
            speed_text: Some(p.speed_label.clone()),
            cc1: cost(lcu200, 200.0, fee200),
            cc2: cost(lcu500, 500.0, fee500),
            interbank_fx: Some(round(rate, 4)),
            transparent: Some(p.transparent),
            receiving_network_coverage: Some(p.coverage.clone()),
            pickup_location: None,
            pickup_method: Some(p.pickup_folded.clone()),
        }
    }

    /// All rows, in order.
    pub fn records(&self) -> impl Iterator<Item = RpwRecord> + '_ {
        (0..self.rows).map(|i| self.make(i))
    }

    /// The 42 cells (plus the trailing unlabeled ones) of row `i`, as written to files:
    /// the instrument in the case the product was recorded with.
    fn cells(&self, i: usize) -> Vec<Cell> {
        let r = self.make(i);
        let (_, ci, slot) = self.place(i);
        let c = &self.corridors[ci];
        let p = &self.products[ci][slot];
        let t = |s: &str| Cell::Text(s.to_owned());
        let n = |v: Option<f64>| v.map(Cell::Number).unwrap_or(Cell::Blank);
        let cost = |k: &Cost| {
            vec![
                n(k.lcu_amount),
                n(k.denomination_amount),
                k.lcu_code.as_deref().map(t).unwrap_or(Cell::Blank),
                n(k.lcu_fee),
                n(k.lcu_fx_rate),
                n(k.fx_margin),
                n(k.total_cost_pct),
            ]
        };
        let quarter = r.period;
        let month = (quarter.quarter() - 1) * 3 + 2;
        let mut cells = vec![
            Cell::Number((i + 1) as f64),
            t(&format!("{}_{}Q", quarter.year(), quarter.quarter())),
            t(c.source.code.as_str()),
            t(&c.source.name),
            t(&c.source.region),
            t(c.source.income),
            t(c.source.lending),
            t(c.source.g8g20),
            t(c.destination.code.as_str()),
            t(&c.destination.name),
            t(&c.destination.region),
            t(c.destination.income),
            t(c.destination.lending),
            t(c.destination.g8g20),
            t(&p.firm),
            t(p.kind.label()),
            t(&p.instrument),
            t(&p.access),
            t(p.speed.label()),
        ];
        cells.extend(cost(&r.cc1));
        cells.extend(cost(&r.cc2));
        cells.extend([
            n(r.interbank_fx),
            t(if p.transparent { "yes" } else { "no" }),
            Cell::Blank,
            Cell::Blank,
            t(&p.coverage),
            Cell::Blank,
            t(&p.pickup),
            t(&format!("{}-{month:02}-15", quarter.year())),
            t(&c.corridor.to_string()),
        ]);
        // A stray value in a trailing unlabeled column, every 997th row from the first.
        let stray = i.is_multiple_of(997);
        cells.push(Cell::Blank);
        cells.push(if stray { t("x") } else { Cell::Blank });
        cells
    }

    /// Writes the workbook: sheet `Dataset (from Q2 2016)`, one header row, 42 named
    /// columns and two unlabeled ones.
    pub fn write_workbook<W: Write + Seek + Send>(&self, writer: W) -> Result<(), GenerateError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(SHEET_2016)?;
        for (col, h) in HEADER_2016.iter().enumerate() {
            sheet.write_string(0, col as u16, *h)?;
        }
        for i in 0..self.rows {
            let row = i as u32 + 1;
            for (col, cell) in self.cells(i).into_iter().enumerate() {
                match cell {
                    Cell::Blank => {}
                    Cell::Text(s) => {
                        sheet.write_string(row, col as u16, s)?;
                    }
                    Cell::Number(v) => {
                        sheet.write_number(row, col as u16, v)?;
                    }
                }
            }
        }
        workbook.save_to_writer(writer)?;
        Ok(())
    }

    /// Writes the same rows as CSV, same header (for the DuckDB baseline and CSV imports).
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<(), GenerateError> {
        let mut w = csv::Writer::from_writer(writer);
        let mut header: Vec<&str> = HEADER_2016.to_vec();
        header.extend([""; TRAILING]);
        w.write_record(&header)?;
        let mut record: Vec<String> = Vec::with_capacity(44);
        for i in 0..self.rows {
            record.clear();
            record.extend(self.cells(i).into_iter().map(|c| match c {
                Cell::Blank => String::new(),
                Cell::Text(s) => s,
                Cell::Number(v) => format_number(v),
            }));
            w.write_record(&record)?;
        }
        w.flush()?;
        Ok(())
    }

    /// Remittance volumes (USD millions) for the generated corridors; about one corridor
    /// in ten has none, as in the real matrix.
    pub fn weights(&self) -> VolumeWeights {
        VolumeWeights::from_flows(self.corridors.iter().filter_map(|c| {
            let mut rng = Rng::new(&[self.seed, c.corridor.packed() as u64, 4]);
            (rng.unit() >= 0.1).then(|| BilateralFlow {
                corridor: c.corridor,
                usd_millions: round(rng.range(5.0, 5000.0), 3),
            })
        }))
    }
}

enum Cell {
    Blank,
    Text(String),
    Number(f64),
}

fn product(seed: u64, c: &CorridorInfo, slot: usize) -> Product {
    let mut rng = Rng::new(&[seed, c.corridor.packed() as u64, slot as u64, 5]);
    let u = rng.unit();
    let kind = if u < 0.45 {
        Kind::Mto
    } else if u < 0.8 {
        Kind::Bank
    } else if u < 0.88 {
        Kind::Post
    } else {
        Kind::Mobile
    };
    let word = rng.pick(FIRM_WORDS);
    let firm = match kind {
        Kind::Bank => format!("{word} Bank"),
        Kind::Mto => format!("{word} Remit"),
        Kind::Post => format!("{} Post", c.source.name),
        Kind::Mobile => format!("{word} Mobile Money"),
    };
    let speed_table: &[(Speed, f64)] = match kind {
        Kind::Mobile => &[
            (Speed::LessThanOneHour, 0.7),
            (Speed::SameDay, 0.25),
            (Speed::NextDay, 0.05),
        ],
        Kind::Mto => &[
            (Speed::LessThanOneHour, 0.5),
            (Speed::SameDay, 0.2),
            (Speed::NextDay, 0.15),
            (Speed::TwoDays, 0.1),
            (Speed::ThreeToFiveDays, 0.05),
        ],
        Kind::Bank => &[
            (Speed::SameDay, 0.05),
            (Speed::NextDay, 0.2),
            (Speed::TwoDays, 0.3),
            (Speed::ThreeToFiveDays, 0.3),
            (Speed::SixDaysOrMore, 0.15),
        ],
        Kind::Post => &[
            (Speed::TwoDays, 0.3),
            (Speed::ThreeToFiveDays, 0.4),
            (Speed::SixDaysOrMore, 0.3),
        ],
    };
    let mut x = rng.unit();
    let mut speed = speed_table[speed_table.len() - 1].0;
    for &(s, p) in speed_table {
        if x < p {
            speed = s;
            break;
        }
        x -= p;
    }
    let instruments: &[&str] = match kind {
        Kind::Bank => &["Bank account", "Debit card", "Cash"],
        Kind::Mobile => &["Mobile wallet", "Debit card"],
        _ => &["Cash", "Debit card", "Bank account", "Credit card"],
    };
    let instrument = *rng.pick(instruments);
    // Spellings vary in case between releases.
    let instrument = match rng.next() % 4 {
        0 => instrument.to_uppercase(),
        1 => instrument.to_lowercase(),
        _ => instrument.to_owned(),
    };
    let access = *rng.pick(match kind {
        Kind::Bank => &["Branch", "Online"][..],
        Kind::Mobile => &["Mobile app", "Agent"][..],
        Kind::Post => &["Branch"][..],
        Kind::Mto => &["Agent", "Online", "Mobile app", "Phone"][..],
    });
    let pickup = *rng.pick(match kind {
        Kind::Bank => &["Bank account", "Cash"][..],
        Kind::Mobile => &["Mobile wallet"][..],
        Kind::Post => &["Cash", "Home delivery"][..],
        Kind::Mto => &["Cash", "Bank account", "Mobile wallet"][..],
    });
    let coverage = match rng.unit() {
        u if u < 0.6 => "Nationwide",
        u if u < 0.9 => "Major cities",
        _ => "Limited",
    };
    let factor = match kind {
        Kind::Bank => rng.range(1.2, 1.7),
        Kind::Mto => rng.range(0.7, 1.1),
        Kind::Post => rng.range(0.9, 1.3),
        Kind::Mobile => rng.range(0.4, 0.7),
    };
    Product {
        firm: Arc::from(firm.as_str()),
        kind,
        kind_label: Arc::from(kind.label()),
        instrument_folded: Arc::from(instrument.to_lowercase().as_str()),
        access_folded: Arc::from(access.to_lowercase().as_str()),
        pickup_folded: Arc::from(pickup.to_lowercase().as_str()),
        speed_label: Arc::from(speed.label()),
        instrument: Arc::from(instrument.as_str()),
        access: Arc::from(access),
        pickup: Arc::from(pickup),
        speed,
        coverage: Arc::from(coverage),
        factor,
        transparent: rng.unit() >= 0.05,
    }
}

/// `n` provider rows in memory, for the computation benchmark and tests.
pub fn rpw_records(n: usize, seed: u64) -> Vec<RpwRecord> {
    RpwGenerator::new(n, seed).records().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_corridor_country_is_real() {
        let reference = Reference::official();
        for &(source, _, _, dests) in CORRIDORS {
            assert!(reference.country(source).is_some(), "{source}");
            for d in dests {
                assert!(
                    reference.country(d).is_some() || *d == "XKX",
                    "{source} -> {d}"
                );
            }
        }
    }

    #[test]
    fn rows_are_deterministic_and_realistic() {
        let g = RpwGenerator::new(20_000, 7);
        assert_eq!(g.quarters().len(), 38, "2016Q2..=2025Q3");
        let rows: Vec<RpwRecord> = g.records().collect();
        assert_eq!(
            rows[1234],
            RpwGenerator::new(20_000, 7).record(1234).unwrap()
        );
        assert!(g.record(20_000).is_none());
        let costs: Vec<f64> = rows.iter().filter_map(|r| r.cc1.total_cost_pct).collect();
        let within = costs.iter().filter(|c| (2.0..=12.0).contains(*c)).count();
        assert!(within as f64 / costs.len() as f64 > 0.8, "mostly 2-12 %");
        assert!(costs.iter().any(|c| *c < 0.0), "some promotions");
        let opaque = rows.iter().filter(|r| r.transparent == Some(false)).count();
        assert!((0.02..0.1).contains(&(opaque as f64 / rows.len() as f64)));
        assert!(rows
            .iter()
            .filter(|r| r.transparent == Some(false))
            .all(|r| r.cc1.fx_margin == Some(0.0)));
        for s in Speed::ALL {
            assert!(rows.iter().any(|r| r.speed == Some(s)), "{s:?}");
        }
        assert_eq!(rows.first().unwrap().period, Quarter::new(2016, 2).unwrap());
        assert_eq!(rows.last().unwrap().period, Quarter::new(2025, 3).unwrap());
    }
}
