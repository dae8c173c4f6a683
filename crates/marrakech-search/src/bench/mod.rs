//! The benchmark harness: the same generated items and the same fixed query mix against this
//! crate's index, SQLite FTS5 and PostgreSQL full-text search, measured in one run.
//!
//! Each engine is measured in its own process (see `examples/bench.rs`) so that its peak
//! resident memory is its own. A request is always "top 20 with facet counts": the total,
//! the 20 best hits with a highlighted snippet, and the counts of all eight facets, with the
//! same multi-select semantics in all three engines (a filtered facet is counted without its
//! own filter).

pub mod postgres_engine;
pub mod sqlite_engine;
pub mod tantivy_engine;

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::document::{Area, SearchDocument};
use crate::facets::{Facet, FacetValue};
use crate::generator::Generator;

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("search: {0}")]
    Search(#[from] crate::SearchError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", postgres_detail(.0))]
    Postgres(#[from] postgres::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// `postgres::Error` prints "db error" for every server error; the message is inside.
fn postgres_detail(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// One request of the mix.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub text: &'static str,
    pub filters: Vec<(Facet, &'static str)>,
}

impl BenchQuery {
    pub fn filtered(&self) -> bool {
        !self.filters.is_empty()
    }

    /// The query's words (the mix uses no operators).
    pub fn words(&self) -> Vec<&'static str> {
        self.text.split_whitespace().collect()
    }
}

/// The fixed query texts: 1 to 4 terms, mostly English, some in the other five languages;
/// practitioners' vocabulary, no stop words (PostgreSQL drops them, the others do not, so
/// they would make the engines answer different questions).
pub const QUERY_TEXTS: [&str; 40] = [
    "remittances",
    "fair recruitment",
    "migrant workers",
    "trafficking victims protection",
    "border management",
    "diaspora",
    "skills recognition partnerships",
    "climate change disasters migration",
    "consular protection",
    "données migratoires",
    "xenophobia",
    "return reintegration",
    "remesas",
    "unaccompanied children",
    "legal identity registration",
    "мигрантов",
    "social cohesion inclusion",
    "search rescue",
    "التحويلات",
    "financial inclusion remittance costs",
    "alternatives detention",
    "travailleurs migrants",
    "decent work",
    "汇款",
    "missing migrants",
    "trabajo decente",
    "health services access",
    "pre-departure orientation",
    "family reunification",
    "торговля людьми",
    "screening referral",
    "العمال المهاجرين",
    "regional migration dialogues",
    "portability social security",
    "移民数据",
    "smuggling",
    "household surveys data",
    "international cooperation",
    "women migrant workers",
    "evaluation",
];

/// Filter sets, assigned to the filtered copy of query `i` as `FILTER_SETS[i % 6]`.
pub fn filter_sets() -> Vec<Vec<(Facet, &'static str)>> {
    vec![
        vec![(Facet::Kind, "practice")],
        vec![(Facet::Region, "002")],
        vec![(Facet::Objective, "obj-6"), (Facet::Objective, "obj-20")],
        vec![(Facet::Year, "2022"), (Facet::Year, "2023")],
        vec![(Facet::Language, "fr")],
        vec![
            (Facet::OrganizationType, "civil-society"),
            (Facet::Principle, "gp-f"),
        ],
    ]
}

/// The mix: each text without filters, then with its filter set, interleaved so that any
/// prefix (what a slow engine completes within its time budget) is representative.
pub fn query_mix() -> Vec<BenchQuery> {
    let sets = filter_sets();
    let mut out = Vec::with_capacity(QUERY_TEXTS.len() * 2);
    for (i, text) in QUERY_TEXTS.iter().enumerate() {
        out.push(BenchQuery {
            text,
            filters: Vec::new(),
        });
        out.push(BenchQuery {
            text,
            filters: sets[i % sets.len()].clone(),
        });
    }
    out
}

/// What an engine answered (checked for plausibility, and keeps the work from being
/// optimised away).
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    pub total: u64,
    pub hits: usize,
    pub facet_values: usize,
}

/// A benchmarked engine.
pub trait Engine: Send + Sync {
    fn name(&self) -> &'static str;
    /// Loads the items and builds every index the queries need.
    fn build(&mut self, docs: &mut dyn Iterator<Item = SearchDocument>) -> Result<(), BenchError>;
    /// A client for one thread (a connection, for the databases).
    fn client(&self) -> Result<Box<dyn Client + '_>, BenchError>;
    /// Extra figures to report (index size, segments).
    fn notes(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

pub trait Client: Send {
    fn search(&mut self, q: &BenchQuery) -> Result<Outcome, BenchError>;
}

/// Facet values as integers `(facet, value)`, for the SQL engines' facet tables: the same
/// numbering the index's encoding uses (objective number, M49 code, year...).
pub fn facet_rows(doc: &SearchDocument) -> Vec<(i64, i64)> {
    crate::facets::document_facet_values(doc)
        .into_values()
        .flatten()
        .map(|v| facet_code(&v))
        .collect()
}

pub fn facet_code(v: &FacetValue) -> (i64, i64) {
    let facet = Facet::ALL.iter().position(|f| *f == v.facet()).unwrap_or(0) as i64;
    let value = match v {
        FacetValue::Kind(k) => k.index() as i64,
        FacetValue::Objective(n) => i64::from(*n),
        FacetValue::Principle(l) => i64::from(*l as u32 - 'a' as u32),
        FacetValue::Region(Area::Global) => 0,
        FacetValue::Region(Area::Region(c)) => i64::from(c.value()),
        FacetValue::Country(c) => i64::from(c.value()),
        FacetValue::OrganizationType(t) => t.index() as i64,
        FacetValue::Language(l) => l.index() as i64,
        FacetValue::Year(y) => i64::from(*y),
    };
    (facet, value)
}

/// A query's filters as `(facet code, [value codes])`, one entry per facet.
pub fn coded_filters(q: &BenchQuery) -> Result<Vec<(i64, Vec<i64>)>, BenchError> {
    let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
    for (facet, value) in &q.filters {
        let v = FacetValue::parse(*facet, value).map_err(|e| BenchError::Other(e.to_string()))?;
        let (f, code) = facet_code(&v);
        match out.iter_mut().find(|(k, _)| *k == f) {
            Some((_, list)) => list.push(code),
            None => out.push((f, vec![code])),
        }
    }
    Ok(out)
}

/// Splits runs of ideographs into space-separated bigrams, as the index's Chinese analyzer
/// does, for the engines that have no such tokenizer.
pub fn cjk_bigrams(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        if crate::analysis::is_cjk(chars[i]) {
            let start = i;
            while i < chars.len() && crate::analysis::is_cjk(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            out.push(' ');
            if run.len() == 1 {
                out.push(run[0]);
            } else {
                for w in run.windows(2) {
                    out.push(w[0]);
                    out.push(w[1]);
                    out.push(' ');
                }
            }
            out.push(' ');
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The items for a run.
pub fn items(seed: u64, size: u64) -> impl Iterator<Item = SearchDocument> {
    Generator::new(seed).take(size as usize)
}

/// Wraps an iterator and adds up the time spent producing items, so the build rate can be
/// reported with and without the generator's share.
pub struct Timed<I> {
    inner: I,
    pub spent: Duration,
    pub count: u64,
}

impl<I> Timed<I> {
    pub fn new(inner: I) -> Timed<I> {
        Timed {
            inner,
            spent: Duration::ZERO,
            count: 0,
        }
    }
}

impl<I: Iterator> Iterator for Timed<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let t = Instant::now();
        let item = self.inner.next();
        self.spent += t.elapsed();
        if item.is_some() {
            self.count += 1;
        }
        item
    }
}

/// Latencies of one phase.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub all: Vec<Duration>,
    pub unfiltered: Vec<Duration>,
    pub filtered: Vec<Duration>,
    pub wall: Duration,
    /// Whether the time budget cut the phase short.
    pub truncated: bool,
}

impl Samples {
    fn push(&mut self, q: &BenchQuery, d: Duration) {
        self.all.push(d);
        if q.filtered() {
            self.filtered.push(d);
        } else {
            self.unfiltered.push(d);
        }
    }

    fn merge(&mut self, other: Samples) {
        self.all.extend(other.all);
        self.unfiltered.extend(other.unfiltered);
        self.filtered.extend(other.filtered);
        self.truncated |= other.truncated;
    }
}

/// The nearest-rank percentile, in milliseconds.
pub fn percentile_ms(samples: &[Duration], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    Some(sorted[i].as_secs_f64() * 1_000.0)
}

/// Runs the mix `passes` times on one client (or until `budget` is spent).
pub fn run_single(
    engine: &dyn Engine,
    mix: &[BenchQuery],
    passes: usize,
    budget: Duration,
) -> Result<(Samples, Outcome), BenchError> {
    let mut client = engine.client()?;
    let mut samples = Samples::default();
    let mut last = Outcome::default();
    let start = Instant::now();
    'outer: for _ in 0..passes {
        for q in mix {
            if start.elapsed() > budget {
                samples.truncated = true;
                break 'outer;
            }
            let t = Instant::now();
            last = client.search(q)?;
            samples.push(q, t.elapsed());
        }
    }
    samples.wall = start.elapsed();
    Ok((samples, last))
}

/// `clients` threads, each running the mix `passes` times from its own starting point.
pub fn run_concurrent(
    engine: &dyn Engine,
    mix: &[BenchQuery],
    clients: usize,
    passes: usize,
    budget: Duration,
) -> Result<Samples, BenchError> {
    let start = Instant::now();
    let results: Vec<Result<Samples, BenchError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                scope.spawn(move || -> Result<Samples, BenchError> {
                    let mut client = engine.client()?;
                    let mut samples = Samples::default();
                    let offset = c * mix.len() / clients.max(1);
                    'outer: for _ in 0..passes {
                        for i in 0..mix.len() {
                            if start.elapsed() > budget {
                                samples.truncated = true;
                                break 'outer;
                            }
                            let q = &mix[(offset + i) % mix.len()];
                            let t = Instant::now();
                            client.search(q)?;
                            samples.push(q, t.elapsed());
                        }
                    }
                    Ok(samples)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(BenchError::Other("a client thread panicked".into())))
            })
            .collect()
    });
    let mut all = Samples::default();
    for r in results {
        all.merge(r?);
    }
    all.wall = start.elapsed();
    Ok(all)
}

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// Configuration of one engine's run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub seed: u64,
    pub size: u64,
    pub passes: usize,
    pub clients: usize,
    pub budget: Duration,
}

