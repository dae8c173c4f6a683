//! Two servers on one database, many clients at once: every write is either stored and
//! answered 2xx, or refused with a 409 that says to try again; never a 5xx, never a 2xx for
//! something not stored. On PostgreSQL this is the race an outside test found answering 500.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{request, Fixture, CSRF};
use marrakech_core::policy::Role;
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditFilter, Store};
use serde_json::json;
use tokio::task::JoinSet;

const CLIENTS: usize = 32;

async fn concurrent_writes_on_two_servers_are_stored_or_refused_never_failed(store: &TestStore) {
    let mut f = Fixture::new(store).await;
    // The second server: its own connections, matcher and search index, the same database.
    let second = marrakech_web::app(
        Store::connect(&f.store.url()).await.unwrap(),
        marrakech_web::WebConfig::default(),
    );
    let servers = [f.app.clone(), second];
    let mut officers = vec![f.users["secretariat"].id.clone()];
    for key in ["officer-2", "officer-3", "officer-4"] {
        officers.push(f.add_user(key, Role::Secretariat).await.id);
    }
    let submitted = f
        .send_json(
            "focal-point",
            "POST",
            "/api/v1/hub/requests",
            &json!({
                "title": "Labour migration data",
                "description": "Our ministry of labour lacks data on departures of seasonal workers.",
                "objectives": ["obj-1"],
                "countries": ["MEX"],
                "support": ["data"],
                "languages": ["es"],
            }),
        )
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.body);
    let id = submitted.json()["request"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Sessions first (signing in is a write too), then every client at once.
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let (key, uri, body) = if i % 2 == 0 {
            (
                "secretariat",
                format!("/api/v1/hub/requests/{id}/assignment"),
                json!({"officer": officers[i / 2 % officers.len()]}),
            )
        } else {
            (
                "focal-point",
                format!("/api/v1/hub/requests/{id}/comments"),
                json!({"body": format!("Comment number {i}")}),
            )
        };
        let session = f.session(key).await.unwrap();
        let http = Request::post(uri)
            .header(
                "cookie",
                format!("marrakech_csrf={CSRF}; marrakech_session={session}"),
            )
            .header("x-csrf-token", CSRF)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        clients.push((i, servers[i % 2].clone(), http));
    }
    let mut running = JoinSet::new();
    for (i, app, http) in clients {
        running.spawn(async move { (i, request(&app, http).await) });
    }
    let (mut assigned, mut commented, mut refused) = (0, 0, 0);
    while let Some(done) = running.join_next().await {
        let (i, answer) = done.unwrap();
        let status = answer.status.as_u16();
        assert!(
            !answer.status.is_server_error(),
            "client {i} got {status}: {}",
            answer.body
        );
        match (status, i % 2) {
            (200, 0) => assigned += 1,
            (201, 1) => commented += 1,
            (409, _) => {
                refused += 1;
                assert_eq!(
                    answer.json()["error"]["code"],
                    "conflict",
                    "{}",
                    answer.body
                );
            }
            other => panic!("client {i}: unexpected {other:?}: {}", answer.body),
        }
    }
    assert_eq!(assigned + commented + refused, CLIENTS);
    // Every 2xx is stored: one audit entry per assignment, one comment per 201.
    let comments = f.store.request_comments(&id).await.unwrap();
    assert_eq!(comments.len(), commented, "comments stored");
    let (entries, _) = f
        .store
        .audit_entries(
            &AuditFilter {
                action: Some("hub.request.assign".into()),
                target_id: Some(id.clone()),
                ..Default::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), assigned, "assignments recorded");
    let request = f.store.support_request(&id).await.unwrap().unwrap();
    assert!(officers.contains(request.officer_id.as_ref().unwrap()));
    // Queued writers should not need to give up at this scale.
    assert_eq!(refused, 0, "no write was refused");
    assert!(matches!(
        f.store.verify_audit().await.unwrap(),
        marrakech_store::AuditVerification::Intact { .. }
    ));
}

backend_tests!(concurrent_writes_on_two_servers_are_stored_or_refused_never_failed);
