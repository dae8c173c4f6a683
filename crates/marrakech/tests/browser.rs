//! Browser tests in headless Chromium, through chromedriver. They run when
//! `MARRAKECH_BROWSER_TESTS=1` (as `.ci/run` sets) and skip otherwise, since a fresh machine
//! has no browser. `CHROMIUM` and `CHROMEDRIVER` override the Debian paths.

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use support::Server;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts chromedriver and opens a headless Chromium session, or says why it cannot.
async fn browser() -> Option<(Driver, Client, tempfile::TempDir)> {
    if std::env::var_os("MARRAKECH_BROWSER_TESTS").is_none() {
        eprintln!("browser tests skipped: set MARRAKECH_BROWSER_TESTS=1 (needs chromium and chromium-driver)");
        return None;
    }
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let port = free_port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}")),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some((driver, client, profile)),
            Err(e) if Instant::now() > deadline => panic!("chromedriver does not answer: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

#[tokio::test]
async fn home_to_objective_20_and_its_first_action() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());

    client.goto(&server.url("/")).await.unwrap();
    assert_eq!(
        client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "The Global Compact for Safe, Orderly and Regular Migration"
    );
    client
        .find(Locator::Css("nav.main a[href='/objectives']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/objectives"));
    client
        .find(Locator::Css("a[href='/objectives/obj-20']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/objectives/obj-20"
    );
    let action = client
        .find(Locator::Id("obj-20-a"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        action.contains(
            "Develop a road map to reduce the transaction costs of migrant remittances to less than 3 per cent and eliminate remittance corridors with costs higher than 5 per cent by 2030"
        ),
        "{action}"
    );

    // The permalink leads to the action's own page.
    client
        .find(Locator::Css("#obj-20-a a.permalink"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/actions/obj-20-a"
    );
    assert_eq!(
        client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Action 20(a)"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn countries_filter_form_works_without_javascript() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    client.goto(&server.url("/countries")).await.unwrap();
    let form = client.form(Locator::Css("form.filters")).await.unwrap();
    form.set(Locator::Id("commission"), "ESCWA").await.unwrap();
    form.set(Locator::Id("member_state"), "false")
        .await
        .unwrap();
    form.submit().await.unwrap();
    let url = client.current_url().await.unwrap();
    assert!(
        url.query().unwrap_or_default().contains("commission=ESCWA"),
        "{url}"
    );
    let rows = client.find_all(Locator::Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text().await.unwrap().contains("State of Palestine"));
    client.close().await.unwrap();
}
