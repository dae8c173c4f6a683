//! The evidence base through HTTP on both backends: small data sets with hand-computed
//! figures go in through the store's import, and the statistics API, the SDMX API, the
//! evidence pages (charts, tables, CSV of exactly what a chart shows) and the country
//! profile answer with those figures. Re-imports replace, newer releases sit beside older
//! ones, and an import that never finishes changes nothing.

mod common;

use common::{get, get_with, router};
use marrakech_core::countries::Reference;
use marrakech_evidence::corridor_averages::import_corridor_averages_csv;
use marrakech_evidence::ims::import_ims_csv;
use marrakech_evidence::mmp::import_mmp_csv;
use marrakech_evidence::sdg10c1;
use marrakech_store::statistics::{DatasetKind, ImportCounts, NewDataset, ObservationRow};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditContext};
use marrakech_web::evidence::rows;
use serde_json::Value;

/// Table 1's layout: Mexico hosts migrants from the United States and Guatemala; the United
/// States hosts migrants from Mexico. Every figure below is a sum of these rows.
const IMS: &str = "\
Index,\"Region, development group, country or area of destination\",Coverage,Data type,Location code of destination,\"Region, development group, country or area of origin\",Location code of origin,1990_total,1995_total,2000_total,2005_total,2010_total,2015_total,2020_total,2024_total,1990_males,1995_males,2000_males,2005_males,2010_males,2015_males,2020_males,2024_males,1990_females,1995_females,2000_females,2005_females,2010_females,2015_females,2020_females,2024_females
1,Mexico,,B R,484,United States of America,840,100,110,120,130,140,150,160,170,60,66,72,78,84,90,96,102,40,44,48,52,56,60,64,68
2,Mexico,,B R,484,Guatemala,320,10,20,30,40,50,60,70,80,5,10,15,20,25,30,35,40,5,10,15,20,25,30,35,40
3,United States of America,,B,840,Mexico,484,1000,2000,3000,4000,5000,6000,7000,8000,600,1200,1800,2400,3000,3600,4200,4800,400,800,1200,1600,2000,2400,2800,3200
";

/// The legacy Missing Migrants layout, four incidents.
const MMP: &str = "\
\"Web ID\",\"Region of Incident\",\"Reported Date\",\"Reported Year\",\"Reported Month\",\"Number Dead\",\"Minimum Estimated Number of Missing\",\"Total Dead and Missing\",\"Number of Survivors\",\"Number of Females\",\"Number of Males\",\"Number of Children\",\"Cause of Death\",\"Location Description\",\"Information Source\",\"Location Coordinates\",\"Migration Route\",\"URL\",\"UNSD Geographical Grouping\",\"Source Quality\"
\"1\",\"Central America\",\"March 02, 2015\",\"2015\",\"Mar\",\"2\",\"1\",\"3\",\"\",\"\",\"\",\"\",\"Vehicle accident\",\"Chiapas, Mexico\",\"Press\",\"16.75, -93.11\",\"Central America to US\",\"\",\"Central America\",\"3\"
\"2\",\"Mediterranean\",\"May 10, 2015\",\"2015\",\"May\",\"10\",\"20\",\"30\",\"5\",\"\",\"\",\"\",\"Drowning\",\"Off Libya\",\"IOM\",\"33.1, 13.2\",\"Central Mediterranean\",\"\",\"Uncategorized\",\"4\"
\"3\",\"Central America\",\"June 01, 2016\",\"2016\",\"Jun\",\"4\",\"\",\"4\",\"\",\"\",\"\",\"\",\"Violence\",\"Tapachula, Mexico\",\"Press\",\"14.9, -92.26\",\"Central America to US\",\"\",\"Central America\",\"2\"
\"4\",\"North Africa\",\"July 01, 2016\",\"2016\",\"Jul\",\"1\",\"\",\"1\",\"\",\"\",\"\",\"\",\"Sickness\",\"Sabha, Libya\",\"IOM\",\"27.03, 14.43\",\"\",\"\",\"Northern Africa\",\"3\"
";

