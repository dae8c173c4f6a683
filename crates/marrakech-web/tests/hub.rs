//! The connection hub through the application, on both backends: a focal point's request is
//! matched on submission with explained suggestions; the secretariat takes it through every
//! stage to served, with a team, funding and a concept note; a retried submission is stored
//! once; bad input is named by field; everyone concerned is emailed; overdue stages are
//! noticed once.

mod common;

use common::{sample_content, Fixture};
use marrakech_core::countries::M49;
use marrakech_core::hub::Stage;
use marrakech_core::policy::{OrganizationKind, Role};
use marrakech_store::knowledge::HarvestedItem;
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditContext, NewOrganization};
use serde_json::json;

fn request_body(title: &str) -> serde_json::Value {
    json!({
        "title": title,
        "description": "Our ministry of labour lacks data on departures of seasonal agricultural workers and on the recruitment fees they pay.",
        "objectives": ["obj-1", "obj-6"],
        "actions": ["obj-6-a"],
        "countries": ["MEX"],
        "support": ["data", "technical-assistance"],
        "languages": ["es", "en"],
    })
}

/// Two partners with profiles (a UN entity working on labour migration data in Latin America,
/// and a university elsewhere), a published practice, and a second country's public request.
async fn registry(f: &mut Fixture<'_>) -> (String, String) {
    let system = AuditContext::system();
    let org = |name: &str, kind| NewOrganization {
        name: name.to_owned(),
        kind,
        country: None,
        website: None,
        description: String::new(),
    };
    let ilo = f
        .store
        .create_organization(
            &system,
            &org("Labour Migration Agency", OrganizationKind::UnEntity),
        )
        .await
        .unwrap();
    let university = f
        .store
        .create_organization(
            &system,
            &org("Institute of Asian Studies", OrganizationKind::Academia),
        )
        .await
        .unwrap();
    let profile = |summary: &str,
                   objectives: &[&str],
                   countries: &[&str],
                   regions: &[&str],
                   languages: &[&str]| {
        json!({
            "summary": summary,
            "staff": 5,
            "objectives": objectives,
            "actions": [],
            "countries": countries,
            "regions": regions,
            "languages": languages,
            "support": ["data", "technical-assistance", "capacity-building"],
        })
    };
    let saved = f
        .send_json(
            "secretariat",
            "PUT",
            &format!("/api/v1/hub/partners/{}", ilo.id),
            &profile(
                "Labour migration statistics, recruitment fees and fair recruitment for seasonal agricultural workers.",
                &["obj-1", "obj-6"],
                &["MEX", "GTM"],
                &["419"],
                &["es", "en"],
            ),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["countries"], json!(["GTM", "MEX"]));
    assert_eq!(saved.json()["languages"], json!(["es", "en"]));
    let saved = f
        .send_json(
            "secretariat",
            "PUT",
            &format!("/api/v1/hub/partners/{}", university.id),
            &profile(
                "Research on maritime labour in South-East Asia.",
                &["obj-23"],
                &["PHL"],
                &[],
                &["en"],
            ),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let bad = f
        .send_json(
            "secretariat",
            "PUT",
            &format!("/api/v1/hub/partners/{}", university.id),
            &json!({"summary": "Research.", "staff": -1, "languages": ["xx"], "support": []}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.json()["error"]["field"].is_string());

    let mut practice = sample_content("Fair recruitment of seasonal agricultural workers");
    practice.objectives = vec!["obj-6".into()];
    practice.actions = vec!["obj-6-a".into()];
    practice.countries = vec![M49::new(320).unwrap()];
    f.store
        .harvest(
            &system,
            "https://example.org/catalogue",
            vec![HarvestedItem {
                source_id: "p-1".into(),
                source_url: None,
                published_at: "2025-01-01T00:00:00.000000Z".into(),
                content: practice,
            }],
            false,
        )
        .await
        .unwrap();

    // Guatemala asked before, and made its request public: a peer for Mexico.
    f.add_focal_point("guatemala", 320).await;
    let mut body = request_body("Recruitment fees of Guatemalan seasonal workers");
    body["countries"] = json!(["GTM"]);
    let peer = f
        .send_json("guatemala", "POST", "/api/v1/hub/requests", &body)
        .await;
    assert_eq!(peer.status, 201, "{}", peer.body);
    let peer_id = peer.json()["request"]["id"].as_str().unwrap().to_owned();
    let public = f
        .send_json(
            "guatemala",
            "POST",
            &format!("/api/v1/hub/requests/{peer_id}/visibility"),
            &json!({"public": true}),
        )
        .await;
    assert_eq!(public.status, 200, "{}", public.body);
    (ilo.id, university.id)
}

async fn a_request_is_matched_and_served_through_every_stage(store: &TestStore) {
    let mut f = Fixture::new(store).await;
    let (agency, university) = registry(&mut f).await;

    // Bad input is named by field and stores nothing.
    let before = f.store.support_requests().await.unwrap().len();
    let bad = f
        .post_form(
            "focal-point",
            "/hub/requests/new",
            &[("title", "x"), ("countries", "XYZ"), ("languages", "en")],
        )
        .await;
    assert_eq!(bad.status, 422);
    for field in [
        "href=\"#title\"",
        "href=\"#objectives\"",
        "href=\"#countries\"",
        "href=\"#support\"",
    ] {
        assert!(bad.body.contains(field), "no error for {field}");
    }
    assert_eq!(f.store.support_requests().await.unwrap().len(), before);

    // Submitted in the browser's way: the next page shows ranked, explained suggestions.
    let form: Vec<(&str, &str)> = vec![
        ("idempotency_key", "form-1"),
        ("title", "Data on seasonal agricultural workers"),
        ("description", "Our ministry of labour lacks data on departures of seasonal agricultural workers and on recruitment fees."),
        ("objectives", "obj-1"),
        ("objectives", "obj-6"),
        ("actions", "obj-6-a"),
        ("countries", "484"),
        ("support", "data"),
        ("support", "technical-assistance"),
        ("languages", "es"),
        ("urgency", "high"),
    ];
    let submitted = f.post_form("focal-point", "/hub/requests/new", &form).await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let location = submitted.header("location").to_owned();
    // The same form posted again (a double click) lands on the same request.
    let again = f.post_form("focal-point", "/hub/requests/new", &form).await;
    assert_eq!(again.header("location"), location);
    let id = location
        .trim_start_matches("/hub/requests/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = f.get_as("focal-point", &location).await;
    assert_eq!(page.status, 200);
    let agency_at = page
        .body
        .find("Labour Migration Agency")
        .expect("the agency is suggested");
    let university_at = page
        .body
        .find("Institute of Asian Studies")
        .unwrap_or(usize::MAX);
    assert!(agency_at < university_at, "the agency ranks first");
    for factor in [
        "Objectives and actions",
        "Text similarity",
        "Geographic proximity",
        "Capacity",
    ] {
        assert!(page.body.contains(factor), "the factor {factor} is shown");
    }
    assert!(page
        .body
        .contains("Fair recruitment of seasonal agricultural workers"));
    assert!(page
        .body
        .contains("Recruitment fees of Guatemalan seasonal workers"));
    assert!(page.body.contains("past request"));
    // The requesting country does not decide on suggestions.
    assert!(!page.body.contains(">Accept</button>"));

    // Secretariat: assign, accept the agency, dismiss the university, match again.
    let officer = f.users["secretariat"].id.clone();
    let assigned = f
        .post_form(
            "secretariat",
            &format!("/hub/requests/{id}/assign"),
            &[("officer", &officer)],
        )
        .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let suggestions = f
        .get_as(
            "secretariat",
            &format!("/api/v1/hub/requests/{id}/suggestions"),
        )
        .await
        .json();
    let find = |target: &str| {
        suggestions["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["target_id"] == target)
            .map(|s| s["id"].as_str().unwrap().to_owned())
    };
    let factors = &suggestions["items"][0]["factors"];
    assert!(factors.as_array().unwrap().len() >= 5, "{factors}");
    // The practice was found by the knowledge platform's search index, and its text factor
    // names the words it shares with the request.
    let practice = suggestions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Fair recruitment of seasonal agricultural workers")
        .expect("the practice is a suggestion");
    let text = practice["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "text")
        .unwrap();
    assert!(text["value"].as_f64().unwrap() > 0.0, "{text}");
    let because = text["explanation"].as_str().unwrap();
    assert!(
        because.contains("seasonal") || because.contains("recruitment"),
        "{because}"
    );
    let accept = find(&agency).expect("the agency is a suggestion");
    let accepted = f
        .post_form(
            "secretariat",
            &format!("/hub/requests/{id}/suggestions/{accept}"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(accepted.status, 303);
    if let Some(dismiss) = find(&university) {
        let dismissed = f
            .send_json(
                "secretariat",
                "POST",
                &format!("/api/v1/hub/requests/{id}/suggestions/{dismiss}"),
                &json!({"decision": "dismiss"}),
            )
            .await;
        assert_eq!(dismissed.status, 200, "{}", dismissed.body);
    }
    let rematched = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/suggestions"),
            &json!({}),
        )
        .await;
    assert_eq!(rematched.status, 200, "{}", rematched.body);
    let decided: Vec<_> = rematched.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["target_id"] == agency.as_str() || s["target_id"] == university.as_str())
        .map(|s| s["decision"].clone())
        .collect();
    assert!(
        decided.iter().all(|d| !d.is_null()),
        "decisions survive matching again: {decided:?}"
    );

    // The accepted agency is on the team: its contributor now sees the request.
    f.add_user(
        "agency",
        Role::Contributor {
            organization: agency.clone(),
        },
    )
    .await;
    assert_eq!(
        f.get_as("agency", &format!("/hub/requests/{id}"))
            .await
            .status,
        200
    );
    assert_eq!(
        f.get_as("contributor", &format!("/hub/requests/{id}"))
            .await
            .status,
        404
    );

    // An internal comment stays with the secretariat and the partners.
    let internal = f
        .post_form(
            "secretariat",
            &format!("/hub/requests/{id}/comments"),
            &[("comment", "Check the agency's capacity in Q3.")],
        )
        .await;
    assert_eq!(internal.status, 200);
    assert!(f
        .get_as("agency", &format!("/hub/requests/{id}"))
        .await
        .body
        .contains("capacity in Q3"));
    assert!(!f
        .get_as("focal-point", &format!("/hub/requests/{id}"))
        .await
        .body
        .contains("capacity in Q3"));

    // The team, checked for a multi-agency, whole-of-society set-up.
    for (role, name, kind) in [
        ("lead", "", ""),
        (
            "government-counterpart",
            "Ministry of Labour and Social Welfare",
            "member-state-government",
        ),
        (
            "stakeholder",
            "Union of Agricultural Workers",
            "trade-union",
        ),
    ] {
        let mut body = json!({"role": role, "name": name, "contribution": "Takes part"});
        if role == "lead" {
            body = json!({"role": "lead", "organization": f.org_a.id});
        } else {
            body["kind"] = json!(kind);
        }
        let added = f
            .send_json(
                "secretariat",
                "POST",
                &format!("/api/v1/hub/requests/{id}/team"),
                &body,
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.body);
    }
    let detail = f
        .get_as("secretariat", &format!("/api/v1/hub/requests/{id}"))
        .await
        .json();
    let checks = detail["setup_check"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c["holds"] == true || c["required"] == false),
        "{checks:?}"
    );
    assert_eq!(detail["team"].as_array().unwrap().len(), 4);
    let bad_team = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/team"),
            &json!({"role": "boss", "name": "x"}),
        )
        .await;
    assert_eq!(bad_team.status, 422);

    // Funding: the start-up fund, and a concept note drafted from the request.
    let funded = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/funding"),
            &json!({"source": "start-up-fund", "status": "applied", "amount_usd": 250000}),
        )
        .await;
    assert_eq!(funded.status, 200, "{}", funded.body);
    let note = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/concept-note"),
            &json!({}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.body);
    let note = note.json();
    assert_eq!(
        note["content"]["title"],
        "Data on seasonal agricultural workers"
    );
    assert_eq!(note["content"]["objectives"], json!(["obj-1", "obj-6"]));
    assert_eq!(note["content"]["source_request"]["id"], id.as_str());
    // One UN organization on the team: the fund's two-organization rule is named as missing.
    assert!(note["content"]["still_missing"][0]
        .as_str()
        .unwrap()
        .contains("two or more"));

    // Through every stage to served, in the page's way; each transition recorded.
    let mut stage = Stage::Submitted;
    while let Some(next) = stage.next() {
        let moved = f
            .post_form(
                "secretariat",
                &format!("/hub/requests/{id}/stage"),
                &[("to", next.slug()), ("note", "Done")],
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        stage = next;
    }
    let detail = f
        .get_as("focal-point", &format!("/api/v1/hub/requests/{id}"))
        .await
        .json();
    assert_eq!(detail["request"]["stage"], "served");
    assert_eq!(detail["history"].as_array().unwrap().len(), 7);
    assert_eq!(detail["history"][6]["by"], "Test secretariat");
    // Closed: nothing moves any more.
    let closed = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/transitions"),
            &json!({"to": "declined"}),
        )
        .await;
    assert_eq!(closed.status, 422);
    assert_eq!(closed.json()["error"]["field"], "stage");

    // The partners' track record counts the served request.
    let partner = f
        .get_as("anonymous", &format!("/api/v1/hub/partners/{agency}"))
        .await
        .json();
    assert_eq!(partner["requests_served"], 1);
    assert_eq!(partner["engaged"], 0);
    let stats = f.get_as("anonymous", "/api/v1/hub/statistics").await.json();
    assert_eq!(stats["served"], 1);
    assert!(stats["median_days_to_serve"].is_number());

    // Everyone concerned was told, through the outbox.
    let mails = f.store.pending_emails().await.unwrap();
    let to = |address: &str, subject: &str| {
        mails
            .iter()
            .any(|m| m.to_address == address && m.subject.contains(subject))
    };
    assert!(to("secretariat@example.org", "New support request HUB-"));
    assert!(to("focal-point@example.org", "An officer is handling"));
    assert!(to("focal-point@example.org", "Closed: served"));
    assert!(to("agency@example.org", "Closed: served"));
    assert!(to("agency@example.org", "New comment"));
    assert!(
        !to("focal-point@example.org", "New comment"),
        "internal comments are not sent to the country"
    );
}

async fn a_retried_submission_is_stored_once(store: &TestStore) {
    let f = Fixture::new(store).await;
    let send = || async {
        f.request(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            axum::body::Body::from(request_body("Retried request").to_string()),
            Some("application/json"),
        )
        .await
    };
    let first = send().await;
    assert_eq!(first.status, 201, "{}", first.body);
    let keyed = |key: &'static str| {
        let f = &f;
        async move {
            let mut cookie = format!("marrakech_csrf={}", common::CSRF);
            cookie.push_str(&format!(
                "; marrakech_session={}",
                f.session("focal-point").await.unwrap()
            ));
            common::request(
                &f.app,
                axum::http::Request::post("/api/v1/hub/requests")
                    .header("cookie", cookie)
                    .header("x-csrf-token", common::CSRF)
                    .header("content-type", "application/json")
                    .header("idempotency-key", key)
                    .body(axum::body::Body::from(
                        request_body("Keyed request").to_string(),
                    ))
                    .unwrap(),
            )
            .await
        }
    };
    let a = keyed("retry-7").await;
    let b = keyed("retry-7").await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16()),
        (201, 200),
        "{}",
        b.body
    );
    assert_eq!(a.json()["request"]["id"], b.json()["request"]["id"]);
    let c = keyed("retry-8").await;
    assert_eq!(c.status, 201);
    assert_eq!(f.store.support_requests().await.unwrap().len(), 3);
    // One email per stored request.
    let mails = f.store.pending_emails().await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.starts_with("New support request"))
            .count(),
        3
    );

    // Unknown and missing fields are named.
    let unknown = f
        .send_json(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            &json!({"title": "x", "countries": [], "support": [], "languages": [], "budget": 1}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("budget"), "{}", unknown.body);
    let mut wrong = request_body("Wrong language");
    wrong["languages"] = json!(["de"]);
    let wrong = f
        .send_json("focal-point", "POST", "/api/v1/hub/requests", &wrong)
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.json()["error"]["field"], "languages");
}

