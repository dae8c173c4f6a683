//! World Bank DataBank export of RPW corridor averages (series `ATCR.CORR`, "Average Total
//! Cost to remit in corridor", per cent of USD 200): the real corridor-level figures where
//! provider-level rows are not available.
//!
//! Accepted layout: the wide DataBank CSV, one row per sending x receiving country
//! (`Sending Countries Name`, `Sending Countries Code`, `Series Name`, `Series Code`,
//! `Receiving Countries Name`, `Receiving Countries Code`), then one column per quarter
//! headed `2011Q1 [YR2011Q1]` (any spelling [`Quarter::parse`] reads). `..` means no value.
//! DataBank's footer (blank rows, `Data from database: ...`, `Last Updated: ...`) is skipped.

use std::io::Read;
use std::sync::Arc;

use serde::Serialize;

use crate::codes::{Corridor, Iso3, Quarter};
use crate::error::{ImportError, RowProblem};
use crate::table::{
    drive, match_columns, opt, req, require_records, Col, CsvSource, HeaderInfo, Import, Layout,
    Parsed, RowView, Seen, Sink, Summary,
};

const FORMAT: &str = "rpw-corridors";

/// One corridor's series, as many quarters as the row has values for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorAverages {
    pub line: u64,
    pub corridor: Corridor,
    pub source_name: Option<Arc<str>>,
    pub destination_name: Option<Arc<str>>,
    /// `ATCR.CORR` in the published file.
    pub series: Arc<str>,
    /// (quarter, average total cost in per cent), in column order.
    pub values: Vec<(Quarter, f64)>,
}

const COLUMNS: [Col; 6] = [
    opt("Sending Countries Name", &["Sending Country Name"]),
    req("Sending Countries Code", &["Sending Country Code"]),
    opt("Series Name", &[]),
    opt("Series Code", &[]),
    opt("Receiving Countries Name", &["Receiving Country Name"]),
    req("Receiving Countries Code", &["Receiving Country Code"]),
];

#[derive(Default)]
struct CorridorLayout {
    pos: Vec<Option<usize>>,
    quarters: Vec<(usize, Quarter)>,
    series: Option<Arc<str>>,
}

impl Layout for CorridorLayout {
    type Record = CorridorAverages;
    /// The series and the corridor: a row holds all of a corridor's quarters.
    type Key = (Arc<str>, Corridor);

    fn key(&self, c: &CorridorAverages) -> Self::Key {
        (c.series.clone(), c.corridor)
    }

    fn describe(&self, (series, corridor): &Self::Key) -> String {
        format!(
            "series {series}, sending {}, receiving {}",
            corridor.source, corridor.destination
        )
    }

    fn format(&self) -> &'static str {
        FORMAT
    }

    fn header(
        &mut self,
        _previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>> {
        let m = match_columns(header, &COLUMNS);
        let mut missing = m.missing;
        let mut unknown = Vec::new();
        for (i, cell) in m.unmatched {
            match Quarter::parse(&cell) {
                Ok(q) => self.quarters.push((i, q)),
                Err(_) => unknown.push(cell),
            }
        }
        if self.quarters.is_empty() {
            missing.push("quarter columns (e.g. `2011Q1 [YR2011Q1]`)".to_owned());
        }
        if !missing.is_empty() {
            self.quarters.clear();
            return Err(missing);
        }
        self.pos = m.pos;
        Ok(HeaderInfo {
            layout: "databank-wide".to_owned(),
            unknown,
            unlabeled: m.unlabeled,
        })
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        line: u64,
        out: &mut Vec<CorridorAverages>,
    ) -> Result<Parsed, RowProblem> {
        let send = row.text(self.pos[1]);
        let receive = row.text(self.pos[5]);
        // DataBank's footer: text in the first column only.
        if send.is_none() && receive.is_none() {
            let first = row.text(Some(0)).unwrap_or_default();
            if first.starts_with("Data from database") || first.starts_with("Last Updated") {
                return Ok(Parsed::Skip);
            }
        }
        let code = |text: Option<std::borrow::Cow<'_, str>>, field: &str| {
            let t = text.ok_or_else(|| RowProblem::missing(field))?;
            Iso3::parse(&t).map_err(|_| RowProblem::invalid(field, &t, "an ISO3 code"))
        };
        let source = code(send, COLUMNS[1].name)?;
        let destination = code(receive, COLUMNS[5].name)?;
        let mut values = Vec::new();
        for &(col, quarter) in &self.quarters {
            let field = quarter.to_string();
            if let Some(v) = row.number(Some(col), &field)? {
                values.push((quarter, v));
            }
        }
        let series_text = row.text(self.pos[3]).unwrap_or_default();
        let series = match &self.series {
            Some(s) if **s == *series_text => s.clone(),
            _ => {
                let s: Arc<str> = Arc::from(series_text.as_ref());
                self.series = Some(s.clone());
                s
            }
        };
        out.push(CorridorAverages {
            line,
            corridor: Corridor::new(source, destination),
            source_name: row.text(self.pos[0]).map(|t| Arc::from(t.as_ref())),
            destination_name: row.text(self.pos[4]).map(|t| Arc::from(t.as_ref())),
            series,
            values,
        });
        Ok(Parsed::Records)
    }
}

