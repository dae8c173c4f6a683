//! Per-query times of the benchmark's query mix against an index `examples/bench.rs` built
//! (it leaves its indexes in `--dir`, default /var/tmp/marrakech-bench): where a size's p99
//! comes from, and how much of each request is facet counting.
//!
//! ```text
//! cargo run --release --features bench --example query_times -- \
//!     [--index /var/tmp/marrakech-bench/tantivy-1000000] [--runs 7] [--search-threads 2]
//! ```
//!
//! For each of the 80 requests: the total, and the median over `--runs` runs (after one
//! warm-up) of the full request (top 20 with snippets and facet counts), the same without
//! facet counts, and the same with facets but one hit (almost no snippet work). Slowest first.

use std::path::PathBuf;
use std::time::Instant;

use marrakech_search::bench::query_mix;
use marrakech_search::facets::Filters;
use marrakech_search::{Index, IndexOptions, PageSize, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dir = PathBuf::from("/var/tmp/marrakech-bench/tantivy-1000000");
    let mut runs = 7usize;
    let mut search_threads = 2usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--index" => dir = PathBuf::from(value),
            "--runs" => runs = value.parse()?,
            "--search-threads" => search_threads = value.parse()?,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let index = Index::open_in_dir(
        &dir,
        IndexOptions {
            writer_memory_bytes: 64_000_000,
            writer_threads: 1,
            search_threads,
        },
    )?;
    println!(
        "{}: {} documents, {} segments, {search_threads} search threads, median of {runs} runs\n",
        dir.display(),
        index.num_docs(),
        index.num_segments()
    );
    let time = |req: &SearchRequest| -> Result<(f64, u64), Box<dyn std::error::Error>> {
        index.search(req)?;
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            total = index.search(req)?.total;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok((times[times.len() / 2], total))
    };
    let mut rows = Vec::new();
    for q in query_mix() {
        let mut req = SearchRequest::new(q.text);
        req.page_size = PageSize::new(20)?;
        let mut filters = Filters::new();
        for (facet, value) in &q.filters {
            filters.add(*facet, value)?;
        }
        req.filters = filters;
        let (full, total) = time(&req)?;
        req.facets = false;
        let (no_facets, _) = time(&req)?;
        req.facets = true;
        req.page_size = PageSize::new(1)?;
        let (one_hit, _) = time(&req)?;
        let label = if q.filters.is_empty() {
            q.text.to_owned()
        } else {
            format!(
                "{} [{}]",
                q.text,
                q.filters
                    .iter()
                    .map(|(f, v)| format!("{}={v}", f.name()))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        rows.push((full, no_facets, one_hit, total, label));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("| request | total | full ms | no facets ms | 1 hit ms |");
    println!("|---|---:|---:|---:|---:|");
    for (full, no_facets, one_hit, total, label) in &rows {
        println!("| {label} | {total} | {full:.2} | {no_facets:.2} | {one_hit:.2} |");
    }
    let sum = |f: fn(&(f64, f64, f64, u64, String)) -> f64| rows.iter().map(f).sum::<f64>();
    println!(
        "\nsum over the mix: full {:.1} ms, no facets {:.1} ms, 1 hit {:.1} ms",
        sum(|r| r.0),
        sum(|r| r.1),
        sum(|r| r.2)
    );
    Ok(())
}
