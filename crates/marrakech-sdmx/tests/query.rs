//! REST query parsing and resolution against the fixture.

mod common;

use marrakech_sdmx::{
    parse_query_string, parse_request, DataDetail, DataQuery, ObservationDimension, Presentation,
    QueryError, References, Resource, SdmxRequest, Selection, StructureDetail, StructureQuery,
    Structures, VersionSelection,
};

fn s() -> Structures {
    common::structures()
}

fn parse(path: &str, query: &str) -> Result<SdmxRequest, QueryError> {
    let params = parse_query_string(query)?;
    parse_request(&s(), path, &params).map(|p| p.request)
}

fn structure(path: &str, query: &str) -> StructureQuery {
    match parse(path, query).unwrap() {
        SdmxRequest::Structure(q) => q,
        other => panic!("not a structure query: {other:?}"),
    }
}

fn data(path: &str, query: &str) -> DataQuery {
    match parse(path, query).unwrap() {
        SdmxRequest::Data(q) => q,
        other => panic!("not a data query: {other:?}"),
    }
}

fn err(path: &str, query: &str) -> QueryError {
    parse(path, query).unwrap_err()
}

/// (resource path, ids) of everything a structure query selects.
fn selected(path: &str, query: &str) -> Vec<(String, Presentation)> {
    let structures = s();
    let q = structure(path, query);
    let sel = structures.select(&q).unwrap();
    let mut out = Vec::new();
    out.extend(
        sel.dataflows
            .iter()
            .map(|x| (format!("dataflow {}", x.artefact.id()), x.presentation)),
    );
    out.extend(
        sel.data_structures
            .iter()
            .map(|x| (format!("datastructure {}", x.artefact.id()), x.presentation)),
    );
    out.extend(
        sel.codelists
            .iter()
            .map(|x| (format!("codelist {}", x.artefact.id()), x.presentation)),
    );
    out.extend(
        sel.concept_schemes
            .iter()
            .map(|x| (format!("conceptscheme {}", x.artefact.id()), x.presentation)),
    );
    out
}

