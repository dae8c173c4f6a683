//! The JSON API, on SQLite and (when configured) PostgreSQL.

mod common;

use common::{get, get_with, router};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, Backend};
use serde_json::Value;

fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| texts(v, out)),
        Value::Object(o) => o.values().for_each(|v| texts(v, out)),
        _ => {}
    }
}

async fn objectives_carry_187_clean_actions(store: &TestStore) {
    let app = router(store);
    let answer = get(&app, "/api/v1/objectives").await;
    assert_eq!(answer.status, 200);
    assert!(answer
        .header("content-type")
        .starts_with("application/json"));
    let body = answer.json();
    let objectives = body["items"].as_array().unwrap();
    assert_eq!(objectives.len(), 23);
    assert_eq!(body["total"], 23);
    let actions: usize = objectives
        .iter()
        .map(|o| o["actions"].as_array().unwrap().len())
        .sum();
    assert_eq!(actions, 187);
    let twenty = &objectives[19];
    assert_eq!(twenty["id"], "obj-20");
    assert_eq!(twenty["paragraph"], "para-36");
    assert_eq!(twenty["actions"][0]["id"], "obj-20-a");
    assert!(twenty["actions"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Develop a road map to reduce the transaction costs of migrant remittances to less than 3 per cent"));
    let mut all = Vec::new();
    texts(&body, &mut all);
    for text in all {
        assert!(
            !text.contains(['*', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '⁰'])
                && !text.contains("]("),
            "markup or footnote marker in {text}"
        );
    }
}

async fn one_objective_and_one_action(store: &TestStore) {
    let app = router(store);
    let obj = get(&app, "/api/v1/objectives/obj-10").await.json();
    assert_eq!(
        obj["title"],
        "Prevent, combat and eradicate trafficking in persons in the context of international migration"
    );
    assert_eq!(obj["actions"].as_array().unwrap().len(), 10);
    let action = get(&app, "/api/v1/actions/obj-2-h").await.json();
    assert_eq!(
        action["heading"],
        "Natural disasters, the adverse effects of climate change, and environmental degradation"
    );
    assert_eq!(action["objective"], "obj-2");
    assert_eq!(action["href"], "/actions/obj-2-h");
    let all = get(&app, "/api/v1/actions").await.json();
    assert_eq!(all["total"], 187);
}

async fn paragraph_43_with_its_sub_items(store: &TestStore) {
    let app = router(store);
    let p = get(&app, "/api/v1/paragraphs/para-43").await;
    assert_eq!(p.status, 200);
    let p = p.json();
    assert_eq!(p["number"], 43);
    assert_eq!(p["section"], "implementation");
    let items = p["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["a", "b", "c"]);
    let romans: Vec<&str> = items[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        romans,
        [
            "para-43-a-i",
            "para-43-a-ii",
            "para-43-a-iii",
            "para-43-a-iv",
            "para-43-a-v"
        ]
    );
    let item = get(&app, "/api/v1/paragraphs/para-43-c-i").await.json();
    assert_eq!(item["paragraph"], "para-43");
    assert_eq!(
        item["text"],
        "Serving as a repository of existing evidence, practices and initiatives;"
    );
    let res = get(&app, "/api/v1/paragraphs/res-2").await.json();
    assert_eq!(res["part"], "resolution");
    let list = get(&app, "/api/v1/paragraphs").await.json();
    assert_eq!(list["total"], 56);
    let section = get(&app, "/api/v1/paragraphs?section=follow-up-and-review")
        .await
        .json();
    let numbers: Vec<u64> = section["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (48..=54).collect::<Vec<_>>());
}

async fn unknown_ids_get_404s_that_name_them(store: &TestStore) {
    let app = router(store);
    for (uri, id) in [
        ("/api/v1/objectives/obj-24", "obj-24"),
        ("/api/v1/objectives/20", "20"),
        ("/api/v1/actions/obj-1-z", "obj-1-z"),
        ("/api/v1/paragraphs/para-55", "para-55"),
        ("/api/v1/paragraphs/para-43-d", "para-43-d"),
        ("/api/v1/countries/XYZ", "XYZ"),
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 404, "{uri}");
        let error = &answer.json()["error"];
        assert_eq!(error["code"], "not_found");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{id}`")),
            "{uri}: {error}"
        );
    }
}

async fn malformed_parameters_get_400s_that_name_them(store: &TestStore) {
    let app = router(store);
    for (uri, field) in [
        ("/api/v1/countries?member_state=maybe", "member_state"),
        ("/api/v1/countries?commission=XYZ", "commission"),
        ("/api/v1/countries?region=abc", "region"),
        ("/api/v1/countries?region=999", "region"),
        ("/api/v1/countries?limit=0", "limit"),
        ("/api/v1/countries?limit=251", "limit"),
        ("/api/v1/countries?cursor=garbage", "cursor"),
        ("/api/v1/countries?sort=population", "sort"),
        ("/api/v1/countries?colour=red", "colour"),
        ("/api/v1/countries?limit=1&limit=2", "limit"),
        ("/api/v1/objectives?format=xml", "format"),
        ("/api/v1/calendar?from=2030&to=2020", "to"),
        ("/api/v1/calendar?from=twenty", "from"),
        ("/api/v1/paragraphs?section=annex", "section"),
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 400, "{uri}: {}", answer.body);
        assert_eq!(answer.json()["error"]["field"], field, "{uri}");
        assert_eq!(answer.json()["error"]["code"], "invalid_parameter");
    }
}

async fn countries_page_by_cursor_filter_and_sort(store: &TestStore) {
    let app = router(store);
    let mut uri = "/api/v1/countries?limit=100&sort=-m49".to_owned();
    let mut seen = Vec::new();
    loop {
        let page = get(&app, &uri).await.json();
        assert_eq!(page["total"], 249);
        assert_eq!(page["limit"], 100);
        for c in page["items"].as_array().unwrap() {
            seen.push(c["m49"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/api/v1/countries?limit=100&sort=-m49&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 249);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        seen, sorted,
        "pages follow the sort without gaps or repeats"
    );

    let escwa = get(
        &app,
        "/api/v1/countries?commission=escwa&member_state=false",
    )
    .await
    .json();
    assert_eq!(escwa["total"], 1);
    assert_eq!(escwa["items"][0]["name"], "State of Palestine");
    let central_america = get(&app, "/api/v1/countries?region=013&sort=name")
        .await
        .json();
    let names: Vec<&str> = central_america["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"Belize"));
    assert_eq!(names.len(), 8);
    for code in ["484", "MEX", "mx"] {
        let mexico = get(&app, &format!("/api/v1/countries/{code}")).await.json();
        assert_eq!(mexico["iso3"], "MEX");
        assert_eq!(mexico["commissions"][0]["commission"], "ECLAC");
    }
    let regions = get(&app, "/api/v1/regions").await.json();
    assert!(regions["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "Sub-Saharan Africa"));
}

async fn every_list_downloads_as_csv(store: &TestStore) {
    let app = router(store);
    for (uri, header, rows) in [
        ("/api/v1/principles", "id,letter,name,text", 10),
        (
            "/api/v1/objectives",
            "id,number,label,title,paragraph,commitment,actions",
            23,
        ),
        ("/api/v1/actions", "id,objective,letter,heading,text", 187),
        ("/api/v1/footnotes", "number,text,cited_in", 22),
        (
            "/api/v1/countries?member_state=true",
            "m49,iso2,iso3,name,iso_name,region_code",
            193,
        ),
        ("/api/v1/regions", "code,name,level,parent", 0),
        (
            "/api/v1/calendar?from=2019&to=2022",
            "year,kind,edition,title,cites",
            4 + 2 + 1 + 1,
        ),
        (
            "/api/v1/paragraphs",
            "id,paragraph,label,section,subsection_or_heading,text",
            56 + 219,
        ),
    ] {
        for answer in [
            get(
                &app,
                &format!(
                    "{uri}{}format=csv",
                    if uri.contains('?') { "&" } else { "?" }
                ),
            )
            .await,
            get_with(&app, uri, "text/csv").await,
        ] {
            assert_eq!(answer.status, 200, "{uri}");
            assert_eq!(answer.header("content-type"), "text/csv; charset=utf-8");
            assert!(answer
                .header("content-disposition")
                .starts_with("attachment; filename="));
            assert!(
                answer.body.starts_with(header),
                "{uri}: {}",
                &answer.body[..80.min(answer.body.len())]
            );
            let mut reader = csv::Reader::from_reader(answer.body.as_bytes());
            let records: Vec<csv::StringRecord> =
                reader.records().collect::<Result<_, _>>().unwrap();
            let count = records.len();
            if rows > 0 {
                assert_eq!(count, rows, "{uri}");
            }
        }
    }
}

async fn calendar_cites_its_paragraphs(store: &TestStore) {
    let app = router(store);
    let cal = get(&app, "/api/v1/calendar?from=2026&to=2026").await.json();
    let kinds: Vec<&str> = cal["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["review-forum", "secretary-general-report", "gfmd-exchange"]
    );
    assert_eq!(cal["items"][0]["cites"], "para-49-c");
    assert_eq!(cal["items"][0]["cites_href"], "/compact/para-49-c");
    let empty = get(&app, "/api/v1/calendar?from=2000&to=2010").await.json();
    assert_eq!(empty["total"], 0);
}

async fn health_and_readiness(store: &TestStore) {
    let app = router(store);
    assert_eq!(get(&app, "/healthz").await.status, 200);
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

async fn unknown_api_routes_and_methods_answer_json(store: &TestStore) {
    let app = router(store);
    let answer = get(&app, "/api/v1/nothing-here").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"]["code"], "not_found");
    let answer = common::request(
        &app,
        axum::http::Request::post("/api/v1/objectives")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.json()["error"]["code"], "method_not_allowed");
}

backend_tests!(
    objectives_carry_187_clean_actions,
    one_objective_and_one_action,
    paragraph_43_with_its_sub_items,
    unknown_ids_get_404s_that_name_them,
    malformed_parameters_get_400s_that_name_them,
    countries_page_by_cursor_filter_and_sort,
    every_list_downloads_as_csv,
    calendar_cites_its_paragraphs,
    health_and_readiness,
    unknown_api_routes_and_methods_answer_json,
);

/// The same binary gives the same answers on PostgreSQL as on SQLite: every read endpoint,
/// byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_exactly_as_sqlite() {
    let Some(postgres) = TestStore::new(Backend::Postgres).await else {
        marrakech_store::testing::skip_postgres("postgres_answers_exactly_as_sqlite");
        return;
    };
    let sqlite = TestStore::new(Backend::Sqlite).await.unwrap();
    let (a, b) = (router(&sqlite), router(&postgres));
    let mut uris: Vec<String> = [
        "/api/v1/principles",
        "/api/v1/objectives",
        "/api/v1/actions",
        "/api/v1/paragraphs",
        "/api/v1/footnotes",
        "/api/v1/regions",
        "/api/v1/countries?limit=250",
        "/api/v1/countries?sort=-region&commission=ECE",
        "/api/v1/countries?format=csv",
        "/api/v1/calendar?from=2018&to=2040",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    uris.extend((1..=23).map(|n| format!("/api/v1/objectives/obj-{n}")));
    uris.extend((1..=54).map(|n| format!("/api/v1/paragraphs/para-{n}")));
    for page in [
        "/",
        "/compact",
        "/objectives/obj-20",
        "/countries?region=150&sort=-name",
        "/countries/NGA",
    ] {
        uris.push(page.to_owned());
    }
    for uri in uris {
        let (x, y) = (get(&a, &uri).await, get(&b, &uri).await);
        assert_eq!(x.status, 200, "{uri}");
        assert_eq!(x.status, y.status, "{uri}");
        assert!(
            x.body == y.body,
            "{uri} differs between SQLite and PostgreSQL"
        );
    }
}
