//! The knowledge platform end to end through HTTP: an item goes from draft through review to
//! published and is found at once by search, its facets, the CKAN API and the DCAT catalogue;
//! withdrawn, it disappears from all four. Plus the open-data endpoints' contracts and the
//! answers to bad input.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{Fixture, PASSWORD};
use marrakech_core::policy::{ReviewerKind, Role};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditContext, NewUser, UserStatus};
use serde_json::{json, Value};

const CONTACT_EMAIL: &str = "ana.contact.private@example.org";
const CONTACT_NAME: &str = "Ana Privada Contacto";

fn practice(title: &str) -> Value {
    json!({
        "kind": "practice",
        "original_language": "es",
        "texts": [
            {"language": "es", "title": title, "summary": "Clínicas jurídicas móviles llevan asesoría a trabajadores migrantes en zonas rurales.", "body": "Las **clínicas** recorren *tres* estados."},
            {"language": "en", "title": "Mobile legal clinics for migrant workers", "summary": "Mobile legal clinics bring counselling to migrant workers in remote farming areas."}
        ],
        "objectives": ["obj-7"],
        "actions": ["obj-6-c"],
        "principles": ["gp-f"],
        "countries": ["MEX"],
        "regions": ["419"],
        "themes": ["legal aid"],
        "implementers": ["Organization A"],
        "partners": ["Universidad Nacional"],
        "period_start": 2021,
        "implementation_state": "ongoing",
        "licence": "CC-BY-4.0",
        "links": [{"url": "https://example.org/report", "title": "Report", "format": "HTML"}],
        "contact_name": CONTACT_NAME,
        "contact_email": CONTACT_EMAIL,
        "respects_principles": true
    })
}

/// A second external reviewer: a panel needs one internal and two external.
async fn second_external_reviewer(f: &Fixture<'_>) -> marrakech_store::User {
    let hash = marrakech_web::auth::secrets::hash_password(PASSWORD)
        .await
        .unwrap();
    f.store
        .create_user(
            &AuditContext::system(),
            &NewUser {
                email: "reviewer-external-2@example.org".into(),
                display_name: "Second External".into(),
                password_hash: Some(hash),
                status: UserStatus::Active,
                roles: vec![Role::Reviewer {
                    kind: ReviewerKind::External,
                }],
            },
        )
        .await
        .unwrap()
}

/// A JSON request as `user_id`, through a fresh session with the anti-forgery token.
async fn as_user(
    f: &Fixture<'_>,
    user_id: &str,
    method: &str,
    uri: &str,
    body: &Value,
) -> common::Answer {
    let session = marrakech_web::auth::secrets::random_token();
    f.store
        .create_session(
            user_id,
            &marrakech_web::auth::secrets::token_hash(&session),
            &marrakech_store::from_now(time::Duration::days(1)),
        )
        .await
        .unwrap();
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(
            "cookie",
            format!(
                "marrakech_csrf={}; marrakech_session={session}",
                common::CSRF
            ),
        )
        .header("x-csrf-token", common::CSRF)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    common::request(&f.app, request).await
}

