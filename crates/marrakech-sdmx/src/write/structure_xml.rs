//! SDMX-ML 2.1 structure messages (`application/vnd.sdmx.structure+xml;version=2.1`),
//! the structure format `sdmx1` reads.
//!
//! Elements follow the order of the SDMX 2.1 schemas (`StructuresType`: Dataflows,
//! Codelists, Concepts, DataStructures; `NameableType`: Annotations, Name, Description).

use std::io::{self, Write};

use super::data_xml::{write_header_start, NS_COMMON, NS_MESSAGE};
use super::escape::{xml_attr, xml_text};
use super::Header;
use crate::model::{
    Annotation, ArtefactClass, ArtefactRef, AttributeStatus, Maintainable, LANGUAGE,
    PRIMARY_MEASURE_ID, TIME_DIMENSION_ID,
};
use crate::query::{Presentation, Selected, StructureSelection};

const NS_STRUCTURE: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure";

/// Writes a structure message holding `selection`.
pub fn write_structure_xml<W: Write + ?Sized>(
    out: &mut W,
    header: &Header,
    selection: &StructureSelection<'_>,
) -> io::Result<()> {
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<message:Structure xmlns:message=\"{NS_MESSAGE}\" xmlns:structure=\"{NS_STRUCTURE}\" xmlns:common=\"{NS_COMMON}\">"
    )?;
    write_header_start(out, header)?;
    out.write_all(b"</message:Header>\n<message:Structures>\n")?;

    if !selection.dataflows.is_empty() {
        out.write_all(b"<structure:Dataflows>\n")?;
        for s in &selection.dataflows {
            let df = s.artefact;
            open_maintainable(
                out,
                "Dataflow",
                df.maintainable(),
                ArtefactClass::Dataflow,
                s.presentation,
            )?;
            write_ref(
                out,
                "structure:Structure",
                df.structure(),
                "datastructure",
                "DataStructure",
            )?;
            out.write_all(b"</structure:Dataflow>\n")?;
        }
        out.write_all(b"</structure:Dataflows>\n")?;
    }

    if !selection.codelists.is_empty() {
        out.write_all(b"<structure:Codelists>\n")?;
        for s in &selection.codelists {
            let cl = s.artefact;
            open_maintainable(
                out,
                "Codelist",
                cl.maintainable(),
                ArtefactClass::Codelist,
                s.presentation,
            )?;
            if s.presentation == Presentation::Full {
                let base = cl.reference().urn(ArtefactClass::Codelist);
                for code in s.codes() {
                    out.write_all(b"<structure:Code id=\"")?;
                    xml_attr(out, code.id().as_str())?;
                    out.write_all(b"\" urn=\"")?;
                    xml_attr(out, &format!("{base}.{}", code.id()))?;
                    out.write_all(b"\">")?;
                    name_and_description(out, code.name(), code.description())?;
                    if let Some(parent) = s.written_parent(code) {
                        out.write_all(b"<structure:Parent><Ref id=\"")?;
                        xml_attr(out, parent.as_str())?;
                        out.write_all(b"\"/></structure:Parent>")?;
                    }
                    out.write_all(b"</structure:Code>\n")?;
                }
            }
            out.write_all(b"</structure:Codelist>\n")?;
        }
        out.write_all(b"</structure:Codelists>\n")?;
    }

    if !selection.concept_schemes.is_empty() {
        out.write_all(b"<structure:Concepts>\n")?;
        for s in &selection.concept_schemes {
            let cs = s.artefact;
            open_maintainable(
                out,
                "ConceptScheme",
                cs.maintainable(),
                ArtefactClass::ConceptScheme,
                s.presentation,
            )?;
            if s.presentation == Presentation::Full {
                for concept in s.concepts() {
                    out.write_all(b"<structure:Concept id=\"")?;
                    xml_attr(out, concept.id().as_str())?;
                    out.write_all(b"\" urn=\"")?;
                    xml_attr(out, &concept_urn(cs.reference(), concept.id().as_str()))?;
                    out.write_all(b"\">")?;
                    name_and_description(out, concept.name(), concept.description())?;
                    out.write_all(b"</structure:Concept>\n")?;
                }
            }
            out.write_all(b"</structure:ConceptScheme>\n")?;
        }
        out.write_all(b"</structure:Concepts>\n")?;
    }

    if !selection.data_structures.is_empty() {
        out.write_all(b"<structure:DataStructures>\n")?;
        for s in &selection.data_structures {
            write_dsd(out, s)?;
        }
        out.write_all(b"</structure:DataStructures>\n")?;
    }

    out.write_all(b"</message:Structures>\n</message:Structure>\n")
}

