//! Message writers. Structure messages are small and written in one call; data messages
//! are streamed: open a [`DataWriter`], push observations sorted by series key then
//! time, and finish it. Nothing but the per-message index tables (the distinct values
//! seen, and the series keys already closed) is kept in memory.

mod data_csv;
mod data_json;
mod data_xml;
mod error;
mod escape;
mod structure_json;
mod structure_xml;

use std::collections::HashSet;
use std::io::{self, Write};

use thiserror::Error;

use crate::id::is_valid_id;
use crate::model::{Agency, ResolvedFlow};
use crate::negotiate::Format;
use crate::query::{DataDetail, DataQuery, ObservationDimension, StructureSelection};
use crate::time::{TimeError, TimePeriod};

pub use data_csv::CsvDataWriter;
pub use data_json::{JsonDataWriter, JsonVersion};
pub use data_xml::XmlDataWriter;
pub use error::{error_body, ErrorBody};
pub use structure_json::write_structure_json;
pub use structure_xml::write_structure_xml;

/// The header of every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    id: String,
    prepared: String,
    sender: Agency,
    test: bool,
}

/// A header field that SDMX would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HeaderError {
    #[error("message id `{0}` is not an SDMX id ([A-Za-z0-9_@$-]+)")]
    Id(String),
    #[error("prepared time `{0}` is not an ISO 8601 date-time with a time zone, like 2024-05-17T10:00:00Z")]
    Prepared(String),
}

impl Header {
    /// `id` identifies the message (a request id does well); `prepared` is the time the
    /// message was prepared, an ISO 8601 date-time with zone (`2024-05-17T10:00:00Z`),
    /// supplied by the caller so that this crate stays clock-free and tests are exact.
    pub fn new(id: &str, prepared: &str, sender: &Agency) -> Result<Header, HeaderError> {
        if !is_valid_id(id) {
            return Err(HeaderError::Id(id.to_owned()));
        }
        if !is_zoned_datetime(prepared) {
            return Err(HeaderError::Prepared(prepared.to_owned()));
        }
        Ok(Header {
            id: id.to_owned(),
            prepared: prepared.to_owned(),
            sender: sender.clone(),
            test: false,
        })
    }

    /// Marks the message as a test message.
    pub fn with_test(mut self, test: bool) -> Header {
        self.test = test;
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn prepared(&self) -> &str {
        &self.prepared
    }
    pub fn sender(&self) -> &Agency {
        &self.sender
    }
    pub fn is_test(&self) -> bool {
        self.test
    }
}

/// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`: SDMX-JSON requires the zone, and a zoned
/// time is unambiguous for SDMX-ML readers too.
fn is_zoned_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    let date_ok = TimePeriod::parse(date).is_ok_and(|p| p.kind() == crate::time::PeriodKind::Day);
    let zoned = time.ends_with('Z')
        || (time.len() > 6 && matches!(time.as_bytes()[time.len() - 6], b'+' | b'-'));
    let clock = time.len() >= 8;
    date_ok && zoned && clock && TimePeriod::parse_bound(s).is_ok()
}

/// Why a data message could not be written. Every variant except `Io` is a fault in the
/// observations given; the message written so far is then incomplete and must not be
/// served as a success (abort the response).
#[derive(Debug, Error)]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("format {format:?} does not write data messages")]
    NotADataFormat { format: Format },
    #[error("format {format:?} does not write structure messages")]
    NotAStructureFormat { format: Format },
    #[error("a series key has {got} values but the structure has {expected} dimensions")]
    KeyLength { expected: usize, got: usize },
    #[error("`{value}` is not a valid value for dimension {dimension}")]
    InvalidKeyValue { dimension: String, value: String },
    #[error("`{code}` is not in codelist {codelist} for dimension {dimension}")]
    UnknownCode {
        dimension: String,
        code: String,
        codelist: String,
    },
    #[error(
        "an observation has {got} attribute values but the structure has {expected} attributes"
    )]
    AttributeCount { expected: usize, got: usize },
    #[error("`{code}` is not in codelist {codelist} for attribute {attribute}")]
    UnknownAttributeCode {
        attribute: String,
        code: String,
        codelist: String,
    },
    #[error(
        "the value of attribute {attribute} contains a control character that XML cannot carry"
    )]
    AttributeText { attribute: String },
    #[error("series {key}, TIME_PERIOD: {source}")]
    InvalidTime {
        key: String,
        #[source]
        source: TimeError,
    },
    #[error(
        "series {key} appears again after other series: observations must be sorted by series key"
    )]
    SeriesNotContiguous { key: String },
    #[error("series {key} has two observations for {time}")]
    DuplicateObservation { key: String, time: String },
}