/// Takes a new item from draft to published through the API; returns its id.
async fn publish_through_review(f: &Fixture<'_>, title: &str) -> String {
    let created = f
        .send_json("contributor", "POST", "/api/v1/knowledge", &practice(title))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["status"], "draft");
    let submitted = f
        .send_json(
            "contributor",
            "POST",
            &format!("/api/v1/knowledge/{id}/submit"),
            &json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);

    // The panel: one internal, two external.
    let external_2 = match f
        .store
        .user_by_email("reviewer-external-2@example.org")
        .await
        .unwrap()
    {
        Some((u, _)) => u,
        None => second_external_reviewer(f).await,
    };
    let reviewers = [
        f.users["reviewer-internal"].id.clone(),
        f.users["reviewer-external"].id.clone(),
        external_2.id.clone(),
    ];
    let mut reviews = Vec::new();
    for r in &reviewers {
        let seated = f
            .send_json(
                "secretariat",
                "POST",
                &format!("/api/v1/knowledge/{id}/reviewers"),
                &json!({"reviewer": r}),
            )
            .await;
        assert_eq!(seated.status, 201, "{}", seated.body);
        reviews.push(seated.json()["id"].as_str().unwrap().to_owned());
    }
    let started = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/knowledge/{id}/start-review"),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.json()["status"], "in-review");

    // Before publication, nothing public shows it.
    assert_eq!(
        f.get_as("anonymous", &format!("/api/v1/knowledge/{id}"))
            .await
            .status,
        404
    );
    let search = f
        .get_as("anonymous", "/api/v1/knowledge?q=clinicas")
        .await
        .json();
    assert_eq!(
        search["total"], 0,
        "an item in review is searchable: {search}"
    );

    for (reviewer, review) in reviewers.iter().zip(&reviews) {
        let verdict = as_user(
            f,
            reviewer,
            "POST",
            &format!("/api/v1/reviews/{review}"),
            &json!({"verdict": "publish", "comment": "Sound."}),
        )
        .await;
        assert_eq!(verdict.status, 200, "{}", verdict.body);
    }
    let published = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/knowledge/{id}/publish"),
            &json!({"note": "Approved by the panel"}),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(published.json()["status"], "published");
    id
}

