//! SDMX-JSON 2.0.0 structure messages
//! (`application/vnd.sdmx.structure+json;version=2.0.0`, SDMX 3.0 structures).
//!
//! Structure messages are small, so this builds an ordered tree and writes it; field
//! order follows the SDMX-JSON field guide for readability (JSON itself is unordered).

use std::io::{self, Write};

use super::escape::json_str;
use super::Header;
use crate::model::{
    Annotation, ArtefactClass, ArtefactRef, AttributeStatus, Maintainable, LANGUAGE,
    PRIMARY_MEASURE_ID, TIME_DIMENSION_ID,
};
use crate::query::{Presentation, StructureSelection};

const SCHEMA: &str =
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools/schemas/2.0.0/sdmx-json-structure-schema.json";

/// A JSON value with ordered object fields.
pub(crate) enum Json {
    Bool(bool),
    Int(u64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    pub(crate) fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        match self {
            Json::Bool(b) => write!(out, "{b}"),
            Json::Int(n) => write!(out, "{n}"),
            Json::Str(s) => json_str(out, s),
            Json::Arr(items) => {
                out.write_all(b"[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    item.write(out)?;
                }
                out.write_all(b"]")
            }
            Json::Obj(fields) => {
                out.write_all(b"{")?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    json_str(out, name)?;
                    out.write_all(b":")?;
                    value.write(out)?;
                }
                out.write_all(b"}")
            }
        }
    }
}

fn s(text: &str) -> Json {
    Json::Str(text.to_owned())
}