/// Options every data writer takes, usually from the [`DataQuery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataOptions {
    pub dimension_at_observation: ObservationDimension,
    pub detail: DataDetail,
}

impl Default for DataOptions {
    fn default() -> DataOptions {
        DataOptions {
            dimension_at_observation: ObservationDimension::Time,
            detail: DataDetail::Full,
        }
    }
}

impl From<&DataQuery> for DataOptions {
    fn from(q: &DataQuery) -> DataOptions {
        DataOptions {
            dimension_at_observation: q.dimension_at_observation(),
            detail: q.detail(),
        }
    }
}

/// An owned observation, for [`write_data`]. The push API ([`DataWriter::observation`])
/// takes borrowed slices instead and avoids these allocations.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Series key: one value per DSD dimension, in key order (no `TIME_PERIOD`).
    pub key: Vec<String>,
    /// `TIME_PERIOD`, e.g. `2020`, `2020-Q3`, `2020-05`.
    pub time: String,
    /// `None` (or a non-finite number) for a missing value.
    pub value: Option<f64>,
    /// One entry per DSD attribute, in DSD order; `None` or `""` when not reported.
    pub attributes: Vec<Option<String>>,
}

/// Normalises an observation value: NaN and infinities are not statistics, they are
/// written as missing.
pub(crate) fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// Formats a finite number the shortest way that reads back to the same `f64` (Rust's
/// `Display` never uses an exponent, which every format here accepts).
pub(crate) fn format_number(v: f64) -> String {
    let s = v.to_string();
    if s == "-0" {
        "0".to_owned()
    } else {
        s
    }
}

/// Whether a series changed, as seen by [`Tracker::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    NewSeries,
    SameSeries,
}

/// Validates the observation stream against the structure and its ordering rules; shared
/// by all data writers so they fail identically.
pub(crate) struct Tracker<'f> {
    flow: &'f ResolvedFlow<'f>,
    current: Option<Vec<String>>,
    finished: HashSet<Vec<String>>,
    times: HashSet<String>,
}

