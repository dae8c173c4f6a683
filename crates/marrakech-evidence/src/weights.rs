//! Remittance volumes by corridor, the weights of the volume-weighted average cost.
//!
//! Accepted layout: the World Bank bilateral remittance matrix (USD millions): title rows,
//! then a header row whose corner cell reads `receiving (across) / sending (down)` (the
//! transposed wording is honoured too) followed by country names; one row per country after
//! it; a `WORLD` row and column of totals (skipped); notes below (skipped). The matrix has
//! names only, resolved with [`CountryNames`]: names that resolve to nothing are reported as
//! unknown columns, or rejected rows. `-` means no estimate; 0 is zero. Any other flow matrix
//! can be given to [`VolumeWeights::from_flows`].

use std::collections::HashMap;
use std::io::{Read, Seek};

use marrakech_core::countries::{Reference, M49};
use serde::Serialize;

use crate::codes::{Corridor, Iso3};
use crate::error::{ImportError, RowProblem};
use crate::names::CountryNames;
use crate::table::{
    drive_sheet, open_xlsx, require_records, sheet_names, HeaderInfo, Import, Layout, Parsed,
    RowView, Seen, Sink, Summary,
};

const FORMAT: &str = "wb-bilateral-remittances";

/// One cell of a flow matrix: money sent from `corridor.source` to `corridor.destination`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BilateralFlow {
    pub corridor: Corridor,
    pub usd_millions: f64,
}

/// Corridor weights. Only positive volumes count as weights: a zero contributes nothing to
/// a weighted mean, so a corridor with 0 is treated like one without an estimate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeWeights {
    by_corridor: HashMap<Corridor, f64>,
}

impl VolumeWeights {
    pub fn from_flows(flows: impl IntoIterator<Item = BilateralFlow>) -> VolumeWeights {
        let mut by_corridor = HashMap::new();
        for f in flows {
            if f.usd_millions > 0.0 && f.usd_millions.is_finite() {
                *by_corridor.entry(f.corridor).or_insert(0.0) += f.usd_millions;
            }
        }
        VolumeWeights { by_corridor }
    }

    pub fn weight(&self, corridor: Corridor) -> Option<f64> {
        self.by_corridor.get(&corridor).copied()
    }

    /// The weight for a pair of M49 codes, through core's reference.
    pub fn weight_m49(&self, reference: &Reference, sending: M49, receiving: M49) -> Option<f64> {
        let iso = |m: M49| {
            reference
                .countries
                .iter()
                .find(|c| c.m49 == m)
                .and_then(|c| Iso3::parse(&c.iso3).ok())
        };
        self.weight(Corridor::new(iso(sending)?, iso(receiving)?))
    }

    pub fn len(&self) -> usize {
        self.by_corridor.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_corridor.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Corridor, f64)> + '_ {
        self.by_corridor.iter().map(|(c, w)| (*c, *w))
    }
}

struct MatrixLayout<'n> {
    names: &'n CountryNames,
    /// Whether columns are the receiving countries (the published orientation).
    columns_receive: bool,
    columns: Vec<(usize, Iso3)>,
}

fn is_total(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("world") || name.trim().eq_ignore_ascii_case("total")
}

impl Layout for MatrixLayout<'_> {
    type Record = BilateralFlow;
    /// A flow's key is its corridor (sending, receiving).
    type Key = Corridor;

    fn key(&self, f: &BilateralFlow) -> Corridor {
        f.corridor
    }

    fn describe(&self, c: &Corridor) -> String {
        format!("sending {}, receiving {}", c.source, c.destination)
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
        let corner = header.first().map(|c| c.to_lowercase()).unwrap_or_default();
        if !(corner.contains("receiving") && corner.contains("sending")) {
            return Err(vec![
                "`receiving (across) / sending (down)` corner cell".to_owned()
            ]);
        }
        // "receiving (across)" is the published wording; "sending (across)" transposes it.
        self.columns_receive =
            !(corner.contains("sending (across)") || corner.contains("receiving (down)"));
        let mut unknown = Vec::new();
        let mut unlabeled = 0;
        for (i, cell) in header.iter().enumerate().skip(1) {
            if cell.trim().is_empty() {
                unlabeled += 1;
            } else if is_total(cell) {
            } else {
                match self.names.resolve(cell) {
                    Some(code) => self.columns.push((i, code)),
                    None => unknown.push(cell.clone()),
                }
            }
        }
        if self.columns.is_empty() {
            return Err(vec!["country columns".to_owned()]);
        }
        Ok(HeaderInfo {
            layout: "bilateral-matrix".to_owned(),
            unknown,
            unlabeled,
        })
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        _line: u64,
        out: &mut Vec<BilateralFlow>,
    ) -> Result<Parsed, RowProblem> {
        let name = row.text(Some(0)).unwrap_or_default();
        // Notes under the table: text in the first column only.
        let only_first = (1..row.width()).all(|i| row.text(Some(i)).is_none());
        if is_total(&name) || only_first {
            return Ok(Parsed::Skip);
        }
        let this = self
            .names
            .resolve(&name)
            .ok_or_else(|| RowProblem::invalid("country", &name, "a known country name"))?;
        for &(col, other) in &self.columns {
            let value = row.number(Some(col), other.as_str())?;
            let Some(v) = value else { continue };
            if v < 0.0 {
                return Err(RowProblem::invalid(
                    other.as_str(),
                    &v.to_string(),
                    "a volume (not negative)",
                ));
            }
            if v > 0.0 {
                let corridor = if self.columns_receive {
                    Corridor::new(this, other)
                } else {
                    Corridor::new(other, this)
                };
                out.push(BilateralFlow {
                    corridor,
                    usd_millions: v,
                });
            }
        }
        Ok(Parsed::Records)
    }
}

/// Streams the positive cells of a bilateral remittance matrix (first sheet) into `sink`.
pub fn read_bilateral_matrix_xlsx<RS: Read + Seek, K: Sink<BilateralFlow> + ?Sized>(
    reader: RS,
    names: &CountryNames,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let mut workbook = open_xlsx(FORMAT, reader)?;
    let Some(first) = sheet_names(&workbook).first().cloned() else {
        return Err(ImportError::NoHeader { format: FORMAT });
    };
    let mut layout = MatrixLayout {
        names,
        columns_receive: true,
        columns: Vec::new(),
    };
    let summary = drive_sheet(
        &mut workbook,
        &first,
        &mut layout,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// [`read_bilateral_matrix_xlsx`] collected in memory.
pub fn import_bilateral_matrix_xlsx<RS: Read + Seek>(
    reader: RS,
    names: &CountryNames,
) -> Result<Import<BilateralFlow>, ImportError> {
    let mut import = Import::default();
    let summary = read_bilateral_matrix_xlsx(reader, names, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}
