//! Writers: golden outputs for the fixture (3 dimensions, 2 series, a missing value), the
//! streaming behaviour, and every way a bad observation stream is refused.
//!
//! Regenerate the golden files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test --test writers`, and review the diff.

mod common;

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::rc::Rc;

use marrakech_sdmx::{
    error_body, parse_request, write_data, write_structure, Agency, DataDetail, DataOptions,
    DataWriter, Format, Header, HeaderError, Observation, ObservationDimension, SdmxRequest,
    StructureSelection, WriteError,
};

fn golden(name: &str, actual: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if expected != actual {
        panic!(
            "{name} differs from its golden file.\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

fn data(format: Format, options: DataOptions) -> Vec<u8> {
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    write_data(
        format,
        Vec::new(),
        &common::header(),
        &flow,
        options,
        common::observations(),
    )
    .unwrap()
}

fn options(dim: ObservationDimension, detail: DataDetail) -> DataOptions {
    DataOptions {
        dimension_at_observation: dim,
        detail,
    }
}

#[test]
fn structure_messages() {
    let structures = common::structures();
    let everything = StructureSelection::everything(&structures);
    for (format, name) in [
        (Format::StructureXml21, "structure.xml"),
        (Format::StructureJson20, "structure.json"),
    ] {
        let mut out = Vec::new();
        write_structure(format, &mut out, &common::header(), &everything).unwrap();
        golden(name, &out);
    }
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/structure.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["data"]["dataflows"][0]["structure"],
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=MARRAKECH:DSD_MIGRANT_STOCK(1.0)"
    );
    assert_eq!(
        json["data"]["codelists"][0]["codes"][2]["name"],
        "Côte d'Ivoire & <Others>"
    );
    assert_eq!(
        json["data"]["dataflows"][0]["annotations"][1]["type"],
        "LICENCE"
    );
}

#[test]
fn stub_and_item_structure_messages() {
    let structures = common::structures();
    let query = |path: &str, params: &[(&str, &str)]| match parse_request(&structures, path, params)
        .unwrap()
        .request
    {
        SdmxRequest::Structure(q) => q,
        _ => unreachable!(),
    };
    let stubs = structures
        .select(&query(
            "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
            &[("references", "all"), ("detail", "referencestubs")],
        ))
        .unwrap();
    let mut out = Vec::new();
    write_structure(Format::StructureXml21, &mut out, &common::header(), &stubs).unwrap();
    golden("structure-referencestubs.xml", &out);
    let items = structures
        .select(&query("codelist/MARRAKECH/CL_AREA/1.0/004+384", &[]))
        .unwrap();
    let mut out = Vec::new();
    write_structure(Format::StructureJson20, &mut out, &common::header(), &items).unwrap();
    golden("codelist-items.json", &out);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["data"]["codelists"][0]["isPartial"], true);
    assert!(
        v["data"]["codelists"][0]["codes"][0]
            .get("parent")
            .is_none(),
        "parent 001 is not in the message"
    );
    assert!(matches!(
        write_structure(
            Format::DataCsv20,
            &mut Vec::new(),
            &common::header(),
            &items
        ),
        Err(WriteError::NotAStructureFormat { .. })
    ));
}

#[test]
fn data_messages_as_time_series() {
    let ts = DataOptions::default();
    golden("data-ss.xml", &data(Format::DataXmlStructureSpecific21, ts));
    golden("data-2.0.json", &data(Format::DataJson20, ts));
    golden("data-1.0.json", &data(Format::DataJson10, ts));
    golden("data.csv", &data(Format::DataCsv20, ts));
}

#[test]
fn data_messages_flat_and_trimmed() {
    let flat = options(ObservationDimension::AllDimensions, DataDetail::Full);
    golden(
        "data-flat-ss.xml",
        &data(Format::DataXmlStructureSpecific21, flat),
    );
    golden("data-flat-2.0.json", &data(Format::DataJson20, flat));
    golden("data-flat-1.0.json", &data(Format::DataJson10, flat));
    let dataonly = options(ObservationDimension::Time, DataDetail::DataOnly);
    golden("data-dataonly.csv", &data(Format::DataCsv20, dataonly));
    golden(
        "data-dataonly-2.0.json",
        &data(Format::DataJson20, dataonly),
    );
    let keys = options(ObservationDimension::Time, DataDetail::SeriesKeysOnly);
    golden("data-serieskeys.csv", &data(Format::DataCsv20, keys));
    golden(
        "data-serieskeys-ss.xml",
        &data(Format::DataXmlStructureSpecific21, keys),
    );
    golden("data-serieskeys-1.0.json", &data(Format::DataJson10, keys));
    let nodata = options(ObservationDimension::Time, DataDetail::NoData);
    assert_eq!(
        data(Format::DataCsv20, nodata),
        data(Format::DataCsv20, keys)
    );
}

#[test]
fn json_data_is_valid_json_with_indexed_values() {
    let v: serde_json::Value =
        serde_json::from_slice(&data(Format::DataJson20, DataOptions::default())).unwrap();
    let ds = &v["data"]["dataSets"][0];
    let structure = &v["data"]["structures"][0];
    assert_eq!(ds["structure"], 0);
    assert_eq!(
        ds["series"]["0:0:0"]["observations"]["1"][0],
        serde_json::Value::Null
    );
    assert_eq!(ds["series"]["1:1:0"]["observations"]["1"][0], -1234.5678);
    let area = &structure["dimensions"]["series"][0];
    assert_eq!(area["id"], "REF_AREA");
    assert_eq!(area["values"][1]["id"], "384");
    assert_eq!(
        structure["dimensions"]["observation"][0]["values"][1]["start"],
        "2020-01-01T00:00:00Z"
    );
    // OBS_STATUS was met first, so it is attribute 0; the free-text note is a `value`.
    assert_eq!(
        structure["attributes"]["observation"][0]["id"],
        "OBS_STATUS"
    );
    assert_eq!(
        structure["attributes"]["observation"][1]["values"][0]["value"],
        "not reported, see \"notes\""
    );
}

#[test]
fn attributes_never_reported_come_last() {
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    let obs = vec![Observation {
        key: vec!["004".into(), "F".into(), "_T".into()],
        time: "2020".into(),
        value: Some(1.0),
        attributes: vec![None, Some("a note".into())],
    }];
    let out = write_data(
        Format::DataJson20,
        Vec::new(),
        &common::header(),
        &flow,
        DataOptions::default(),
        obs.clone(),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let attrs = &v["data"]["structures"][0]["attributes"]["observation"];
    assert_eq!(attrs[0]["id"], "OBS_NOTE");
    assert_eq!(attrs[1]["id"], "OBS_STATUS");
    assert!(attrs[1].get("values").is_none());
    assert_eq!(
        v["data"]["dataSets"][0]["series"]["0:0:0"]["observations"]["0"],
        serde_json::json!([1, 0])
    );
    // SDMX-JSON 1.0 leaves the valueless attribute out (sdmx1 would drop it and shift
    // the indices of the others).
    let out = write_data(
        Format::DataJson10,
        Vec::new(),
        &common::header(),
        &flow,
        DataOptions::default(),
        obs,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["structure"]["attributes"]["observation"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// A writer whose content can be looked at while the data writer still owns it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn data_is_written_as_it_comes() {
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    for format in [
        Format::DataCsv20,
        Format::DataXmlStructureSpecific21,
        Format::DataJson20,
        Format::DataJson10,
    ] {
        let shared = Shared::default();
        let mut w = DataWriter::new(
            format,
            shared.clone(),
            &common::header(),
            &flow,
            DataOptions::default(),
        )
        .unwrap();
        let after_header = shared.0.borrow().len();
        assert!(after_header > 0, "{format:?}: header written at once");
        w.observation(&["004", "F", "_T"], "2015", Some(1.5), &[Some("A"), None])
            .unwrap();
        let after_one = shared.0.borrow().len();
        assert!(
            after_one > after_header,
            "{format:?}: the observation is out before the next one"
        );
        w.finish().unwrap();
        // CSV has no closing syntax; the others close their containers.
        assert!(shared.0.borrow().len() > after_one || format == Format::DataCsv20);
    }
}

/// key, time, value, attributes
type Row<'a> = (Vec<&'a str>, &'a str, Option<f64>, Vec<Option<&'a str>>);

fn write_err(observations: Vec<Row<'_>>) -> WriteError {
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    let mut last = None;
    for format in [
        Format::DataCsv20,
        Format::DataXmlStructureSpecific21,
        Format::DataJson20,
        Format::DataJson10,
    ] {
        let mut w = DataWriter::new(
            format,
            Vec::new(),
            &common::header(),
            &flow,
            DataOptions::default(),
        )
        .unwrap();
        let mut result = Ok(());
        for (key, time, value, attrs) in &observations {
            result = w.observation(key, time, *value, attrs);
            if result.is_err() {
                break;
            }
        }
        let e = result.expect_err("the stream is refused");
        if let Some(previous) = &last {
            assert_eq!(
                format!("{previous}"),
                e.to_string(),
                "every format fails the same way"
            );
        }
        last = Some(e.to_string());
        if format == Format::DataJson10 {
            return e;
        }
    }
    unreachable!()
}

#[test]
fn bad_observation_streams_are_refused() {
    let ok = |t: &'static str| (vec!["004", "F", "_T"], t, Some(1.0), vec![None, None]);
    let e = write_err(vec![(vec!["004", "F"], "2020", None, vec![None, None])]);
    assert_eq!(
        e.to_string(),
        "a series key has 2 values but the structure has 3 dimensions"
    );
    let e = write_err(vec![(
        vec!["004", "X", "_T"],
        "2020",
        None,
        vec![None, None],
    )]);
    assert_eq!(
        e.to_string(),
        "`X` is not in codelist CL_SEX for dimension SEX"
    );
    let e = write_err(vec![(
        vec!["0 4", "F", "_T"],
        "2020",
        None,
        vec![None, None],
    )]);
    assert_eq!(
        e.to_string(),
        "`0 4` is not a valid value for dimension REF_AREA"
    );
    let e = write_err(vec![(vec!["004", "F", "_T"], "2020", None, vec![None])]);
    assert_eq!(
        e.to_string(),
        "an observation has 1 attribute values but the structure has 2 attributes"
    );
    let e = write_err(vec![(
        vec!["004", "F", "_T"],
        "2020",
        None,
        vec![Some("Z"), None],
    )]);
    assert_eq!(
        e.to_string(),
        "`Z` is not in codelist CL_OBS_STATUS for attribute OBS_STATUS"
    );
    let e = write_err(vec![(
        vec!["004", "F", "_T"],
        "2020",
        None,
        vec![None, Some("bell\u{7}")],
    )]);
    assert_eq!(
        e.to_string(),
        "the value of attribute OBS_NOTE contains a control character that XML cannot carry"
    );
    let e = write_err(vec![(
        vec!["004", "F", "_T"],
        "2020-13",
        None,
        vec![None, None],
    )]);
    assert_eq!(
        e.to_string(),
        "series 004.F._T, TIME_PERIOD: `2020-13` is not a time period: month must be 01 to 12"
    );
    let e = write_err(vec![ok("2020"), ok("2020")]);
    assert_eq!(
        e.to_string(),
        "series 004.F._T has two observations for 2020"
    );
    let e = write_err(vec![
        ok("2020"),
        (vec!["384", "F", "_T"], "2020", None, vec![None, None]),
        ok("2021"),
    ]);
    assert_eq!(
        e.to_string(),
        "series 004.F._T appears again after other series: observations must be sorted by series key"
    );
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    assert!(matches!(
        DataWriter::new(
            Format::StructureXml21,
            Vec::new(),
            &common::header(),
            &flow,
            DataOptions::default()
        ),
        Err(WriteError::NotADataFormat { .. })
    ));
}

#[test]
fn non_finite_values_are_missing() {
    let structures = common::structures();
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .unwrap();
    let mut w = DataWriter::new(
        Format::DataCsv20,
        Vec::new(),
        &common::header(),
        &flow,
        DataOptions::default(),
    )
    .unwrap();
    w.observation(
        &["004", "F", "_T"],
        "2019",
        Some(f64::NAN),
        &[None::<&str>, None],
    )
    .unwrap();
    w.observation(
        &["004", "F", "_T"],
        "2020",
        Some(f64::INFINITY),
        &[None::<&str>, Some("")],
    )
    .unwrap();
    w.observation(
        &["004", "F", "_T"],
        "2021",
        Some(-0.0),
        &[None::<&str>, None],
    )
    .unwrap();
    w.observation(
        &["004", "F", "_T"],
        "2022",
        Some(1e-7),
        &[None::<&str>, None],
    )
    .unwrap();
    let csv = String::from_utf8(w.finish().unwrap()).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(rows[0].ends_with(",2019,,,"), "{}", rows[0]);
    assert!(rows[1].ends_with(",2020,,,"), "{}", rows[1]);
    assert!(rows[2].ends_with(",2021,0,,"), "{}", rows[2]);
    assert!(rows[3].ends_with(",2022,0.0000001,,"), "{}", rows[3]);
}

#[test]
fn headers_are_validated() {
    let agency = Agency::marrakech();
    assert!(Header::new("REQ-1", "2024-05-17T10:00:00Z", &agency).is_ok());
    assert!(Header::new("REQ-1", "2024-05-17T10:00:00.250+02:00", &agency).is_ok());
    assert_eq!(
        Header::new("REQ 1", "2024-05-17T10:00:00Z", &agency),
        Err(HeaderError::Id("REQ 1".into()))
    );
    for bad in [
        "2024-05-17",
        "2024-05-17T10:00:00",
        "2024-05-17T10:00Z",
        "yesterday",
        "2024-02-30T10:00:00Z",
    ] {
        assert_eq!(
            Header::new("R", bad, &agency),
            Err(HeaderError::Prepared(bad.into())),
            "{bad}"
        );
    }
    let h = Header::new("R", "2024-05-17T10:00:00Z", &agency)
        .unwrap()
        .with_test(true);
    assert!(h.is_test());
}

#[test]
fn error_bodies_speak_the_negotiated_syntax() {
    let xml = error_body(Some(Format::StructureXml21), 404, "no dataflow <DF> & co");
    assert_eq!(xml.content_type, "application/xml; charset=utf-8");
    golden("error.xml", xml.body.as_bytes());
    let json = error_body(Some(Format::DataJson20), 400, "key \"x\" is bad");
    assert_eq!(json.content_type, "application/json");
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["errors"][0]["code"], 400);
    assert_eq!(v["errors"][0]["title"], "Bad syntax");
    assert_eq!(v["errors"][0]["detail"], "key \"x\" is bad");
    let text = error_body(None, 406, "nothing acceptable");
    assert_eq!(text.body, "406 Not acceptable: nothing acceptable\n");
    assert_eq!(
        error_body(Some(Format::DataCsv20), 501, "x").content_type,
        "text/plain; charset=utf-8"
    );
}