fn write_dsd<W: Write + ?Sized>(
    out: &mut W,
    s: &Selected<'_, crate::model::DataStructure>,
) -> io::Result<()> {
    let dsd = s.artefact;
    open_maintainable(
        out,
        "DataStructure",
        dsd.maintainable(),
        ArtefactClass::DataStructure,
        s.presentation,
    )?;
    if s.presentation == Presentation::Full {
        let base = format!("{}", dsd.reference());
        let cs = dsd.concept_scheme();
        out.write_all(b"<structure:DataStructureComponents>\n")?;
        write!(
            out,
            "<structure:DimensionList id=\"DimensionDescriptor\" urn=\""
        )?;
        xml_attr(out, &format!("urn:sdmx:org.sdmx.infomodel.datastructure.DimensionDescriptor={base}.DimensionDescriptor"))?;
        out.write_all(b"\">\n")?;
        for (i, dim) in dsd.dimensions().iter().enumerate() {
            component_open(
                out,
                "Dimension",
                dim.id().as_str(),
                Some(i + 1),
                &base,
                "Dimension",
                "",
            )?;
            concept_identity(out, cs, dim.concept().as_str())?;
            representation(out, dim.codelist(), "String")?;
            out.write_all(b"</structure:Dimension>\n")?;
        }
        let n = dsd.dimensions().len();
        component_open(
            out,
            "TimeDimension",
            TIME_DIMENSION_ID,
            Some(n + 1),
            &base,
            "TimeDimension",
            "",
        )?;
        concept_identity(out, cs, TIME_DIMENSION_ID)?;
        representation(out, None, "ObservationalTimePeriod")?;
        out.write_all(b"</structure:TimeDimension>\n</structure:DimensionList>\n")?;
        if !dsd.attributes().is_empty() {
            out.write_all(b"<structure:AttributeList id=\"AttributeDescriptor\" urn=\"")?;
            xml_attr(out, &format!("urn:sdmx:org.sdmx.infomodel.datastructure.AttributeDescriptor={base}.AttributeDescriptor"))?;
            out.write_all(b"\">\n")?;
            for attr in dsd.attributes() {
                let status = match attr.status() {
                    AttributeStatus::Mandatory => " assignmentStatus=\"Mandatory\"",
                    AttributeStatus::Conditional => " assignmentStatus=\"Conditional\"",
                };
                component_open(
                    out,
                    "Attribute",
                    attr.id().as_str(),
                    None,
                    &base,
                    "DataAttribute",
                    status,
                )?;
                concept_identity(out, cs, attr.concept().as_str())?;
                representation(out, attr.codelist(), "String")?;
                write!(
                    out,
                    "<structure:AttributeRelationship><structure:PrimaryMeasure><Ref id=\"{PRIMARY_MEASURE_ID}\"/></structure:PrimaryMeasure></structure:AttributeRelationship>"
                )?;
                out.write_all(b"</structure:Attribute>\n")?;
            }
            out.write_all(b"</structure:AttributeList>\n")?;
        }
        out.write_all(b"<structure:MeasureList id=\"MeasureDescriptor\" urn=\"")?;
        xml_attr(out, &format!("urn:sdmx:org.sdmx.infomodel.datastructure.MeasureDescriptor={base}.MeasureDescriptor"))?;
        out.write_all(b"\">\n")?;
        component_open(
            out,
            "PrimaryMeasure",
            PRIMARY_MEASURE_ID,
            None,
            &base,
            "PrimaryMeasure",
            "",
        )?;
        concept_identity(out, cs, PRIMARY_MEASURE_ID)?;
        representation(out, None, "Double")?;
        out.write_all(b"</structure:PrimaryMeasure>\n</structure:MeasureList>\n</structure:DataStructureComponents>\n")?;
    }
    out.write_all(b"</structure:DataStructure>\n")
}

fn concept_urn(scheme: &ArtefactRef, concept: &str) -> String {
    format!("urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={scheme}.{concept}")
}

fn component_open<W: Write + ?Sized>(
    out: &mut W,
    element: &str,
    id: &str,
    position: Option<usize>,
    dsd: &str,
    class: &str,
    extra: &str,
) -> io::Result<()> {
    write!(out, "<structure:{element} id=\"")?;
    xml_attr(out, id)?;
    out.write_all(b"\"")?;
    if let Some(p) = position {
        write!(out, " position=\"{p}\"")?;
    }
    out.write_all(extra.as_bytes())?;
    out.write_all(b" urn=\"")?;
    xml_attr(
        out,
        &format!("urn:sdmx:org.sdmx.infomodel.datastructure.{class}={dsd}.{id}"),
    )?;
    out.write_all(b"\">")
}