/// Streams the DataBank wide CSV into `sink`.
pub fn read_corridor_averages_csv<R: Read, K: Sink<CorridorAverages> + ?Sized>(
    reader: R,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let summary = drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut CorridorLayout::default(),
        None,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// One quarter across the published corridor averages. Without provider-level rows these are
/// the figures the averages allow: how many corridors cost more than 5 %, and the mean of the
/// corridor averages, simple and weighted by remittance volume. The simple mean is not the
/// Global Average (that averages services, and corridors have different numbers of them); the
/// weighted mean is the World Bank's weighted average when the weights are the bilateral
/// flows, since that average weights corridor averages by volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterSummary {
    pub quarter: Quarter,
    /// Corridors with a published average this quarter.
    pub corridors: usize,
    /// Of those, strictly above 5 %.
    pub above_5: usize,
    pub share_above_5: f64,
    pub mean: f64,
    pub weighted_mean: Option<f64>,
    /// Corridors that had a weight (the others are left out of the weighted mean).
    pub weighted_corridors: usize,
}

/// [`QuarterSummary`] for every quarter any corridor has a value for, in order.
pub fn quarter_summaries(
    series: &[CorridorAverages],
    weights: Option<&crate::weights::VolumeWeights>,
) -> Vec<QuarterSummary> {
    #[derive(Default)]
    struct Acc {
        n: usize,
        above: usize,
        sum: f64,
        weighted_sum: f64,
        weight_total: f64,
        weighted: usize,
    }
    let mut by_quarter: std::collections::BTreeMap<Quarter, Acc> = Default::default();
    for s in series {
        let weight = weights.and_then(|w| w.weight(s.corridor));
        for &(quarter, value) in &s.values {
            let acc = by_quarter.entry(quarter).or_default();
            acc.n += 1;
            acc.sum += value;
            if value > 5.0 {
                acc.above += 1;
            }
            if let Some(w) = weight {
                acc.weighted += 1;
                acc.weight_total += w;
                acc.weighted_sum += w * value;
            }
        }
    }
    by_quarter
        .into_iter()
        .map(|(quarter, a)| QuarterSummary {
            quarter,
            corridors: a.n,
            above_5: a.above,
            share_above_5: a.above as f64 / a.n as f64 * 100.0,
            mean: a.sum / a.n as f64,
            weighted_mean: (a.weight_total > 0.0).then(|| a.weighted_sum / a.weight_total),
            weighted_corridors: a.weighted,
        })
        .collect()
}

/// [`read_corridor_averages_csv`] collected in memory.
pub fn import_corridor_averages_csv<R: Read>(
    reader: R,
) -> Result<Import<CorridorAverages>, ImportError> {
    let mut import = Import::default();
    let summary = read_corridor_averages_csv(reader, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::{BilateralFlow, VolumeWeights};

    #[test]
    fn quarter_summaries_by_hand() {
        let q1 = Quarter::new(2020, 1).unwrap();
        let q2 = Quarter::new(2020, 2).unwrap();
        let corridor = |s: &str| Corridor::parse(s).unwrap();
        let series = |c: &str, values: Vec<(Quarter, f64)>| CorridorAverages {
            line: 0,
            corridor: corridor(c),
            source_name: None,
            destination_name: None,
            series: Arc::from("ATCR.CORR"),
            values,
        };
        let data = [
            series("USAMEX", vec![(q1, 4.0), (q2, 3.0)]),
            series("GBRNGA", vec![(q1, 8.0), (q2, 6.0)]),
            series("ZAFMOZ", vec![(q1, 12.0)]),
        ];
        // Weights: USAMEX 30, GBRNGA 10; ZAFMOZ has none.
        let weights = VolumeWeights::from_flows([
            BilateralFlow {
                corridor: corridor("USAMEX"),
                usd_millions: 30.0,
            },
            BilateralFlow {
                corridor: corridor("GBRNGA"),
                usd_millions: 10.0,
            },
        ]);
        let s = quarter_summaries(&data, Some(&weights));
        assert_eq!(s.len(), 2);
        // Q1: 4, 8, 12: mean 8; two above 5 of three; weighted (30*4 + 10*8) / 40 = 5.
        assert_eq!((s[0].corridors, s[0].above_5, s[0].mean), (3, 2, 8.0));
        assert!((s[0].share_above_5 - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            (s[0].weighted_mean, s[0].weighted_corridors),
            (Some(5.0), 2)
        );
        // Q2: 3, 6: mean 4.5; one above; weighted (90 + 60) / 40 = 3.75.
        assert_eq!((s[1].corridors, s[1].above_5, s[1].mean), (2, 1, 4.5));
        assert_eq!(s[1].weighted_mean, Some(3.75));
        assert_eq!(quarter_summaries(&data, None)[0].weighted_mean, None);
    }

    #[test]
    fn wide_rows_with_footer() {
        let text = "\u{feff}Sending Countries Name,Sending Countries Code,Series Name,Series Code,Receiving Countries  Name,Receiving Countries  Code,2011Q1 [YR2011Q1],2011Q3 [YR2011Q3]
Angola,AGO,Average Total Cost to remit in corridor,ATCR.CORR,Namibia,NAM,..,15.5
Angola,AGO,Average Total Cost to remit in corridor,ATCR.CORR,Brazil,BRA,..,..
Angola,AG0,Average Total Cost to remit in corridor,ATCR.CORR,Brazil,BRA,1,x
,,,,,,,
Data from database: Remittance Prices Worldwide (Corridors),,,,,,,
Last Updated: 12/07/2020,,,,,,,
";
        let import = import_corridor_averages_csv(text.as_bytes()).unwrap();
        let s = &import.summaries[0];
        assert_eq!((s.rows, s.records, s.rejected, s.skipped), (5, 2, 1, 3));
        let a = &import.records[0];
        assert_eq!(a.corridor.to_string(), "AGONAM");
        assert_eq!(&*a.series, "ATCR.CORR");
        assert_eq!(a.values, [(Quarter::new(2011, 3).unwrap(), 15.5)]);
        assert!(import.records[1].values.is_empty());
        assert_eq!(
            import.rejected[0].to_string(),
            "line 4: Sending Countries Code `AG0` is not an ISO3 code"
        );
    }
}