/// DataBank's wide export: two corridors, four quarters.
const CORRIDORS: &str = "\
Sending Countries Name,Sending Countries Code,Series Name,Series Code,Receiving Countries  Name,Receiving Countries  Code,2015Q1 [YR2015Q1],2015Q3 [YR2015Q3],2016Q1 [YR2016Q1],2020Q3 [YR2020Q3]
United States,USA,Average Total Cost to remit in corridor,ATCR.CORR,Mexico,MEX,6,5,4.5,4
United Kingdom,GBR,Average Total Cost to remit in corridor,ATCR.CORR,Nigeria,NGA,8,9,..,7.5
";

fn dataset(kind: DatasetKind, title: &str) -> NewDataset {
    NewDataset {
        kind,
        title: title.to_owned(),
        source: "Test source".to_owned(),
        licence: "CC BY 4.0".to_owned(),
        url: None,
        attribution: format!("Source: test fixture for {title} (CC BY 4.0)."),
        file_name: "fixture.csv".to_owned(),
        file_sha256: format!("{:064}", title.len()),
        structure: None,
        bundled: false,
    }
}

async fn load_observations(
    store: &TestStore,
    kind: DatasetKind,
    release: &str,
    rows: &[ObservationRow],
) {
    let mut import = store
        .begin_dataset_import(&dataset(kind, &format!("{} {release}", kind.slug())))
        .await
        .unwrap();
    import.observations(rows).await.unwrap();
    let n = rows.len() as u64;
    import
        .finish(
            &AuditContext::system(),
            release,
            ImportCounts {
                rows_read: n,
                records: n,
                rejected: 0,
            },
        )
        .await
        .unwrap();
}

fn ims_rows(text: &str) -> Vec<ObservationRow> {
    let import = import_ims_csv(text.as_bytes(), Reference::official()).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    import.records.iter().map(rows::stock_row).collect()
}

async fn load_ims(store: &TestStore, release: &str, text: &str) {
    load_observations(store, DatasetKind::Ims, release, &ims_rows(text)).await;
}

async fn load_mmp(store: &TestStore) {
    let import = import_mmp_csv(MMP.as_bytes()).unwrap();
    assert_eq!(import.records.len(), 4, "{:?}", import.rejected);
    let rows: Vec<_> = import.records.iter().map(rows::incident_row).collect();
    let mut tx = store
        .begin_dataset_import(&dataset(DatasetKind::Mmp, "missing"))
        .await
        .unwrap();
    tx.incidents(&rows).await.unwrap();
    tx.finish(
        &AuditContext::system(),
        "2020-01-08",
        ImportCounts {
            rows_read: 4,
            records: 4,
            rejected: 0,
        },
    )
    .await
    .unwrap();
}

async fn load_corridors(store: &TestStore) {
    let import = import_corridor_averages_csv(CORRIDORS.as_bytes()).unwrap();
    let rows: Vec<_> = import
        .records
        .iter()
        .flat_map(rows::corridor_rows)
        .collect();
    load_observations(store, DatasetKind::RpwCorridors, "2020-Q3", &rows).await;
}