/// `name` and `names: {"en": …}` (or `description`/`descriptions`).
fn localised(
    fields: &mut Vec<(&'static str, Json)>,
    single: &'static str,
    plural: &'static str,
    text: &str,
) {
    fields.push((single, s(text)));
    fields.push((plural, Json::Obj(vec![(LANGUAGE, s(text))])));
}

fn named(id: &str, name: &str, description: Option<&str>) -> Vec<(&'static str, Json)> {
    let mut f = vec![("id", s(id))];
    localised(&mut f, "name", "names", name);
    if let Some(d) = description {
        localised(&mut f, "description", "descriptions", d);
    }
    f
}

fn annotations(list: &[Annotation]) -> Json {
    Json::Arr(
        list.iter()
            .map(|a| {
                let mut f = Vec::new();
                if let Some(id) = &a.id {
                    f.push(("id", s(id.as_str())));
                }
                if let Some(t) = &a.title {
                    f.push(("title", s(t)));
                }
                if let Some(k) = &a.kind {
                    f.push(("type", s(k)));
                }
                if let Some(t) = &a.text {
                    localised(&mut f, "text", "texts", t);
                }
                if let Some(u) = &a.url {
                    f.push((
                        "links",
                        Json::Arr(vec![Json::Obj(vec![("rel", s("self")), ("href", s(u))])]),
                    ));
                }
                Json::Obj(f)
            })
            .collect(),
    )
}

/// Identification, names and (for complete stubs and full artefacts) description and
/// annotations.
fn maintainable(
    m: &Maintainable,
    class: ArtefactClass,
    presentation: Presentation,
) -> Vec<(&'static str, Json)> {
    let r = &m.reference;
    let mut f = vec![
        ("id", s(r.id.as_str())),
        ("version", s(r.version.as_str())),
        ("agencyID", s(r.agency.as_str())),
        (
            "isExternalReference",
            Json::Bool(presentation != Presentation::Full),
        ),
    ];
    localised(&mut f, "name", "names", &m.name);
    if presentation != Presentation::Stub {
        if let Some(d) = &m.description {
            localised(&mut f, "description", "descriptions", d);
        }
        if !m.annotations.is_empty() {
            f.push(("annotations", annotations(&m.annotations)));
        }
    }
    f.push((
        "links",
        Json::Arr(vec![Json::Obj(vec![
            ("rel", s("self")),
            ("urn", s(&r.urn(class))),
        ])]),
    ));
    f
}

fn concept_urn(scheme: &ArtefactRef, concept: &str) -> Json {
    s(&format!(
        "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={scheme}.{concept}"
    ))
}

fn representation(codelist: Option<&ArtefactRef>, data_type: &str) -> Json {
    match codelist {
        Some(cl) => Json::Obj(vec![("enumeration", s(&cl.urn(ArtefactClass::Codelist)))]),
        None => Json::Obj(vec![(
            "format",
            Json::Obj(vec![("dataType", s(data_type))]),
        )]),
    }
}

/// Writes a structure message holding `selection`.
pub fn write_structure_json<W: Write + ?Sized>(
    out: &mut W,
    header: &Header,
    selection: &StructureSelection<'_>,
) -> io::Result<()> {
    let mut data: Vec<(&'static str, Json)> = Vec::new();

    if !selection.dataflows.is_empty() {
        let items = selection
            .dataflows
            .iter()
            .map(|sel| {
                let df = sel.artefact;
                let mut f =
                    maintainable(df.maintainable(), ArtefactClass::Dataflow, sel.presentation);
                f.push((
                    "structure",
                    s(&df.structure().urn(ArtefactClass::DataStructure)),
                ));
                Json::Obj(f)
            })
            .collect();
        data.push(("dataflows", Json::Arr(items)));
    }

    if !selection.data_structures.is_empty() {
        let items = selection
            .data_structures
            .iter()
            .map(|sel| {
                let dsd = sel.artefact;
                let mut f = maintainable(
                    dsd.maintainable(),
                    ArtefactClass::DataStructure,
                    sel.presentation,
                );
                if sel.presentation == Presentation::Full {
                    let cs = dsd.concept_scheme();
                    let dims = dsd
                        .dimensions()
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            Json::Obj(vec![
                                ("id", s(d.id().as_str())),
                                ("position", Json::Int(i as u64 + 1)),
                                ("type", s("Dimension")),
                                ("conceptIdentity", concept_urn(cs, d.concept().as_str())),
                                (
                                    "localRepresentation",
                                    representation(d.codelist(), "String"),
                                ),
                            ])
                        })
                        .collect();
                    let time = Json::Obj(vec![
                        ("id", s(TIME_DIMENSION_ID)),
                        ("position", Json::Int(dsd.dimensions().len() as u64 + 1)),
                        ("type", s("TimeDimension")),
                        ("conceptIdentity", concept_urn(cs, TIME_DIMENSION_ID)),
                        (
                            "localRepresentation",
                            representation(None, "ObservationalTimePeriod"),
                        ),
                    ]);
                    let attrs = dsd
                        .attributes()
                        .iter()
                        .map(|a| {
                            let usage = match a.status() {
                                AttributeStatus::Mandatory => "mandatory",
                                AttributeStatus::Conditional => "optional",
                            };
                            Json::Obj(vec![
                                ("id", s(a.id().as_str())),
                                ("usage", s(usage)),
                                (
                                    "attributeRelationship",
                                    Json::Obj(vec![("observation", Json::Obj(vec![]))]),
                                ),
                                ("conceptIdentity", concept_urn(cs, a.concept().as_str())),
                                (
                                    "localRepresentation",
                                    representation(a.codelist(), "String"),
                                ),
                            ])
                        })
                        .collect();
                    let mut components = vec![];
                    if !dsd.attributes().is_empty() {
                        components.push((
                            "attributeList",
                            Json::Obj(vec![
                                ("id", s("AttributeDescriptor")),
                                ("attributes", Json::Arr(attrs)),
                            ]),
                        ));
                    }
                    components.push((
                        "dimensionList",
                        Json::Obj(vec![
                            ("id", s("DimensionDescriptor")),
                            ("dimensions", Json::Arr(dims)),
                            ("timeDimensions", Json::Arr(vec![time])),
                        ]),
                    ));
                    components.push((
                        "measureList",
                        Json::Obj(vec![
                            ("id", s("MeasureDescriptor")),
                            (
                                "measures",
                                Json::Arr(vec![Json::Obj(vec![
                                    ("id", s(PRIMARY_MEASURE_ID)),
                                    ("usage", s("optional")),
                                    ("conceptIdentity", concept_urn(cs, PRIMARY_MEASURE_ID)),
                                    ("localRepresentation", representation(None, "Double")),
                                ])]),
                            ),
                        ]),
                    ));
                    f.push(("dataStructureComponents", Json::Obj(components)));
                }
                Json::Obj(f)
            })
            .collect();
        data.push(("dataStructures", Json::Arr(items)));
    }

    if !selection.codelists.is_empty() {
        let items = selection
            .codelists
            .iter()
            .map(|sel| {
                let cl = sel.artefact;
                let mut f =
                    maintainable(cl.maintainable(), ArtefactClass::Codelist, sel.presentation);
                if sel.presentation == Presentation::Full {
                    f.push(("isPartial", Json::Bool(sel.items.is_some())));
                    let codes = sel
                        .codes()
                        .map(|c| {
                            let mut cf = named(c.id().as_str(), c.name(), c.description());
                            if let Some(p) = sel.written_parent(c) {
                                cf.push(("parent", s(p.as_str())));
                            }
                            Json::Obj(cf)
                        })
                        .collect();
                    f.push(("codes", Json::Arr(codes)));
                }
                Json::Obj(f)
            })
            .collect();
        data.push(("codelists", Json::Arr(items)));
    }

    if !selection.concept_schemes.is_empty() {
        let items = selection
            .concept_schemes
            .iter()
            .map(|sel| {
                let cs = sel.artefact;
                let mut f = maintainable(
                    cs.maintainable(),
                    ArtefactClass::ConceptScheme,
                    sel.presentation,
                );
                if sel.presentation == Presentation::Full {
                    f.push(("isPartial", Json::Bool(sel.items.is_some())));
                    let concepts = sel
                        .concepts()
                        .map(|c| Json::Obj(named(c.id().as_str(), c.name(), c.description())))
                        .collect();
                    f.push(("concepts", Json::Arr(concepts)));
                }
                Json::Obj(f)
            })
            .collect();
        data.push(("conceptSchemes", Json::Arr(items)));
    }

    let mut sender = vec![("id", s(header.sender().id().as_str()))];
    localised(&mut sender, "name", "names", header.sender().name());
    let message = Json::Obj(vec![
        (
            "meta",
            Json::Obj(vec![
                ("schema", s(SCHEMA)),
                ("id", s(header.id())),
                ("test", Json::Bool(header.is_test())),
                ("prepared", s(header.prepared())),
                ("contentLanguages", Json::Arr(vec![s(LANGUAGE)])),
                ("sender", Json::Obj(sender)),
            ]),
        ),
        ("data", Json::Obj(data)),
    ]);
    message.write(out)
}