/// Builds and measures one engine; returns `(metric, value)` lines.
pub fn run_engine(
    engine: &mut dyn Engine,
    config: &RunConfig,
    extra_memory: &dyn Fn() -> Option<f64>,
) -> Result<Vec<(String, String)>, BenchError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| out.push((k.to_owned(), v));
    let mut docs = Timed::new(items(config.seed, config.size));
    let t = Instant::now();
    engine.build(&mut docs)?;
    let build = t.elapsed();
    let generation = docs.spent;
    put("items", docs.count.to_string());
    put("build_s", format!("{:.1}", build.as_secs_f64()));
    put("generate_s", format!("{:.1}", generation.as_secs_f64()));
    put(
        "build_items_per_s",
        format!("{:.0}", docs.count as f64 / build.as_secs_f64()),
    );
    put(
        "build_items_per_s_excl_generation",
        format!(
            "{:.0}",
            docs.count as f64 / (build.saturating_sub(generation)).as_secs_f64().max(1e-9)
        ),
    );
    for (k, v) in engine.notes() {
        put(&k, v);
    }
    let mix = query_mix();
    // Warm-up: one pass, so every engine starts with its caches as a running server has them.
    let (_, _) = run_single(&*engine, &mix, 1, config.budget)?;
    let (single, last) = run_single(&*engine, &mix, config.passes, config.budget)?;
    put("last_total", last.total.to_string());
    report_samples(&mut put, "single", &single);
    let concurrent = run_concurrent(&*engine, &mix, config.clients, config.passes, config.budget)?;
    report_samples(&mut put, "concurrent", &concurrent);
    put(
        "concurrent_qps",
        format!(
            "{:.1}",
            concurrent.all.len() as f64 / concurrent.wall.as_secs_f64()
        ),
    );
    if let Some(m) = peak_rss_mib() {
        put("peak_rss_mib", format!("{m:.0}"));
    }
    if let Some(m) = extra_memory() {
        put("server_peak_pss_mib", format!("{m:.0}"));
    }
    Ok(out)
}

fn report_samples(put: &mut dyn FnMut(&str, String), phase: &str, s: &Samples) {
    put(&format!("{phase}_samples"), s.all.len().to_string());
    put(&format!("{phase}_truncated"), s.truncated.to_string());
    for (name, list) in [
        ("all", &s.all),
        ("unfiltered", &s.unfiltered),
        ("filtered", &s.filtered),
    ] {
        for p in [50.0, 99.0] {
            if let Some(ms) = percentile_ms(list, p) {
                put(&format!("{phase}_{name}_p{p:.0}_ms"), format!("{ms:.2}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_is_fixed_and_parses() {
        let mix = query_mix();
        assert_eq!(mix.len(), 80);
        assert!(mix.iter().all(|q| (1..=4).contains(&q.words().len())));
        for q in &mix {
            coded_filters(q).unwrap();
        }
    }

    #[test]
    fn bigrams_match_the_analyzer() {
        assert_eq!(
            cjk_bigrams("移民数据 x")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["移民", "民数", "数据", "x"]
        );
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&s, 50.0), Some(50.0));
        assert_eq!(percentile_ms(&s, 99.0), Some(99.0));
        assert_eq!(percentile_ms(&[], 99.0), None);
    }
}
