//! SDMX-CSV, so that any SDG series (or any other SDMX data) can be loaded.
//!
//! Accepted layouts:
//! - version 1: `DATAFLOW,<dimensions...>,TIME_PERIOD,OBS_VALUE,<attributes...>`, the
//!   dataflow written `AGENCY:ID(VERSION)`;
//! - version 2.0: `STRUCTURE,STRUCTURE_ID,ACTION,<dimensions...>,OBS_VALUE,<attributes...>`
//!   (`ACTION` may be absent);
//! - either with labels (`labels=both`): header cells `REF_AREA: Reference area` and values
//!   `KE: Kenya` keep the code before `: `.
//!
//! Without the data structure definition at hand, the columns are told apart by position, as
//! the SDMX-CSV specification lays them out: every column before `OBS_VALUE` is a dimension
//! (`TIME_PERIOD` among them, kept apart), every column after it an attribute or measure.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use crate::error::{ImportError, RowProblem};
use crate::table::{
    drive, parse_number, require_records, CsvSource, HeaderInfo, Import, Layout, Parsed, RowView,
    Seen, Sink, Summary,
};

const FORMAT: &str = "sdmx-csv";

/// One observation with its dimensions by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SdmxObservation {
    /// The structure the data is for (`UNSD:DF_SDG_GLH(1.0)`).
    pub dataflow: String,
    /// SDMX-CSV 2.0's ACTION (`I` information, `A` append, `R` replace, `D` delete).
    pub action: Option<String>,
    pub dimensions: BTreeMap<String, String>,
    pub time_period: Option<String>,
    /// The value when numeric; blank and `NaN` give `None`.
    pub value: Option<f64>,
    /// The value as written when it is not a number (coded or qualified values like `<5`).
    pub value_text: Option<String>,
    /// Non-blank attributes.
    pub attributes: BTreeMap<String, String>,
}

#[derive(Default)]
struct SdmxLayout {
    labels: bool,
    dataflow: usize,
    structure_kind: Option<usize>,
    action: Option<usize>,
    time: Option<usize>,
    value: usize,
    dimensions: Vec<(usize, String)>,
    attributes: Vec<(usize, String)>,
}

/// The code of a header cell or value written with its label (`KE: Kenya`).
fn code(s: &str) -> &str {
    match s.split_once(": ") {
        Some((c, _)) => c.trim(),
        None => s.trim(),
    }
}

impl SdmxObservation {
    /// The observation's key: the structure, the series key (every dimension, by id) and
    /// the time period, written `UNSD:DF_SDG(1.0) REF_AREA=KE.SEX=_T @ 2020`.
    pub fn key(&self) -> String {
        let series = self
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(".");
        format!(
            "{} {series} @ {}",
            self.dataflow,
            self.time_period.as_deref().unwrap_or("-")
        )
    }
}

impl Layout for SdmxLayout {
    type Record = SdmxObservation;
    type Key = String;

    fn key(&self, o: &SdmxObservation) -> String {
        o.key()
    }

    fn describe(&self, key: &String) -> String {
        key.clone()
    }

    fn format(&self) -> &'static str {
        FORMAT
    }

    fn header(
        &mut self,
        _previous: Option<&[String]>,
        header: &[String],
    ) -> Result<HeaderInfo, Vec<String>> {
        let ids: Vec<String> = header
            .iter()
            .map(|h| code(h.trim_start_matches('\u{feff}')).to_ascii_uppercase())
            .collect();
        let find = |id: &str| ids.iter().position(|h| h == id);
        let mut missing = Vec::new();
        let (layout, dataflow, kind, action) = match (find("DATAFLOW"), find("STRUCTURE_ID")) {
            (Some(d), _) => ("sdmx-csv-1", d, None, None),
            (None, Some(s)) => ("sdmx-csv-2", s, find("STRUCTURE"), find("ACTION")),
            (None, None) => {
                missing.push("DATAFLOW (SDMX-CSV 1) or STRUCTURE_ID (SDMX-CSV 2)".to_owned());
                ("", 0, None, None)
            }
        };
        let value = find("OBS_VALUE");
        if value.is_none() {
            missing.push("OBS_VALUE".to_owned());
        }
        let Some(value) = value.filter(|_| missing.is_empty()) else {
            return Err(missing);
        };
        let structural = [Some(dataflow), kind, action];
        let mut unlabeled = 0;
        for (i, id) in ids.iter().enumerate() {
            if id.is_empty() {
                unlabeled += 1;
            } else if structural.contains(&Some(i)) || i == value {
            } else if id == "TIME_PERIOD" {
                self.time = Some(i);
            } else if i < value {
                self.dimensions.push((i, id.clone()));
            } else {
                self.attributes.push((i, id.clone()));
            }
        }
        self.labels = header.iter().any(|h| h.contains(": "));
        self.dataflow = dataflow;
        self.structure_kind = kind;
        self.action = action;
        self.value = value;
        Ok(HeaderInfo {
            layout: layout.to_owned(),
            unknown: Vec::new(),
            unlabeled,
        })
    }

    fn parse<V: RowView>(
        &mut self,
        row: &V,
        _line: u64,
        out: &mut Vec<SdmxObservation>,
    ) -> Result<Parsed, RowProblem> {
        let labels = self.labels;
        let get = |col: usize| {
            row.text(Some(col)).map(|t| {
                if labels {
                    code(&t).to_owned()
                } else {
                    t.into_owned()
                }
            })
        };
        let dataflow = get(self.dataflow).ok_or_else(|| {
            RowProblem::missing(if self.structure_kind.is_some() {
                "STRUCTURE_ID"
            } else {
                "DATAFLOW"
            })
        })?;
        if let Some(kind) = self.structure_kind.and_then(get) {
            let k = kind.to_ascii_lowercase();
            if !matches!(
                k.as_str(),
                "dataflow" | "datastructure" | "dataprovision" | "provisionagreement"
            ) {
                return Err(RowProblem::invalid(
                    "STRUCTURE",
                    &kind,
                    "an SDMX structure type",
                ));
            }
        }
        let action = self.action.and_then(get);
        if let Some(a) = &action {
            if !matches!(a.as_str(), "I" | "A" | "R" | "D" | "M") {
                return Err(RowProblem::invalid("ACTION", a, "I, A, R, D or M"));
            }
        }
        let mut dimensions = BTreeMap::new();
        for (col, id) in &self.dimensions {
            // A blank dimension is legal in SDMX-CSV only for deletions; elsewhere the
            // observation would be ambiguous.
            match get(*col) {
                Some(v) => {
                    dimensions.insert(id.clone(), v);
                }
                None if action.as_deref() == Some("D") => {}
                None => return Err(RowProblem::missing(id)),
            }
        }
        let raw = row.text(Some(self.value));
        let (value, value_text) = match raw.as_deref() {
            None => (None, None),
            Some(t) => match parse_number(t) {
                Ok(v) => (v, None),
                Err(()) => (None, Some(t.to_owned())),
            },
        };
        let attributes = self
            .attributes
            .iter()
            .filter_map(|(col, id)| get(*col).map(|v| (id.clone(), v)))
            .collect();
        out.push(SdmxObservation {
            dataflow,
            action,
            dimensions,
            time_period: self.time.and_then(get),
            value,
            value_text,
            attributes,
        });
        Ok(Parsed::Records)
    }
}

