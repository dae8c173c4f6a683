//! Content negotiation.

use marrakech_sdmx::{available_formats, negotiate, Format, MessageKind, NegotiationError};

fn data(accept: Option<&str>) -> Result<(Format, &'static str), NegotiationError> {
    negotiate(MessageKind::Data, accept, None).map(|n| (n.format, n.content_type))
}

fn structure(accept: Option<&str>) -> Result<(Format, &'static str), NegotiationError> {
    negotiate(MessageKind::Structure, accept, None).map(|n| (n.format, n.content_type))
}

const SS: &str = "application/vnd.sdmx.structurespecificdata+xml;version=2.1";
const JSON2: &str = "application/vnd.sdmx.data+json;version=2.0.0";
const JSON1: &str = "application/vnd.sdmx.data+json;version=1.0.0";
const CSV: &str = "application/vnd.sdmx.data+csv;version=2.0.0";
const SXML: &str = "application/vnd.sdmx.structure+xml;version=2.1";
const SJSON: &str = "application/vnd.sdmx.structure+json;version=2.0.0";

#[test]
fn no_preference_gets_sdmx_ml() {
    for accept in [
        None,
        Some(""),
        Some("*/*"),
        Some("application/*"),
        Some("*/*;q=0.8"),
    ] {
        assert_eq!(
            data(accept).unwrap(),
            (Format::DataXmlStructureSpecific21, SS),
            "{accept:?}"
        );
        assert_eq!(
            structure(accept).unwrap(),
            (Format::StructureXml21, SXML),
            "{accept:?}"
        );
    }
}

#[test]
fn sdmx_media_types_are_answered_exactly() {
    assert_eq!(data(Some(JSON2)).unwrap(), (Format::DataJson20, JSON2));
    assert_eq!(data(Some(JSON1)).unwrap(), (Format::DataJson10, JSON1));
    assert_eq!(data(Some(CSV)).unwrap(), (Format::DataCsv20, CSV));
    assert_eq!(
        data(Some(SS)).unwrap(),
        (Format::DataXmlStructureSpecific21, SS)
    );
    assert_eq!(
        structure(Some(SJSON)).unwrap(),
        (Format::StructureJson20, SJSON)
    );
    assert_eq!(
        structure(Some(SXML)).unwrap(),
        (Format::StructureXml21, SXML)
    );
    // Spacing, case, quoted parameters and the short version spelling.
    assert_eq!(
        data(Some("Application/VND.SDMX.Data+JSON; Version=\"2.0\""))
            .unwrap()
            .0,
        Format::DataJson20
    );
    // Without a version the preferred version wins.
    assert_eq!(
        data(Some("application/vnd.sdmx.data+json")).unwrap(),
        (Format::DataJson20, JSON2)
    );
    assert_eq!(
        data(Some("application/vnd.sdmx.data+json;version=1.0"))
            .unwrap()
            .0,
        Format::DataJson10
    );
}

#[test]
fn generic_types_are_answered_in_kind() {
    assert_eq!(
        data(Some("application/json")).unwrap(),
        (Format::DataJson20, "application/json")
    );
    assert_eq!(
        data(Some("text/csv")).unwrap(),
        (Format::DataCsv20, "text/csv")
    );
    assert_eq!(
        data(Some("application/xml")).unwrap(),
        (Format::DataXmlStructureSpecific21, "application/xml")
    );
    assert_eq!(
        data(Some("text/xml")).unwrap(),
        (Format::DataXmlStructureSpecific21, "text/xml")
    );
    assert_eq!(
        structure(Some("application/json")).unwrap(),
        (Format::StructureJson20, "application/json")
    );
    assert_eq!(
        structure(Some("text/xml")).unwrap(),
        (Format::StructureXml21, "text/xml")
    );
}

