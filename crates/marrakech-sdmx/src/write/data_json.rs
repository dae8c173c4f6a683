//! SDMX-JSON data messages, streamed.
//!
//! SDMX-JSON refers to every dimension and attribute value by its index in a table kept in
//! the message's structure part. To stream, the data sets are written first and the
//! structure part last (JSON objects are unordered, and every reader parses the whole
//! document anyway); indices are handed out as values are first met. Attributes get their
//! message-local position the same way, so an attribute that never has a value sits after
//! all those that do and is never referenced by an observation array.
//!
//! Two layouts share this code:
//! - 2.0.0 (SDMX 3.0): `{"meta", "data": {"dataSets", "structures": [..]}}`.
//! - 1.0.0 (SDMX 2.1): `{"header", "dataSets", "structure": {..}}`. `sdmx1` 2.28's JSON
//!   reader is built for this one: it reads `dataSets` only at the top level and takes
//!   `data.structures` as an object, so it cannot read a conforming 2.0.0 message.

use std::collections::HashMap;
use std::io::Write;

use super::escape::json_str;
use super::{finite, format_number, present, DataOptions, Header, Step, Tracker, WriteError};
use crate::model::{ArtefactClass, ResolvedFlow, LANGUAGE, PRIMARY_MEASURE_ID, TIME_DIMENSION_ID};
use crate::query::ObservationDimension;
use crate::time::TimePeriod;

/// Which SDMX-JSON data layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonVersion {
    /// SDMX-JSON 1.0.0, `application/vnd.sdmx.data+json;version=1.0.0`.
    V1,
    /// SDMX-JSON 2.0.0, `application/vnd.sdmx.data+json;version=2.0.0`.
    V2,
}

const SCHEMA_V2: &str =
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json";