/// Streams SDMX-CSV (version 1 or 2.0) into `sink`.
pub fn read_sdmx_csv<R: Read, K: Sink<SdmxObservation> + ?Sized>(
    reader: R,
    sink: &mut K,
) -> Result<Summary, ImportError> {
    let summary = drive(
        &mut CsvSource::new(FORMAT, reader),
        &mut SdmxLayout::default(),
        None,
        &mut Seen::default(),
        sink,
    )?;
    require_records(std::slice::from_ref(&summary))?;
    Ok(summary)
}

/// [`read_sdmx_csv`] collected in memory.
pub fn import_sdmx_csv<R: Read>(reader: R) -> Result<Import<SdmxObservation>, ImportError> {
    let mut import = Import::default();
    let summary = read_sdmx_csv(reader, &mut import)?;
    import.summaries.push(summary);
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1() {
        let text = "DATAFLOW,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS
UNSD:DF_SDG_GLH(1.0),SI_RMT_COST,404,_T,2023,6.5,PT,A
UNSD:DF_SDG_GLH(1.0),SI_RMT_COST,404,_T,2024,,PT,
UNSD:DF_SDG_GLH(1.0),SI_RMT_COST,,_T,2024,3,PT,
";
        let import = import_sdmx_csv(text.as_bytes()).unwrap();
        assert_eq!(import.summaries[0].layout, "sdmx-csv-1");
        assert_eq!(import.records.len(), 2);
        let o = &import.records[0];
        assert_eq!(o.dataflow, "UNSD:DF_SDG_GLH(1.0)");
        assert_eq!(o.dimensions.len(), 3);
        assert_eq!(o.dimensions["REF_AREA"], "404");
        assert_eq!(o.time_period.as_deref(), Some("2023"));
        assert_eq!(o.value, Some(6.5));
        assert_eq!(o.attributes["OBS_STATUS"], "A");
        assert_eq!(import.records[1].value, None);
        assert!(!import.records[1].attributes.contains_key("OBS_STATUS"));
        assert_eq!(import.rejected[0].to_string(), "line 4: REF_AREA is empty");
    }

    #[test]
    fn version_2_with_labels() {
        let text = "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA: Reference area,TIME_PERIOD: Time,OBS_VALUE: Value,COMMENT
dataflow,UNSD:DF_SDG(1.0),I,KE: Kenya,2020-Q1,<5,note
dataflow,UNSD:DF_SDG(1.0),X,KE: Kenya,2020-Q2,1,
";
        let import = import_sdmx_csv(text.as_bytes()).unwrap();
        assert_eq!(import.summaries[0].layout, "sdmx-csv-2");
        let o = &import.records[0];
        assert_eq!(o.action.as_deref(), Some("I"));
        assert_eq!(o.dimensions["REF_AREA"], "KE");
        assert_eq!(o.time_period.as_deref(), Some("2020-Q1"));
        assert_eq!((o.value, o.value_text.as_deref()), (None, Some("<5")));
        assert_eq!(o.attributes["COMMENT"], "note");
        assert_eq!(
            import.rejected[0].to_string(),
            "line 3: ACTION `X` is not I, A, R, D or M"
        );
    }

    #[test]
    fn not_sdmx() {
        let err = import_sdmx_csv("a,b\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sdmx-csv: wrong layout, missing columns `DATAFLOW (SDMX-CSV 1) or STRUCTURE_ID \
             (SDMX-CSV 2)`, `OBS_VALUE`"
        );
    }
}
