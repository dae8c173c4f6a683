//! Harvesting as an operator runs it: `marrakech import dcat` and `marrakech import ckan`
//! against a running server, into empty instances; the second run changes nothing; broken
//! records stop the import unless told to skip them; a source that fails halfway changes
//! nothing.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use marrakech_store::knowledge::{ItemContent, ItemFilter};
use marrakech_store::Store;
use support::{marrakech, Server};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/knowledge-sample.ttl"
);

fn import(data_dir: &Path, args: &[&str]) -> Output {
    marrakech()
        .args(["--log", "warn", "--data-dir"])
        .arg(data_dir)
        .arg("import")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn report(output: &Output) -> String {
    assert!(
        output.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The published items of the instance in `data_dir`, by original title, as harvests carry
/// them (no contact, no call: those never travel).
async fn catalogue(data_dir: &Path) -> BTreeMap<String, (ItemContent, String)> {
    let store = Store::connect(&format!(
        "sqlite://{}",
        data_dir.join("marrakech.db").display()
    ))
    .await
    .unwrap();
    let (items, _) = store
        .items(
            &ItemFilter {
                status: Some(marrakech_core::knowledge::ItemStatus::Published),
                ..Default::default()
            },
            10_000,
            0,
        )
        .await
        .unwrap();
    store.pool().close().await;
    items
        .into_iter()
        .map(|i| {
            let title = i.content.original().unwrap().title.clone();
            let published = i.published_at.clone().unwrap_or_default();
            (title, (i.content, published))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_reproduces_the_catalogue_through_dcat_and_ckan() {
    let dirs = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dirs.path().join("a"),
        dirs.path().join("b"),
        dirs.path().join("c"),
    );
    let seeded = report(&import(&a, &["dcat", FIXTURE]));
    assert!(
        seeded.contains("12 added, 0 updated, 0 unchanged, 0 withdrawn, 0 rejected"),
        "{seeded}"
    );
    let server = Server::start(&a);

    // DCAT, five datasets a page: the importer follows Hydra's next links.
    let dcat_url = server.url("/catalog.ttl?page_size=5");
    let first = report(&import(&b, &["dcat", &dcat_url]));
    assert!(
        first.contains("12 added, 0 updated, 0 unchanged"),
        "{first}"
    );
    let second = report(&import(&b, &["dcat", &dcat_url]));
    assert!(
        second.contains("0 added, 0 updated, 12 unchanged, 0 withdrawn"),
        "{second}"
    );

    // CKAN, five packages a request.
    let ckan_url = server.url("");
    let first = report(&import(&c, &["ckan", &ckan_url, "--rows", "5"]));
    assert!(
        first.contains("12 added, 0 updated, 0 unchanged"),
        "{first}"
    );
    let second = report(&import(&c, &["ckan", &ckan_url, "--rows", "5"]));
    assert!(
        second.contains("0 added, 0 updated, 12 unchanged, 0 withdrawn"),
        "{second}"
    );
    drop(server);

    let original = catalogue(&a).await;
    assert_eq!(original.len(), 12);
    assert_eq!(catalogue(&b).await, original, "the DCAT harvest differs");
    assert_eq!(catalogue(&c).await, original, "the CKAN harvest differs");
}

/// Broken records (two items naming an objective the compact does not have): nothing is
/// imported, and each record is named with its reason; with `--skip-invalid`, the others are.
#[test]
fn broken_records_stop_the_import_unless_skipped() {
    let dirs = tempfile::tempdir().unwrap();
    let broken = dirs.path().join("broken.ttl");
    let text = std::fs::read_to_string(FIXTURE)
        .unwrap()
        .replace("/objectives/obj-15>", "/objectives/obj-99>");
    std::fs::write(&broken, text).unwrap();
    let data = dirs.path().join("data");

    let refused = import(&data, &["dcat", broken.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("rejected record `demo-04`"), "{stderr}");
    assert!(stderr.contains("rejected record `demo-08`"), "{stderr}");
    assert!(stderr.contains("obj-99"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert!(
        !data.join("marrakech.db").exists(),
        "a refused import touched the database"
    );

    let skipped = report(&import(
        &data,
        &["dcat", broken.to_str().unwrap(), "--skip-invalid"],
    ));
    assert!(
        skipped.contains("10 added, 0 updated, 0 unchanged, 0 withdrawn, 2 rejected"),
        "{skipped}"
    );
}

/// A catalogue whose second page cannot be fetched: the first page is not imported either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_failing_halfway_changes_nothing() {
    let page = std::fs::read_to_string(FIXTURE).unwrap().replace(
        "<https://knowledge.example.org/catalog> a dcat:Catalog ;",
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n\
         <https://knowledge.example.org/catalog> a dcat:Catalog ;\n\
         hydra:view [ hydra:next <http://127.0.0.1:9/catalog.ttl?page=2> ] ;",
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/catalog.ttl",
        axum::routing::get(move || {
            let page = page.clone();
            async move { ([("content-type", "text/turtle")], page) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    let url = format!("http://{address}/catalog.ttl");
    let output = tokio::task::spawn_blocking(move || import(&data, &["dcat", &url]))
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("127.0.0.1:9"),
        "the error names the page that failed: {stderr}"
    );
    assert!(
        !dirs.path().join("data").join("marrakech.db").exists(),
        "a failed harvest wrote"
    );
}
