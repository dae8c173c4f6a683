//! The OpenAPI document is a contract: this test fails when it changes without the snapshot
//! being updated (`UPDATE_SNAPSHOTS=1 cargo test -p marrakech-web --test openapi`).

use std::path::Path;

#[test]
fn openapi_document_matches_the_snapshot() {
    let document = marrakech_web::api::openapi_document();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &document).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == document,
        "the OpenAPI document changed; review it and run with UPDATE_SNAPSHOTS=1 to accept"
    );
}

#[test]
fn every_api_route_is_documented() {
    let document: serde_json::Value =
        serde_json::from_str(&marrakech_web::api::openapi_document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    let mut checked = 0;
    for spec in marrakech_web::route_specs() {
        if !spec.path.starts_with("/api/v1/") || spec.path == "/api/v1/openapi.json" {
            continue;
        }
        let method = spec.method.as_str().to_ascii_lowercase();
        assert!(
            paths
                .get(spec.path)
                .is_some_and(|operations| operations.get(&method).is_some()),
            "{} {} is registered but not in the OpenAPI document",
            spec.method,
            spec.path
        );
        checked += 1;
    }
    // The registry holds the whole API: a check over a handful of routes checks nothing.
    assert!(checked > 60, "only {checked} API routes registered");
}
