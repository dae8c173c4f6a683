//! The matcher's quality on the committed labeled set: precision@5 and nDCG@10 for partners
//! and for items, the full scorer against the text-only (BM25) baseline, and one ablation per
//! factor.
//!
//! ```sh
//! cargo run -p marrakech-hub --example evaluate --release
//! cargo run -p marrakech-hub --example evaluate --release -- --per-request
//! cargo run -p marrakech-hub --example evaluate --release -- --weights my-weights.json
//! ```

use std::process::ExitCode;

use marrakech_hub::evaluation::{evaluate, report, EvaluationSet};
use marrakech_hub::{Matcher, Weights};

const PARTNERS: &str = include_str!("../data/partners.json");
const ITEMS: &str = include_str!("../data/items.json");
const REQUESTS: &str = include_str!("../data/requests.json");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let weights = match args.iter().position(|a| a == "--weights") {
        Some(i) => {
            let Some(path) = args.get(i + 1) else {
                eprintln!("--weights needs a JSON file");
                return ExitCode::FAILURE;
            };
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match serde_json::from_str::<Weights>(&text) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        None => Weights::default(),
    };
    let set = match EvaluationSet::from_json(PARTNERS, ITEMS, REQUESTS) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let out = match report(&set, &weights) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{out}");
    if args.iter().any(|a| a == "--per-request") {
        let matcher = match Matcher::new(
            set.partners.clone(),
            set.candidates.clone(),
            weights.clone(),
        ) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let full = evaluate(&matcher, &set.requests, &weights);
        let text = evaluate(&matcher, &set.requests, &Weights::text_only());
        println!("| request | partners nDCG@10 full | text | items nDCG@10 full | text |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        for (f, t) in full.per_request.iter().zip(&text.per_request) {
            println!(
                "| {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                f.id,
                f.partners.ndcg_at_10,
                t.partners.ndcg_at_10,
                f.items.ndcg_at_10,
                t.items.ndcg_at_10
            );
        }
    }
    ExitCode::SUCCESS
}