/// `key`'s answer, for their country, to the invitation to join request `id`.
async fn answer_invitation(f: &Fixture<'_>, key: &str, id: &str, accept: bool) -> common::Answer {
    f.send_json(
        key,
        "POST",
        &format!("/api/v1/hub/requests/{id}/invitation"),
        &json!({ "accept": accept }),
    )
    .await
}

/// `key` withdraws request `id`.
async fn withdraw(f: &Fixture<'_>, key: &str, id: &str) -> common::Answer {
    f.send_json(
        key,
        "POST",
        &format!("/api/v1/hub/requests/{id}/transitions"),
        &json!({"to": "withdrawn"}),
    )
    .await
}

/// A joint request: another State is asked, and becomes a requester (following the request,
/// told of it, acting for it) only once its focal point accepts.
async fn a_joint_request_belongs_to_every_requesting_country(store: &TestStore) {
    let mut f = Fixture::new(store).await;
    for (key, m49) in [("guatemala", 320), ("philippines", 608)] {
        f.add_focal_point(key, m49).await;
    }
    let mut body = request_body("Joint labour mobility scheme");
    body["joint_with"] = json!(["GTM"]);
    body["countries"] = json!(["MEX", "GTM"]);
    let submitted = f
        .send_json("focal-point", "POST", "/api/v1/hub/requests", &body)
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let request = &submitted.json()["request"];
    assert_eq!(request["requesting_countries"], json!(["MEX"]));
    assert_eq!(request["invited_countries"], json!(["GTM"]));
    // Working languages keep the order of preference they were given in.
    assert_eq!(request["languages"], json!(["es", "en"]));
    let id = request["id"].as_str().unwrap().to_owned();
    // Guatemala is asked, and sees what it is asked to join; the Philippines see nothing.
    let asked = f.get_as("guatemala", &format!("/hub/requests/{id}")).await;
    assert_eq!(asked.status, 200);
    assert!(asked
        .body
        .contains("Your country is asked to join this request"));
    assert_eq!(
        f.get_as("philippines", &format!("/hub/requests/{id}"))
            .await
            .status,
        404
    );
    // Not yet a requester: it may not act for the request.
    let early = withdraw(&f, "guatemala", &id).await;
    assert_eq!(early.status, 403, "{}", early.body);
    let mails = f.store.pending_emails().await.unwrap();
    assert!(mails.iter().any(|m| m.to_address == "guatemala@example.org"
        && m.subject.starts_with("Asked to join support request")));
    assert!(!mails
        .iter()
        .any(|m| m.to_address == "guatemala@example.org"
            && m.subject.starts_with("New support request")));
    // Mexico cannot answer for Guatemala.
    let forged = answer_invitation(&f, "focal-point", &id, true).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let accepted = answer_invitation(&f, "guatemala", &id, true).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(
        accepted.json()["requesting_countries"],
        json!(["MEX", "GTM"])
    );
    assert_eq!(accepted.json()["invited_countries"], json!([]));
    let again = answer_invitation(&f, "guatemala", &id, true).await;
    assert_eq!(again.status, 403, "{}", again.body);
    // Guatemala acts for it now: it may withdraw it.
    let withdrawn = withdraw(&f, "guatemala", &id).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let mails = f.store.pending_emails().await.unwrap();
    assert!(mails
        .iter()
        .any(|m| m.to_address == "focal-point@example.org"
            && m.subject.starts_with("Guatemala joined support request")));
    assert!(mails
        .iter()
        .any(|m| m.to_address == "focal-point@example.org" && m.subject.contains("withdrawn")));
    assert!(!mails
        .iter()
        .any(|m| m.to_address == "philippines@example.org"));
}

