//! Every registered route against every role, compared with the table below: the one place
//! that says who may reach what. A route added without an entry here fails the test.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use common::{Answer, Fixture, ROLE_KEYS};
use marrakech_store::backend_tests;
use marrakech_store::testing::TestStore;
use serde_json::json;

const ALL: &[&str] = &ROLE_KEYS;
const SIGNED_IN: &[&str] = &[
    "administrator",
    "secretariat",
    "reviewer-internal",
    "reviewer-external",
    "fund-manager",
    "steering-committee",
    "focal-point",
    "contributor",
];
const ADMINISTRATOR: &[&str] = &["administrator"];
const ORGANIZATION_MANAGERS: &[&str] = &["administrator", "secretariat"];
/// Editing organization A: the managers, and A's own contributor.
const ORGANIZATION_A_EDITORS: &[&str] = &["administrator", "secretariat", "contributor"];
/// Who submits knowledge: the secretariat, focal points and contributors.
const SUBMITTERS: &[&str] = &["secretariat", "focal-point", "contributor"];
/// Who runs the knowledge workflow.
const MODERATORS: &[&str] = &["administrator", "secretariat"];
const REVIEWERS: &[&str] = &["reviewer-internal", "reviewer-external"];
/// Who processes hub requests: the secretariat alone.
const SECRETARIAT: &[&str] = &["secretariat"];
/// Who requests support: focal points.
const FOCAL_POINTS: &[&str] = &["focal-point"];

enum Send {
    Nothing,
    Form(Vec<(&'static str, &'static str)>),
    Json(serde_json::Value),
}

struct Case {
    method: &'static str,
    route: &'static str,
    path: String,
    send: Send,
    allowed: &'static [&'static str],
}