fn year_row(profile: &Value, year: u64) -> &Value {
    profile["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == year)
        .unwrap_or_else(|| panic!("no {year} in {profile}"))
}

async fn migrant_stock_figures_are_the_sums_of_the_rows(store: &TestStore) {
    load_ims(store, "2024", IMS).await;
    let app = router(store);

    let world = get(&app, "/api/v1/statistics/migrant-stock").await;
    assert_eq!(world.status, 200, "{}", world.body);
    let world = world.json();
    assert_eq!(year_row(&world, 1990)["total"], 1110.0);
    assert_eq!(year_row(&world, 2024)["total"], 8250.0);
    assert_eq!(year_row(&world, 2024)["males"], 4942.0);
    assert_eq!(year_row(&world, 2024)["females"], 3308.0);

    let mexico = get(
        &app,
        "/api/v1/statistics/migrant-stock?area=MEX&direction=immigrants",
    )
    .await
    .json();
    assert_eq!(mexico["area"]["name"], "Mexico");
    assert_eq!(year_row(&mexico, 2024)["total"], 250.0);
    assert_eq!(year_row(&mexico, 2024)["females"], 108.0);
    // 108 / 250 women, in per cent.
    assert!((year_row(&mexico, 2024)["share_female"].as_f64().unwrap() - 43.2).abs() < 1e-9);
    assert_eq!(mexico["change"]["absolute"], 250.0 - 110.0);
    assert_eq!(mexico["top"][0]["place"]["code"], "840");
    assert_eq!(mexico["top"][1]["place"]["code"], "320");
    assert!((mexico["top"][0]["share"].as_f64().unwrap() - 68.0).abs() < 1e-9);

    let emigrants = get(
        &app,
        "/api/v1/statistics/migrant-stock?area=484&direction=emigrants",
    )
    .await
    .json();
    assert_eq!(year_row(&emigrants, 2020)["total"], 7000.0);
    assert_eq!(
        emigrants["top"][0]["place"]["name"],
        "United States of America"
    );

    // The Americas (M49 019) hold all three rows.
    let americas = get(&app, "/api/v1/statistics/migrant-stock?area=019")
        .await
        .json();
    assert_eq!(year_row(&americas, 2024)["total"], 8250.0);

    let csv = get(&app, "/api/v1/statistics/migrant-stock?area=MEX&format=csv")
        .await
        .body;
    assert!(
        csv.contains("484,Mexico,immigrants,2024,250,142,108"),
        "{csv}"
    );

    let map = get(
        &app,
        "/api/v1/statistics/migrant-stock/map?year=2024&format=csv",
    )
    .await
    .body;
    let lines: Vec<&str> = map.lines().collect();
    assert_eq!(lines.len(), 3, "{map}");
    assert!(
        lines[1].starts_with("840,United States of America,2024,8000,3200,40,"),
        "{map}"
    );
    assert!(
        lines[2].starts_with("484,Mexico,2024,250,108,43.2,"),
        "{map}"
    );
    assert_eq!(
        get(&app, "/api/v1/statistics/migrant-stock/map?year=1999")
            .await
            .status,
        400
    );

    let corridor = get(
        &app,
        "/api/v1/statistics/migrant-stock/corridor?origin=GTM&destination=MEX",
    )
    .await
    .json();
    assert_eq!(year_row(&corridor, 2005)["total"], 40.0);
    assert_eq!(year_row(&corridor, 2005)["males"], 20.0);

    // Observations, filtered by dimension and paged.
    let filtered = get(
        &app,
        "/api/v1/statistics/datasets/ims-2024/observations?ref_area=484&time_period=2024&sex=F&limit=1",
    )
    .await
    .json();
    assert_eq!(filtered["total"], 2, "{filtered}");
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["items"][0]["counterpart_area"], "320");
    assert_eq!(filtered["items"][0]["value"], 40.0);
    let cursor = filtered["next_cursor"].as_str().unwrap().to_owned();
    let next = get(
        &app,
        &format!("/api/v1/statistics/datasets/ims-2024/observations?ref_area=484&time_period=2024&sex=F&limit=1&cursor={cursor}"),
    )
    .await
    .json();
    assert_eq!(next["items"][0]["counterpart_area"], "840");
    assert_eq!(next["items"][0]["value"], 68.0);
    assert!(next["next_cursor"].is_null());
    assert_eq!(
        get(&app, "/api/v1/statistics/datasets/ims-1900/observations")
            .await
            .status,
        404
    );

    // Bad input names the parameter.
    let bad = get(&app, "/api/v1/statistics/migrant-stock?area=Atlantis").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["field"], "area");
    let bad = get(&app, "/api/v1/statistics/migrant-stock?direction=sideways").await;
    assert_eq!(bad.json()["error"]["field"], "direction");

    // The page: a map with its table and the CSV of exactly that map.
    let page = get(
        &app,
        "/evidence/migrant-stock?year=2024&origin=GTM&destination=MEX",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "no chart");
    assert!(page.body.contains("Data table"));
    assert!(page.body.contains("Born in Guatemala, living in Mexico"));
    assert!(page.body.contains("Source: test fixture for ims 2024"));
    let csv = get(
        &app,
        "/evidence/migrant-stock?year=2024&measure=immigrants&csv=stock-map",
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body.contains("Mexico") && csv.body.contains("250"),
        "{}",
        csv.body
    );
    assert!(
        !csv.body.contains("Guatemala,"),
        "Guatemala has no immigrants here: {}",
        csv.body
    );
    let corridor_csv = get(
        &app,
        "/evidence/migrant-stock?year=2024&origin=GTM&destination=MEX&csv=corridor",
    )
    .await
    .body;
    assert!(corridor_csv.contains("2005,40,20,20"), "{corridor_csv}");
    assert_eq!(
        get(&app, "/evidence/migrant-stock?csv=nothing-here")
            .await
            .status,
        400
    );

    // The country profile.
    let profile = get(&app, "/countries/MEX").await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains("Migration profile"));
    assert!(profile
        .body
        .contains("International migrants living in Mexico, by sex"));
    assert!(profile
        .body
        .contains("Migrants born in Mexico living abroad, by sex"));
    let trend = get(&app, "/countries/MEX?csv=immigrants").await.body;
    assert!(trend.contains("2024,250,108,142"), "{trend}");
}

