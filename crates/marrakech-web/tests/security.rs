//! The security baseline: anti-forgery tokens, headers, inert payloads in every text field,
//! strict JSON, and no personal data in any public answer.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{request, Fixture, CSRF};
use marrakech_store::backend_tests;
use marrakech_store::testing::TestStore;
use serde_json::json;

async fn fixture(store: &TestStore) -> Fixture<'_> {
    Fixture::new(store).await
}

async fn state_changes_need_the_anti_forgery_token(store: &TestStore) {
    let f = fixture(store).await;
    let session = f.session("secretariat").await.unwrap();
    let post = |cookie: String, body: String, origin: Option<&str>| {
        let mut b = Request::post("/account/profile")
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            b = b.header("origin", o).header("host", "marrakech.example");
        }
        b.body(Body::from(body)).unwrap()
    };
    let with_csrf = format!("marrakech_session={session}; marrakech_csrf={CSRF}");
    // No token at all.
    let answer = request(
        &f.app,
        post(
            format!("marrakech_session={session}"),
            "display_name=X".into(),
            None,
        ),
    )
    .await;
    assert_eq!(answer.status, 403);
    assert!(answer.body.contains("did not come from this site"));
    // A token in the form that is not the cookie's.
    let answer = request(
        &f.app,
        post(
            with_csrf.clone(),
            "display_name=X&csrf_token=forged-forged-forged-forged-forged-forged".into(),
            None,
        ),
    )
    .await;
    assert_eq!(answer.status, 403);
    // The right token, but sent from another site.
    let answer = request(
        &f.app,
        post(
            with_csrf.clone(),
            format!("display_name=X&csrf_token={CSRF}"),
            Some("https://evil.example"),
        ),
    )
    .await;
    assert_eq!(answer.status, 403);
    // The right token from this site.
    let answer = request(
        &f.app,
        post(
            with_csrf.clone(),
            format!("display_name=Renamed&csrf_token={CSRF}"),
            Some("https://marrakech.example"),
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        f.store
            .user(&f.users["secretariat"].id)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Renamed"
    );
    // The JSON API with a cookie needs the header too.
    let answer = request(
        &f.app,
        Request::post("/api/v1/organizations")
            .header("cookie", with_csrf.clone())
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"name": "Org", "kind": "academia"}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.json()["error"]["code"], "csrf");
    // A sign-in form is protected too (against login CSRF).
    let answer = request(
        &f.app,
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("email=a@example.org&password=x"))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 403);
    // A page hands out the cookie and puts the same token in its forms.
    let page = request(&f.app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let cookie = page.header("set-cookie").to_owned();
    assert!(
        cookie.starts_with("marrakech_csrf=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie
        .trim_start_matches("marrakech_csrf=")
        .split(';')
        .next()
        .unwrap();
    assert!(page
        .body
        .contains(&format!("name=\"csrf_token\" value=\"{token}\"")));
}

async fn security_headers_on_every_html_answer(store: &TestStore) {
    let f = fixture(store).await;
    for (role, uri) in [
        ("anonymous", "/login"),
        ("anonymous", "/register"),
        ("anonymous", "/no-such-page"),
        ("anonymous", "/objectives/obj-99"),
        ("anonymous", "/countries?member_state=perhaps"),
        ("administrator", "/admin/users"),
        ("administrator", "/admin/audit"),
        ("contributor", "/account"),
        ("contributor", "/admin"),
    ] {
        let answer = f.get_as(role, uri).await;
        assert!(
            answer.header("content-type").starts_with("text/html"),
            "{uri}"
        );
        let csp = answer.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{uri}"
        );
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(
            answer.header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{uri}"
        );
        assert_eq!(answer.header("x-frame-options"), "DENY", "{uri}");
    }
    let https = marrakech_web::app(
        f.store.store.clone(),
        marrakech_web::WebConfig {
            https: true,
            ..Default::default()
        },
    );
    let answer = request(&https, Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(answer
        .header("strict-transport-security")
        .starts_with("max-age="));
}

async fn json_bodies_are_strict(store: &TestStore) {
    let f = fixture(store).await;
    let unknown = f
        .send_json(
            "administrator",
            "POST",
            "/api/v1/organizations",
            &json!({"name": "Org C", "kind": "academia", "colour": "blue"}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.json()["error"]["field"], "colour");
    let wrong_type = f
        .request(
            "administrator",
            "POST",
            "/api/v1/organizations",
            Body::from("name=Org"),
            Some("application/x-www-form-urlencoded"),
        )
        .await;
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.json()["error"]["code"], "unsupported_media_type");
    let bad_value = f
        .send_json(
            "administrator",
            "POST",
            "/api/v1/organizations",
            &json!({"name": "Org C", "kind": "sports-club"}),
        )
        .await;
    assert_eq!(bad_value.status, 422);
    assert_eq!(bad_value.json()["error"]["field"], "kind");
    let not_json = f
        .request(
            "administrator",
            "POST",
            "/api/v1/organizations",
            Body::from("{name"),
            Some("application/json"),
        )
        .await;
    assert_eq!(not_json.status, 422);
    let created = f
        .send_json(
            "administrator",
            "POST",
            "/api/v1/organizations",
            &json!({"name": "Org C", "kind": "academia", "website": "https://org-c.example"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["verified"], true);
    let duplicate = f
        .send_json(
            "administrator",
            "POST",
            "/api/v1/organizations",
            &json!({"name": "org  c", "kind": "academia"}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.json()["error"]["field"], "name");
}

const PAYLOADS: [&str; 10] = [
    "<script>alert('x')</script>",
    "\"><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "'; DROP TABLE app_user; --",
    "{{7*7}} ${7*7} <%= 7*7 %>",
];

/// What must never appear in a page: markup that would run.
fn assert_inert_html(context: &str, html: &str) {
    for bad in [
        "<script>alert",
        "<img src=x onerror",
        "<svg onload",
        "href=\"javascript:",
        ">49<",
    ] {
        assert!(!html.contains(bad), "{context}: `{bad}` came through");
    }
}

fn assert_inert_csv(context: &str, csv: &str) {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            if cell.starts_with(['=', '+', '-', '@']) {
                assert!(
                    cell.parse::<f64>().is_ok(),
                    "{context}: a cell starts a formula: {cell}"
                );
            }
        }
    }
}

async fn payloads_come_back_inert_everywhere(store: &TestStore) {
    let f = fixture(store).await;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        // Organizations: name and Markdown description, through the page form and the API.
        let name = format!("{payload} {i}");
        let page = f
            .post_form(
                "secretariat",
                "/organizations",
                &[
                    ("name", &name),
                    ("kind", "academia"),
                    ("description", payload),
                    ("website", ""),
                ],
            )
            .await;
        assert!(
            page.status == 303 || page.status == 422,
            "{payload}: {}",
            page.status
        );
        let api = f
            .send_json("secretariat", "POST", "/api/v1/organizations", &json!({"name": format!("api {name}"), "kind": "media", "description": format!("[x](javascript:alert(1)) {payload}")}))
            .await;
        assert!(
            api.status == 201 || api.status == 422,
            "{payload}: {}",
            api.body
        );
        // A website that is not one is refused.
        let site = f
            .post_form(
                "secretariat",
                "/organizations",
                &[
                    ("name", &format!("site {i}")),
                    ("kind", "academia"),
                    ("website", "javascript:alert(1)"),
                ],
            )
            .await;
        assert_eq!(site.status, 422);
        // People: the profile name, an invitation, a token name, a registration.
        f.post_form(
            "contributor",
            "/account/profile",
            &[("display_name", payload)],
        )
        .await;
        f.post_form(
            "administrator",
            "/admin/invitations",
            &[
                ("email", &format!("invitee{i}@example.org")),
                ("display_name", payload),
                ("role", "secretariat"),
            ],
        )
        .await;
        f.post_form(
            "contributor",
            "/account/tokens",
            &[
                ("token_name", payload),
                ("actions", "use-account"),
                ("days", "30"),
            ],
        )
        .await;
        f.post_form(
            "anonymous",
            "/register",
            &[
                ("display_name", payload),
                ("email", &format!("reg{i}@example.org")),
                ("password", "a quiet river at dawn"),
                ("password_confirmation", "a quiet river at dawn"),
                ("new_organization_name", &format!("reg org {payload} {i}")),
                ("new_organization_kind", "civil-society"),
                ("accept_terms", "on"),
            ],
        )
        .await;
    }
    // The SQL stayed data.
    assert!(f.store.users(&Default::default(), 1, 0).await.unwrap().1 > 10);

    let (organizations, _) = f
        .store
        .organizations(&Default::default(), 1000, 0)
        .await
        .unwrap();
    assert!(organizations.iter().any(|o| o.name.starts_with("<script>")));
    for (role, uri) in [
        ("anonymous", "/organizations".to_owned()),
        ("anonymous", "/organizations?name=%3Cscript%3E".to_owned()),
        ("contributor", "/account".to_owned()),
        ("administrator", "/admin/users".to_owned()),
        (
            "administrator",
            "/admin/users?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
        ),
        (
            "administrator",
            "/admin/audit?action=%3Cscript%3E".to_owned(),
        ),
        ("administrator", "/admin/outbox".to_owned()),
        ("administrator", "/register".to_owned()),
    ]
    .into_iter()
    .chain(
        organizations
            .iter()
            .map(|o| ("anonymous", format!("/organizations/{}", o.id))),
    )
    .chain(
        organizations
            .iter()
            .map(|o| ("secretariat", format!("/organizations/{}/edit", o.id))),
    ) {
        let page = f.get_as(role, &uri).await;
        assert_eq!(page.status, 200, "{uri}");
        assert_inert_html(&uri, &page.body);
    }
    for (role, uri) in [
        ("anonymous", "/api/v1/organizations?limit=250"),
        ("contributor", "/api/v1/me"),
        ("administrator", "/api/v1/users?limit=250"),
        ("administrator", "/api/v1/audit?limit=250"),
    ] {
        let answer = f.get_as(role, uri).await;
        assert_eq!(answer.status, 200, "{uri}");
        assert_eq!(answer.header("content-type"), "application/json", "{uri}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff");
        let json = answer.json();
        // Descriptions come rendered through the sanitizer, without scripts or script links.
        for o in json["items"].as_array().into_iter().flatten() {
            if let Some(html) = o["description_html"].as_str() {
                assert_inert_html(uri, html);
                assert!(!html.contains("href=\"javascript:"), "{html}");
            }
        }
    }
    for (role, uri) in [
        ("anonymous", "/organizations?format=csv"),
        ("anonymous", "/api/v1/organizations?format=csv"),
        ("administrator", "/admin/users?format=csv"),
        ("administrator", "/api/v1/users?format=csv"),
        ("administrator", "/admin/audit?format=csv"),
    ] {
        let answer = f.get_as(role, uri).await;
        assert_eq!(answer.status, 200, "{uri}");
        assert_inert_csv(uri, &answer.body);
    }
}

/// A marker planted in every personal field never comes back in a public answer.
async fn personal_data_stays_out_of_public_answers(store: &TestStore) {
    const MARKER: &str = "zqxpersonalmarker";
    let f = fixture(store).await;
    let system = marrakech_store::AuditContext::system();
    for field in marrakech_store::personal::PERSONAL_COLUMNS {
        assert!(
            [
                "app_user",
                "email_outbox",
                "login_failure",
                "knowledge_item"
            ]
            .contains(&field.0),
            "{field:?} is planted below"
        );
    }
    // A knowledge item's contact person, on a published (harvested) item.
    let mut content = common::sample_content("Published practice with a contact");
    content.contact_name = Some(format!("Dee {MARKER}"));
    content.contact_email = Some(format!("dee.{MARKER}@example.org"));
    f.store
        .harvest(
            &system,
            "https://catalog.example",
            vec![marrakech_store::knowledge::HarvestedItem {
                source_id: "p1".into(),
                source_url: None,
                published_at: marrakech_store::now_text(),
                content,
            }],
            false,
        )
        .await
        .unwrap();
    // Users (email, name) by every path: registration, invitation, direct creation.
    f.post_form(
        "anonymous",
        "/register",
        &[
            ("display_name", &format!("Ana {MARKER}")),
            ("email", &format!("{MARKER}@example.org")),
            ("password", "a quiet river at dawn"),
            ("password_confirmation", "a quiet river at dawn"),
            ("organization", &f.org_a.id),
            ("accept_terms", "on"),
        ],
    )
    .await;
    let invited = f
        .post_form(
            "administrator",
            "/admin/invitations",
            &[
                ("email", &format!("inv.{MARKER}@example.org")),
                ("display_name", &format!("Bo {MARKER}")),
                ("role", "focal-point"),
                ("country", "484"),
            ],
        )
        .await;
    assert_eq!(invited.status, 200, "{}", invited.body);
    f.post_form(
        "contributor",
        "/account/profile",
        &[("display_name", &format!("Cy {MARKER}"))],
    )
    .await;
    // A failed sign-in stores the address it was tried with.
    f.post_form(
        "anonymous",
        "/login",
        &[
            ("email", &format!("{MARKER}@example.org")),
            ("password", "not the password at all"),
        ],
    )
    .await;

    // A public hub request worked on by an officer whose name carries the marker: officers
    // are people, named only to those who work on the request.
    f.post_form(
        "secretariat",
        "/account/profile",
        &[("display_name", &format!("Sy {MARKER}"))],
    )
    .await;
    let submitted = f
        .send_json(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            &serde_json::json!({
                "title": "Data on seasonal workers",
                "objectives": ["obj-1"],
                "countries": ["MEX"],
                "support": ["data"],
                "languages": ["es"],
            }),
        )
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let request = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let officer = f.users["secretariat"].id.clone();
    for (path, body) in [
        ("visibility", serde_json::json!({"public": true})),
        ("assignment", serde_json::json!({"officer": officer})),
        (
            "transitions",
            serde_json::json!({"to": "under-assessment", "note": "Assessing"}),
        ),
        (
            "comments",
            serde_json::json!({"body": "Shared note", "shared": true}),
        ),
    ] {
        let key = if path == "visibility" {
            "focal-point"
        } else {
            "secretariat"
        };
        let answer = f
            .send_json(
                key,
                "POST",
                &format!("/api/v1/hub/requests/{request}/{path}"),
                &body,
            )
            .await;
        assert!(answer.status.is_success(), "{path}: {}", answer.body);
    }
    let mut public = vec![
        "/".to_owned(),
        "/hub".into(),
        "/hub/requests".into(),
        "/hub/requests?format=csv".into(),
        format!("/hub/requests/{request}"),
        "/hub/partners".into(),
        "/api/v1/hub/requests".into(),
        "/api/v1/hub/requests?format=csv".into(),
        format!("/api/v1/hub/requests/{request}"),
        "/api/v1/hub/statistics".into(),
        "/organizations".into(),
        "/organizations?format=csv".into(),
        "/countries".into(),
        "/calendar".into(),
        "/about".into(),
        "/compact".into(),
        "/objectives/obj-1".into(),
        "/login".into(),
        "/register".into(),
        "/api/v1/organizations".into(),
        "/api/v1/organizations?format=csv".into(),
        "/api/v1/countries".into(),
        "/api/v1/openapi.json".into(),
        "/api/v1/calendar".into(),
        "/api/v1/objectives".into(),
    ];
    let (organizations, _) = f
        .store
        .organizations(&Default::default(), 1000, 0)
        .await
        .unwrap();
    for o in &organizations {
        public.push(format!("/organizations/{}", o.id));
        public.push(format!("/api/v1/organizations/{}", o.id));
    }
    // Every public GET route of the registry is covered by a concrete path above.
    let public_routes: Vec<_> = marrakech_web::route_specs()
        .into_iter()
        .filter(|s| {
            s.method == axum::http::Method::GET && s.access == marrakech_web::routes::Access::Public
        })
        .map(|s| s.path)
        .collect();
    assert!(public_routes.len() >= 30);
    for uri in &public {
        let answer = f.get_as("anonymous", uri).await;
        assert!(
            !answer.body.to_lowercase().contains(MARKER),
            "{uri} reveals personal data"
        );
    }
    // Other signed-in users see no one else's personal data either.
    for uri in [
        "/account",
        "/api/v1/me",
        "/organizations",
        "/api/v1/organizations",
    ] {
        let answer = f.get_as("fund-manager", uri).await;
        assert!(
            !answer.body.contains(MARKER),
            "{uri} shows someone else's personal data"
        );
    }
    // The administrator does see it (that is their job), and the audit trail does not hold it.
    assert!(f
        .get_as("administrator", "/admin/users")
        .await
        .body
        .contains(MARKER));
    let audit = f
        .get_as("administrator", "/api/v1/audit?limit=250")
        .await
        .body;
    assert!(
        !audit.contains(MARKER),
        "the audit trail holds personal data"
    );
}

/// A multipart body carrying one file in the `file` field.
fn multipart_file(filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "marrakech-test-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{CSRF}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads `content` as the file `name` to `uri`, as the contributor (with the header token).
async fn upload(f: &Fixture<'_>, uri: &str, name: &str, content: &[u8]) -> common::Answer {
    let (content_type, body) = multipart_file(name, content);
    f.request(
        "contributor",
        "POST",
        uri,
        Body::from(body),
        Some(&content_type),
    )
    .await
}

/// The headers every answer carries, refusals included.
fn assert_security_headers(answer: &common::Answer, what: &str) {
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(!answer.header(name).is_empty(), "{what}: no {name}");
    }
}

async fn each_route_has_its_body_limit_answered_with_every_header(store: &TestStore) {
    let f = fixture(store).await;
    let created = f
        .send_json(
            "contributor",
            "POST",
            "/api/v1/knowledge",
            &json!({
                "kind": "practice",
                "original_language": "en",
                "texts": [{"language": "en", "title": "Upload limits", "summary": "Mobile legal clinics bring counselling to migrant workers in remote farming areas."}],
                "objectives": ["obj-7"],
                "countries": ["MEX"],
                "implementation_state": "ongoing",
                "period_start": 2021,
                "licence": "CC-BY-4.0",
                "respects_principles": true
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let uri = format!("/knowledge/{id}/attachments");
    // The form states the limit it keeps.
    let form = f.get_as("contributor", &format!("/knowledge/{id}")).await;
    assert!(form.body.contains("at most 10 MB"), "{}", form.body);

    // Above the server's 2 MiB default, within the 10 MB the form promises: stored.
    let stored = upload(&f, &uri, "data.txt", &vec![b'a'; 3_000_000]).await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert!(
        stored.body.contains("data.txt is attached."),
        "{}",
        stored.body
    );

    // A browser without scripts sends the anti-forgery token as the form's field only.
    let session = f.session("contributor").await.unwrap();
    let without_header = |body: Vec<u8>, content_type: String| {
        Request::post(uri.as_str())
            .header(
                "cookie",
                format!("marrakech_csrf={CSRF}; marrakech_session={session}"),
            )
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let (content_type, body) = multipart_file("notes.txt", b"field notes");
    let plain = request(&f.app, without_header(body, content_type)).await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(plain.body.contains("notes.txt is attached."));
    let (content_type, body) = multipart_file("forged.txt", b"forged");
    let forged = String::from_utf8(body)
        .unwrap()
        .replace(CSRF, "not-the-token-of-this-browser-0000000000");
    let forged = request(&f.app, without_header(forged.into_bytes(), content_type)).await;
    assert_eq!(forged.status, 403, "{}", forged.body);

    // Just over 10 MB: refused by the file check, on the page, naming the field.
    let over = upload(&f, &uri, "big.txt", &vec![b'a'; 10_000_001]).await;
    assert_eq!(over.status, 422, "{}", over.body);
    assert!(
        over.body.contains("a file is at most 10 MB"),
        "{}",
        over.body
    );

    // Far over: refused before it is read, as a page with every security header.
    let huge = upload(&f, &uri, "huge.txt", &vec![b'a'; 12_000_000]).await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    assert!(huge.header("content-type").starts_with("text/html"));
    assert!(
        huge.body.contains("a file is at most 10 MB"),
        "{}",
        huge.body
    );
    assert_security_headers(&huge, "an upload too large");

    // An API route keeps the server's default, answered in JSON with the same headers.
    let big_json = json!({"title": "x".repeat(3_000_000)});
    let api = f
        .send_json("focal-point", "POST", "/api/v1/hub/requests", &big_json)
        .await;
    assert_eq!(api.status, 413, "{}", api.body);
    assert_eq!(api.json()["error"]["code"], "too_large");
    assert_security_headers(&api, "a JSON body too large");
    assert_eq!(
        f.store.item(&id).await.unwrap().unwrap().attachments.len(),
        2,
        "only the files within the limit, sent with the token, are stored"
    );
}

backend_tests!(
    state_changes_need_the_anti_forgery_token,
    security_headers_on_every_html_answer,
    json_bodies_are_strict,
    payloads_come_back_inert_everywhere,
    personal_data_stays_out_of_public_answers,
    each_route_has_its_body_limit_answered_with_every_header,
);
