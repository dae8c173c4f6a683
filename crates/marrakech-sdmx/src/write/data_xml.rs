//! SDMX-ML 2.1 structure-specific data, streamed.
//!
//! Each component is an XML attribute named by its id: `<Series REF_AREA="004" SEX="F">`
//! holding `<Obs TIME_PERIOD="2020" OBS_VALUE="1.5" OBS_STATUS="A"/>`. A missing value
//! leaves `OBS_VALUE` out. With `dimensionAtObservation=AllDimensions` the `Obs` elements
//! sit directly in the data set and carry every dimension.

use std::io::Write;

use super::escape::{xml_attr, xml_text};
use super::{finite, format_number, present, DataOptions, Header, Step, Tracker, WriteError};
use crate::model::{ArtefactClass, ResolvedFlow, PRIMARY_MEASURE_ID, TIME_DIMENSION_ID};
use crate::query::ObservationDimension;

pub(crate) const NS_MESSAGE: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";
pub(crate) const NS_COMMON: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common";
const NS_SS: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Streams a structure-specific data message.
pub struct XmlDataWriter<'f, W: Write> {
    out: W,
    flow: &'f ResolvedFlow<'f>,
    options: DataOptions,
    tracker: Tracker<'f>,
    series_open: bool,
}

impl<'f, W: Write> XmlDataWriter<'f, W> {
    pub fn new(
        mut out: W,
        header: &Header,
        flow: &'f ResolvedFlow<'f>,
        options: DataOptions,
    ) -> Result<XmlDataWriter<'f, W>, WriteError> {
        let dim_at_obs = match options.dimension_at_observation {
            ObservationDimension::Time => TIME_DIMENSION_ID,
            ObservationDimension::AllDimensions => "AllDimensions",
        };
        let dsd_ref = flow.dsd.reference();
        // The namespace of the DSD-specific schema, by the SDMX 2.1 naming convention.
        let namespace = format!(
            "{}:ObsLevelDim:{dim_at_obs}",
            dsd_ref.urn(ArtefactClass::DataStructure)
        );
        let structure_id =
            format!("{}_{}_{}", dsd_ref.agency, dsd_ref.id, dsd_ref.version).replace('.', "_");

        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
        write!(
            out,
            "<message:StructureSpecificData xmlns:message=\"{NS_MESSAGE}\" xmlns:common=\"{NS_COMMON}\" xmlns:ss=\"{NS_SS}\" xmlns:xsi=\"{NS_XSI}\" xmlns:ns1=\""
        )?;
        xml_attr(&mut out, &namespace)?;
        out.write_all(b"\">\n")?;
        write_header_start(&mut out, header)?;
        out.write_all(b"<message:Structure structureID=\"")?;
        xml_attr(&mut out, &structure_id)?;
        out.write_all(b"\" namespace=\"")?;
        xml_attr(&mut out, &namespace)?;
        write!(
            out,
            "\" dimensionAtObservation=\"{dim_at_obs}\"><common:Structure>"
        )?;
        write_ref(
            &mut out,
            dsd_ref.agency.as_str(),
            dsd_ref.id.as_str(),
            dsd_ref.version.as_str(),
        )?;
        out.write_all(b"</common:Structure></message:Structure>\n</message:Header>\n")?;
        out.write_all(b"<message:DataSet ss:structureRef=\"")?;
        xml_attr(&mut out, &structure_id)?;
        out.write_all(b"\" xsi:type=\"ns1:DataSetType\" ss:dataScope=\"DataStructure\" action=\"Information\">\n")?;
        Ok(XmlDataWriter {
            out,
            flow,
            options,
            tracker: Tracker::new(flow),
            series_open: false,
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
        let with_obs = self.options.detail.has_observations();
        let dims = self.flow.dsd.dimensions();
        if self.options.dimension_at_observation == ObservationDimension::AllDimensions {
            if !with_obs {
                return Ok(());
            }
            self.out.write_all(b"<Obs")?;
            for (dim, v) in dims.iter().zip(key) {
                write_attr(&mut self.out, dim.id().as_str(), v.as_ref())?;
            }
            return self.write_obs_rest(time, value, attributes);
        }
        if step == Step::NewSeries {
            if self.series_open {
                self.out.write_all(b"</Series>\n")?;
                self.series_open = false;
            }
            self.out.write_all(b"<Series")?;
            for (dim, v) in dims.iter().zip(key) {
                write_attr(&mut self.out, dim.id().as_str(), v.as_ref())?;
            }
            if with_obs {
                self.out.write_all(b">\n")?;
                self.series_open = true;
            } else {
                self.out.write_all(b"/>\n")?;
            }
        }
        if with_obs {
            self.out.write_all(b"<Obs")?;
            self.write_obs_rest(time, value, attributes)?;
        }
        Ok(())
    }

    fn write_obs_rest<A: AsRef<str>>(
        &mut self,
        time: &str,
        value: Option<f64>,
        attributes: &[Option<A>],
    ) -> Result<(), WriteError> {
        write_attr(&mut self.out, TIME_DIMENSION_ID, time)?;
        if let Some(v) = finite(value) {
            write_attr(&mut self.out, PRIMARY_MEASURE_ID, &format_number(v))?;
        }
        if self.options.detail.has_attributes() {
            for (attr, v) in self.flow.dsd.attributes().iter().zip(attributes) {
                if let Some(text) = present(v) {
                    write_attr(&mut self.out, attr.id().as_str(), text)?;
                }
            }
        }
        self.out.write_all(b"/>\n")?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W, WriteError> {
        if self.series_open {
            self.out.write_all(b"</Series>\n")?;
        }
        self.out
            .write_all(b"</message:DataSet>\n</message:StructureSpecificData>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_attr<W: Write>(out: &mut W, name: &str, value: &str) -> Result<(), WriteError> {
    write!(out, " {name}=\"")?;
    xml_attr(out, value)?;
    out.write_all(b"\"")?;
    Ok(())
}

fn write_ref<W: Write>(
    out: &mut W,
    agency: &str,
    id: &str,
    version: &str,
) -> Result<(), WriteError> {
    out.write_all(b"<Ref agencyID=\"")?;
    xml_attr(out, agency)?;
    out.write_all(b"\" id=\"")?;
    xml_attr(out, id)?;
    out.write_all(b"\" version=\"")?;
    xml_attr(out, version)?;
    out.write_all(b"\"/>")?;
    Ok(())
}

/// `<message:Header>` up to and including the sender; shared with structure messages.
pub(crate) fn write_header_start<W: Write + ?Sized>(
    out: &mut W,
    header: &Header,
) -> std::io::Result<()> {
    out.write_all(b"<message:Header>\n<message:ID>")?;
    xml_text(out, header.id())?;
    write!(
        out,
        "</message:ID>\n<message:Test>{}</message:Test>\n<message:Prepared>",
        header.is_test()
    )?;
    xml_text(out, header.prepared())?;
    out.write_all(b"</message:Prepared>\n<message:Sender id=\"")?;
    xml_attr(out, header.sender().id().as_str())?;
    out.write_all(b"\"><common:Name xml:lang=\"en\">")?;
    xml_text(out, header.sender().name())?;
    out.write_all(b"</common:Name></message:Sender>\n")?;
    Ok(())
}
