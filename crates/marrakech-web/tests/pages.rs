//! The pages people read: every one renders, names what it cannot find, and carries the
//! security headers.

mod common;

use common::{get, router};
use marrakech_store::backend_tests;
use marrakech_store::testing::TestStore;

const PAGES: [&str; 17] = [
    "/",
    "/principles",
    "/objectives",
    "/objectives/obj-1",
    "/objectives/obj-23",
    "/actions/obj-20-a",
    "/compact",
    "/compact/para-43",
    "/compact/res-1",
    "/countries",
    "/countries/NGA",
    "/countries/608",
    "/calendar",
    "/about",
    "/hub",
    "/hub/requests",
    "/hub/partners",
];

async fn every_page_renders_accessibly_with_security_headers(store: &TestStore) {
    let app = router(store);
    for uri in PAGES {
        let page = get(&app, uri).await;
        assert_eq!(page.status, 200, "{uri}");
        assert_eq!(
            page.header("content-type"),
            "text/html; charset=utf-8",
            "{uri}"
        );
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{uri}"
        );
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(
            page.header("referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert!(!page.header("x-request-id").is_empty());
        for landmark in [
            "<html lang=\"en\">",
            "class=\"skip-link\" href=\"#content\"",
            "<main id=\"content\"",
            "<nav class=\"main\" aria-label=\"Main\">",
            "<footer",
            "<h1>",
        ] {
            assert!(page.body.contains(landmark), "{uri} lacks {landmark}");
        }
        assert_eq!(page.body.matches("<h1>").count(), 1, "{uri} has one h1");
        assert!(
            !page.body.contains("style=\""),
            "{uri} has an inline style (CSP forbids it)"
        );
        assert!(!page.body.contains("<script"), "{uri} needs no script");
    }
}

async fn navigation_names_only_what_exists(store: &TestStore) {
    let app = router(store);
    let home = get(&app, "/").await;
    for (href, label) in [
        ("/compact", "The Compact"),
        ("/objectives", "Objectives"),
        ("/countries", "Countries"),
        ("/knowledge", "Knowledge"),
        ("/hub", "Connection hub"),
        ("/calendar", "Follow-up calendar"),
    ] {
        assert!(
            home.body
                .contains(&format!("<a href=\"{href}\">{label}</a>")),
            "{label}"
        );
    }
    let objectives = get(&app, "/objectives").await;
    assert!(objectives
        .body
        .contains("<a href=\"/objectives\" aria-current=\"page\">Objectives</a>"));
    for href in ["/fund", "/reviews-cycle"] {
        assert!(
            !home.body.contains(&format!("href=\"{href}\"")),
            "{href} is not built yet"
        );
    }
}

async fn objective_page_holds_commitment_and_actions_with_permalinks(store: &TestStore) {
    let app = router(store);
    let page = get(&app, "/objectives/obj-20").await.body;
    assert!(
        page.contains("Objective 20: Promote faster, safer and cheaper transfer of remittances")
    );
    assert!(page.contains("We commit to promote faster, safer and cheaper remittances"));
    assert!(page.contains("<li id=\"obj-20-a\">"));
    assert!(page.contains("href=\"/actions/obj-20-a\""));
    assert!(page.contains("Develop a road map to reduce the transaction costs of migrant remittances to less than 3 per cent"));
    assert!(page.contains("href=\"/objectives/obj-19\" rel=\"prev\""));
    assert!(page.contains("href=\"/objectives/obj-21\" rel=\"next\""));
    let two = get(&app, "/objectives/obj-2").await.body;
    assert_eq!(two.matches("Natural disasters, the adverse effects of climate change, and environmental degradation").count(), 1);
    let six = get(&app, "/objectives/obj-6").await.body;
    assert!(
        six.contains("id=\"fn-21\""),
        "footnote 21 is listed on objective 6"
    );
}

async fn full_text_has_every_paragraph_and_footnote(store: &TestStore) {
    let app = router(store);
    let page = get(&app, "/compact").await.body;
    for n in 1..=54 {
        assert!(page.contains(&format!("id=\"para-{n}\"")), "para-{n}");
    }
    for n in 1..=22 {
        assert!(page.contains(&format!("id=\"fn-{n}\"")), "footnote {n}");
    }
    for id in [
        "res-1",
        "res-2",
        "res-pp-1",
        "annex-opening",
        "para-43-a-iii",
        "gp-j",
        "obj-23-e",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("<h3>Common understanding</h3>"));
    assert!(page.contains("Objective 10: <a href=\"/objectives/obj-10\">Prevent, combat and eradicate trafficking in persons in the context of international migration</a>"));
}

async fn ids_resolve_to_their_pages(store: &TestStore) {
    let app = router(store);
    for (uri, location) in [
        ("/compact/para-43-a-iii", "/compact/para-43#para-43-a-iii"),
        ("/compact/obj-7", "/objectives/obj-7"),
        ("/compact/obj-7-c", "/actions/obj-7-c"),
        ("/compact/gp-d", "/principles#gp-d"),
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 303, "{uri}");
        assert_eq!(answer.header("location"), location);
    }
}

