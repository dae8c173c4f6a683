//! The connection hub's submissions end to end, against 100,000 published knowledge items and
//! 2,000 partners: how long a focal point waits between posting a request and having it
//! stored with its ranked, explained suggestions (HTTP, session, validation, the request's
//! transaction with its audit entry and email, matching, the suggestions' transaction).
//!
//! ```text
//! cargo run --release -p marrakech --example bench_hub [-- --items 100000 --partners 2000 --requests 200]
//! ```
//!
//! The collections are the hub crate's benchmark collections (`marrakech_hub::generate`, the
//! same seed): items are harvested into a fresh SQLite database as published knowledge items
//! (the store's harvesting path), partners become organizations with partner profiles. The
//! server is the platform's own router on a local port, with the default matching weights;
//! requests are posted one at a time over HTTP with a focal point's session. Beside it, in
//! the same run, the hub crate's matcher alone on the same partners and items, for the same
//! requests: the baseline the platform's overhead is measured against.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use marrakech_core::countries::{Reference, M49};
use marrakech_core::policy::Role;
use marrakech_core::Compact;
use marrakech_hub::evaluation::EvaluationSet;
use marrakech_hub::generate::Generator;
use marrakech_hub::{CandidateKind, MatchOptions, Matcher, RequestInput, Weights};
use marrakech_store::hub::PartnerFields;
use marrakech_store::knowledge::{HarvestedItem, ItemContent, ItemText};
use marrakech_store::{AuditContext, NewOrganization, NewUser, Store, UserStatus};
use marrakech_web::auth::secrets::{random_token, token_hash};

const PARTNERS: &str = include_str!("../../marrakech-hub/data/partners.json");
const ITEMS: &str = include_str!("../../marrakech-hub/data/items.json");
const REQUESTS: &str = include_str!("../../marrakech-hub/data/requests.json");
/// The hub crate's benchmark seed.
const SEED: u64 = 0x6d61_7272_616b_6563;
const CSRF: &str = "bench-csrf-token-bench-csrf-token-bench-csrf";

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[i].as_secs_f64() * 1000.0
}