fn cases(f: &Fixture<'_>) -> Vec<Case> {
    use Send::*;
    let a = &f.org_a.id;
    let s = &f.subject.id;
    let bogus = "00000000000000000000000000000000";
    let case = |method, route, path: String, send, allowed| Case {
        method,
        route,
        path,
        send,
        allowed,
    };
    let public_get =
        |route: &'static str, path: &str| case("GET", route, path.to_owned(), Nothing, ALL);
    let mut list = vec![
        public_get("/", "/"),
        public_get("/principles", "/principles"),
        public_get("/objectives", "/objectives"),
        public_get("/objectives/{id}", "/objectives/obj-20"),
        public_get("/actions/{id}", "/actions/obj-20-a"),
        public_get("/compact", "/compact"),
        public_get("/compact/{id}", "/compact/para-43"),
        public_get("/countries", "/countries"),
        public_get("/countries/{code}", "/countries/MEX"),
        public_get("/calendar", "/calendar"),
        public_get("/about", "/about"),
        public_get("/organizations", "/organizations"),
        public_get("/organizations/{id}", &format!("/organizations/{a}")),
        public_get("/login", "/login"),
        public_get("/register", "/register"),
        public_get("/confirm-email/{token}", "/confirm-email/nothing"),
        public_get("/password/forgot", "/password/forgot"),
        public_get("/password/reset/{token}", "/password/reset/nothing"),
        public_get("/invitations/{token}", "/invitations/nothing"),
        case("POST", "/login", "/login".into(), Form(vec![]), ALL),
        case("POST", "/logout", "/logout".into(), Form(vec![]), ALL),
        case("POST", "/register", "/register".into(), Form(vec![]), ALL),
        case(
            "POST",
            "/confirm-email/{token}",
            "/confirm-email/nothing".into(),
            Form(vec![]),
            ALL,
        ),
        case(
            "POST",
            "/password/forgot",
            "/password/forgot".into(),
            Form(vec![]),
            ALL,
        ),
        case(
            "POST",
            "/password/reset/{token}",
            "/password/reset/nothing".into(),
            Form(vec![]),
            ALL,
        ),
        case(
            "POST",
            "/invitations/{token}",
            "/invitations/nothing".into(),
            Form(vec![]),
            ALL,
        ),
        case(
            "GET",
            "/organizations/new",
            "/organizations/new".into(),
            Nothing,
            ORGANIZATION_MANAGERS,
        ),
        case(
            "POST",
            "/organizations",
            "/organizations".into(),
            Form(vec![]),
            ORGANIZATION_MANAGERS,
        ),
        case(
            "POST",
            "/organizations/{id}/verify",
            format!("/organizations/{a}/verify"),
            Form(vec![("verified", "true")]),
            ORGANIZATION_MANAGERS,
        ),
        case(
            "GET",
            "/organizations/{id}/edit",
            format!("/organizations/{a}/edit"),
            Nothing,
            ORGANIZATION_A_EDITORS,
        ),
        case(
            "POST",
            "/organizations/{id}/edit",
            format!("/organizations/{a}/edit"),
            Form(vec![]),
            ORGANIZATION_A_EDITORS,
        ),
        case("GET", "/account", "/account".into(), Nothing, SIGNED_IN),
        case(
            "POST",
            "/account/profile",
            "/account/profile".into(),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/account/password",
            "/account/password".into(),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/account/tokens",
            "/account/tokens".into(),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/account/tokens/{id}/revoke",
            format!("/account/tokens/{bogus}/revoke"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "GET",
            "/account/data",
            "/account/data".into(),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/account/delete",
            "/account/delete".into(),
            Form(vec![("confirm_password", "wrong")]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/logout/everywhere",
            "/logout/everywhere".into(),
            Form(vec![]),
            SIGNED_IN,
        ),
        case("GET", "/admin", "/admin".into(), Nothing, ADMINISTRATOR),
        case(
            "GET",
            "/admin/users",
            "/admin/users".into(),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/admin/users/{id}",
            format!("/admin/users/{s}"),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/admin/users/{id}/roles",
            format!("/admin/users/{s}/roles"),
            Form(vec![]),
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/admin/users/{id}/roles/{grant}/revoke",
            format!("/admin/users/{s}/roles/{bogus}/revoke"),
            Form(vec![]),
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/admin/users/{id}/status",
            format!("/admin/users/{s}/status"),
            Form(vec![("status", "neither")]),
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/admin/invitations/new",
            "/admin/invitations/new".into(),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/admin/invitations",
            "/admin/invitations".into(),
            Form(vec![]),
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/admin/audit",
            "/admin/audit".into(),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/admin/outbox",
            "/admin/outbox".into(),
            Nothing,
            ADMINISTRATOR,
        ),
        case("GET", "/api/v1/me", "/api/v1/me".into(), Nothing, SIGNED_IN),
        case(
            "GET",
            "/api/v1/me/data",
            "/api/v1/me/data".into(),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "GET",
            "/api/v1/me/tokens",
            "/api/v1/me/tokens".into(),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "DELETE",
            "/api/v1/me/tokens/{id}",
            format!("/api/v1/me/tokens/{bogus}"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/organizations",
            "/api/v1/organizations".into(),
            Json(json!({})),
            ORGANIZATION_MANAGERS,
        ),
        case(
            "PATCH",
            "/api/v1/organizations/{id}",
            format!("/api/v1/organizations/{a}"),
            Json(json!({"name": "Organization A", "kind": "civil-society", "country": "484"})),
            ORGANIZATION_A_EDITORS,
        ),
        case(
            "GET",
            "/api/v1/users",
            "/api/v1/users".into(),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/api/v1/users/{id}",
            format!("/api/v1/users/{s}"),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/api/v1/users/{id}/roles",
            format!("/api/v1/users/{s}/roles"),
            Json(json!({})),
            ADMINISTRATOR,
        ),
        case(
            "DELETE",
            "/api/v1/users/{id}/roles/{grant}",
            format!("/api/v1/users/{s}/roles/{bogus}"),
            Nothing,
            ADMINISTRATOR,
        ),
        case(
            "POST",
            "/api/v1/invitations",
            "/api/v1/invitations".into(),
            Json(json!({})),
            ADMINISTRATOR,
        ),
        case(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit".into(),
            Nothing,
            ADMINISTRATOR,
        ),
    ];
    for (route, path) in [
        ("/api/v1/principles", "/api/v1/principles"),
        ("/api/v1/objectives", "/api/v1/objectives"),
        ("/api/v1/objectives/{id}", "/api/v1/objectives/obj-1"),
        ("/api/v1/actions", "/api/v1/actions"),
        ("/api/v1/actions/{id}", "/api/v1/actions/obj-1-a"),
        ("/api/v1/paragraphs", "/api/v1/paragraphs"),
        ("/api/v1/paragraphs/{id}", "/api/v1/paragraphs/para-43"),
        ("/api/v1/footnotes", "/api/v1/footnotes"),
        ("/api/v1/countries", "/api/v1/countries"),
        ("/api/v1/countries/{code}", "/api/v1/countries/484"),
        ("/api/v1/regions", "/api/v1/regions"),
        ("/api/v1/calendar", "/api/v1/calendar"),
        ("/api/v1/openapi.json", "/api/v1/openapi.json"),
        ("/api/v1/organizations", "/api/v1/organizations"),
    ] {
        list.push(public_get(route, path));
    }
    list.push(public_get(
        "/api/v1/organizations/{id}",
        &format!("/api/v1/organizations/{a}"),
    ));
    list.extend(knowledge_cases(bogus));
    list.extend(hub_cases(bogus, a));
    list
}

/// The knowledge platform's routes. Ids name nothing, so a route that lets a role through
/// answers 404 (or 422 for an empty submission); one that does not, 401 or 403.
fn knowledge_cases(bogus: &'static str) -> Vec<Case> {
    use Send::*;
    let item = |suffix: &str| format!("/knowledge/{bogus}{suffix}");
    let api_item = |suffix: &str| format!("/api/v1/knowledge/{bogus}{suffix}");
    let case = |method, route, path: String, send, allowed| Case {
        method,
        route,
        path,
        send,
        allowed,
    };
    let mut list = vec![
        case("GET", "/knowledge", "/knowledge".into(), Nothing, ALL),
        case(
            "GET",
            "/knowledge/new",
            "/knowledge/new".into(),
            Nothing,
            SUBMITTERS,
        ),
        case(
            "POST",
            "/knowledge/new",
            "/knowledge/new".into(),
            Form(vec![]),
            SUBMITTERS,
        ),
        case(
            "GET",
            "/knowledge/mine",
            "/knowledge/mine".into(),
            Nothing,
            SUBMITTERS,
        ),
        case(
            "GET",
            "/knowledge/moderation",
            "/knowledge/moderation".into(),
            Nothing,
            MODERATORS,
        ),
        case("GET", "/knowledge/{id}", item(""), Nothing, ALL),
        case(
            "GET",
            "/knowledge/{id}/edit",
            item("/edit"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/knowledge/{id}/edit",
            item("/edit"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/knowledge/{id}/submit",
            item("/submit"),
            Form(vec![]),
            SUBMITTERS,
        ),
        case(
            "POST",
            "/knowledge/{id}/withdraw",
            item("/withdraw"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/knowledge/{id}/start-review",
            item("/start-review"),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "POST",
            "/knowledge/{id}/publish",
            item("/publish"),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "POST",
            "/knowledge/{id}/return",
            item("/return"),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "POST",
            "/knowledge/{id}/reject",
            item("/reject"),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "POST",
            "/knowledge/{id}/reviewers",
            item("/reviewers"),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "POST",
            "/knowledge/{id}/comments",
            item("/comments"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/knowledge/{id}/attachments",
            item("/attachments"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "GET",
            "/files/{id}",
            format!("/files/{bogus}"),
            Nothing,
            ALL,
        ),
        case("GET", "/reviews", "/reviews".into(), Nothing, REVIEWERS),
        case(
            "GET",
            "/reviews/{id}",
            format!("/reviews/{bogus}"),
            Nothing,
            REVIEWERS,
        ),
        case(
            "POST",
            "/reviews/{id}",
            format!("/reviews/{bogus}"),
            Form(vec![]),
            REVIEWERS,
        ),
        case("GET", "/calls", "/calls".into(), Nothing, ALL),
        case(
            "GET",
            "/calls/new",
            "/calls/new".into(),
            Nothing,
            MODERATORS,
        ),
        case(
            "POST",
            "/calls/new",
            "/calls/new".into(),
            Form(vec![]),
            MODERATORS,
        ),
        case(
            "GET",
            "/calls/{id}",
            format!("/calls/{bogus}"),
            Nothing,
            ALL,
        ),
        case(
            "GET",
            "/api/v1/knowledge",
            "/api/v1/knowledge".into(),
            Nothing,
            ALL,
        ),
        case(
            "POST",
            "/api/v1/knowledge",
            "/api/v1/knowledge".into(),
            Json(json!({})),
            SUBMITTERS,
        ),
        case("GET", "/api/v1/knowledge/{id}", api_item(""), Nothing, ALL),
        case(
            "PUT",
            "/api/v1/knowledge/{id}",
            api_item(""),
            Json(json!({})),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/submit",
            api_item("/submit"),
            Json(json!({})),
            SUBMITTERS,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/withdraw",
            api_item("/withdraw"),
            Json(json!({})),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/start-review",
            api_item("/start-review"),
            Json(json!({})),
            MODERATORS,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/publish",
            api_item("/publish"),
            Json(json!({})),
            MODERATORS,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/return",
            api_item("/return"),
            Json(json!({})),
            MODERATORS,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/reject",
            api_item("/reject"),
            Json(json!({})),
            MODERATORS,
        ),
        case(
            "POST",
            "/api/v1/knowledge/{id}/reviewers",
            api_item("/reviewers"),
            Json(json!({"reviewer": bogus})),
            MODERATORS,
        ),
        case(
            "GET",
            "/api/v1/reviews",
            "/api/v1/reviews".into(),
            Nothing,
            REVIEWERS,
        ),
        case(
            "POST",
            "/api/v1/reviews/{id}",
            format!("/api/v1/reviews/{bogus}"),
            Json(json!({"verdict": "publish"})),
            REVIEWERS,
        ),
        case("GET", "/api/v1/calls", "/api/v1/calls".into(), Nothing, ALL),
        case(
            "POST",
            "/api/v1/calls",
            "/api/v1/calls".into(),
            Json(json!({})),
            MODERATORS,
        ),
        case(
            "GET",
            "/api/v1/calls/{id}",
            format!("/api/v1/calls/{bogus}"),
            Nothing,
            ALL,
        ),
        case(
            "GET",
            "/catalog.jsonld",
            "/catalog.jsonld".into(),
            Nothing,
            ALL,
        ),
        case("GET", "/catalog.ttl", "/catalog.ttl".into(), Nothing, ALL),
        case("GET", "/catalog.rdf", "/catalog.rdf".into(), Nothing, ALL),
        case(
            "GET",
            "/sdmx/rest/{*path}",
            "/sdmx/rest/dataflow".into(),
            Nothing,
            ALL,
        ),
    ];
    // The evidence base: public pages and API, read only.
    for (route, path) in [
        ("/evidence", "/evidence"),
        ("/evidence/migrant-stock", "/evidence/migrant-stock"),
        ("/evidence/remittance-costs", "/evidence/remittance-costs"),
        ("/evidence/missing-migrants", "/evidence/missing-migrants"),
        ("/api/v1/statistics/datasets", "/api/v1/statistics/datasets"),
        (
            "/api/v1/statistics/datasets/{key}",
            "/api/v1/statistics/datasets/ims-2024",
        ),
        (
            "/api/v1/statistics/datasets/{key}/observations",
            "/api/v1/statistics/datasets/ims-2024/observations",
        ),
        (
            "/api/v1/statistics/migrant-stock",
            "/api/v1/statistics/migrant-stock",
        ),
        (
            "/api/v1/statistics/migrant-stock/map",
            "/api/v1/statistics/migrant-stock/map",
        ),
        (
            "/api/v1/statistics/migrant-stock/corridor",
            "/api/v1/statistics/migrant-stock/corridor?origin=MEX&destination=USA",
        ),
        (
            "/api/v1/statistics/remittance-costs",
            "/api/v1/statistics/remittance-costs",
        ),
        (
            "/api/v1/statistics/remittance-costs/corridors",
            "/api/v1/statistics/remittance-costs/corridors",
        ),
        (
            "/api/v1/statistics/remittance-costs/providers",
            "/api/v1/statistics/remittance-costs/providers?from=USA&to=MEX",
        ),
        (
            "/api/v1/statistics/missing-migrants",
            "/api/v1/statistics/missing-migrants",
        ),
        (
            "/api/v1/statistics/missing-migrants/incidents",
            "/api/v1/statistics/missing-migrants/incidents",
        ),
    ] {
        list.push(case("GET", route, path.into(), Nothing, ALL));
    }
    // CKAN's actions: anyone, by GET or POST, under both of CKAN's paths.
    for prefix in ["/api/3/action/", "/api/action/"] {
        for action in [
            "package_search",
            "package_show",
            "package_list",
            "organization_list",
            "group_list",
            "tag_list",
            "status_show",
            "{action}",
        ] {
            let route: &'static str = Box::leak(format!("{prefix}{action}").into_boxed_str());
            let path = format!("{prefix}{}", action.replace("{action}", "resource_create"));
            list.push(case("GET", route, path.clone(), Nothing, ALL));
            list.push(case("POST", route, path, Json(json!({})), ALL));
        }
    }
    list
}

/// The connection hub. Routes on one request take a bogus id here (a 404 for whoever passes
/// the gate); `hub_requests_stay_with_their_country` runs them on a real request.
fn hub_cases(bogus: &'static str, org_a: &str) -> Vec<Case> {
    use Send::*;
    let request = |suffix: &str| format!("/hub/requests/{bogus}{suffix}");
    let api = |suffix: &str| format!("/api/v1/hub/requests/{bogus}{suffix}");
    let case = |method, route, path: String, send, allowed| Case {
        method,
        route,
        path,
        send,
        allowed,
    };
    vec![
        case("GET", "/hub", "/hub".into(), Nothing, ALL),
        case("GET", "/hub/requests", "/hub/requests".into(), Nothing, ALL),
        case(
            "GET",
            "/hub/requests/new",
            "/hub/requests/new".into(),
            Nothing,
            FOCAL_POINTS,
        ),
        case(
            "POST",
            "/hub/requests/new",
            "/hub/requests/new".into(),
            Form(vec![]),
            FOCAL_POINTS,
        ),
        case("GET", "/hub/requests/{id}", request(""), Nothing, ALL),
        case(
            "GET",
            "/hub/requests/{id}/matching",
            request("/matching"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/hub/requests/{id}/matching",
            request("/matching"),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/hub/requests/{id}/suggestions/{suggestion}",
            request(&format!("/suggestions/{bogus}")),
            Form(vec![("decision", "accept")]),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/hub/requests/{id}/assign",
            request("/assign"),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/hub/requests/{id}/stage",
            request("/stage"),
            Form(vec![("to", "withdrawn")]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/hub/requests/{id}/visibility",
            request("/visibility"),
            Form(vec![]),
            FOCAL_POINTS,
        ),
        case(
            "POST",
            "/hub/requests/{id}/invitation",
            request("/invitation"),
            Form(vec![("accept", "yes")]),
            FOCAL_POINTS,
        ),
        case(
            "POST",
            "/hub/requests/{id}/comments",
            request("/comments"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/hub/requests/{id}/attachments",
            request("/attachments"),
            Form(vec![]),
            SIGNED_IN,
        ),
        case(
            "GET",
            "/hub/files/{id}",
            format!("/hub/files/{bogus}"),
            Nothing,
            ALL,
        ),
        case(
            "POST",
            "/hub/requests/{id}/team",
            request("/team"),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/hub/requests/{id}/team/{member}/remove",
            request(&format!("/team/{bogus}/remove")),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/hub/requests/{id}/funding",
            request("/funding"),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "GET",
            "/hub/requests/{id}/concept-note",
            request("/concept-note"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/hub/requests/{id}/concept-note",
            request("/concept-note"),
            Form(vec![]),
            SECRETARIAT,
        ),
        case(
            "GET",
            "/hub/queue",
            "/hub/queue".into(),
            Nothing,
            SECRETARIAT,
        ),
        case(
            "GET",
            "/hub/dashboard",
            "/hub/dashboard".into(),
            Nothing,
            SECRETARIAT,
        ),
        case("GET", "/hub/partners", "/hub/partners".into(), Nothing, ALL),
        case(
            "GET",
            "/hub/partners/{id}",
            format!("/hub/partners/{org_a}"),
            Nothing,
            ALL,
        ),
        case(
            "GET",
            "/hub/partners/{id}/edit",
            format!("/hub/partners/{org_a}/edit"),
            Nothing,
            ORGANIZATION_A_EDITORS,
        ),
        case(
            "POST",
            "/hub/partners/{id}/edit",
            format!("/hub/partners/{org_a}/edit"),
            Form(vec![]),
            ORGANIZATION_A_EDITORS,
        ),
        case(
            "GET",
            "/api/v1/hub/requests",
            "/api/v1/hub/requests".into(),
            Nothing,
            ALL,
        ),
        case(
            "POST",
            "/api/v1/hub/requests",
            "/api/v1/hub/requests".into(),
            Json(json!({})),
            FOCAL_POINTS,
        ),
        case("GET", "/api/v1/hub/requests/{id}", api(""), Nothing, ALL),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/transitions",
            api("/transitions"),
            Json(json!({"to": "withdrawn"})),
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/assignment",
            api("/assignment"),
            Json(json!({"officer": bogus})),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/visibility",
            api("/visibility"),
            Json(json!({"public": true})),
            FOCAL_POINTS,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/invitation",
            api("/invitation"),
            Json(json!({"accept": true})),
            FOCAL_POINTS,
        ),
        case(
            "GET",
            "/api/v1/hub/requests/{id}/comments",
            api("/comments"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/comments",
            api("/comments"),
            Json(json!({"body": "x"})),
            SIGNED_IN,
        ),
        case(
            "GET",
            "/api/v1/hub/requests/{id}/suggestions",
            api("/suggestions"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/suggestions",
            api("/suggestions"),
            Json(json!({})),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/suggestions/{suggestion}",
            api(&format!("/suggestions/{bogus}")),
            Json(json!({"decision": "accept"})),
            SECRETARIAT,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/team",
            api("/team"),
            Json(json!({"role": "lead", "name": "Ministry"})),
            SECRETARIAT,
        ),
        case(
            "DELETE",
            "/api/v1/hub/requests/{id}/team/{member}",
            api(&format!("/team/{bogus}")),
            Nothing,
            SECRETARIAT,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/funding",
            api("/funding"),
            Json(json!({"source": "start-up-fund", "status": "identified"})),
            SECRETARIAT,
        ),
        case(
            "GET",
            "/api/v1/hub/requests/{id}/concept-note",
            api("/concept-note"),
            Nothing,
            SIGNED_IN,
        ),
        case(
            "POST",
            "/api/v1/hub/requests/{id}/concept-note",
            api("/concept-note"),
            Json(json!({})),
            SECRETARIAT,
        ),
        case(
            "GET",
            "/api/v1/hub/partners",
            "/api/v1/hub/partners".into(),
            Nothing,
            ALL,
        ),
        case(
            "GET",
            "/api/v1/hub/partners/{id}",
            format!("/api/v1/hub/partners/{org_a}"),
            Nothing,
            ALL,
        ),
        case(
            "PUT",
            "/api/v1/hub/partners/{id}",
            format!("/api/v1/hub/partners/{org_a}"),
            Json(json!({})),
            ORGANIZATION_A_EDITORS,
        ),
        case(
            "GET",
            "/api/v1/hub/statistics",
            "/api/v1/hub/statistics".into(),
            Nothing,
            ALL,
        ),
        case(
            "GET",
            "/api/v1/hub/dashboard",
            "/api/v1/hub/dashboard".into(),
            Nothing,
            SECRETARIAT,
        ),
    ]
}

/// Refused: 401 or 403; a page asked for with GET may instead send the public to sign in.
fn refused(method: &str, answer: &Answer) -> bool {
    matches!(answer.status.as_u16(), 401 | 403)
        || (method == "GET"
            && answer.status.as_u16() == 303
            && answer.header("location").starts_with("/login"))
}

async fn send(f: &Fixture<'_>, role: &str, case: &Case) -> Answer {
    match &case.send {
        Send::Nothing => {
            f.request(role, case.method, &case.path, Body::empty(), None)
                .await
        }
        Send::Form(fields) => f.post_form(role, &case.path, fields).await,
        Send::Json(value) => f.send_json(role, case.method, &case.path, value).await,
    }
}

async fn every_route_against_every_role(store: &TestStore) {
    let f = Fixture::new(store).await;
    let cases = cases(&f);

    // The table covers exactly the registered routes.
    let registered: BTreeSet<(String, String)> = marrakech_web::route_specs()
        .into_iter()
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .collect();
    let tabled: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_owned(), c.route.to_owned()))
        .collect();
    let missing: Vec<_> = registered.difference(&tabled).collect();
    assert!(
        missing.is_empty(),
        "routes without an entry in the access table: {missing:?}"
    );
    let stale: Vec<_> = tabled.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "table entries for routes that do not exist: {stale:?}"
    );

    let mut wrong = Vec::new();
    for case in &cases {
        for role in ROLE_KEYS {
            let answer = send(&f, role, case).await;
            let expected = case.allowed.contains(&role);
            if refused(case.method, &answer) == expected {
                wrong.push(format!(
                    "{} {} as {role}: {} ({}), expected {}",
                    case.method,
                    case.path,
                    answer.status,
                    answer.body.chars().take(120).collect::<String>(),
                    if expected { "allowed" } else { "refused" }
                ));
            }
            if !expected && case.path.starts_with("/api/") {
                let code = answer.status.as_u16();
                let want = if role == "anonymous" { 401 } else { 403 };
                if code != want {
                    wrong.push(format!(
                        "{} {} as {role}: {code}, expected {want}",
                        case.method, case.path
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} outcomes differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The policy also decides on the resource: a contributor edits only their organization, and
/// an administrator does not change their own roles or status.
async fn resource_rules_hold(store: &TestStore) {
    let f = Fixture::new(store).await;
    let b = &f.org_b.id;
    assert_eq!(
        f.get_as("contributor", &format!("/organizations/{b}/edit"))
            .await
            .status,
        403
    );
    assert_eq!(
        f.post_form(
            "contributor",
            &format!("/organizations/{b}/edit"),
            &[("name", "Taken over")]
        )
        .await
        .status,
        403
    );
    let patch = f
        .send_json(
            "contributor",
            "PATCH",
            &format!("/api/v1/organizations/{b}"),
            &json!({"name": "Taken over", "kind": "civil-society"}),
        )
        .await;
    assert_eq!(patch.status, 403, "{}", patch.body);
    assert_eq!(
        f.store.organization(b).await.unwrap().unwrap().name,
        "Organization B"
    );

    let admin = &f.users["administrator"].id;
    let own = f
        .post_form(
            "administrator",
            &format!("/admin/users/{admin}/roles"),
            &[("role", "secretariat")],
        )
        .await;
    assert_eq!(own.status, 403);
    let own = f
        .send_json(
            "administrator",
            "POST",
            &format!("/api/v1/users/{admin}/roles"),
            &json!({"role": "fund-manager"}),
        )
        .await;
    assert_eq!(own.status, 403);
    let own = f
        .post_form(
            "administrator",
            &format!("/admin/users/{admin}/status"),
            &[("status", "disabled")],
        )
        .await;
    assert_eq!(own.status, 403);
}

/// A valid request body, for Mexico's focal point.
pub fn hub_request_body(title: &str) -> serde_json::Value {
    json!({
        "title": title,
        "description": "Our ministry of labour needs data on departures of seasonal workers.",
        "objectives": ["obj-1", "obj-6"],
        "actions": ["obj-6-a"],
        "countries": ["MEX"],
        "support": ["data", "technical-assistance"],
        "languages": ["es", "en"],
    })
}

/// Every route on one request, run on a real, confidential request of Mexico's: another
/// country's focal point, a contributor whose organization is not engaged, a reviewer, the
/// administrator and the public are refused (401, 403 or 404, never an answer), while
/// Mexico's focal point reads it. Once Mexico makes it public, everyone reads it, and still
/// nobody else acts on it.
async fn hub_requests_stay_with_their_country(store: &TestStore) {
    let mut f = Fixture::new(store).await;
    f.add_focal_point("other-focal-point", 608).await;
    let title = "Confidential seasonal worker data for Mexico";
    let submitted = f
        .send_json(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            &hub_request_body(title),
        )
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bogus = "00000000000000000000000000000000";
    let routes: Vec<(String, String)> = marrakech_web::route_specs()
        .into_iter()
        .filter(|s| s.path.contains("/hub/requests/{id}"))
        .map(|s| {
            let path = s
                .path
                .replace("{id}", &id)
                .replace("{suggestion}", bogus)
                .replace("{member}", bogus);
            (s.method.to_string(), path)
        })
        .collect();
    assert_eq!(routes.len(), 30, "{routes:?}");
    let body_for = |path: &str| -> (Vec<(&'static str, &'static str)>, serde_json::Value) {
        if path.ends_with("/team") {
            (
                vec![("role", "lead"), ("name", "Ministry of Labour")],
                json!({"role": "lead", "name": "Ministry of Labour"}),
            )
        } else if path.ends_with("/funding") {
            (
                vec![("source", "start-up-fund"), ("status", "identified")],
                json!({"source": "start-up-fund", "status": "identified"}),
            )
        } else if path.ends_with("/comments") {
            (vec![("comment", "Let me in")], json!({"body": "Let me in"}))
        } else if path.ends_with("/stage") || path.ends_with("/transitions") {
            (vec![("to", "withdrawn")], json!({"to": "withdrawn"}))
        } else if path.ends_with("/visibility") {
            (vec![("public", "true")], json!({"public": true}))
        } else if path.ends_with("/invitation") {
            (vec![("accept", "yes")], json!({"accept": true}))
        } else if path.ends_with("/assignment") || path.ends_with("/assign") {
            (vec![("officer", "x")], json!({"officer": "x"}))
        } else {
            (vec![("decision", "accept")], json!({"decision": "accept"}))
        }
    };
    let outsiders = [
        "anonymous",
        "other-focal-point",
        "contributor",
        "reviewer-internal",
        "administrator",
    ];
    let mut wrong = Vec::new();
    for public in [false, true] {
        for (method, path) in &routes {
            for role in outsiders {
                let (form, json_body) = body_for(path);
                let answer = match (method.as_str(), path.starts_with("/api/")) {
                    ("GET", _) => f.get_as(role, path).await,
                    ("DELETE", _) => f.request(role, "DELETE", path, Body::empty(), None).await,
                    (m, true) => f.send_json(role, m, path, &json_body).await,
                    (_, false) => f.post_form(role, path, &form).await,
                };
                let code = answer.status.as_u16();
                let to_login = code == 303 && answer.header("location").starts_with("/login");
                // Once public, the request's page and record are read by anyone.
                let readable = public
                    && method == "GET"
                    && (path.ends_with(&id) || path.ends_with(&format!("{id}/")));
                let refused = matches!(code, 401 | 403 | 404) || to_login;
                if readable && code != 200 || !readable && !refused {
                    wrong.push(format!("public={public} {method} {path} as {role}: {code}"));
                }
                if !readable && answer.body.contains(title) {
                    wrong.push(format!(
                        "public={public} {method} {path} as {role} shows the title"
                    ));
                }
            }
        }
        // Mexico's focal point reads it, in the page and the API.
        for path in [
            format!("/hub/requests/{id}"),
            format!("/api/v1/hub/requests/{id}"),
        ] {
            let answer = f.get_as("focal-point", &path).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            assert!(answer.body.contains(title));
        }
        // Lists and public statistics count it without showing it.
        for path in [
            "/hub",
            "/hub/requests",
            "/api/v1/hub/requests",
            "/api/v1/hub/statistics",
        ] {
            for role in ["anonymous", "other-focal-point"] {
                let answer = f.get_as(role, path).await;
                assert_eq!(answer.status, 200, "{path} as {role}");
                let shown = public && path != "/api/v1/hub/statistics";
                assert_eq!(
                    answer.body.contains(title),
                    shown,
                    "{path} as {role}, public={public}"
                );
            }
        }
        let stats = f.get_as("anonymous", "/api/v1/hub/statistics").await.json();
        assert_eq!(stats["requests"], 1);
        if !public {
            let made_public = f
                .send_json(
                    "focal-point",
                    "POST",
                    &format!("/api/v1/hub/requests/{id}/visibility"),
                    &json!({"public": true}),
                )
                .await;
            assert_eq!(made_public.status, 200, "{}", made_public.body);
        }
    }
    assert!(
        wrong.is_empty(),
        "{} outcomes wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Nothing an outsider sent changed the request.
    let request = f.store.support_request(&id).await.unwrap().unwrap();
    assert_eq!(request.stage, marrakech_core::hub::Stage::Submitted);
    assert!(f.store.request_comments(&id).await.unwrap().is_empty());
    assert!(f.store.team(&id).await.unwrap().is_empty());
}

backend_tests!(
    every_route_against_every_role,
    resource_rules_hold,
    hub_requests_stay_with_their_country
);
