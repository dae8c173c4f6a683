//! The tiny fixture shared by the integration tests and the `write_fixture` example: one
//! dataflow with three dimensions, two series and a missing value, with names and notes
//! chosen to exercise escaping in every syntax.

#![allow(dead_code)]

use marrakech_sdmx::{
    Agency, Annotation, ArtefactRef, Attribute, Code, Codelist, Concept, ConceptScheme,
    DataStructure, Dataflow, Dimension, Header, Observation, Structures,
};

pub const PREPARED: &str = "2024-05-17T10:00:00Z";

pub fn r(id: &str) -> ArtefactRef {
    ArtefactRef::new("MARRAKECH", id, "1.0").unwrap()
}

fn codelist(id: &str, name: &str, codes: &[(&str, &str)]) -> Codelist {
    Codelist::new(
        r(id),
        name,
        codes
            .iter()
            .map(|(c, n)| Code::new(c, *n).unwrap())
            .collect(),
    )
    .unwrap()
}

pub fn structures() -> Structures {
    let mut s = Structures::new(Agency::marrakech());
    let mut area = Codelist::new(
        r("CL_AREA"),
        "Areas",
        vec![
            Code::new("001", "World").unwrap(),
            Code::new("004", "Afghanistan")
                .unwrap()
                .with_parent("001")
                .unwrap(),
            Code::new("384", "Côte d'Ivoire & <Others>")
                .unwrap()
                .with_parent("001")
                .unwrap(),
        ],
    )
    .unwrap();
    area = area.with_description("A few M49 areas").unwrap();
    s.add_codelist(area).unwrap();
    s.add_codelist(codelist(
        "CL_SEX",
        "Sex",
        &[("F", "Female"), ("M", "Male"), ("_T", "Total")],
    ))
    .unwrap();
    s.add_codelist(codelist(
        "CL_AGE",
        "Age",
        &[("Y_GE65", "65 years or over"), ("_T", "All ages")],
    ))
    .unwrap();
    s.add_codelist(codelist(
        "CL_OBS_STATUS",
        "Observation status",
        &[
            ("A", "Normal value"),
            ("E", "Estimated value"),
            ("M", "Missing value"),
        ],
    ))
    .unwrap();
    let concepts = [
        ("REF_AREA", "Reference area"),
        ("SEX", "Sex"),
        ("AGE", "Age"),
        ("TIME_PERIOD", "Time period"),
        ("OBS_VALUE", "Observation value"),
        ("OBS_STATUS", "Observation status"),
        ("OBS_NOTE", "Observation note"),
    ];
    s.add_concept_scheme(
        ConceptScheme::new(
            r("CS_MIGRATION"),
            "Migration concepts",
            concepts
                .iter()
                .map(|(c, n)| Concept::new(c, *n).unwrap())
                .collect(),
        )
        .unwrap(),
    )
    .unwrap();
    s.add_data_structure(
        DataStructure::new(
            r("DSD_MIGRANT_STOCK"),
            "International migrant stock",
            r("CS_MIGRATION"),
            vec![
                Dimension::coded("REF_AREA", r("CL_AREA")).unwrap(),
                Dimension::coded("SEX", r("CL_SEX")).unwrap(),
                Dimension::coded("AGE", r("CL_AGE")).unwrap(),
            ],
            vec![
                Attribute::coded("OBS_STATUS", r("CL_OBS_STATUS")).unwrap(),
                Attribute::uncoded("OBS_NOTE").unwrap(),
            ],
        )
        .unwrap(),
    )
    .unwrap();
    s.add_dataflow(
        Dataflow::new(
            r("DF_MIGRANT_STOCK"),
            "International migrant stock",
            Some("Migrants living in a country, by sex and age".to_owned()),
            r("DSD_MIGRANT_STOCK"),
        )
        .unwrap()
        .with_annotation(
            Annotation::source(
                "UN DESA, International Migrant Stock 2020",
                Some(
                    "https://www.un.org/development/desa/pd/content/international-migrant-stock"
                        .to_owned(),
                ),
            )
            .unwrap(),
        )
        .unwrap()
        .with_annotation(
            Annotation::licence(
                "CC BY 3.0 IGO",
                Some("https://creativecommons.org/licenses/by/3.0/igo/".to_owned()),
            )
            .unwrap(),
        )
        .unwrap()
        .with_annotation(Annotation::attribution("Source: United Nations").unwrap())
        .unwrap(),
    )
    .unwrap();
    s
}

pub fn header() -> Header {
    Header::new("IREF0001", PREPARED, &Agency::marrakech()).unwrap()
}

fn obs(
    key: [&str; 3],
    time: &str,
    value: Option<f64>,
    status: Option<&str>,
    note: Option<&str>,
) -> Observation {
    Observation {
        key: key.iter().map(|k| k.to_string()).collect(),
        time: time.to_owned(),
        value,
        attributes: vec![status.map(str::to_owned), note.map(str::to_owned)],
    }
}

/// Two series, sorted by key then time; one missing value; notes with a comma, quotes, a
/// line-free formula look-alike.
pub fn observations() -> Vec<Observation> {
    vec![
        obs(["004", "F", "_T"], "2015", Some(1.5), Some("A"), None),
        obs(
            ["004", "F", "_T"],
            "2020",
            None,
            Some("M"),
            Some("not reported, see \"notes\""),
        ),
        obs(["384", "M", "_T"], "2015", Some(2500000.0), Some("E"), None),
        obs(
            ["384", "M", "_T"],
            "2020",
            Some(-1234.5678),
            None,
            Some("=HYPERLINK(\"x\")"),
        ),
    ]
}