/// Distinct values in order of first appearance.
struct ValueTable<T> {
    values: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for ValueTable<T> {
    fn default() -> Self {
        ValueTable {
            values: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> ValueTable<T> {
    fn index_of(&mut self, key: &str, make: impl FnOnce() -> T) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.values.len();
        self.values.push(make());
        self.index.insert(key.to_owned(), i);
        i
    }
}

/// Streams an SDMX-JSON data message.
pub struct JsonDataWriter<'f, W: Write> {
    out: W,
    flow: &'f ResolvedFlow<'f>,
    version: JsonVersion,
    options: DataOptions,
    tracker: Tracker<'f>,
    dimension_values: Vec<ValueTable<String>>,
    time_values: ValueTable<TimePeriod>,
    /// Per DSD attribute, its position in this message once it has had a value.
    attribute_position: Vec<Option<usize>>,
    /// Per message position, the DSD attribute index.
    attribute_order: Vec<usize>,
    attribute_values: Vec<ValueTable<String>>,
    /// A series object (with its `observations`) is open and must be closed.
    series_open: bool,
    first_entry: bool,
    first_obs: bool,
}

impl<'f, W: Write> JsonDataWriter<'f, W> {
    pub fn new(
        mut out: W,
        header: &Header,
        flow: &'f ResolvedFlow<'f>,
        options: DataOptions,
        version: JsonVersion,
    ) -> Result<JsonDataWriter<'f, W>, WriteError> {
        let flat = options.dimension_at_observation == ObservationDimension::AllDimensions;
        let container = if flat { "observations" } else { "series" };
        match version {
            JsonVersion::V2 => {
                out.write_all(b"{\"meta\":{\"schema\":")?;
                json_str(&mut out, SCHEMA_V2)?;
                write_meta_fields(&mut out, header, true)?;
                out.write_all(b"},\"data\":{\"dataSets\":[{\"structure\":0,\"action\":\"Information\",\"links\":[{\"rel\":\"dataflow\",\"urn\":")?;
                json_str(
                    &mut out,
                    &flow.dataflow.reference().urn(ArtefactClass::Dataflow),
                )?;
                out.write_all(b"}]")?;
                let n = flow.dataflow.annotations().len();
                if n > 0 {
                    let indices: Vec<String> = (0..n).map(|i| i.to_string()).collect();
                    write!(out, ",\"annotations\":[{}]", indices.join(","))?;
                }
            }
            JsonVersion::V1 => {
                out.write_all(b"{\"header\":{")?;
                write_meta_fields(&mut out, header, false)?;
                out.write_all(b"},\"dataSets\":[{\"action\":\"Information\"")?;
            }
        }
        write!(out, ",\"{container}\":{{")?;
        let attrs = flow.dsd.attributes().len();
        Ok(JsonDataWriter {
            out,
            flow,
            version,
            options,
            tracker: Tracker::new(flow),
            dimension_values: (0..flow.dsd.dimensions().len())
                .map(|_| ValueTable::default())
                .collect(),
            time_values: ValueTable::default(),
            attribute_position: vec![None; attrs],
            attribute_order: Vec::new(),
            attribute_values: (0..attrs).map(|_| ValueTable::default()).collect(),
            series_open: false,
            first_entry: true,
            first_obs: true,
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
        let (step, period) = self.tracker.check(key, time, attributes)?;
        let with_obs = self.options.detail.has_observations();
        let flat = self.options.dimension_at_observation == ObservationDimension::AllDimensions;
        let key_indices: Vec<usize> = key
            .iter()
            .zip(self.dimension_values.iter_mut())
            .map(|(v, table)| table.index_of(v.as_ref(), || v.as_ref().to_owned()))
            .collect();
        if flat {
            if !with_obs {
                // A flat message has no series to list keys in; the structure part still
                // lists every dimension value met.
                return Ok(());
            }
            let t = self.time_values.index_of(time, || period);
            self.separator()?;
            let mut obs_key = join_indices(&key_indices);
            obs_key.push(':');
            obs_key.push_str(&t.to_string());
            json_str(&mut self.out, &obs_key)?;
            self.out.write_all(b":")?;
            return self.write_obs_array(value, attributes);
        }
        if step == Step::NewSeries {
            self.close_series()?;
            self.separator()?;
            json_str(&mut self.out, &join_indices(&key_indices))?;
            if with_obs {
                self.out.write_all(b":{\"observations\":{")?;
                self.series_open = true;
                self.first_obs = true;
            } else {
                self.out.write_all(b":{}")?;
            }
        }
        if !with_obs {
            return Ok(());
        }
        let t = self.time_values.index_of(time, || period);
        if !self.first_obs {
            self.out.write_all(b",")?;
        }
        self.first_obs = false;
        json_str(&mut self.out, &t.to_string())?;
        self.out.write_all(b":")?;
        self.write_obs_array(value, attributes)
    }

    fn separator(&mut self) -> Result<(), WriteError> {
        if !self.first_entry {
            self.out.write_all(b",")?;
        }
        self.first_entry = false;
        Ok(())
    }

    fn close_series(&mut self) -> Result<(), WriteError> {
        if self.series_open {
            self.out.write_all(b"}}")?;
            self.series_open = false;
        }
        Ok(())
    }

    /// `[value, attribute indices...]`, trailing unreported attributes left out.
    fn write_obs_array<A: AsRef<str>>(
        &mut self,
        value: Option<f64>,
        attributes: &[Option<A>],
    ) -> Result<(), WriteError> {
        self.out.write_all(b"[")?;
        match finite(value) {
            Some(v) => self.out.write_all(format_number(v).as_bytes())?,
            None => self.out.write_all(b"null")?,
        }
        if self.options.detail.has_attributes() {
            let mut slots: Vec<Option<usize>> = vec![None; self.attribute_order.len()];
            for (a, v) in attributes.iter().enumerate() {
                let Some(text) = present(v) else { continue };
                let position = match self.attribute_position[a] {
                    Some(p) => p,
                    None => {
                        let p = self.attribute_order.len();
                        self.attribute_position[a] = Some(p);
                        self.attribute_order.push(a);
                        slots.push(None);
                        p
                    }
                };
                slots[position] = Some(self.attribute_values[a].index_of(text, || text.to_owned()));
            }
            let last = slots.iter().rposition(Option::is_some);
            if let Some(last) = last {
                for slot in &slots[..=last] {
                    match slot {
                        Some(i) => write!(self.out, ",{i}")?,
                        None => self.out.write_all(b",null")?,
                    }
                }
            }
        }
        self.out.write_all(b"]")?;
        Ok(())
    }

    /// Closes the data set, writes the structure part and returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.close_series()?;
        self.out.write_all(b"}}]")?;
        match self.version {
            JsonVersion::V2 => {
                self.out.write_all(b",\"structures\":[")?;
                self.write_structure()?;
                self.out.write_all(b"]}}")?;
            }
            JsonVersion::V1 => {
                self.out.write_all(b",\"structure\":")?;
                self.write_structure()?;
                self.out.write_all(b"}")?;
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn v2(&self) -> bool {
        self.version == JsonVersion::V2
    }

    /// `"name":…` plus, in 2.0, `"names":{"en":…}`.
    fn names(&mut self, field: &str, text: &str) -> Result<(), WriteError> {
        write!(self.out, "\"{field}\":")?;
        json_str(&mut self.out, text)?;
        if self.v2() {
            write!(self.out, ",\"{field}s\":{{\"{LANGUAGE}\":")?;
            json_str(&mut self.out, text)?;
            self.out.write_all(b"}")?;
        }
        Ok(())
    }

    fn write_structure(&mut self) -> Result<(), WriteError> {
        let flow = self.flow;
        let df = flow.dataflow;
        self.out.write_all(b"{")?;
        self.names("name", df.name())?;
        if let Some(d) = df.description() {
            self.out.write_all(b",")?;
            self.names("description", d)?;
        }
        if self.v2() {
            self.out
                .write_all(b",\"dataSets\":[0],\"links\":[{\"rel\":\"dataflow\",\"urn\":")?;
            json_str(&mut self.out, &df.reference().urn(ArtefactClass::Dataflow))?;
            self.out
                .write_all(b"},{\"rel\":\"datastructure\",\"urn\":")?;
            json_str(
                &mut self.out,
                &flow.dsd.reference().urn(ArtefactClass::DataStructure),
            )?;
            self.out.write_all(b"}]")?;
        }

        // Dimensions.
        let flat = self.options.dimension_at_observation == ObservationDimension::AllDimensions;
        // Time series: the key dimensions at series level, TIME_PERIOD at observation
        // level. Flat: everything at observation level.
        if flat {
            self.out
                .write_all(b",\"dimensions\":{\"dataSet\":[],\"series\":[],\"observation\":[")?;
        } else {
            self.out
                .write_all(b",\"dimensions\":{\"dataSet\":[],\"series\":[")?;
        }
        let dims = flow.dsd.dimensions();
        for (i, dim) in dims.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(b"{\"id\":")?;
            json_str(&mut self.out, dim.id().as_str())?;
            self.out.write_all(b",")?;
            self.names("name", flow.concept_name(dim.concept().as_str()))?;
            write!(self.out, ",\"keyPosition\":{i},\"values\":[")?;
            let codelist = flow.dimension_codelists[i];
            let values = std::mem::take(&mut self.dimension_values[i].values);
            for (j, v) in values.iter().enumerate() {
                if j > 0 {
                    self.out.write_all(b",")?;
                }
                let name = codelist
                    .and_then(|cl| cl.code(v))
                    .map_or(v.as_str(), |c| c.name());
                self.out.write_all(b"{\"id\":")?;
                json_str(&mut self.out, v)?;
                self.out.write_all(b",")?;
                self.names("name", name)?;
                self.out.write_all(b"}")?;
            }
            self.out.write_all(b"]}")?;
        }
        if !self.options.detail.has_observations() {
            // Without observations there is no TIME_PERIOD value to list, and SDMX-JSON
            // wants at least one value per listed dimension: leave it out.
            self.out.write_all(if flat {
                b"]}"
            } else {
                b"],\"observation\":[]}"
            })?;
            return self.write_structure_rest();
        }
        if flat {
            self.out.write_all(b",")?;
        } else {
            self.out.write_all(b"],\"observation\":[")?;
        }
        // The time dimension.
        self.out.write_all(b"{\"id\":")?;
        json_str(&mut self.out, TIME_DIMENSION_ID)?;
        self.out.write_all(b",")?;
        self.names("name", flow.concept_name(TIME_DIMENSION_ID))?;
        write!(self.out, ",\"keyPosition\":{}", dims.len())?;
        if self.v2() {
            write!(self.out, ",\"roles\":[\"{TIME_DIMENSION_ID}\"]")?;
        } else {
            self.out.write_all(b",\"role\":\"time\"")?;
        }
        self.out.write_all(b",\"values\":[")?;
        let times = std::mem::take(&mut self.time_values.values);
        for (j, t) in times.iter().enumerate() {
            if j > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(b"{\"id\":")?;
            json_str(&mut self.out, t.as_str())?;
            self.out.write_all(b",")?;
            self.names("name", t.as_str())?;
            self.out.write_all(b",\"start\":")?;
            json_str(&mut self.out, &t.start_instant())?;
            self.out.write_all(b",\"end\":")?;
            json_str(&mut self.out, &t.end_instant())?;
            self.out.write_all(b"}")?;
        }
        self.out.write_all(b"]}]}")?;
        self.write_structure_rest()
    }

    /// The structure part after the dimensions: measure, attributes, annotations.
    fn write_structure_rest(&mut self) -> Result<(), WriteError> {
        let flow = self.flow;
        let df = flow.dataflow;
        // Measure (2.0 lists it; 1.0 has no measures section).
        if self.v2() {
            self.out
                .write_all(b",\"measures\":{\"observation\":[{\"id\":")?;
            json_str(&mut self.out, PRIMARY_MEASURE_ID)?;
            self.out.write_all(b",")?;
            self.names("name", flow.concept_name(PRIMARY_MEASURE_ID))?;
            write!(self.out, ",\"roles\":[\"{PRIMARY_MEASURE_ID}\"]}}]}}")?;
        }

        // Attributes, in message position order; those never reported come last (2.0
        // lists them without values; 1.0 leaves them out, since sdmx1 drops a valueless
        // attribute with a warning).
        self.out
            .write_all(b",\"attributes\":{\"dataSet\":[],\"series\":[],\"observation\":[")?;
        let attrs = flow.dsd.attributes();
        let mut order = self.attribute_order.clone();
        if self.v2() && self.options.detail.has_attributes() {
            order.extend((0..attrs.len()).filter(|a| self.attribute_position[*a].is_none()));
        }
        if !self.options.detail.has_attributes() {
            order.clear();
        }
        for (n, &a) in order.iter().enumerate() {
            if n > 0 {
                self.out.write_all(b",")?;
            }
            let attr = &attrs[a];
            self.out.write_all(b"{\"id\":")?;
            json_str(&mut self.out, attr.id().as_str())?;
            self.out.write_all(b",")?;
            self.names("name", flow.concept_name(attr.concept().as_str()))?;
            if self.v2() {
                self.out
                    .write_all(b",\"relationship\":{\"observation\":{}}")?;
            } else {
                write!(
                    self.out,
                    ",\"relationship\":{{\"primaryMeasure\":\"{PRIMARY_MEASURE_ID}\"}}"
                )?;
            }
            let values = std::mem::take(&mut self.attribute_values[a].values);
            if !values.is_empty() {
                self.out.write_all(b",\"values\":[")?;
                let codelist = flow.attribute_codelists[a];
                for (j, v) in values.iter().enumerate() {
                    if j > 0 {
                        self.out.write_all(b",")?;
                    }
                    match codelist.and_then(|cl| cl.code(v)) {
                        Some(code) => {
                            self.out.write_all(b"{\"id\":")?;
                            json_str(&mut self.out, v)?;
                            self.out.write_all(b",")?;
                            self.names("name", code.name())?;
                            self.out.write_all(b"}")?;
                        }
                        None => {
                            // Free text: 2.0 carries it as `value`; 1.0 readers (sdmx1)
                            // take an id-less value's `name` as the text.
                            let field = if self.v2() { "value" } else { "name" };
                            write!(self.out, "{{\"{field}\":")?;
                            json_str(&mut self.out, v)?;
                            self.out.write_all(b"}")?;
                        }
                    }
                }
                self.out.write_all(b"]")?;
            }
            self.out.write_all(b"}")?;
        }
        self.out.write_all(b"]}")?;

        // The dataflow's annotations (source, licence, attribution).
        let annotations = df.annotations();
        if !annotations.is_empty() {
            self.out.write_all(b",\"annotations\":[")?;
            for (i, a) in annotations.iter().enumerate() {
                if i > 0 {
                    self.out.write_all(b",")?;
                }
                self.out.write_all(b"{")?;
                let mut first = true;
                let mut field = |out: &mut W, name: &str, value: &str| -> Result<(), WriteError> {
                    if !first {
                        out.write_all(b",")?;
                    }
                    first = false;
                    write!(out, "\"{name}\":")?;
                    json_str(out, value)?;
                    Ok(())
                };
                if let Some(id) = &a.id {
                    field(&mut self.out, "id", id.as_str())?;
                }
                if let Some(t) = &a.title {
                    field(&mut self.out, "title", t)?;
                }
                if let Some(k) = &a.kind {
                    field(&mut self.out, "type", k)?;
                }
                if let Some(t) = &a.text {
                    field(&mut self.out, "text", t)?;
                }
                let v2 = self.v2();
                if let Some(u) = &a.url {
                    if v2 {
                        if !first {
                            self.out.write_all(b",")?;
                        }
                        self.out
                            .write_all(b"\"links\":[{\"rel\":\"self\",\"href\":")?;
                        json_str(&mut self.out, u)?;
                        self.out.write_all(b"}]")?;
                    } else {
                        field(&mut self.out, "uri", u)?;
                    }
                }
                if v2 {
                    if let Some(t) = &a.text {
                        write!(self.out, ",\"texts\":{{\"{LANGUAGE}\":")?;
                        json_str(&mut self.out, t)?;
                        self.out.write_all(b"}")?;
                    }
                }
                self.out.write_all(b"}")?;
            }
            self.out.write_all(b"]")?;
        }
        self.out.write_all(b"}")?;
        Ok(())
    }
}

fn join_indices(indices: &[usize]) -> String {
    indices
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(":")
}

/// The fields shared by `meta` (2.0) and `header` (1.0), without braces. `schema`, when
/// written, precedes them, hence the leading comma in 2.0.
fn write_meta_fields<W: Write>(out: &mut W, header: &Header, v2: bool) -> Result<(), WriteError> {
    if v2 {
        out.write_all(b",")?;
    }
    out.write_all(b"\"id\":")?;
    json_str(out, header.id())?;
    write!(out, ",\"test\":{},\"prepared\":", header.is_test())?;
    json_str(out, header.prepared())?;
    if v2 {
        write!(out, ",\"contentLanguages\":[\"{LANGUAGE}\"]")?;
    }
    out.write_all(b",\"sender\":{\"id\":")?;
    json_str(out, header.sender().id().as_str())?;
    out.write_all(b",\"name\":")?;
    json_str(out, header.sender().name())?;
    if v2 {
        write!(out, ",\"names\":{{\"{LANGUAGE}\":")?;
        json_str(out, header.sender().name())?;
        out.write_all(b"}")?;
    }
    out.write_all(b"}")?;
    Ok(())
}