#[test]
fn q_values_rank_and_zero_excludes() {
    assert_eq!(
        data(Some("text/csv;q=0.9, application/json;q=0.5"))
            .unwrap()
            .0,
        Format::DataCsv20
    );
    assert_eq!(
        data(Some("application/json;q=0.5, text/csv;q=0.9"))
            .unwrap()
            .0,
        Format::DataCsv20
    );
    assert_eq!(
        data(Some(&format!("{CSV};q=0.3, {JSON2};q=0.7")))
            .unwrap()
            .0,
        Format::DataJson20
    );
    // The most specific range decides: JSON 2.0 refused, anything else welcome.
    assert_eq!(
        data(Some(&format!(
            "{JSON2};q=0, application/vnd.sdmx.data+json;q=0.9"
        )))
        .unwrap(),
        (Format::DataJson10, JSON1)
    );
    assert_eq!(
        data(Some(&format!("{SS};q=0, */*;q=0.1"))).unwrap().0,
        Format::DataJson20
    );
    // Equal qualities: server order.
    assert_eq!(
        data(Some("text/csv, application/json")).unwrap().0,
        Format::DataJson20
    );
    // Malformed ranges and q-values are ignored rather than fatal.
    assert_eq!(
        data(Some(
            "garbage, text/csv;q=2, application/json;q=0.x, text/csv;q=0.5"
        ))
        .unwrap()
        .0,
        Format::DataCsv20
    );
    assert_eq!(data(Some("text/csv;q=1.000")).unwrap().0, Format::DataCsv20);
    assert_eq!(data(Some("text/csv;q=0.001")).unwrap().0, Format::DataCsv20);
}

#[test]
fn nothing_acceptable_is_406() {
    let e = data(Some("text/html")).unwrap_err();
    assert_eq!(e.status(), 406);
    assert!(e.to_string().starts_with("none of `text/html` can be produced for data queries; available: application/vnd.sdmx.structurespecificdata+xml;version=2.1"));
    assert!(data(Some("*/*;q=0")).is_err());
    assert!(data(Some("application/vnd.sdmx.data+json;version=3.0.0")).is_err());
    assert!(structure(Some("text/csv")).is_err());
    assert!(structure(Some(CSV)).is_err());
}

#[test]
fn the_format_parameter_overrides_accept() {
    let n = negotiate(MessageKind::Data, Some("application/json"), Some("csv")).unwrap();
    assert_eq!((n.format, n.content_type), (Format::DataCsv20, CSV));
    for (value, format) in [
        ("json", Format::DataJson20),
        ("SDMX-JSON", Format::DataJson20),
        ("sdmx-json-1.0", Format::DataJson10),
        ("sdmx-csv", Format::DataCsv20),
        ("xml", Format::DataXmlStructureSpecific21),
        ("structurespecificdata", Format::DataXmlStructureSpecific21),
    ] {
        assert_eq!(
            negotiate(MessageKind::Data, None, Some(value))
                .unwrap()
                .format,
            format,
            "{value}"
        );
    }
    for (value, format) in [
        ("xml", Format::StructureXml21),
        ("structure-xml", Format::StructureXml21),
        ("sdmx-ml", Format::StructureXml21),
        ("json", Format::StructureJson20),
        ("structure-json", Format::StructureJson20),
    ] {
        assert_eq!(
            negotiate(MessageKind::Structure, None, Some(value))
                .unwrap()
                .format,
            format,
            "{value}"
        );
    }
    let e = negotiate(MessageKind::Structure, None, Some("csv")).unwrap_err();
    assert_eq!(e.status(), 406);
    assert_eq!(
        e.to_string(),
        "format `csv` is not available for structure queries; use one of: structure-xml, xml, sdmx-ml, sdmx-ml-2.1, structure-json, json, sdmx-json, sdmx-json-2.0"
    );
}

#[test]
fn formats_know_their_kind_and_media_type() {
    assert_eq!(
        available_formats(MessageKind::Data),
        [
            Format::DataXmlStructureSpecific21,
            Format::DataJson20,
            Format::DataJson10,
            Format::DataCsv20
        ]
    );
    assert_eq!(
        available_formats(MessageKind::Structure),
        [Format::StructureXml21, Format::StructureJson20]
    );
    for f in available_formats(MessageKind::Data) {
        assert_eq!(f.kind(), MessageKind::Data);
        assert!(f.media_type().starts_with("application/vnd.sdmx."));
    }
    assert_eq!(Format::DataCsv20.extension(), "csv");
}
