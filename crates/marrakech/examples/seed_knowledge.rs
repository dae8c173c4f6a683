//! Fills a database with generated, published knowledge items, for benchmarking the search
//! API (see `scripts/bench-search-api.sh` at the top of the repository).
//!
//! ```text
//! cargo run --release -p marrakech --example seed_knowledge -- \
//!     --database-url sqlite:///tmp/data/marrakech.db?mode=rwc \
//!     [--items 100000] [--seed 2018] [--batch 5000] [--queries-out queries.txt]
//! ```
//!
//! The items are the search benchmark's (`marrakech_search::generator::Generator`, the same
//! seed and order as `crates/marrakech-search/examples/bench.rs`), written through the store's
//! harvesting path (`Store::harvest`), which adds items as published, with their transition,
//! the audit entry and the index log, as `marrakech import ckan` does. The database is migrated
//! and the reference data loaded first, as `marrakech serve` does; the search index is not
//! touched (run `marrakech search reindex` afterwards).
//!
//! With `--queries-out`, writes the search benchmark's 80-request query mix
//! (`marrakech_search::bench::query_mix`) as request paths of the knowledge API, one a line,
//! for a load generator.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context};
use marrakech_core::countries::Reference;
use marrakech_core::Compact;
use marrakech_search::bench::query_mix;
use marrakech_search::document::{Area, SearchDocument};
use marrakech_search::generator::Generator;
use marrakech_store::knowledge::{HarvestedItem, ItemContent, ItemText, Party, PartyRole};
use marrakech_store::{AuditContext, Store};

/// The source the generated items are marked with.
const SOURCE: &str = "https://generated.invalid/bench";

struct Args {
    database_url: String,
    items: u64,
    seed: u64,
    batch: u64,
    queries_out: Option<std::path::PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        database_url: String::new(),
        items: 100_000,
        seed: 2018,
        batch: 5_000,
        queries_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        let number = |v: String| -> anyhow::Result<u64> {
            v.replace('_', "")
                .parse()
                .with_context(|| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--database-url" => args.database_url = value()?,
            "--items" => args.items = number(value()?)?,
            "--seed" => args.seed = number(value()?)?,
            "--batch" => args.batch = number(value()?)?.max(1),
            "--queries-out" => args.queries_out = Some(value()?.into()),
            other => bail!("unknown option {other}"),
        }
    }
    if args.database_url.is_empty() {
        bail!("--database-url is required (sqlite://DIR/marrakech.db?mode=rwc or postgres://...)");
    }
    Ok(args)
}

/// The store's content for a generated document: the inverse of `marrakech_web::search::document`.
fn content(doc: &SearchDocument) -> ItemContent {
    let original = doc
        .original()
        .map(|v| v.language)
        .unwrap_or(doc.versions[0].language);
    let refs = |r: &[marrakech_core::CompactRef]| r.iter().map(|r| r.to_string()).collect();
    ItemContent {
        kind: doc.kind,
        original_language: original,
        texts: doc
            .versions
            .iter()
            .map(|v| ItemText {
                language: v.language,
                title: v.title.clone(),
                summary: v.summary.clone(),
                body: v.body.clone(),
                results: String::new(),
            })
            .collect(),
        objectives: refs(&doc.objectives),
        actions: refs(&doc.actions),
        principles: refs(&doc.principles),
        countries: doc.countries.clone(),
        regions: doc
            .areas
            .iter()
            .filter_map(|a| match a {
                Area::Region(code) => Some(*code),
                Area::Global => None,
            })
            .collect(),
        global: doc.areas.contains(&Area::Global),
        themes: Vec::new(),
        parties: doc
            .organizations
            .iter()
            .enumerate()
            .map(|(i, o)| Party {
                role: if i == 0 {
                    PartyRole::Implementer
                } else {
                    PartyRole::Partner
                },
                name: o.name.clone(),
                organization_id: None,
                kind: o.kind,
            })
            .collect(),
        period_start: None,
        period_end: None,
        implementation_state: None,
        licence: "CC-BY-4.0".into(),
        links: Vec::new(),
        call_id: None,
        contact_name: None,
        contact_email: None,
    }
}

/// Percent-encodes a query-string value (everything but RFC 3986's unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The benchmark's query mix as knowledge API paths: top 20 with facet counts, filters as the
/// API takes them (a facet's values comma-separated, ORed).
fn query_paths() -> Vec<String> {
    query_mix()
        .iter()
        .map(|q| {
            let mut path = format!("/api/v1/knowledge?q={}&limit=20", encode(q.text));
            let mut facets: Vec<(&str, Vec<&str>)> = Vec::new();
            for (facet, value) in &q.filters {
                match facets.iter_mut().find(|(name, _)| *name == facet.name()) {
                    Some((_, values)) => values.push(value),
                    None => facets.push((facet.name(), vec![value])),
                }
            }
            for (name, values) in facets {
                path.push_str(&format!("&{name}={}", encode(&values.join(","))));
            }
            path
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if let Some(path) = &args.queries_out {
        let mut file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        for p in query_paths() {
            writeln!(file, "{p}")?;
        }
        eprintln!("seed_knowledge: wrote the query mix to {}", path.display());
    }
    if args.items == 0 {
        return Ok(());
    }
    let store = Store::connect(&args.database_url).await?;
    store.migrate().await?;
    store
        .load_reference(Compact::official(), Reference::official())
        .await?;

    let ctx = AuditContext::system();
    let generator = Generator::new(args.seed);
    let started = Instant::now();
    let mut done = 0u64;
    while done < args.items {
        let end = (done + args.batch).min(args.items);
        let items: Vec<HarvestedItem> = (done..end)
            .map(|n| {
                let doc = generator.item(n);
                let published = doc.published.midnight().assume_utc();
                HarvestedItem {
                    source_id: doc.id.clone(),
                    source_url: None,
                    published_at: marrakech_store::time_text(published),
                    content: content(&doc),
                }
            })
            .collect();
        let report = store
            .harvest(&ctx, SOURCE, items, false)
            .await
            .with_context(|| format!("harvesting items {done}..{end}"))?;
        done = end;
        eprintln!(
            "seed_knowledge: {done}/{} items ({} added, {} updated, {} unchanged), {:.0} s",
            args.items,
            report.added,
            report.updated,
            report.unchanged,
            started.elapsed().as_secs_f64()
        );
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {} published items in {secs:.1} s ({:.0} items/s)",
        args.items,
        args.items as f64 / secs
    );
    store.pool().close().await;
    Ok(())
}