async fn found_everywhere(f: &Fixture<'_>, id: &str) -> [bool; 4] {
    // 1. Full-text search, through the other language's words too.
    let search = f
        .get_as("anonymous", "/api/v1/knowledge?q=clinics%20farming")
        .await
        .json();
    let in_search = search["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == id);
    // 2. A facet filter, and its count.
    let facet = f
        .get_as(
            "anonymous",
            "/api/v1/knowledge?objective=obj-7&country=484&language=es",
        )
        .await
        .json();
    let in_facets = facet["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == id);
    // 3. CKAN.
    let ckan = f
        .get_as(
            "anonymous",
            "/api/3/action/package_search?q=cl%C3%ADnicas&fq=groups:obj-7",
        )
        .await
        .json();
    let in_ckan = ckan["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id);
    // 4. DCAT.
    let dcat = f.get_as("anonymous", "/catalog.ttl").await.body;
    let in_dcat = dcat.contains(&format!("/knowledge/{id}>"));
    [in_search, in_facets, in_ckan, in_dcat]
}

async fn publish_find_withdraw(store: &TestStore) {
    let f = Fixture::new(store).await;
    let id = publish_through_review(&f, "Clínicas jurídicas móviles").await;
    assert_eq!(found_everywhere(&f, &id).await, [true; 4]);

    // The facets count it.
    let answer = f
        .get_as("anonymous", "/api/v1/knowledge?q=clinics")
        .await
        .json();
    let objective = answer["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["facet"] == "objective")
        .unwrap();
    let seven = objective["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "obj-7")
        .unwrap();
    assert_eq!(seven["count"], 1);
    // An action implies its objective.
    assert!(objective["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["value"] == "obj-6"));

    // The public item, the package and the catalogue never hold the contact.
    for uri in [
        format!("/api/v1/knowledge/{id}"),
        format!("/knowledge/{id}"),
        "/api/v1/knowledge?q=clinics".to_owned(),
        "/api/v1/knowledge?q=clinics&format=csv".to_owned(),
        format!("/api/3/action/package_show?id={id}"),
        "/api/3/action/package_search?q=clinics".to_owned(),
        "/catalog.jsonld".to_owned(),
        "/catalog.ttl".to_owned(),
        "/catalog.rdf".to_owned(),
    ] {
        let body = f.get_as("anonymous", &uri).await.body;
        assert!(
            !body.contains(CONTACT_EMAIL) && !body.contains(CONTACT_NAME),
            "{uri} shows the contact"
        );
    }
    // Its submitter sees the contact.
    let own = f
        .get_as("contributor", &format!("/api/v1/knowledge/{id}"))
        .await
        .json();
    assert_eq!(own["contact"]["email"], CONTACT_EMAIL);

    // The objective's page lists it.
    let page = f.get_as("anonymous", "/objectives/obj-7").await.body;
    assert!(
        page.contains(&format!("/knowledge/{id}")),
        "the objective page does not list the item"
    );

    // Withdrawn, it is gone from all four at once.
    let withdrawn = f
        .send_json(
            "contributor",
            "POST",
            &format!("/api/v1/knowledge/{id}/withdraw"),
            &json!({"note": "Superseded"}),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(found_everywhere(&f, &id).await, [false; 4]);
    assert_eq!(
        f.get_as("anonymous", &format!("/api/v1/knowledge/{id}"))
            .await
            .status,
        404
    );
    let show = f
        .get_as("anonymous", &format!("/api/3/action/package_show?id={id}"))
        .await;
    assert_eq!(show.status, 404);
    assert_eq!(show.json()["success"], false);
    assert_eq!(show.json()["error"]["__type"], "Not Found Error");
}

/// An edit to a published item reaches search at once; the old words no longer find it.
async fn edits_reach_search_at_once(store: &TestStore) {
    let f = Fixture::new(store).await;
    let id = publish_through_review(&f, "Clínicas jurídicas móviles").await;
    let mut edited = practice("Ventanilla de orientación laboral");
    edited["texts"][1]["title"] = json!("Labour orientation desk");
    edited["texts"][1]["summary"] =
        json!("A desk that orients newly arrived workers about their labour rights.");
    let put = f
        .send_json(
            "secretariat",
            "PUT",
            &format!("/api/v1/knowledge/{id}"),
            &edited,
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let desk = f
        .get_as("anonymous", "/api/v1/knowledge?q=orientation%20desk")
        .await
        .json();
    assert_eq!(desk["items"][0]["id"], id.as_str());
    let farming = f
        .get_as("anonymous", "/api/v1/knowledge?q=farming")
        .await
        .json();
    assert_eq!(farming["total"], 0, "{farming}");
}

/// Items harvested straight into the database (by the command line, or another server) are
/// found by the next search.
async fn writes_from_elsewhere_are_followed(store: &TestStore) {
    let f = Fixture::new(store).await;
    assert_eq!(
        f.get_as("anonymous", "/api/v1/knowledge").await.json()["total"],
        0
    );
    let items = (0..3)
        .map(|i| marrakech_store::knowledge::HarvestedItem {
            source_id: format!("rec-{i}"),
            source_url: None,
            published_at: "2023-05-01T00:00:00.000000Z".into(),
            content: common::sample_content(&format!("Harvested legal clinic number {i}")),
        })
        .collect();
    let report = f
        .store
        .harvest(
            &AuditContext::system(),
            "https://portal.example.org",
            items,
            true,
        )
        .await
        .unwrap();
    assert_eq!(report.added, 3);
    let answer = f
        .get_as("anonymous", "/api/v1/knowledge?q=harvested&year=2023")
        .await
        .json();
    assert_eq!(answer["total"], 3, "{answer}");
    let answer = f
        .get_as("anonymous", "/api/3/action/package_list")
        .await
        .json();
    assert_eq!(answer["result"].as_array().unwrap().len(), 3);
    let report = f
        .store
        .harvest(
            &AuditContext::system(),
            "https://portal.example.org",
            Vec::new(),
            true,
        )
        .await
        .unwrap();
    assert_eq!(report.withdrawn, 3);
    assert_eq!(
        f.get_as("anonymous", "/api/v1/knowledge?q=harvested")
            .await
            .json()["total"],
        0
    );
}

async fn search_answers_bad_input_without_failing(store: &TestStore) {
    let f = Fixture::new(store).await;
    publish_through_review(&f, "Clínicas jurídicas móviles").await;
    // Malformed queries are searched as plain text.
    for q in [
        "%22unclosed",
        "***",
        "-",
        "AND%20OR%20NOT",
        "(",
        "%5C",
        "title%3A",
        "*a",
        "%E2%80%AE",
    ] {
        let answer = f
            .get_as("anonymous", &format!("/api/v1/knowledge?q={q}"))
            .await;
        assert!(
            answer.status == 200 || answer.status == 400,
            "q={q}: {} {}",
            answer.status,
            answer.body
        );
    }
    for (uri, field) in [
        ("/api/v1/knowledge?objective=obj-99", "objective"),
        ("/api/v1/knowledge?kind=novel", "kind"),
        ("/api/v1/knowledge?country=999", "country"),
        ("/api/v1/knowledge?limit=101", "limit"),
        ("/api/v1/knowledge?limit=0", "limit"),
        ("/api/v1/knowledge?sort=title", "sort"),
        ("/api/v1/knowledge?cursor=garbage", "cursor"),
        ("/api/v1/knowledge?lang=de", "lang"),
        ("/api/v1/knowledge?colour=blue", "colour"),
    ] {
        let answer = f.get_as("anonymous", uri).await;
        assert_eq!(answer.status, 400, "{uri}: {}", answer.body);
        assert_eq!(answer.json()["error"]["field"], field, "{uri}");
    }
    // The search page says the same, as a page.
    let page = f.get_as("anonymous", "/knowledge?objective=obj-99").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("objective"));
}

async fn search_pages_and_downloads(store: &TestStore) {
    let f = Fixture::new(store).await;
    let empty = f.get_as("anonymous", "/knowledge").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Nothing has been published yet"));
    let items = (0..25)
        .map(|i| marrakech_store::knowledge::HarvestedItem {
            source_id: format!("rec-{i:02}"),
            source_url: None,
            published_at: format!("2020-01-{:02}T00:00:00.000000Z", i + 1),
            content: common::sample_content(&format!("Legal clinic <b>{i:02}</b>")),
        })
        .collect();
    f.store
        .harvest(
            &AuditContext::system(),
            "https://portal.example.org",
            items,
            true,
        )
        .await
        .unwrap();

    // Cursor pages cover everything once.
    let mut seen = std::collections::BTreeSet::new();
    let mut uri = "/api/v1/knowledge?q=clinic&sort=newest&limit=10".to_owned();
    loop {
        let page = f.get_as("anonymous", &uri).await.json();
        assert_eq!(page["total"], 25);
        for hit in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(hit["id"].as_str().unwrap().to_owned()),
                "a hit came twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/knowledge?q=clinic&sort=newest&limit=10&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    // Newest first means 25 (published 2020-01-25) first.
    let first = f
        .get_as("anonymous", "/api/v1/knowledge?sort=newest&limit=1")
        .await
        .json();
    assert_eq!(first["items"][0]["published"], "2020-01-25");

    // The page: hits, facets, escaped titles, the CSV of what it shows.
    let page = f
        .get_as("anonymous", "/knowledge?q=clinic&kind=practice")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("25 items"));
    assert!(page.body.contains("&lt;b&gt;"), "titles must be escaped");
    assert!(!page.body.contains("<b>0"), "a raw tag reached the page");
    assert!(page.body.contains("Download as CSV"));
    let csv = f
        .get_as("anonymous", "/knowledge?q=clinic&kind=practice&format=csv")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 26, "a header and 25 rows");
    assert!(csv
        .body
        .starts_with("id,kind,title,published,languages,url"));
    let none = f.get_as("anonymous", "/knowledge?q=zzzzzz").await;
    assert!(none.body.contains("No published item matches"));
}

async fn ckan_api_contract(store: &TestStore) {
    let f = Fixture::new(store).await;
    let id = publish_through_review(&f, "Clínicas jurídicas móviles").await;

    // ckanapi POSTs JSON without cookies: no anti-forgery token is asked for a query.
    let request = Request::post("/api/action/package_search")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"q": "clinics", "facet.field": ["groups", "tags"], "rows": 5}).to_string(),
        ))
        .unwrap();
    let answer = common::request(&f.app, request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["result"]["count"], 1);
    let package = &body["result"]["results"][0];
    assert_eq!(package["id"], id.as_str());
    assert_eq!(package["organization"]["title"], "Organization A");
    assert!(package["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "obj-7"));
    assert!(package["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "gp-f"));
    assert_eq!(package["resources"][0]["url"], "https://example.org/report");
    assert_eq!(body["result"]["facets"]["groups"]["obj-7"], 1);
    assert_eq!(
        body["result"]["search_facets"]["tags"]["items"][0]["name"],
        "gp-f"
    );

    // A form POST works too, and so does GET.
    let request = Request::post("/api/3/action/package_show")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("id={id}")))
        .unwrap();
    assert_eq!(
        common::request(&f.app, request).await.json()["result"]["name"],
        id.as_str()
    );

    let groups = f
        .get_as("anonymous", "/api/3/action/group_list?all_fields=true")
        .await
        .json();
    let groups = groups["result"].as_array().unwrap();
    assert_eq!(groups.len(), 23);
    assert_eq!(groups[6]["name"], "obj-7");
    assert_eq!(groups[6]["package_count"], 1);
    let orgs = f
        .get_as("anonymous", "/api/3/action/organization_list")
        .await
        .json();
    assert_eq!(orgs["result"], json!(["organization-a"]));
    let tags = f.get_as("anonymous", "/api/3/action/tag_list").await.json();
    assert_eq!(tags["result"], json!(["gp-f", "legal aid"]));
    let status = f
        .get_as("anonymous", "/api/3/action/status_show")
        .await
        .json();
    assert!(status["result"]["ckan_version"]
        .as_str()
        .unwrap()
        .starts_with("2."));

    // CKAN's errors, in CKAN's shapes.
    let bad_sort = f
        .get_as(
            "anonymous",
            "/api/3/action/package_search?sort=title_string%20asc",
        )
        .await;
    assert_eq!(bad_sort.status, 409);
    assert_eq!(bad_sort.json()["error"]["__type"], "Validation Error");
    assert!(bad_sort.json()["error"]["sort"].is_array());
    let bad_fq = f
        .get_as(
            "anonymous",
            "/api/3/action/package_search?fq=metadata_modified:%5B2020%20TO%20*%5D",
        )
        .await;
    assert_eq!(bad_fq.status, 409);
    assert_eq!(bad_fq.json()["error"]["__type"], "Search Query Error");
    let missing = f.get_as("anonymous", "/api/3/action/package_show").await;
    assert_eq!(missing.status, 409);
    assert_eq!(missing.json()["error"]["id"][0], "Missing value");
    let too_many = f
        .get_as("anonymous", "/api/3/action/package_search?rows=10001")
        .await;
    assert_eq!(too_many.status, 409);
    let unknown = f.get_as("anonymous", "/api/3/action/package_create").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["success"], false);
    // No state-changing CKAN action exists to be ridden.
    let create = common::request(
        &f.app,
        Request::post("/api/3/action/package_create")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(create.status, 400);
}

async fn ckan_pages_past_a_thousand_rows(store: &TestStore) {
    let f = Fixture::new(store).await;
    let items: Vec<_> = (0..1_205)
        .map(|i| marrakech_store::knowledge::HarvestedItem {
            source_id: format!("rec-{i:04}"),
            source_url: None,
            published_at: format!("20{:02}-01-01T00:00:00.{:06}Z", 10 + i % 10, i),
            content: common::sample_content(&format!("Practice {i}")),
        })
        .collect();
    f.store
        .harvest(
            &AuditContext::system(),
            "https://portal.example.org",
            items,
            true,
        )
        .await
        .unwrap();
    let all = f
        .get_as(
            "anonymous",
            "/api/3/action/package_search?rows=1205&sort=metadata_created%20asc",
        )
        .await
        .json();
    assert_eq!(all["result"]["count"], 1205);
    let all: Vec<String> = all["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 1205);
    let mut paged = Vec::new();
    for start in (0..1205).step_by(500) {
        let page = f.get_as("anonymous", &format!("/api/3/action/package_search?rows=500&start={start}&sort=metadata_created%20asc")).await.json();
        paged.extend(
            page["result"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(paged, all, "start/rows pages are slices of one order");
}

async fn dcat_catalogue_contract(store: &TestStore) {
    let f = Fixture::new(store).await;
    let items: Vec<_> = (0..5)
        .map(|i| marrakech_store::knowledge::HarvestedItem {
            source_id: format!("rec-{i}"),
            source_url: None,
            published_at: "2022-01-01T00:00:00.000000Z".into(),
            content: common::sample_content(&format!("Practice {i}")),
        })
        .collect();
    f.store
        .harvest(
            &AuditContext::system(),
            "https://portal.example.org",
            items,
            true,
        )
        .await
        .unwrap();
    for (uri, media) in [
        ("/catalog.jsonld", "application/ld+json"),
        ("/catalog.ttl", "text/turtle"),
        ("/catalog.rdf", "application/rdf+xml"),
    ] {
        let answer = f.get_as("anonymous", uri).await;
        assert_eq!(answer.status, 200, "{uri}");
        assert!(
            answer.header("content-type").starts_with(media),
            "{uri}: {}",
            answer.header("content-type")
        );
    }
    let page = f
        .get_as("anonymous", "/catalog.ttl?page=2&page_size=2")
        .await
        .body;
    assert_eq!(page.matches("a dcat:Dataset").count(), 2, "{page}");
    assert!(
        page.contains("page=3&page_size=2"),
        "no next page link: {page}"
    );
    assert!(page.contains("page=1&page_size=2"), "no previous page link");
    let last = f
        .get_as("anonymous", "/catalog.ttl?page=3&page_size=2")
        .await
        .body;
    assert_eq!(last.matches("a dcat:Dataset").count(), 1);
    let future = f
        .get_as("anonymous", "/catalog.ttl?modified_since=2999-01-01")
        .await
        .body;
    assert_eq!(future.matches("a dcat:Dataset").count(), 0);
    assert!(
        future.contains("hydra:totalItems 0") || future.contains("\"0\"^^xsd:integer"),
        "{future}"
    );
    for (uri, field) in [
        ("/catalog.ttl?page=0", "page"),
        ("/catalog.ttl?page_size=1001", "page_size"),
        ("/catalog.ttl?modified_since=yesterday", "modified_since"),
    ] {
        let answer = f.get_as("anonymous", uri).await;
        assert_eq!(answer.status, 400, "{uri}");
        assert_eq!(answer.json()["error"]["field"], field);
    }
}

async fn a_draft_is_its_authors_alone(store: &TestStore) {
    let f = Fixture::new(store).await;
    let created = f
        .send_json(
            "contributor",
            "POST",
            "/api/v1/knowledge",
            &practice("Borrador privado"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let file = f
        .store
        .add_attachment(
            &AuditContext::system(),
            &id,
            "notes.txt",
            "text/plain",
            b"draft notes".to_vec(),
            10,
        )
        .await
        .unwrap();
    let pages = [
        format!("/knowledge/{id}"),
        format!("/knowledge/{id}/edit"),
        format!("/files/{}", file.id),
        format!("/api/v1/knowledge/{id}"),
    ];
    // Its author opens all of it.
    for uri in &pages {
        let answer = f.get_as("contributor", uri).await;
        assert_eq!(answer.status, 200, "author {uri}: {}", answer.body);
    }
    // Nobody else does, staff included, until it is submitted: a 404 that reveals nothing.
    for key in ["administrator", "secretariat", "reviewer-internal"] {
        for uri in &pages {
            let answer = f.get_as(key, uri).await;
            assert_eq!(answer.status, 404, "{key} {uri}: {}", answer.body);
            assert!(!answer.body.contains("Borrador privado"), "{key} {uri}");
            assert!(!answer.body.contains("draft notes"), "{key} {uri}");
        }
    }
    let edit = f
        .send_json(
            "secretariat",
            "PUT",
            &format!("/api/v1/knowledge/{id}"),
            &practice("Changed by staff"),
        )
        .await;
    assert_eq!(edit.status, 404, "{}", edit.body);
    // Submitted, it reaches the secretariat's moderation.
    let submitted = f
        .send_json(
            "contributor",
            "POST",
            &format!("/api/v1/knowledge/{id}/submit"),
            &json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let seen = f.get_as("secretariat", &format!("/knowledge/{id}")).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("Borrador privado"));
    let file = f
        .get_as("secretariat", &format!("/files/{}", file.id))
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, "draft notes");
}

backend_tests!(
    a_draft_is_its_authors_alone,
    publish_find_withdraw,
    edits_reach_search_at_once,
    writes_from_elsewhere_are_followed,
    search_answers_bad_input_without_failing,
    search_pages_and_downloads,
    ckan_api_contract,
    ckan_pages_past_a_thousand_rows,
    dcat_catalogue_contract,
);