async fn releases_replace_sit_beside_and_survive_interruption(store: &TestStore) {
    load_ims(store, "2024", IMS).await;
    load_ims(store, "2024", IMS).await;
    let app = router(store);
    let datasets = get(&app, "/api/v1/statistics/datasets").await.json();
    assert_eq!(
        datasets["total"], 1,
        "a re-import replaces its release: {datasets}"
    );
    assert_eq!(datasets["items"][0]["key"], "ims-2024");
    assert_eq!(datasets["items"][0]["records"], 72);
    assert_eq!(
        datasets["items"][0]["attribution"],
        "Source: test fixture for ims 2024 (CC BY 4.0)."
    );

    // An import that is dropped before it finishes leaves the release as it was.
    {
        let changed = IMS.replace(",170,", ",999999,");
        let mut import = store
            .begin_dataset_import(&dataset(DatasetKind::Ims, "ims interrupted"))
            .await
            .unwrap();
        import.observations(&ims_rows(&changed)).await.unwrap();
        drop(import);
    }
    let mexico = get(&app, "/api/v1/statistics/migrant-stock?area=MEX")
        .await
        .json();
    assert_eq!(year_row(&mexico, 2024)["total"], 250.0);

    // An older release is kept beside the newer; figures come from the newest.
    let older = IMS.replace(",170,", ",1170,");
    load_ims(store, "2019", &older).await;
    let datasets = get(&app, "/api/v1/statistics/datasets?format=csv")
        .await
        .body;
    assert!(
        datasets.contains("ims-2024") && datasets.contains("ims-2019"),
        "{datasets}"
    );
    let mexico = get(&app, "/api/v1/statistics/migrant-stock?area=MEX")
        .await
        .json();
    assert_eq!(year_row(&mexico, 2024)["total"], 250.0);
    assert_eq!(
        get(&app, "/api/v1/statistics/datasets/ims-2019")
            .await
            .json()["release"],
        "2019"
    );
}

async fn missing_migrants_by_year_route_and_place(store: &TestStore) {
    load_mmp(store).await;
    let app = router(store);
    let by_year = get(&app, "/api/v1/statistics/missing-migrants")
        .await
        .json();
    assert_eq!(by_year["rows"][0]["key"], "2015");
    assert_eq!(by_year["rows"][0]["dead_and_missing"], 33);
    assert_eq!(by_year["rows"][0]["dead"], 12);
    assert_eq!(by_year["rows"][1]["dead_and_missing"], 5);
    assert_eq!(by_year["overall"]["incidents"], 4);
    assert_eq!(by_year["overall"]["dead_and_missing"], 38);

    let routes = get(
        &app,
        "/api/v1/statistics/missing-migrants?by=route&format=csv",
    )
    .await
    .body;
    assert_eq!(
        routes.lines().collect::<Vec<_>>(),
        [
            "route,incidents,dead,missing,dead_and_missing",
            "Central Mediterranean,1,10,20,30",
            "Central America to US,2,6,1,7",
            "Unknown,1,1,0,1",
        ]
    );
    let filtered = get(
        &app,
        "/api/v1/statistics/missing-migrants?by=cause&year=2016&grouping=Central+America",
    )
    .await
    .json();
    assert_eq!(filtered["rows"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["rows"][0]["key"], "Violence");
    let incidents = get(
        &app,
        "/api/v1/statistics/missing-migrants/incidents?year=2015",
    )
    .await
    .json();
    assert_eq!(incidents["total"], 2);
    assert_eq!(
        get(&app, "/api/v1/statistics/missing-migrants?by=colour")
            .await
            .json()["error"]["field"],
        "by"
    );

    let page = get(&app, "/evidence/missing-migrants").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("38 people are recorded dead or missing"),
        "headline total"
    );
    assert!(
        page.body.matches("<svg").count() >= 4,
        "trend, route, cause, region and map"
    );
    let map_csv = get(&app, "/evidence/missing-migrants?csv=incidents-map").await;
    assert_eq!(map_csv.status, 200);
    assert!(map_csv.body.lines().count() >= 2, "{}", map_csv.body);

    // Mexico is in Central America: its profile counts the two incidents there.
    let profile = get(&app, "/countries/MEX").await.body;
    assert!(profile.contains("Dead and missing migrants in Central America, by year"));
    let csv = get(&app, "/countries/MEX?csv=missing").await.body;
    assert!(
        csv.contains("2015,2,1,3") && csv.contains("2016,4,0,4"),
        "{csv}"
    );
}