/// A State named in another's joint request and made public before it answers is not shown
/// as a requester to anyone; declining ends its part.
async fn a_joint_request_names_no_state_that_has_not_accepted(store: &TestStore) {
    let mut f = Fixture::new(store).await;
    f.add_focal_point("philippines", 608).await;
    let mut body = request_body("Seafarers' pre-departure training");
    body["joint_with"] = json!(["MEX"]);
    body["countries"] = json!(["PHL"]);
    let submitted = f
        .send_json("philippines", "POST", "/api/v1/hub/requests", &body)
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = f
        .send_json(
            "philippines",
            "POST",
            &format!("/api/v1/hub/requests/{id}/visibility"),
            &json!({"public": true}),
        )
        .await;
    assert_eq!(public.status, 200, "{}", public.body);
    let record = f
        .get_as("anonymous", &format!("/api/v1/hub/requests/{id}"))
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(
        record.json()["request"]["requesting_countries"],
        json!(["PHL"])
    );
    assert_eq!(record.json()["request"]["invited_countries"], json!([]));
    let page = f.get_as("anonymous", &format!("/hub/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("Mexico"),
        "the public page names Mexico"
    );
    let list = f
        .get_as("anonymous", "/api/v1/hub/requests?format=csv")
        .await;
    assert!(list.body.contains("Seafarers"), "{}", list.body);
    assert!(!list.body.contains("MEX"), "{}", list.body);
    // Mexico declines on the page: it is not a requester, and the invitation is gone.
    let declined = f
        .post_form(
            "focal-point",
            &format!("/hub/requests/{id}/invitation"),
            &[("accept", "no")],
        )
        .await;
    assert_eq!(declined.status, 303, "{}", declined.body);
    let after = f
        .get_as("philippines", &format!("/api/v1/hub/requests/{id}"))
        .await;
    assert_eq!(
        after.json()["request"]["requesting_countries"],
        json!(["PHL"])
    );
    assert_eq!(after.json()["request"]["invited_countries"], json!([]));
}

/// Matches request `id` again and answers the Spanish practice's text factor: its value and
/// explanation.
async fn practice_text_factor(f: &Fixture<'_>, id: &str) -> (f64, String) {
    let answer = f
        .send_json(
            "secretariat",
            "POST",
            &format!("/api/v1/hub/requests/{id}/suggestions"),
            &json!({}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let suggestions = answer.json();
    let practice = suggestions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Protección de trabajadores temporeros")
        .cloned()
        .expect("the practice is suggested");
    let text = practice["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "text")
        .cloned()
        .unwrap();
    (
        text["value"].as_f64().unwrap(),
        text["explanation"].as_str().unwrap().to_owned(),
    )
}

/// With `hub_item_text = "search-index"`, an item's text similarity comes from the knowledge
/// platform's index and its per-language analysis: a Spanish request meets a Spanish practice
/// through inflected forms the hub's own (English) analysis keeps apart.
async fn items_can_be_matched_through_the_search_index(store: &TestStore) {
    use marrakech_web::hub::{Hub, ItemText};
    let mut f = Fixture::new(store).await;
    let mut practice = sample_content("Protección de trabajadores temporeros");
    practice.texts[0].language = marrakech_core::knowledge::Language::Es;
    practice.original_language = marrakech_core::knowledge::Language::Es;
    practice.texts[0].summary = "Los trabajadores temporeros reciben contratos.".into();
    practice.objectives = vec!["obj-6".into()];
    f.store
        .harvest(
            &AuditContext::system(),
            "https://example.org/catalogue",
            vec![HarvestedItem {
                source_id: "es-1".into(),
                source_url: None,
                published_at: "2025-01-01T00:00:00.000000Z".into(),
                content: practice,
            }],
            false,
        )
        .await
        .unwrap();
    let mut body = request_body("Derechos de las trabajadoras temporeras");
    body["description"] = json!("Las trabajadoras temporeras del campo.");
    body["objectives"] = json!(["obj-6"]);
    body["actions"] = json!([]);
    let submitted = f
        .send_json("focal-point", "POST", "/api/v1/hub/requests", &body)
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (by_bm25, _) = practice_text_factor(&f, &id).await;
    let search = std::sync::Arc::new(marrakech_web::search::Search::in_ram().unwrap());
    let hub = Hub::new(
        marrakech_hub::Weights::default(),
        ItemText::SearchIndex,
        search.clone(),
    );
    f.app = marrakech_web::app_with_search(
        f.store.store.clone(),
        marrakech_web::WebConfig::default(),
        search,
        std::sync::Arc::new(marrakech_web::evidence::Evidence::new()),
        std::sync::Arc::new(hub),
    );
    let (by_index, because) = practice_text_factor(&f, &id).await;
    assert!(
        by_index > by_bm25,
        "search index {by_index}, BM25 {by_bm25}"
    );
    assert!(!because.is_empty());
}

/// Markup in a request's title and description comes back inert on its page.
async fn request_texts_are_escaped(store: &TestStore) {
    let f = Fixture::new(store).await;
    let mut body = request_body("<script>alert('title')</script> data");
    body["description"] =
        json!("<img src=x onerror=alert(1)> [link](javascript:alert(2)) **bold**");
    let submitted = f
        .send_json("focal-point", "POST", "/api/v1/hub/requests", &body)
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = f
        .get_as("focal-point", &format!("/hub/requests/{id}"))
        .await
        .body;
    assert!(!page.contains("<script>alert"), "the title is escaped");
    assert!(
        page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
        "{}",
        &page[page.find("<h1>").unwrap()..][..120]
    );
    assert!(
        !page.contains("onerror") && !page.contains("javascript:"),
        "the description is sanitized"
    );
    assert!(page.contains("<strong>bold</strong>"));
}

async fn overdue_stages_are_noticed_once(store: &TestStore) {
    let f = Fixture::new(store).await;
    let submitted = f
        .send_json(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            &request_body("Late request"),
        )
        .await;
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        marrakech_web::hub::remind_overdue(f.store, "http://hub.test")
            .await
            .unwrap(),
        0
    );
    sqlx::query("UPDATE hub_request SET stage_due = $1 WHERE id = $2")
        .bind("2020-01-01T00:00:00.000000Z")
        .bind(id.clone())
        .execute(f.store.pool())
        .await
        .unwrap();
    assert_eq!(
        marrakech_web::hub::remind_overdue(f.store, "http://hub.test")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        marrakech_web::hub::remind_overdue(f.store, "http://hub.test")
            .await
            .unwrap(),
        0
    );
    let mails = f.store.pending_emails().await.unwrap();
    let overdue: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Overdue"))
        .collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].to_address, "secretariat@example.org");
    assert!(overdue[0]
        .body
        .contains(&format!("http://hub.test/hub/requests/{id}")));
    // The dashboard and the queue show it as overdue.
    let dashboard = f
        .get_as("secretariat", "/api/v1/hub/dashboard")
        .await
        .json();
    assert_eq!(dashboard["overdue"][0]["id"], id.as_str());
    let queue = f
        .get_as("secretariat", "/hub/queue?overdue=true&format=csv")
        .await;
    assert_eq!(queue.body.lines().count(), 2, "{}", queue.body);
    assert!(queue.body.contains("Late request"));
}

backend_tests!(
    a_request_is_matched_and_served_through_every_stage,
    a_retried_submission_is_stored_once,
    a_joint_request_belongs_to_every_requesting_country,
    a_joint_request_names_no_state_that_has_not_accepted,
    items_can_be_matched_through_the_search_index,
    request_texts_are_escaped,
    overdue_stages_are_noticed_once,
);