async fn unknown_things_get_a_404_page_that_names_them(store: &TestStore) {
    let app = router(store);
    for (uri, named) in [
        ("/objectives/obj-24", "obj-24"),
        ("/actions/obj-22-d", "obj-22-d"),
        ("/compact/para-60", "para-60"),
        ("/countries/ATL", "ATL"),
        ("/no/such/page", "/no/such/page"),
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, 404, "{uri}");
        assert!(page.header("content-type").starts_with("text/html"));
        assert!(page.body.contains(named), "{uri} does not name {named}");
        assert!(page.body.contains("<h1>Not found</h1>"));
    }
    let bad = get(&app, "/countries?member_state=perhaps").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("member_state"));
    let past = get(&app, "/countries?page=99").await;
    assert_eq!(past.status, 400);
}

async fn countries_page_filters_sorts_and_pages(store: &TestStore) {
    let app = router(store);
    let page = get(&app, "/countries").await.body;
    assert!(page.contains("Showing 1–50 of 249."));
    assert!(page.contains("href=\"/countries?sort=name&#38;page=2\" rel=\"next\""));
    assert!(page.contains("aria-sort=\"ascending\""));
    let filtered = get(
        &app,
        "/countries?commission=ESCWA&member_state=true&sort=-name",
    )
    .await
    .body;
    assert!(filtered.contains("Showing 1–20 of 20."));
    let yemen = filtered.find(">Yemen<").unwrap();
    let algeria = filtered.find(">Algeria<").unwrap();
    assert!(yemen < algeria, "sorted by name, descending");
    assert!(filtered.contains("href=\"/api/v1/countries?commission=ESCWA&#38;member_state=true&#38;sort=-name&#38;format=csv\""));
    assert!(filtered.contains("<option value=\"ESCWA\" selected>"));
    let none = get(&app, "/countries?region=419&commission=ECA").await.body;
    assert!(none.contains("No country or area matches these filters."));
    let country = get(&app, "/countries/MEX").await.body;
    assert!(country.contains("Latin America and the Caribbean"));
    assert!(country.contains("Economic Commission for Latin America and the Caribbean (ECLAC)"));
}

async fn output_is_escaped(store: &TestStore) {
    let app = router(store);
    let page = get(&app, "/objectives/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(page.status, 404);
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(page
        .body
        .contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}

backend_tests!(
    every_page_renders_accessibly_with_security_headers,
    navigation_names_only_what_exists,
    objective_page_holds_commitment_and_actions_with_permalinks,
    full_text_has_every_paragraph_and_footnote,
    ids_resolve_to_their_pages,
    unknown_things_get_a_404_page_that_names_them,
    countries_page_filters_sorts_and_pages,
    output_is_escaped,
);