fn names(v: &[(String, Presentation)]) -> Vec<&str> {
    v.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn structure_paths_accept_every_optional_part_and_wildcard() {
    for path in [
        "dataflow",
        "/dataflow",
        "dataflow/",
        "dataflow/MARRAKECH",
        "dataflow/all/all/latest",
        "dataflow/*/*/*",
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK/1.0",
        "dataflow/MARRAKECH+SDMX/DF_MIGRANT_STOCK+DF_OTHER/1.0+2.0",
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK/~",
    ] {
        assert_eq!(
            names(&selected(path, "")),
            ["dataflow DF_MIGRANT_STOCK"],
            "{path}"
        );
    }
    let q = structure("codelist/MARRAKECH/CL_SEX+CL_AGE/all/F+M", "");
    assert_eq!(q.resource, Resource::Codelist);
    assert_eq!(q.version, VersionSelection::All);
    assert!(matches!(&q.items, Selection::OneOf(items) if items.len() == 2));
    assert_eq!(structure("dataflow", "").references, References::None);
}

#[test]
fn dataflow_with_references_all_brings_its_dsd_codelists_and_concepts() {
    let all = selected(
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK/latest",
        "references=all",
    );
    assert_eq!(
        names(&all),
        [
            "dataflow DF_MIGRANT_STOCK",
            "datastructure DSD_MIGRANT_STOCK",
            "codelist CL_AREA",
            "codelist CL_SEX",
            "codelist CL_AGE",
            "codelist CL_OBS_STATUS",
            "conceptscheme CS_MIGRATION",
        ]
    );
    assert!(all.iter().all(|(_, p)| *p == Presentation::Full));
    assert_eq!(
        names(&selected(
            "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
            "references=descendants"
        )),
        names(&all)
    );
    assert_eq!(
        names(&selected(
            "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
            "references=children"
        )),
        [
            "dataflow DF_MIGRANT_STOCK",
            "datastructure DSD_MIGRANT_STOCK"
        ]
    );
    assert_eq!(
        names(&selected("dataflow", "references=none")),
        ["dataflow DF_MIGRANT_STOCK"]
    );
}

#[test]
fn references_walk_up_and_across() {
    assert_eq!(
        names(&selected("codelist/MARRAKECH/CL_SEX", "references=parents")),
        ["datastructure DSD_MIGRANT_STOCK", "codelist CL_SEX"]
    );
    let siblings = selected("codelist/MARRAKECH/CL_SEX", "references=parentsandsiblings");
    assert_eq!(siblings.len(), 6, "{siblings:?}");
    assert!(names(&siblings).contains(&"conceptscheme CS_MIGRATION"));
    assert!(!names(&siblings).contains(&"dataflow DF_MIGRANT_STOCK"));
    assert_eq!(
        names(&selected(
            "codelist/MARRAKECH/CL_SEX",
            "references=dataflow"
        )),
        ["dataflow DF_MIGRANT_STOCK", "codelist CL_SEX"]
    );
    assert_eq!(
        names(&selected(
            "datastructure/MARRAKECH/DSD_MIGRANT_STOCK",
            "references=dataflow"
        )),
        [
            "dataflow DF_MIGRANT_STOCK",
            "datastructure DSD_MIGRANT_STOCK"
        ]
    );
    assert_eq!(
        names(&selected(
            "dataflow/all/DF_MIGRANT_STOCK",
            "references=codelist"
        ))
        .len(),
        5
    );
}

#[test]
fn detail_chooses_stubs() {
    let stubs = selected(
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
        "references=all&detail=allstubs",
    );
    assert!(stubs.iter().all(|(_, p)| *p == Presentation::Stub));
    let refstubs = selected(
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
        "references=all&detail=referencestubs",
    );
    assert_eq!(refstubs[0].1, Presentation::Full);
    assert!(refstubs[1..].iter().all(|(_, p)| *p == Presentation::Stub));
    let complete = selected("dataflow", "detail=allcompletestubs");
    assert_eq!(complete[0].1, Presentation::CompleteStub);
    let partial = selected(
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK",
        "references=all&detail=referencepartial",
    );
    assert!(partial.iter().all(|(_, p)| *p == Presentation::Full));
    assert_eq!(
        structure("dataflow", "detail=referencecompletestubs").detail,
        StructureDetail::ReferenceCompleteStubs
    );
}

#[test]
fn item_queries_keep_the_named_items() {
    let structures = s();
    let q = structure("codelist/MARRAKECH/CL_AREA/1.0/004+999", "");
    let sel = structures.select(&q).unwrap();
    let codes: Vec<&str> = sel.codelists[0].codes().map(|c| c.id().as_str()).collect();
    assert_eq!(codes, ["004"]);
    // 001 is not written, so 004 is written without a parent.
    let afghanistan = sel.codelists[0].codes().next().unwrap();
    assert_eq!(afghanistan.parent().unwrap(), "001");
    assert_eq!(sel.codelists[0].written_parent(afghanistan), None);
}

#[test]
fn parameter_names_ignore_case() {
    let q = data(
        "data/DF_MIGRANT_STOCK",
        "STARTPERIOD=2020&dimensionatobservation=AllDimensions&Detail=dataonly",
    );
    assert!(q.time_range().start.is_some());
    assert_eq!(
        q.dimension_at_observation(),
        ObservationDimension::AllDimensions
    );
    assert_eq!(q.detail(), DataDetail::DataOnly);
}

#[test]
fn data_keys_select_values_per_dimension() {
    let q = data("data/DF_MIGRANT_STOCK/004+384.F.", "");
    assert_eq!(q.flow().to_string(), "MARRAKECH:DF_MIGRANT_STOCK(1.0)");
    assert_eq!(q.dimension_ids().len(), 3);
    let area: Vec<&String> = q.allowed_values(0).unwrap().iter().collect();
    assert_eq!(area, ["004", "384"]);
    assert_eq!(q.allowed_values_for("SEX").unwrap().len(), 1);
    assert!(q.allowed_values_for("AGE").is_none());
    assert!(q.allowed_values_for("NOPE").is_none());
    assert!(!q.selects_all_series());
    assert!(q.matches(&["004", "F", "_T"], "2020"));
    assert!(!q.matches(&["004", "M", "_T"], "2020"));
    assert!(
        !q.matches(&["004", "F"], "2020"),
        "a key of the wrong length never matches"
    );

    for path in [
        "data/DF_MIGRANT_STOCK",
        "data/DF_MIGRANT_STOCK/",
        "data/DF_MIGRANT_STOCK/all",
        "data/DF_MIGRANT_STOCK/..",
        "data/DF_MIGRANT_STOCK/../all",
        "data/DF_MIGRANT_STOCK/*.*.*",
        "data/DF_MIGRANT_STOCK/all/all",
        "data/DF_MIGRANT_STOCK/all/MARRAKECH",
        "data/DF_MIGRANT_STOCK/all/MARRAKECH,MARRAKECH",
        "data/MARRAKECH,DF_MIGRANT_STOCK",
        "data/MARRAKECH,DF_MIGRANT_STOCK,1.0",
        "data/all,DF_MIGRANT_STOCK,latest",
        "data/DF_MIGRANT_STOCK/%2A.%2A.%2A",
    ] {
        let q = data(path, "");
        assert!(q.selects_all_series(), "{path}");
        assert_eq!(q.detail(), DataDetail::Full);
        assert_eq!(q.dimension_at_observation(), ObservationDimension::Time);
    }
    // `+` may arrive percent-encoded.
    assert_eq!(
        data("data/DF_MIGRANT_STOCK/004%2B384..", "")
            .allowed_values(0)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        data("data/DF_MIGRANT_STOCK/004.F+M._T", "")
            .allowed_values(1)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn unknown_codes_among_known_ones_are_dropped_and_reported() {
    let q = data("data/DF_MIGRANT_STOCK/004+999..", "");
    assert_eq!(q.allowed_values(0).unwrap().len(), 1);
    assert_eq!(q.ignored_codes().len(), 1);
    assert_eq!(q.ignored_codes()[0].code, "999");
    assert_eq!(q.ignored_codes()[0].dimension, "REF_AREA");
}

#[test]
fn time_range_keeps_periods_inside() {
    let q = data(
        "data/DF_MIGRANT_STOCK",
        "startPeriod=2015-Q3&endPeriod=2020-05",
    );
    assert!(q.matches_time("2016"));
    assert!(q.matches_time("2015-07"));
    assert!(q.matches_time("2020-05-31"));
    assert!(!q.matches_time("2015"));
    assert!(!q.matches_time("2020"));
    assert!(!q.matches_time("not a period"));
    let open = data("data/DF_MIGRANT_STOCK", "");
    assert!(open.matches_time("anything goes without bounds"));
    let day = data(
        "data/DF_MIGRANT_STOCK",
        "endPeriod=2020-12-31T23:00:00%2B01:00",
    );
    assert!(day.matches_time("2020"));
}

fn check(e: QueryError, status: u16, message: &str) {
    assert_eq!(e.status(), status, "{e}");
    assert_eq!(e.to_string(), message);
}

#[test]
fn every_error_names_the_part_at_fault() {
    check(
        err("nonsense/x", ""),
        404,
        "`nonsense` is not an SDMX resource this service offers; try dataflow, datastructure, codelist, conceptscheme or data",
    );
    check(err("", ""), 404, "`` is not an SDMX resource this service offers; try dataflow, datastructure, codelist, conceptscheme or data");
    check(
        err("categoryscheme/all", ""),
        404,
        "no categoryscheme is published here (this service publishes dataflows, data structures, codelists and concept schemes)",
    );
    check(
        err("dataflow/A/B/1.0/x/y", ""),
        400,
        "the path has 5 parts after `dataflow`, at most 4 are allowed",
    );
    check(
        err("data/DF/a/b/c", ""),
        400,
        "the path has 4 parts after `data`, at most 3 are allowed",
    );
    check(err("dataflow//DF_X", ""), 400, "path part 2 is empty");
    check(
        err("dataflow/MARR%ZZ", ""),
        400,
        "path part `MARR%ZZ` has a bad percent-escape",
    );
    check(
        err("dataflow/1MARRAKECH", ""),
        400,
        "the agency id `1MARRAKECH` is not valid: `1MARRAKECH` is not an agency id: dot-separated parts, each starting with a letter and continuing with letters, digits, `_` or `-`",
    );
    check(
        err("dataflow/MARRAKECH/DF X", ""),
        400,
        "the resource id `DF X` is not valid: `DF X` is not an SDMX id: only A-Z, a-z, 0-9, `_`, `@`, `$` and `-` are allowed",
    );
    check(
        err("dataflow/MARRAKECH/DF_X/v1", ""),
        400,
        "the version `v1` is not valid: `v1` is not an SDMX version: digits separated by dots, like `1.0`",
    );
    check(
        err("codelist/MARRAKECH/CL_SEX/1.0/F.M", ""),
        400,
        "the item id `F.M` is not valid: `F.M` is not an SDMX id: only A-Z, a-z, 0-9, `_`, `@`, `$` and `-` are allowed",
    );
    check(
        err("dataflow/MARRAKECH/DF_MIGRANT_STOCK/1.0/F", ""),
        400,
        "item ids can only be given for codelists and concept schemes, not for dataflow",
    );
    check(
        err("dataflow", "references=cousins"),
        400,
        "`cousins` is not a valid value for `references`: expected none, parents, parentsandsiblings, children, descendants, all, or dataflow, datastructure, codelist, conceptscheme",
    );
    check(
        err("dataflow", "detail=some"),
        400,
        "`some` is not a valid value for `detail`: expected full, allstubs, referencestubs, allcompletestubs, referencecompletestubs or referencepartial",
    );
    check(
        err("dataflow", "startPeriod=2020"),
        400,
        "`startperiod` is not a parameter of SDMX structure queries",
    );
    check(
        err("dataflow", "detail=full&DETAIL=full"),
        400,
        "parameter `DETAIL` is given twice",
    );

    // Data queries.
    check(
        err("data", ""),
        400,
        "flowRef `` is not valid: expected ID, AGENCY,ID or AGENCY,ID,VERSION",
    );
    check(
        err("data/A,B,C,D", ""),
        400,
        "flowRef `A,B,C,D` is not valid: expected ID, AGENCY,ID or AGENCY,ID,VERSION",
    );
    check(
        err("data/MARRAKECH,DF_MIGRANT_STOCK,one", ""),
        400,
        "the flowRef version `one` is not valid: `one` is not an SDMX version: digits separated by dots, like `1.0`",
    );
    check(
        err("data/9AGENCY,DF_MIGRANT_STOCK", ""),
        400,
        "the flowRef agency `9AGENCY` is not valid: `9AGENCY` is not an agency id: dot-separated parts, each starting with a letter and continuing with letters, digits, `_` or `-`",
    );
    check(
        err("data/DF%20X", ""),
        400,
        "the flowRef dataflow id `DF X` is not valid: `DF X` is not an SDMX id: only A-Z, a-z, 0-9, `_`, `@`, `$` and `-` are allowed",
    );
    check(
        err("data/DF_NOPE", ""),
        404,
        "no dataflow DF_NOPE is published here",
    );
    check(
        err("data/MARRAKECH,DF_MIGRANT_STOCK,2.0", ""),
        404,
        "no dataflow MARRAKECH,DF_MIGRANT_STOCK,2.0 is published here",
    );
    check(
        err("data/OTHER,DF_MIGRANT_STOCK", ""),
        404,
        "no dataflow OTHER,DF_MIGRANT_STOCK is published here",
    );
    check(
        err("data/DF_MIGRANT_STOCK/004.F", ""),
        400,
        "key `004.F` has 2 values but DF_MIGRANT_STOCK has 3 dimensions: REF_AREA.SEX.AGE",
    );
    check(
        err("data/DF_MIGRANT_STOCK/004.F._T.X", ""),
        400,
        "key `004.F._T.X` has 4 values but DF_MIGRANT_STOCK has 3 dimensions: REF_AREA.SEX.AGE",
    );
    check(
        err("data/DF_MIGRANT_STOCK/004.F%20M.", ""),
        400,
        "`F M` in the key is not a valid value for dimension SEX: values are SDMX ids ([A-Za-z0-9_@$-]+), several joined by `+`",
    );
    check(
        err("data/DF_MIGRANT_STOCK/004.F++M.", ""),
        400,
        "`` in the key is not a valid value for dimension SEX: values are SDMX ids ([A-Za-z0-9_@$-]+), several joined by `+`",
    );
    check(
        err("data/DF_MIGRANT_STOCK/004.99.", ""),
        404,
        "`99` is not in codelist CL_SEX for dimension SEX",
    );
    check(
        err("data/DF_MIGRANT_STOCK/all/OTHER", ""),
        404,
        "no data provider `OTHER` publishes here; the only provider is MARRAKECH",
    );
    check(
        err("data/DF_MIGRANT_STOCK/all/OTHER,MARRAKECH", ""),
        404,
        "no data provider `OTHER,MARRAKECH` publishes here; the only provider is MARRAKECH",
    );
    check(
        err("data/DF_MIGRANT_STOCK/all/A,B,C", ""),
        400,
        "providerRef `A,B,C` is not valid: expected ID or AGENCY,ID",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "colour=blue"),
        400,
        "`colour` is not a parameter of SDMX data queries",
    );
    check(err("data/DF_MIGRANT_STOCK", "detail=most"), 400, "`most` is not a valid value for `detail`: expected full, dataonly, serieskeysonly or nodata");
    for unsupported in [
        "updatedAfter=2020-01-01T00:00:00Z",
        "firstNObservations=1",
        "lastNObservations=1",
        "includeHistory=true",
    ] {
        let e = err("data/DF_MIGRANT_STOCK", unsupported);
        assert!(
            matches!(e, QueryError::UnsupportedParameter { .. }),
            "{unsupported}"
        );
        assert_eq!(e.status(), 501);
    }
    check(
        err("data/DF_MIGRANT_STOCK", "lastNObservations=1"),
        501,
        "`lastnobservations` is an SDMX parameter this service does not implement",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "dimensionAtObservation=SEX"),
        501,
        "dimensionAtObservation=SEX is not supported: use TIME_PERIOD or AllDimensions",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "dimensionAtObservation=COLOUR"),
        400,
        "dimensionAtObservation: MARRAKECH:DF_MIGRANT_STOCK(1.0) has no dimension `COLOUR`",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "startPeriod=2020-Q5"),
        400,
        "startPeriod: `2020-Q5` is not a time period: quarter must be Q1 to Q4",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "endPeriod=yesterday"),
        400,
        "endPeriod: `yesterday` is not a time period: expected a year (2020), semester (2020-S1), quarter (2020-Q3), month (2020-05 or 2020-M05) or date (2020-05-17)",
    );
    check(
        err(
            "data/DF_MIGRANT_STOCK",
            "startPeriod=2021&endPeriod=2020-06",
        ),
        400,
        "startPeriod 2021 is after endPeriod 2020-06",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "startPeriod=%ZZ"),
        400,
        "the query string is malformed near `startPeriod=%ZZ`",
    );
    check(
        err("data/DF_MIGRANT_STOCK", "format=csv&format=json"),
        400,
        "parameter `format` is given twice",
    );

    // Structure queries that match nothing.
    let structures = s();
    let q = structure("codelist/MARRAKECH/CL_NONE/1.0", "");
    check(
        structures.select(&q).unwrap_err(),
        404,
        "no codelist matches codelist/MARRAKECH/CL_NONE/1.0",
    );
    let q = structure("codelist/MARRAKECH/CL_SEX/1.0/ZZ", "");
    check(
        structures.select(&q).unwrap_err(),
        404,
        "no codelist matches codelist/MARRAKECH/CL_SEX/1.0/ZZ",
    );
    let q = structure("dataflow/OTHER", "");
    check(
        structures.select(&q).unwrap_err(),
        404,
        "no dataflow matches dataflow/OTHER/*/latest",
    );
}

