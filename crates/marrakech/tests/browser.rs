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
    browser_with(true).await
}

/// A session as [`browser`] opens, with JavaScript on or off.
async fn browser_with(javascript: bool) -> Option<(Driver, Client, tempfile::TempDir)> {
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
            // 2: blocked for every site, as a person who turned JavaScript off has it.
            "prefs": {
                "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 }
            },
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
    // Wait for the answer's page: `submit` returns before the browser has loaded it.
    submit(&client, form).await;
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

/// `marrakech user create … --password-stdin` in the instance at `data`.
fn create_user(data: &std::path::Path, email: &str, role: &[&str]) {
    use std::io::Write;
    let mut child = support::marrakech()
        .args(["--log", "warn", "--data-dir"])
        .arg(data)
        .args([
            "user",
            "create",
            "--email",
            email,
            "--password-stdin",
            "--role",
        ])
        .args(role)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "cannot create {email}");
}

const PASSWORD: &str = "a long enough browser password";

async fn sign_in(client: &Client, server: &Server, email: &str) {
    client.delete_all_cookies().await.unwrap();
    client.goto(&server.url("/login")).await.unwrap();
    let form = client
        .form(Locator::Css("form[action='/login']"))
        .await
        .unwrap();
    form.set_by_name("email", email).await.unwrap();
    form.set_by_name("password", PASSWORD).await.unwrap();
    submit(client, form).await;
    let account = client
        .find(Locator::Css(".account-links a[href='/account']"))
        .await;
    assert!(
        account.is_ok(),
        "{email} is not signed in at {}",
        client.current_url().await.unwrap()
    );
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the page `old` was part of has been replaced by the next one: a click or a
/// submit returns before the browser loads what it asked for.
async fn wait_until_replaced(old: fantoccini::elements::Element) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "the page was not replaced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks what loads another page (a link, a form's button), and waits for it.
async fn click_to_load(client: &Client, css: &str) {
    let page = client.find(Locator::Css("html")).await.unwrap();
    click(client, css).await;
    wait_until_replaced(page).await;
}

/// Submits a form, and waits for the answer's page.
async fn submit(client: &Client, form: fantoccini::elements::Form) {
    let page = client.find(Locator::Css("html")).await.unwrap();
    form.submit().await.unwrap();
    wait_until_replaced(page).await;
}

async fn page_text(client: &Client, server: &Server, path: &str) -> String {
    client.goto(&server.url(path)).await.unwrap();
    client.source().await.unwrap()
}

/// Whether the item is found by search, a facet, the CKAN API and the DCAT catalogue.
async fn found_by_all_four(client: &Client, server: &Server, id: &str) -> [bool; 4] {
    client.delete_all_cookies().await.unwrap();
    let link = format!("/knowledge/{id}");
    client.goto(&server.url("/knowledge")).await.unwrap();
    let form = client.form(Locator::Css("form.search")).await.unwrap();
    form.set_by_name("q", "clínicas móviles").await.unwrap();
    submit(client, form).await;
    let by_search = client
        .find(Locator::Css(&format!("ol.hits a[href='{link}']")))
        .await
        .is_ok();
    client.goto(&server.url("/knowledge")).await.unwrap();
    let by_facet = match client
        .find(Locator::Css("aside.facets a[href*='objective=obj-7']"))
        .await
    {
        Ok(facet) => {
            let page = client.find(Locator::Css("html")).await.unwrap();
            facet.click().await.unwrap();
            wait_until_replaced(page).await;
            client
                .find(Locator::Css(&format!("ol.hits a[href='{link}']")))
                .await
                .is_ok()
        }
        Err(_) => false,
    };
    let by_ckan = page_text(
        client,
        server,
        "/api/3/action/package_search?fq=groups:obj-7",
    )
    .await
    .contains(id);
    let by_dcat = page_text(client, server, "/catalog.ttl")
        .await
        .contains(&link);
    [by_search, by_facet, by_ckan, by_dcat]
}

/// Fills the form for a new practice in Spanish, for Mexico, under `objective` (with a
/// summary only when given), and submits it.
async fn draft_practice(
    client: &Client,
    server: &Server,
    title: &str,
    summary: Option<&str>,
    objective: &str,
) {
    client.goto(&server.url("/knowledge/new")).await.unwrap();
    let form = client.form(Locator::Css("form.form.wide")).await.unwrap();
    form.set_by_name("kind", "practice").await.unwrap();
    form.set_by_name("texts.0.language", "es").await.unwrap();
    form.set_by_name("texts.0.title", title).await.unwrap();
    if let Some(summary) = summary {
        form.set_by_name("texts.0.summary", summary).await.unwrap();
    }
    click(
        client,
        &format!("input[name='objectives'][value='{objective}']"),
    )
    .await;
    form.set_by_name("countries", "484").await.unwrap();
    form.set_by_name("licence", "CC-BY-4.0").await.unwrap();
    click(client, "input[name='respects_principles']").await;
    submit(client, form).await;
}

#[tokio::test]
async fn a_practice_from_draft_through_review_to_published_and_withdrawn() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    create_user(
        data.path(),
        "focal@example.org",
        &["focal-point", "--country", "MEX"],
    );
    create_user(data.path(), "secretariat@example.org", &["secretariat"]);
    create_user(
        data.path(),
        "internal@example.org",
        &["reviewer", "--reviewer-kind", "internal"],
    );
    create_user(
        data.path(),
        "external1@example.org",
        &["reviewer", "--reviewer-kind", "external"],
    );
    create_user(
        data.path(),
        "external2@example.org",
        &["reviewer", "--reviewer-kind", "external"],
    );
    let server = Server::start(data.path());

    // The focal point drafts a practice; a missing summary is named next to its field.
    sign_in(&client, &server, "focal@example.org").await;
    draft_practice(
        &client,
        &server,
        "Clínicas jurídicas móviles para trabajadores migrantes",
        None,
        "obj-7",
    )
    .await;
    let error = client
        .find(Locator::Css(".has-error .field-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.to_lowercase().contains("summary"), "{error}");
    let form = client.form(Locator::Css("form.form.wide")).await.unwrap();
    form.set_by_name(
        "texts.0.summary",
        "Clínicas jurídicas móviles llevan asesoría gratuita a trabajadores migrantes en zonas agrícolas.",
    )
    .await
    .unwrap();
    submit(&client, form).await;
    let url = client.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/knowledge/").to_owned();
    let errors = match client.find(Locator::Css(".error-summary")).await {
        Ok(summary) => summary.text().await.unwrap(),
        Err(_) => client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    };
    assert_eq!(id.len(), 32, "not on the new item's page: {url} {errors}");
    assert!(client.source().await.unwrap().contains("Draft"));
    click_to_load(
        &client,
        &format!("form[action='/knowledge/{id}/submit'] button"),
    )
    .await;

    // The secretariat seats the panel and opens the review.
    sign_in(&client, &server, "secretariat@example.org").await;
    for _ in 0..3 {
        client
            .goto(&server.url(&format!("/knowledge/{id}")))
            .await
            .unwrap();
        click_to_load(
            &client,
            &format!("form[action='/knowledge/{id}/reviewers'] button"),
        )
        .await;
    }
    click_to_load(
        &client,
        &format!("form[action='/knowledge/{id}/start-review'] button"),
    )
    .await;

    // Each reviewer finds it in their queue and approves it.
    for reviewer in [
        "internal@example.org",
        "external1@example.org",
        "external2@example.org",
    ] {
        sign_in(&client, &server, reviewer).await;
        client.goto(&server.url("/reviews")).await.unwrap();
        click_to_load(&client, "a[href^='/reviews/']").await;
        click(&client, "input[name='verdict'][value='publish']").await;
        click_to_load(&client, "form[action^='/reviews/'] button[type='submit']").await;
    }

    // Not public yet.
    assert_eq!(found_by_all_four(&client, &server, &id).await, [false; 4]);

    // The secretariat follows the panel.
    sign_in(&client, &server, "secretariat@example.org").await;
    client
        .goto(&server.url(&format!("/knowledge/{id}")))
        .await
        .unwrap();
    click_to_load(
        &client,
        &format!("form[action='/knowledge/{id}/publish'] button"),
    )
    .await;
    assert!(client.source().await.unwrap().contains("Published"));

    assert_eq!(found_by_all_four(&client, &server, &id).await, [true; 4]);

    // Withdrawn by its submitter, it is gone from all four.
    sign_in(&client, &server, "focal@example.org").await;
    client
        .goto(&server.url(&format!("/knowledge/{id}")))
        .await
        .unwrap();
    click_to_load(
        &client,
        &format!("form[action='/knowledge/{id}/withdraw'] button"),
    )
    .await;
    assert_eq!(found_by_all_four(&client, &server, &id).await, [false; 4]);
    client.close().await.unwrap();
}

/// Waits until the bundled evidence data sets are in (they load after the server starts).
fn wait_for_evidence(server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let (status, body) = support::http_get(&server.address, "/api/v1/statistics/datasets");
        if status == 200 && body.contains("\"total\":4") {
            // The figures are computed once the last set is in; ask for one to be sure.
            let (status, _) =
                support::http_get(&server.address, "/api/v1/statistics/missing-migrants");
            if status == 200 {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the bundled data sets never finished loading");
}

#[tokio::test]
async fn country_profiles_and_evidence_maps_show_real_figures() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    wait_for_evidence(&server);

    for (code, name) in [
        ("MEX", "Mexico"),
        ("PHL", "Philippines"),
        ("DEU", "Germany"),
        ("NGA", "Nigeria"),
    ] {
        client
            .goto(&server.url(&format!("/countries/{code}")))
            .await
            .unwrap();
        let text = client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("Migration profile"), "{code}");
        assert!(
            text.contains(&format!("International migrants living in {name}")),
            "{code}"
        );
        assert!(
            text.contains(&format!("born in {name} living abroad")),
            "{code}"
        );
        assert!(
            text.contains("Source: UN DESA Population Division"),
            "{code}: stock source line"
        );
        assert!(
            text.contains("Source: World Bank, Remittance Prices Worldwide"),
            "{code}: cost source line"
        );
        assert!(
            text.contains("Source: IOM Missing Migrants Project"),
            "{code}: missing source line"
        );
        // Every part of the profile has its chart, drawn with a size on the page.
        for figure in [
            "immigrants",
            "immigrants-top",
            "emigrants",
            "emigrants-top",
            "remittance-cost",
            "missing",
        ] {
            let svg = client
                .find(Locator::Css(&format!("#{figure}-figure svg[role=img]")))
                .await
                .unwrap_or_else(|_| panic!("{code}: no {figure} chart"));
            let (_, _, width, height) = svg.rectangle().await.unwrap();
            assert!(
                width > 100.0 && height > 50.0,
                "{code} {figure}: {width}x{height}"
            );
        }
        // A chart's data table opens and holds the figures its CSV download holds.
        client
            .find(Locator::Css("#immigrants-figure summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let rows = client
            .find_all(Locator::Css("#immigrants-figure table tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 8, "{code}: one row per year of the release");
        assert!(rows[7].is_displayed().await.unwrap());
        let first_cells = rows[7].text().await.unwrap();
        assert!(first_cells.starts_with("2024"), "{code}: {first_cells}");
        let csv_href = client
            .find(Locator::Css("#immigrants-figure a[download]"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let (status, csv) = support::http_get(&server.address, &csv_href);
        assert_eq!(status, 200);
        assert_eq!(csv.lines().count(), 9, "{code}: header and 8 years: {csv}");
    }

    // The world map of migrant stock, and the origin-destination explorer.
    client
        .goto(&server.url("/evidence/migrant-stock"))
        .await
        .unwrap();
    let countries = client
        .find_all(Locator::Css("#stock-map-figure svg path"))
        .await
        .unwrap();
    assert!(countries.len() > 150, "{} shapes", countries.len());
    let map = client
        .find(Locator::Css("#stock-map-figure svg"))
        .await
        .unwrap();
    let (_, _, width, _) = map.rectangle().await.unwrap();
    assert!(width > 300.0, "{width}");
    let form = client
        .form(Locator::Css(
            "form[action='/evidence/migrant-stock#explorer']",
        ))
        .await
        .unwrap();
    form.set(Locator::Id("origin"), "PHL").await.unwrap();
    form.set(Locator::Id("destination"), "USA").await.unwrap();
    submit(&client, form).await;
    let caption = client
        .find(Locator::Css("#corridor-figure figcaption"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        caption,
        "Migrants born in Philippines living in United States of America"
    );

    // The map of missing migrants' incidents.
    client
        .goto(&server.url("/evidence/missing-migrants"))
        .await
        .unwrap();
    let circles = client
        .find_all(Locator::Css("#incidents-map-figure svg circle"))
        .await
        .unwrap();
    assert!(circles.len() > 50, "{} circles", circles.len());
    let text = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("34,534 people are recorded dead or missing"),
        "headline from the bundled release"
    );
    client.close().await.unwrap();
}

/// A partner the test registers.
struct PartnerSpec<'a> {
    name: &'a str,
    kind: &'a str,
    summary: &'a str,
    objectives: &'a [&'a str],
    country: &'a str,
    languages: &'a [&'a str],
}

/// The secretariat registers an organization and gives it a partner profile, in the browser.
async fn register_partner(client: &Client, server: &Server, partner: PartnerSpec<'_>) -> String {
    let PartnerSpec {
        name,
        kind,
        summary,
        objectives,
        country,
        languages,
    } = partner;
    client
        .goto(&server.url("/organizations/new"))
        .await
        .unwrap();
    let form = client.form(Locator::Css("form.form")).await.unwrap();
    form.set_by_name("name", name).await.unwrap();
    form.set_by_name("kind", kind).await.unwrap();
    submit(client, form).await;
    let url = client.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/organizations/").to_owned();
    assert_eq!(id.len(), 32, "not on the organization's page: {url}");
    client
        .goto(&server.url(&format!("/hub/partners/{id}/edit")))
        .await
        .unwrap();
    let form = client.form(Locator::Css("form.form")).await.unwrap();
    form.set_by_name("summary", summary).await.unwrap();
    form.set_by_name("staff", "6").await.unwrap();
    form.set_by_name("countries", country).await.unwrap();
    for o in objectives {
        click(client, &format!("input[name='objectives'][value='{o}']")).await;
    }
    for l in languages {
        click(client, &format!("input[name='languages'][value='{l}']")).await;
    }
    for s in ["data", "technical-assistance"] {
        click(client, &format!("input[name='support'][value='{s}']")).await;
    }
    submit(client, form).await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        format!("/hub/partners/{id}"),
        "the profile is saved"
    );
    id
}

/// A focal point fills in the request form and lands on the request's page.
async fn submit_request(client: &Client, server: &Server, title: &str, country: &str) -> String {
    client.goto(&server.url("/hub/requests/new")).await.unwrap();
    let form = client
        .form(Locator::Css("form[action='/hub/requests/new']"))
        .await
        .unwrap();
    form.set_by_name("title", title).await.unwrap();
    form.set_by_name(
        "description",
        "The ministry of labour lacks data on departures of seasonal agricultural workers and on the recruitment fees they pay.",
    )
    .await
    .unwrap();
    for o in ["obj-1", "obj-6"] {
        click(client, &format!("input[name='objectives'][value='{o}']")).await;
    }
    form.set_by_name("countries", country).await.unwrap();
    for s in ["data", "technical-assistance"] {
        click(client, &format!("input[name='support'][value='{s}']")).await;
    }
    click(client, "input[name='languages'][value='es']").await;
    submit(client, form).await;
    let url = client.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/hub/requests/").to_owned();
    assert_eq!(id.len(), 32, "not on the request's page: {url}");
    id
}

#[tokio::test]
async fn a_hub_request_from_submission_with_explained_suggestions_to_served() {
    let Some((_driver, client, _profile)) = browser().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    create_user(
        data.path(),
        "focal@example.org",
        &["focal-point", "--country", "MEX"],
    );
    create_user(
        data.path(),
        "guatemala@example.org",
        &["focal-point", "--country", "GTM"],
    );
    create_user(data.path(), "officer@example.org", &["secretariat"]);
    let server = Server::start(data.path());

    // The secretariat keeps the partner registry.
    sign_in(&client, &server, "officer@example.org").await;
    register_partner(
        &client,
        &server,
        PartnerSpec {
            name: "Labour Migration Agency",
            kind: "un-entity",
            summary: "Labour migration statistics, recruitment fees and fair recruitment of seasonal agricultural workers.",
            objectives: &["obj-1", "obj-6"],
            country: "484",
            languages: &["es", "en"],
        },
    )
    .await;
    register_partner(
        &client,
        &server,
        PartnerSpec {
            name: "Institute of Maritime Studies",
            kind: "academia",
            summary: "Research on seafarers and maritime labour.",
            objectives: &["obj-23"],
            country: "608",
            languages: &["en"],
        },
    )
    .await;

    // Guatemala asked before and made its request public: a peer for Mexico.
    sign_in(&client, &server, "guatemala@example.org").await;
    let peer = submit_request(
        &client,
        &server,
        "Recruitment fees of Guatemalan seasonal workers",
        "320",
    )
    .await;
    click_to_load(
        &client,
        &format!("form[action='/hub/requests/{peer}/visibility'] button"),
    )
    .await;

    // Mexico's focal point submits; the next page ranks partners and peers, with factors.
    sign_in(&client, &server, "focal@example.org").await;
    let id = submit_request(
        &client,
        &server,
        "Data on seasonal agricultural workers",
        "484",
    )
    .await;
    let suggestions = client
        .find(Locator::Css("#suggestions"))
        .await
        .expect("the suggestions are on the next page")
        .text()
        .await
        .unwrap();
    let agency = suggestions
        .find("Labour Migration Agency")
        .expect("the agency is suggested");
    let institute = suggestions
        .find("Institute of Maritime Studies")
        .unwrap_or(usize::MAX);
    assert!(agency < institute, "the agency ranks above the institute");
    assert!(suggestions.contains("Recruitment fees of Guatemalan seasonal workers"));
    for factor in [
        "Objectives and actions",
        "Geographic proximity",
        "Language",
        "Kind of support",
    ] {
        assert!(suggestions.contains(factor), "the factor {factor} is shown");
    }
    assert!(suggestions.contains("score"));

    // Another country's focal point cannot open it.
    sign_in(&client, &server, "guatemala@example.org").await;
    client
        .goto(&server.url(&format!("/hub/requests/{id}")))
        .await
        .unwrap();
    let refused = client.source().await.unwrap();
    assert!(
        refused.contains("Error 404."),
        "another country is told it does not exist"
    );
    assert!(!refused.contains("Data on seasonal agricultural workers"));

    // The officer assigns it, accepts the agency, and takes it through every stage.
    sign_in(&client, &server, "officer@example.org").await;
    client.goto(&server.url("/hub/queue")).await.unwrap();
    click_to_load(&client, &format!("a[href='/hub/requests/{id}']")).await;
    click_to_load(
        &client,
        &format!("form[action='/hub/requests/{id}/assign'] button"),
    )
    .await;
    click_to_load(
        &client,
        "li.suggestion form[action*='/suggestions/'] input[value='accept'] ~ button",
    )
    .await;
    let page = client.source().await.unwrap();
    assert!(
        page.contains("Participating organization"),
        "the agency is on the team"
    );
    for stage in [
        "Under assessment",
        "Partners identified",
        "Connected to peers",
        "Implementation set up",
        "Funding identified",
    ] {
        click_to_load(&client, "#advance").await;
        let now = client
            .find(Locator::Css("#stage"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(now, stage);
    }
    click_to_load(&client, "#advance").await;
    let now = client
        .find(Locator::Css("#stage"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(now, "Closed: served");

    // The country sees it served, with the timeline of every stage.
    sign_in(&client, &server, "focal@example.org").await;
    client
        .goto(&server.url(&format!("/hub/requests/{id}")))
        .await
        .unwrap();
    let dated = client
        .find_all(Locator::Css("ol.timeline li .muted"))
        .await
        .unwrap();
    assert_eq!(dated.len(), 7, "every stage has its date");
    client.close().await.unwrap();
}

/// Chooses `path` in the page's file field and submits its form, as a person would.
async fn upload(client: &Client, form_action: &str, path: &std::path::Path) {
    let form = client
        .form(Locator::Css(&format!("form[action='{form_action}']")))
        .await
        .unwrap_or_else(|e| panic!("no upload form {form_action}: {e}"));
    client
        .find(Locator::Css(&format!(
            "form[action='{form_action}'] input[type='file']"
        )))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    submit(client, form).await;
}

#[tokio::test]
async fn documents_upload_with_javascript_off() {
    let Some((_driver, client, _profile)) = browser_with(false).await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    create_user(
        data.path(),
        "focal@example.org",
        &["focal-point", "--country", "MEX"],
    );
    let server = Server::start(data.path());
    let files = tempfile::tempdir().unwrap();
    let notes = files.path().join("field-notes.csv");
    std::fs::write(&notes, "district,workers\nSinaloa,1200\n").unwrap();
    // Bigger than the server's 2 MiB body limit, within the 10 MB an upload may be.
    let survey = files.path().join("survey.txt");
    std::fs::write(&survey, "seasonal workers interviewed\n".repeat(100_000)).unwrap();

    sign_in(&client, &server, "focal@example.org").await;
    // A document on a knowledge item in draft.
    draft_practice(
        &client,
        &server,
        "Registro de trabajadores temporales",
        Some("Un registro de trabajadores agrícolas temporales lleva sus contratos y pagos."),
        "obj-6",
    )
    .await;
    let url = client.current_url().await.unwrap();
    let item = url.path().trim_start_matches("/knowledge/").to_owned();
    assert_eq!(item.len(), 32, "not on the new item's page: {url}");
    for file in [&notes, &survey] {
        upload(&client, &format!("/knowledge/{item}/attachments"), file).await;
    }
    let page = client.source().await.unwrap();
    assert!(page.contains("survey.txt is attached."), "{page}");
    assert!(page.contains("field-notes.csv"), "{page}");

    // A document on a hub request.
    let request = submit_request(&client, &server, "Seasonal workers' register", "484").await;
    upload(
        &client,
        &format!("/hub/requests/{request}/attachments"),
        &survey,
    )
    .await;
    let page = client.source().await.unwrap();
    assert!(
        page.contains("href=\"/hub/files/") && page.contains("survey.txt"),
        "{page}"
    );
    client.close().await.unwrap();
}