impl<'f> Tracker<'f> {
    pub(crate) fn new(flow: &'f ResolvedFlow<'f>) -> Tracker<'f> {
        Tracker {
            flow,
            current: None,
            finished: HashSet::new(),
            times: HashSet::new(),
        }
    }

    /// Checks one observation and returns its parsed period and whether it starts a new
    /// series.
    pub(crate) fn check<K: AsRef<str>, A: AsRef<str>>(
        &mut self,
        key: &[K],
        time: &str,
        attributes: &[Option<A>],
    ) -> Result<(Step, TimePeriod), WriteError> {
        let same = self.current.as_ref().is_some_and(|c| {
            c.len() == key.len() && c.iter().zip(key).all(|(a, b)| a == b.as_ref())
        });
        let step = if same {
            Step::SameSeries
        } else {
            self.check_key(key)?;
            let owned: Vec<String> = key.iter().map(|k| k.as_ref().to_owned()).collect();
            if self.finished.contains(&owned) {
                return Err(WriteError::SeriesNotContiguous {
                    key: owned.join("."),
                });
            }
            if let Some(previous) = self.current.replace(owned) {
                self.finished.insert(previous);
            }
            self.times.clear();
            Step::NewSeries
        };
        let label = || key.iter().map(|k| k.as_ref()).collect::<Vec<_>>().join(".");
        let period = TimePeriod::parse(time).map_err(|source| WriteError::InvalidTime {
            key: label(),
            source,
        })?;
        if !self.times.insert(time.to_owned()) {
            return Err(WriteError::DuplicateObservation {
                key: label(),
                time: time.to_owned(),
            });
        }
        self.check_attributes(attributes)?;
        Ok((step, period))
    }

    fn check_key<K: AsRef<str>>(&self, key: &[K]) -> Result<(), WriteError> {
        let dims = self.flow.dsd.dimensions();
        if key.len() != dims.len() {
            return Err(WriteError::KeyLength {
                expected: dims.len(),
                got: key.len(),
            });
        }
        for ((value, dim), codelist) in key.iter().zip(dims).zip(&self.flow.dimension_codelists) {
            let value = value.as_ref();
            if !is_valid_id(value) {
                return Err(WriteError::InvalidKeyValue {
                    dimension: dim.id().to_string(),
                    value: value.to_owned(),
                });
            }
            if let Some(cl) = codelist {
                if !cl.contains(value) {
                    return Err(WriteError::UnknownCode {
                        dimension: dim.id().to_string(),
                        code: value.to_owned(),
                        codelist: cl.id().to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_attributes<A: AsRef<str>>(&self, attributes: &[Option<A>]) -> Result<(), WriteError> {
        let attrs = self.flow.dsd.attributes();
        if attributes.len() != attrs.len() {
            return Err(WriteError::AttributeCount {
                expected: attrs.len(),
                got: attributes.len(),
            });
        }
        for ((value, attr), codelist) in attributes
            .iter()
            .zip(attrs)
            .zip(&self.flow.attribute_codelists)
        {
            let Some(value) = present(value) else {
                continue;
            };
            match codelist {
                Some(cl) if !cl.contains(value) => {
                    return Err(WriteError::UnknownAttributeCode {
                        attribute: attr.id().to_string(),
                        code: value.to_owned(),
                        codelist: cl.id().to_string(),
                    })
                }
                _ => {}
            }
            if value
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                return Err(WriteError::AttributeText {
                    attribute: attr.id().to_string(),
                });
            }
        }
        Ok(())
    }
}

/// An attribute value that is reported: `None` and `""` both mean "not reported".
pub(crate) fn present<A: AsRef<str>>(value: &Option<A>) -> Option<&str> {
    value.as_ref().map(AsRef::as_ref).filter(|v| !v.is_empty())
}

/// A streaming data writer in any data format.
pub enum DataWriter<'f, W: Write> {
    Json(JsonDataWriter<'f, W>),
    Csv(CsvDataWriter<'f, W>),
    Xml(XmlDataWriter<'f, W>),
}

impl<'f, W: Write> DataWriter<'f, W> {
    /// Starts a data message in `format` for `flow`, writing the header at once.
    pub fn new(
        format: Format,
        out: W,
        header: &Header,
        flow: &'f ResolvedFlow<'f>,
        options: DataOptions,
    ) -> Result<DataWriter<'f, W>, WriteError> {
        Ok(match format {
            Format::DataJson20 => DataWriter::Json(JsonDataWriter::new(
                out,
                header,
                flow,
                options,
                JsonVersion::V2,
            )?),
            Format::DataJson10 => DataWriter::Json(JsonDataWriter::new(
                out,
                header,
                flow,
                options,
                JsonVersion::V1,
            )?),
            Format::DataCsv20 => DataWriter::Csv(CsvDataWriter::new(out, flow, options)?),
            Format::DataXmlStructureSpecific21 => {
                DataWriter::Xml(XmlDataWriter::new(out, header, flow, options)?)
            }
            Format::StructureXml21 | Format::StructureJson20 => {
                return Err(WriteError::NotADataFormat { format })
            }
        })
    }

    /// Writes one observation. Observations must come grouped by series key (all of a
    /// series together, e.g. sorted by key) and a series may not repeat a time period.
    pub fn observation<K: AsRef<str>, A: AsRef<str>>(
        &mut self,
        key: &[K],
        time: &str,
        value: Option<f64>,
        attributes: &[Option<A>],
    ) -> Result<(), WriteError> {
        match self {
            DataWriter::Json(w) => w.observation(key, time, value, attributes),
            DataWriter::Csv(w) => w.observation(key, time, value, attributes),
            DataWriter::Xml(w) => w.observation(key, time, value, attributes),
        }
    }

    /// Closes the message and returns the output.
    pub fn finish(self) -> Result<W, WriteError> {
        match self {
            DataWriter::Json(w) => w.finish(),
            DataWriter::Csv(w) => w.finish(),
            DataWriter::Xml(w) => w.finish(),
        }
    }
}

/// Writes a whole data message from an iterator of observations (sorted by series key,
/// then time) and returns the output.
pub fn write_data<W, I>(
    format: Format,
    out: W,
    header: &Header,
    flow: &ResolvedFlow<'_>,
    options: DataOptions,
    observations: I,
) -> Result<W, WriteError>
where
    W: Write,
    I: IntoIterator<Item = Observation>,
{
    let mut w = DataWriter::new(format, out, header, flow, options)?;
    for o in observations {
        w.observation(&o.key, &o.time, o.value, &o.attributes)?;
    }
    w.finish()
}

/// Writes a structure message in `format` (`StructureXml21` or `StructureJson20`).
pub fn write_structure<W: Write>(
    format: Format,
    out: &mut W,
    header: &Header,
    selection: &StructureSelection<'_>,
) -> Result<(), WriteError> {
    match format {
        Format::StructureXml21 => write_structure_xml(out, header, selection)?,
        Format::StructureJson20 => write_structure_json(out, header, selection)?,
        other => return Err(WriteError::NotAStructureFormat { format: other }),
    }
    Ok(())
}