async fn remittance_costs_from_corridor_averages_then_provider_rows(store: &TestStore) {
    let app = router(store);
    let none = get(&app, "/evidence/remittance-costs").await;
    assert_eq!(none.status, 200);
    assert!(none.body.contains("No remittance-cost data is loaded"));

    load_corridors(store).await;
    let costs = get(&app, "/api/v1/statistics/remittance-costs")
        .await
        .json();
    assert_eq!(costs["basis"], "corridor-averages");
    let quarters = costs["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 4);
    // 2015-Q1: 6 and 8, both above 5; 2016-Q1: only USA-MEX (4.5).
    assert_eq!(quarters[0]["quarter"], "2015-Q1");
    assert_eq!(quarters[0]["corridor_mean"], 7.0);
    assert_eq!(quarters[0]["corridors_above_5"], 2);
    assert_eq!(quarters[2]["corridors"], 1);
    assert_eq!(quarters[2]["corridors_above_5"], 0);
    assert!(
        quarters[0]["global_average"].is_null(),
        "no services to average"
    );

    // USA-MEX: 2015 mean 5.5 at 2015-Q4, falling 0.5/60 a quarter to 5 at 2030-Q4; at
    // 2020-Q3 (19 quarters on) the path stands at 5.5 - 19 * 0.5 / 60, above the 4 observed.
    let detail = get(
        &app,
        "/api/v1/statistics/remittance-costs/corridors?from=USA&to=MEX",
    )
    .await
    .json();
    assert_eq!(detail["summary"]["baseline"], 5.5);
    assert_eq!(detail["summary"]["status"], "on-track");
    let path = detail["summary"]["path_at_latest"].as_f64().unwrap();
    assert!((path - (5.5 - 19.0 * 0.5 / 60.0)).abs() < 1e-9, "{path}");
    let nigeria = get(
        &app,
        "/api/v1/statistics/remittance-costs/corridors?from=GBR&to=NGA",
    )
    .await
    .json();
    assert_eq!(nigeria["summary"]["status"], "off-track");
    assert_eq!(nigeria["summary"]["above_5"], true);
    let above = get(
        &app,
        "/api/v1/statistics/remittance-costs/corridors?above_5=true&format=csv",
    )
    .await
    .body;
    assert_eq!(above.lines().count(), 2, "{above}");
    assert!(
        above.contains(
            "GBR,United Kingdom,NGA,Nigeria,2020-Q3,7.5,true,2015-Q4,8.5,7.391667,off-track"
        ),
        "{above}"
    );
    assert_eq!(
        get(
            &app,
            "/api/v1/statistics/remittance-costs/corridors?from=FRA&to=MEX"
        )
        .await
        .status,
        404
    );

    let no_providers = get(
        &app,
        "/api/v1/statistics/remittance-costs/providers?from=USA&to=MEX",
    )
    .await
    .json();
    assert!(no_providers["providers"].as_array().unwrap().is_empty());
    assert!(no_providers["note"]
        .as_str()
        .unwrap()
        .contains("No provider-level"));

    let listed = get(&app, "/evidence/remittance-costs?sort=corridor")
        .await
        .body;
    assert!(
        listed.contains("1–1 of 1 corridors, by corridor"),
        "the one corridor above 5 % in 2020-Q3"
    );
    assert!(listed.contains("United Kingdom to Nigeria"));
    let past = get(&app, "/evidence/remittance-costs?page=2").await;
    assert_eq!(past.status, 400);
    let page = get(&app, "/evidence/remittance-costs?from=GBR&to=NGA").await;
    assert!(
        page.body.contains("above 5 %; off track"),
        "corridor status in words"
    );
    let chart_csv = get(
        &app,
        "/evidence/remittance-costs?from=GBR&to=NGA&amount=200&csv=corridor-cost",
    )
    .await
    .body;
    assert!(chart_csv.contains("2015-Q1,8"), "{chart_csv}");

    // Provider-level rows take over, and services are ranked cheapest first.
    let records = marrakech_evidence::generate::rpw_records(3_000, 11);
    let rows: Vec<_> = records.iter().map(rows::price_row).collect();
    let mut import = store
        .begin_dataset_import(&dataset(DatasetKind::Rpw, "rpw"))
        .await
        .unwrap();
    import.prices(&rows).await.unwrap();
    import
        .finish(
            &AuditContext::system(),
            "generated",
            ImportCounts {
                rows_read: 3_000,
                records: 3_000,
                rejected: 0,
            },
        )
        .await
        .unwrap();
    let expected = sdg10c1::compute(&records, &sdg10c1::Options::new(Reference::official()));
    let costs = get(&app, "/api/v1/statistics/remittance-costs")
        .await
        .json();
    assert_eq!(costs["basis"], "provider-level");
    let served = costs["quarters"].as_array().unwrap();
    assert_eq!(served.len(), expected.len());
    for (s, e) in served.iter().zip(&expected) {
        assert_eq!(s["quarter"], e.quarter.sdmx());
        let ga = s["global_average"].as_f64().unwrap();
        assert!(
            (ga - e.global_average.unwrap()).abs() < 1e-9,
            "{} {ga}",
            e.quarter
        );
        assert_eq!(s["services"], e.services);
        assert_eq!(s["corridors_above_5"], e.corridors_above_5);
    }
    let corridor = records[0].corridor;
    let ranked = get(
        &app,
        &format!(
            "/api/v1/statistics/remittance-costs/providers?from={}&to={}&amount=500",
            corridor.source.as_str(),
            corridor.destination.as_str()
        ),
    )
    .await
    .json();
    let quarter = ranked["quarter"].as_str().unwrap().to_owned();
    let services = records
        .iter()
        .filter(|r| r.corridor == corridor && r.period.sdmx() == quarter)
        .count();
    let listed = ranked["providers"].as_array().unwrap();
    assert_eq!(listed.len(), services);
    let totals: Vec<f64> = listed
        .iter()
        .filter_map(|p| p["usd500_total"].as_f64())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] <= w[1]),
        "cheapest first: {totals:?}"
    );
}

