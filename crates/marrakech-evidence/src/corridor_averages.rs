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
    drive, match_columns, opt, req, Col, CsvSource, HeaderInfo, Import, Layout, Parsed, RowView,
    Sink, Summary,
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
    drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut CorridorLayout::default(),
        None,
        sink,
    )
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
