//! SDMX-CSV 2.0.0 data, streamed one row per observation.
//!
//! Columns: `STRUCTURE,STRUCTURE_ID,ACTION`, the dimensions in key order, `TIME_PERIOD`,
//! `OBS_VALUE`, then the attributes (left out with `detail=dataonly`). With
//! `detail=serieskeysonly`/`nodata` there is one row per series and only the key columns.
//! Rows end with CRLF (RFC 4180). A missing value is an empty `OBS_VALUE` cell.

use std::io::Write;

use super::escape::csv_field;
use super::{finite, format_number, present, DataOptions, Step, Tracker, WriteError};
use crate::model::{ResolvedFlow, PRIMARY_MEASURE_ID, TIME_DIMENSION_ID};

/// Streams an SDMX-CSV 2.0.0 data message.
pub struct CsvDataWriter<'f, W: Write> {
    out: W,
    tracker: Tracker<'f>,
    options: DataOptions,
    /// `dataflow,MARRAKECH:DF_X(1.0),I`, the same on every row.
    prefix: String,
}

impl<'f, W: Write> CsvDataWriter<'f, W> {
    /// Writes the header row. `dimensionAtObservation` does not change a flat table.
    pub fn new(
        mut out: W,
        flow: &'f ResolvedFlow<'f>,
        options: DataOptions,
    ) -> Result<CsvDataWriter<'f, W>, WriteError> {
        let mut header: Vec<&str> = vec!["STRUCTURE", "STRUCTURE_ID", "ACTION"];
        header.extend(flow.dsd.dimensions().iter().map(|d| d.id().as_str()));
        if options.detail.has_observations() {
            header.push(TIME_DIMENSION_ID);
            header.push(PRIMARY_MEASURE_ID);
        }
        if options.detail.has_attributes() {
            header.extend(flow.dsd.attributes().iter().map(|a| a.id().as_str()));
        }
        write_row(&mut out, header.iter().copied())?;
        let mut prefix = Vec::new();
        csv_field(&mut prefix, "dataflow")?;
        prefix.push(b',');
        csv_field(&mut prefix, &flow.dataflow.reference().to_string())?;
        // ACTION `I`: information, i.e. a data set sent for consultation, not an update.
        prefix.extend_from_slice(b",I");
        Ok(CsvDataWriter {
            out,
            tracker: Tracker::new(flow),
            options,
            prefix: String::from_utf8(prefix).expect("ASCII and escaped UTF-8"),
        })
    }

    /// Writes one observation; see [`super::DataWriter::observation`].
    pub fn observation<K: AsRef<str>, A: AsRef<str>>(
        &mut self,
        key: &[K],
        time: &str,
        value: Option<f64>,
        attributes: &[Option<A>],
    ) -> Result<(), WriteError> {
        let (step, _) = self.tracker.check(key, time, attributes)?;
        if !self.options.detail.has_observations() {
            if step == Step::NewSeries {
                self.out.write_all(self.prefix.as_bytes())?;
                for k in key {
                    self.out.write_all(b",")?;
                    csv_field(&mut self.out, k.as_ref())?;
                }
                self.out.write_all(b"\r\n")?;
            }
            return Ok(());
        }
        self.out.write_all(self.prefix.as_bytes())?;
        for k in key {
            self.out.write_all(b",")?;
            csv_field(&mut self.out, k.as_ref())?;
        }
        self.out.write_all(b",")?;
        csv_field(&mut self.out, time)?;
        self.out.write_all(b",")?;
        if let Some(v) = finite(value) {
            // Numbers are written as numbers, unquoted, even when negative: they are
            // the data, and the formula guard applies to text.
            self.out.write_all(format_number(v).as_bytes())?;
        }
        if self.options.detail.has_attributes() {
            for a in attributes {
                self.out.write_all(b",")?;
                if let Some(text) = present(a) {
                    csv_field(&mut self.out, text)?;
                }
            }
        }
        self.out.write_all(b"\r\n")?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W, WriteError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_row<'a, W: Write>(
    out: &mut W,
    fields: impl Iterator<Item = &'a str>,
) -> Result<(), WriteError> {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        csv_field(out, f)?;
    }
    out.write_all(b"\r\n")?;
    Ok(())
}