#[test]
fn the_format_parameter_is_passed_through() {
    let params = parse_query_string("format=csv&startPeriod=2020").unwrap();
    let parsed = parse_request(&s(), "data/DF_MIGRANT_STOCK", &params).unwrap();
    assert_eq!(parsed.format.as_deref(), Some("csv"));
    let parsed = parse_request(&s(), "dataflow", &[("format", "sdmx-json")]).unwrap();
    assert_eq!(parsed.format.as_deref(), Some("sdmx-json"));
}

#[test]
fn query_strings_decode_like_forms() {
    let p = parse_query_string("?a=1+2&b=%2B&c&=x").unwrap();
    assert_eq!(
        p,
        [
            ("a".to_owned(), "1 2".to_owned()),
            ("b".to_owned(), "+".to_owned()),
            ("c".to_owned(), String::new()),
            (String::new(), "x".to_owned()),
        ]
    );
    assert!(parse_query_string("").unwrap().is_empty());
}

#[test]
fn latest_picks_the_highest_version() {
    use marrakech_sdmx::{ArtefactRef, Dataflow};
    let mut structures = s();
    for v in ["1.10", "1.9"] {
        structures
            .add_dataflow(
                Dataflow::new(
                    ArtefactRef::new("MARRAKECH", "DF_MIGRANT_STOCK", v).unwrap(),
                    "Newer",
                    None,
                    common::r("DSD_MIGRANT_STOCK"),
                )
                .unwrap(),
            )
            .unwrap();
    }
    let q = match parse_request(
        &structures,
        "dataflow/MARRAKECH/DF_MIGRANT_STOCK/latest",
        &[] as &[(&str, &str)],
    )
    .unwrap()
    .request
    {
        SdmxRequest::Structure(q) => q,
        _ => unreachable!(),
    };
    let sel = structures.select(&q).unwrap();
    assert_eq!(sel.dataflows.len(), 1);
    assert_eq!(
        sel.dataflows[0].artefact.reference().version.as_str(),
        "1.10"
    );
    let all = StructureQuery {
        version: VersionSelection::All,
        ..q
    };
    assert_eq!(structures.select(&all).unwrap().dataflows.len(), 3);
    let data = match parse_request(&structures, "data/DF_MIGRANT_STOCK", &[] as &[(&str, &str)])
        .unwrap()
        .request
    {
        SdmxRequest::Data(d) => d,
        _ => unreachable!(),
    };
    assert_eq!(data.flow().version.as_str(), "1.10");
}