async fn sdmx_answers_structures_and_data(store: &TestStore) {
    load_ims(store, "2024", IMS).await;
    let app = router(store);
    let flows = get_with(
        &app,
        "/sdmx/rest/dataflow",
        "application/vnd.sdmx.structure+json;version=2.0.0",
    )
    .await;
    assert_eq!(flows.status, 200, "{}", flows.body);
    assert!(flows.body.contains("DF_MIGRANT_STOCK"));
    let data = get_with(
        &app,
        "/sdmx/rest/data/DF_MIGRANT_STOCK/484.840.F?startPeriod=2020",
        "application/vnd.sdmx.data+csv;version=2.0.0",
    )
    .await;
    assert_eq!(data.status, 200, "{}", data.body);
    let lines: Vec<&str> = data.body.lines().collect();
    assert_eq!(lines.len(), 3, "2020 and 2024: {}", data.body);
    assert!(lines[2].contains(",484,840,F,2024,68,"), "{}", data.body);
    assert_eq!(
        get(&app, "/sdmx/rest/data/DF_MIGRANT_STOCK/484")
            .await
            .status,
        400
    );
    assert_eq!(
        get(&app, "/sdmx/rest/data/DF_NOTHING/all").await.status,
        404
    );
}

backend_tests!(
    migrant_stock_figures_are_the_sums_of_the_rows,
    releases_replace_sit_beside_and_survive_interruption,
    missing_migrants_by_year_route_and_place,
    remittance_costs_from_corridor_averages_then_provider_rows,
    sdmx_answers_structures_and_data,
);