fn concept_identity<W: Write + ?Sized>(
    out: &mut W,
    scheme: &ArtefactRef,
    concept: &str,
) -> io::Result<()> {
    out.write_all(b"<structure:ConceptIdentity><Ref agencyID=\"")?;
    xml_attr(out, scheme.agency.as_str())?;
    out.write_all(b"\" maintainableParentID=\"")?;
    xml_attr(out, scheme.id.as_str())?;
    out.write_all(b"\" maintainableParentVersion=\"")?;
    xml_attr(out, scheme.version.as_str())?;
    out.write_all(b"\" id=\"")?;
    xml_attr(out, concept)?;
    out.write_all(b"\" package=\"conceptscheme\" class=\"Concept\"/></structure:ConceptIdentity>")
}

fn representation<W: Write + ?Sized>(
    out: &mut W,
    codelist: Option<&ArtefactRef>,
    text_type: &str,
) -> io::Result<()> {
    out.write_all(b"<structure:LocalRepresentation>")?;
    match codelist {
        Some(cl) => write_ref(out, "structure:Enumeration", cl, "codelist", "Codelist")?,
        None => write!(out, "<structure:TextFormat textType=\"{text_type}\"/>")?,
    }
    out.write_all(b"</structure:LocalRepresentation>")
}

fn write_ref<W: Write + ?Sized>(
    out: &mut W,
    element: &str,
    r: &ArtefactRef,
    package: &str,
    class: &str,
) -> io::Result<()> {
    write!(out, "<{element}><Ref agencyID=\"")?;
    xml_attr(out, r.agency.as_str())?;
    out.write_all(b"\" id=\"")?;
    xml_attr(out, r.id.as_str())?;
    out.write_all(b"\" version=\"")?;
    xml_attr(out, r.version.as_str())?;
    write!(
        out,
        "\" package=\"{package}\" class=\"{class}\"/></{element}>"
    )
}

/// Opening tag, annotations, name and description of a maintainable artefact.
fn open_maintainable<W: Write + ?Sized>(
    out: &mut W,
    element: &str,
    m: &Maintainable,
    class: ArtefactClass,
    presentation: Presentation,
) -> io::Result<()> {
    let r = &m.reference;
    write!(out, "<structure:{element} id=\"")?;
    xml_attr(out, r.id.as_str())?;
    out.write_all(b"\" agencyID=\"")?;
    xml_attr(out, r.agency.as_str())?;
    out.write_all(b"\" version=\"")?;
    xml_attr(out, r.version.as_str())?;
    out.write_all(b"\" urn=\"")?;
    xml_attr(out, &r.urn(class))?;
    out.write_all(b"\"")?;
    if presentation != Presentation::Full {
        // A stub: identification only, the content is to be fetched separately.
        out.write_all(b" isExternalReference=\"true\"")?;
    }
    out.write_all(b">")?;
    if presentation != Presentation::Stub && !m.annotations.is_empty() {
        write_annotations(out, &m.annotations)?;
    }
    let description = match presentation {
        Presentation::Stub => None,
        _ => m.description.as_deref(),
    };
    name_and_description(out, &m.name, description)?;
    out.write_all(b"\n")
}

fn name_and_description<W: Write + ?Sized>(
    out: &mut W,
    name: &str,
    description: Option<&str>,
) -> io::Result<()> {
    write!(out, "<common:Name xml:lang=\"{LANGUAGE}\">")?;
    xml_text(out, name)?;
    out.write_all(b"</common:Name>")?;
    if let Some(d) = description {
        write!(out, "<common:Description xml:lang=\"{LANGUAGE}\">")?;
        xml_text(out, d)?;
        out.write_all(b"</common:Description>")?;
    }
    Ok(())
}

fn write_annotations<W: Write + ?Sized>(out: &mut W, annotations: &[Annotation]) -> io::Result<()> {
    out.write_all(b"<common:Annotations>")?;
    for a in annotations {
        out.write_all(b"<common:Annotation")?;
        if let Some(id) = &a.id {
            out.write_all(b" id=\"")?;
            xml_attr(out, id.as_str())?;
            out.write_all(b"\"")?;
        }
        out.write_all(b">")?;
        // AnnotationType order in the schema: Title, Type, URL, Text.
        for (element, value) in [
            ("AnnotationTitle", &a.title),
            ("AnnotationType", &a.kind),
            ("AnnotationURL", &a.url),
        ] {
            if let Some(v) = value {
                write!(out, "<common:{element}>")?;
                xml_text(out, v)?;
                write!(out, "</common:{element}>")?;
            }
        }
        if let Some(t) = &a.text {
            write!(out, "<common:AnnotationText xml:lang=\"{LANGUAGE}\">")?;
            xml_text(out, t)?;
            out.write_all(b"</common:AnnotationText>")?;
        }
        out.write_all(b"</common:Annotation>")?;
    }
    out.write_all(b"</common:Annotations>")
}