/// A generated candidate as a published knowledge item.
fn item(c: &marrakech_hub::Candidate) -> Option<HarvestedItem> {
    let CandidateKind::Item(kind) = c.kind() else {
        return None;
    };
    let (objectives, actions) = c.topics().ids();
    let language = *c.languages().first()?;
    Some(HarvestedItem {
        source_id: c.id().to_owned(),
        source_url: None,
        published_at: "2025-06-01T00:00:00.000000Z".into(),
        content: ItemContent {
            kind,
            original_language: language,
            texts: vec![ItemText {
                language,
                title: c.title().to_owned(),
                summary: c.body().to_owned(),
                body: String::new(),
                results: String::new(),
            }],
            objectives,
            actions,
            principles: Vec::new(),
            countries: c.presence().countries().to_vec(),
            regions: c
                .presence()
                .groupings()
                .iter()
                .copied()
                .filter(|g| g.value() != 1)
                .collect(),
            global: c.presence().is_global(),
            themes: Vec::new(),
            parties: Vec::new(),
            period_start: None,
            period_end: None,
            implementation_state: None,
            licence: "CC-BY-4.0".into(),
            links: Vec::new(),
            call_id: None,
            contact_name: None,
            contact_email: None,
        },
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_items = arg(&args, "--items", 100_000);
    let n_partners = arg(&args, "--partners", 2_000);
    let n_requests = arg(&args, "--requests", 200);

    let set = EvaluationSet::from_json(PARTNERS, ITEMS, REQUESTS)?;
    let mut generator = Generator::new(&set, SEED);
    // The generator makes past requests too (about one in twenty); the platform's peers of
    // that kind are its own public requests, so only knowledge items are kept, `n_items`.
    let candidates: Vec<_> = generator
        .items(n_items + n_items / 10)
        .into_iter()
        .filter(|c| matches!(c.kind(), CandidateKind::Item(_)))
        .take(n_items)
        .collect();
    let partners = generator.partners(n_partners);
    let requests = generator.requests(&set, n_requests);

    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store
        .load_reference(Compact::official(), Reference::official())
        .await?;
    let system = AuditContext::system();

    let t = Instant::now();
    let items: Vec<HarvestedItem> = candidates.iter().filter_map(item).collect();
    let published = items.len();
    for chunk in items.chunks(5_000) {
        store
            .harvest(
                &system,
                "https://generated.invalid/hub-bench",
                chunk.to_vec(),
                false,
            )
            .await?;
    }
    for p in &partners {
        let org = store
            .create_organization(
                &system,
                &NewOrganization {
                    name: p.name().to_owned(),
                    kind: p.kind(),
                    country: None,
                    website: None,
                    description: String::new(),
                },
            )
            .await?;
        let (objectives, actions) = p.topics().ids();
        store
            .save_partner(
                &system,
                &org.id,
                &PartnerFields {
                    summary: p.description().to_owned(),
                    staff: i64::from(p.capacity().staff),
                    objectives,
                    actions,
                    countries: p.presence().countries().to_vec(),
                    regions: p.presence().groupings().to_vec(),
                    languages: p.languages().to_vec(),
                    support: p.support().iter().map(|s| s.slug().to_owned()).collect(),
                },
            )
            .await?;
    }
    let mexico = M49::new(484)?;
    let focal = store
        .create_user(
            &system,
            &NewUser {
                email: "focal-point@bench.invalid".into(),
                display_name: "Bench focal point".into(),
                password_hash: None,
                status: UserStatus::Active,
                roles: vec![Role::FocalPoint { country: mexico }],
            },
        )
        .await?;
    let session = random_token();
    store
        .create_session(
            &focal.id,
            &token_hash(&session),
            &marrakech_store::from_now(time::Duration::days(1)),
        )
        .await?;
    eprintln!(
        "seeded {published} published items and {} partners in {:.0} s",
        partners.len(),
        t.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = marrakech_web::app(store.clone(), marrakech_web::WebConfig::default());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });

    let bodies: Vec<String> = requests
        .iter()
        .map(|r| {
            let input = RequestInput::from(r.clone());
            serde_json::json!({
                "title": input.title,
                "description": input.description,
                "objectives": input.objectives,
                "actions": input.actions,
                "countries": input.countries,
                "support": input.support,
                "languages": input.languages,
            })
            .to_string()
        })
        .collect();
    let cookie = format!("marrakech_csrf={CSRF}; marrakech_session={session}");
    let post = move |body: String| -> anyhow::Result<Duration> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let t = Instant::now();
        let mut answer = agent
            .post(&format!("http://{address}/api/v1/hub/requests"))
            .header("cookie", &cookie)
            .header("x-csrf-token", CSRF)
            .header("origin", &format!("http://{address}"))
            .content_type("application/json")
            .send(body.as_str())?;
        let elapsed = t.elapsed();
        let text = answer.body_mut().read_to_string()?;
        if answer.status() != 201 {
            bail!("the submission answered {}: {text}", answer.status());
        }
        let suggestions = serde_json::from_str::<serde_json::Value>(&text)?["suggestions"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        if suggestions == 0 {
            bail!("a submission came back without suggestions");
        }
        Ok(elapsed)
    };

    // The first submission builds the matcher from the database.
    let first = {
        let (post, body) = (post.clone(), bodies[0].clone());
        tokio::task::spawn_blocking(move || post(body)).await??
    };
    let mut platform = Vec::new();
    for body in bodies.iter().skip(1) {
        let (post, body) = (post.clone(), body.clone());
        platform.push(tokio::task::spawn_blocking(move || post(body)).await??);
    }

    // A change to the registry (one partner's profile), then a submission: only the partners
    // are indexed again before it is matched.
    let first_partner = store
        .partners()
        .await?
        .into_iter()
        .next()
        .context("a partner")?;
    let mut fields = first_partner.fields.clone();
    fields.staff += 1;
    store
        .save_partner(&system, &first_partner.organization_id, &fields)
        .await?;
    let after_change = {
        let (post, body) = (post.clone(), bodies[1].clone());
        tokio::task::spawn_blocking(move || post(body)).await??
    };

    // The baseline: the matcher alone, on the same partners and items, same requests.
    let t = Instant::now();
    let matcher = Matcher::new(partners, candidates, Weights::default()).context("the matcher")?;
    let built = t.elapsed();
    let options = MatchOptions::default();
    let mut library = Vec::new();
    for r in requests.iter().skip(1) {
        let t = Instant::now();
        let m = matcher.suggest(r, &options);
        library.push(t.elapsed());
        assert!(!m.partners.is_empty());
    }

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{published} published items, {n_partners} partners, {} submissions after the first; load average at the end: {}.\n",
        platform.len(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| | p50 (ms) | p99 (ms) |");
    println!("| --- | ---: | ---: |");
    let (p50, p99) = (
        percentile(&mut platform, 0.5),
        percentile(&mut platform, 0.99),
    );
    let (l50, l99) = (
        percentile(&mut library, 0.5),
        percentile(&mut library, 0.99),
    );
    println!("| submission over HTTP, stored with its suggestions | {p50:.1} | {p99:.1} |");
    println!("| the matcher alone (baseline) | {l50:.1} | {l99:.1} |");
    println!(
        "\nPlatform / matcher: {:.1}x at p50, {:.1}x at p99. The first submission, which built the matcher from the database, took {:.1} s (the matcher alone builds in {:.1} s). A submission right after a partner profile changed (the partners indexed again, the items kept) took {:.0} ms.",
        p50 / l50,
        p99 / l99,
        first.as_secs_f64(),
        built.as_secs_f64(),
        after_change.as_secs_f64() * 1000.0
    );
    Ok(())
}
