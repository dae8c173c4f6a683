//! Matching latency against 100,000 knowledge items and past requests and 2,000 partners.
//!
//! ```sh
//! cargo run -p marrakech-hub --features generate --example latency --release
//! cargo run -p marrakech-hub --features generate --example latency --release -- --items 20000 --partners 500 --requests 100
//! ```
//!
//! The collections are generated from a fixed seed with the committed evaluation data as
//! their model: texts draw on the vocabulary of the committed items (words of the items of
//! the same objective, plus a Zipf-distributed general vocabulary with a long tail of rare
//! words), objectives follow a skewed popularity, countries are UN Member States, languages
//! are mostly English with the other UN languages. The requests are the 62 committed requests
//! plus generated ones. Each request asks for the top 10 partners and the top 10 items; the
//! run measures the full scorer, the same matcher with text-only weights, and BM25 retrieval
//! alone (the text-only baseline without the other factors), one request at a time on one
//! thread, after a warm-up pass.

use std::time::{Duration, Instant};

use marrakech_hub::evaluation::EvaluationSet;
use marrakech_hub::generate::Generator;
use marrakech_hub::{Bm25, MatchOptions, Matcher, TextSimilarity, Weights};

const PARTNERS: &str = include_str!("../data/partners.json");
const ITEMS: &str = include_str!("../data/items.json");
const REQUESTS: &str = include_str!("../data/requests.json");
/// "marrakec"
const SEED: u64 = 0x6d61_7272_616b_6563;

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
    samples: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let at =
        |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let total: Duration = samples.iter().sum();
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().unwrap_or(&Duration::ZERO),
        mean: total / samples.len().max(1) as u32,
        samples: samples.len(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_items = arg(&args, "--items", 100_000);
    let n_partners = arg(&args, "--partners", 2_000);
    let n_requests = arg(&args, "--requests", 200);
    let rounds = arg(&args, "--rounds", 3).max(1);

    let set =
        EvaluationSet::from_json(PARTNERS, ITEMS, REQUESTS).expect("the committed data loads");
    let mut generator = Generator::new(&set, SEED);

    let t = Instant::now();
    let mut all_items = set.candidates.clone();
    all_items.extend(generator.items(n_items.saturating_sub(all_items.len())));
    let mut all_partners = set.partners.clone();
    all_partners.extend(generator.partners(n_partners.saturating_sub(all_partners.len())));
    let reqs = generator.requests(&set, n_requests);
    let generated = t.elapsed();

    let t = Instant::now();
    let matcher =
        Matcher::new(all_partners.clone(), all_items.clone(), Weights::default()).expect("valid");
    let built = t.elapsed();
    let partner_bm25 = Bm25::new(all_partners.iter().map(|p| (p.id(), p.text())));
    let item_bm25 = Bm25::new(all_items.iter().map(|c| (c.id(), c.text())));

    let options = MatchOptions::default();
    let text_only = Weights::text_only();
    let mut checksum = 0usize;
    // Warm-up.
    for r in &reqs {
        checksum += matcher.suggest(r, &options).items.len();
    }
    let mut full = Vec::new();
    let mut text = Vec::new();
    let mut bm25 = Vec::new();
    for _ in 0..rounds {
        for r in &reqs {
            let t = Instant::now();
            let m = matcher.suggest(r, &options);
            full.push(t.elapsed());
            checksum += m.partners.len() + m.items.len();

            let t = Instant::now();
            let m = matcher.suggest_with(r, &text_only, &options);
            text.push(t.elapsed());
            checksum += m.partners.len() + m.items.len();

            let query = r.text();
            let t = Instant::now();
            let p = partner_bm25.most_similar(&query, 10);
            let i = item_bm25.most_similar(&query, 10);
            bm25.push(t.elapsed());
            checksum += p.len() + i.len();
        }
    }

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} items ({} committed, the rest generated), {} partners, {} requests x {} rounds (after one warm-up round); top 10 partners and top 10 items per request, one thread.",
        all_items.len(),
        set.candidates.len(),
        all_partners.len(),
        reqs.len(),
        rounds
    );
    println!(
        "Generated in {:.1} s; matcher built (BM25 indexes and packed features) in {:.1} s. Load average at the end: {}.\n",
        generated.as_secs_f64(),
        built.as_secs_f64(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| scorer | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | samples |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, s) in [
        ("Full scorer (default weights)", stats(full)),
        ("Same matcher, text-only weights", stats(text)),
        ("BM25 retrieval alone (text-only baseline)", stats(bm25)),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            ms(s.mean),
            s.samples
        );
    }
    eprintln!("(checksum {checksum})");
}
