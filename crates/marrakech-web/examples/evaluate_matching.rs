//! The matching quality of the server's two text sources for knowledge items, on the hub
//! crate's committed labeled set: precision@5 and nDCG@10 when items' text similarity comes
//! from the knowledge platform's search index (`hub_item_text = "search-index"`,
//! `PlatformText`) and from the hub crate's BM25 (`"bm25"`, the default), each with the full
//! scorer and text only, in the same run.
//!
//! ```sh
//! cargo run -p marrakech-web --example evaluate_matching --release
//! ```
//!
//! The set's knowledge items are indexed in an in-memory search index as published items
//! (their title and text in their first language, their objectives, actions and countries);
//! its past requests stay in a BM25 index of their own, as the server keeps other countries'
//! public requests.

use std::sync::Arc;

use marrakech_core::CompactRef;
use marrakech_hub::evaluation::{evaluate, EvaluationSet, Metrics};
use marrakech_hub::{Bm25, CandidateKind, Matcher, Weights};
use marrakech_search::document::{LanguageVersion, SearchDocument};
use marrakech_search::{Index, IndexOptions};
use marrakech_web::hub::PlatformText;

const PARTNERS: &str = include_str!("../../marrakech-hub/data/partners.json");
const ITEMS: &str = include_str!("../../marrakech-hub/data/items.json");
const REQUESTS: &str = include_str!("../../marrakech-hub/data/requests.json");

fn row(name: &str, partners: Metrics, items: Metrics) {
    println!(
        "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |",
        partners.precision_at_5, partners.ndcg_at_10, items.precision_at_5, items.ndcg_at_10
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let set = EvaluationSet::from_json(PARTNERS, ITEMS, REQUESTS)?;
    let index = Arc::new(Index::in_ram(IndexOptions {
        writer_memory_bytes: 50_000_000,
        writer_threads: 1,
        search_threads: 1,
    })?);
    let mut items = Vec::new();
    let mut peers = Vec::new();
    for c in &set.candidates {
        match c.kind() {
            CandidateKind::PastRequest => peers.push(c),
            CandidateKind::Item(kind) => {
                let (objectives, actions) = c.topics().ids();
                let refs = |ids: &[String]| -> Result<Vec<CompactRef>, Box<dyn std::error::Error>> {
                    Ok(ids
                        .iter()
                        .map(|id| CompactRef::parse(id))
                        .collect::<Result<_, _>>()?)
                };
                index.upsert(&SearchDocument {
                    id: c.id().to_owned(),
                    kind,
                    versions: vec![LanguageVersion {
                        language: c.languages()[0],
                        title: c.title().to_owned(),
                        summary: c.body().to_owned(),
                        body: String::new(),
                        original: true,
                    }],
                    objectives: refs(&objectives)?,
                    actions: refs(&actions)?,
                    principles: Vec::new(),
                    countries: c.presence().countries().to_vec(),
                    areas: Vec::new(),
                    organizations: Vec::new(),
                    published: time::macros::date!(2025 - 01 - 01),
                })?;
                items.push(c.id());
            }
        }
    }
    index.commit()?;
    let text = PlatformText::new(
        index,
        items.into_iter(),
        Bm25::new(peers.iter().map(|c| (c.id(), c.text()))),
    );
    let weights = Weights::default();
    let partner_text = Bm25::new(set.partners.iter().map(|p| (p.id(), p.text())));
    let platform = Matcher::with_text(
        set.partners.clone(),
        set.candidates.clone(),
        weights.clone(),
        Box::new(partner_text),
        Box::new(text),
    )?;
    let library = Matcher::new(
        set.partners.clone(),
        set.candidates.clone(),
        weights.clone(),
    )?;

    println!(
        "{} labeled requests, {} partners, {} candidates.\n",
        set.requests.len(),
        set.partners.len(),
        set.candidates.len()
    );
    println!("| scorer | partners P@5 | partners nDCG@10 | items P@5 | items nDCG@10 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let e = evaluate(&platform, &set.requests, &weights);
    row(
        "Full scorer, items' text from the search index",
        e.partners,
        e.items,
    );
    let e = evaluate(&library, &set.requests, &weights);
    row(
        "Full scorer, the hub crate's BM25 (the default)",
        e.partners,
        e.items,
    );
    let e = evaluate(&platform, &set.requests, &Weights::text_only());
    row(
        "Text only, items from the search index",
        e.partners,
        e.items,
    );
    let e = evaluate(&library, &set.requests, &Weights::text_only());
    row(
        "Text only, the hub crate's BM25 (the baseline)",
        e.partners,
        e.items,
    );
    Ok(())
}
