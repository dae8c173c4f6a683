//! Benchmarks this crate's index against SQLite FTS5 and PostgreSQL full-text search on the
//! same generated items and the same query mix. See BENCHMARKS.md and scripts/bench.sh.
//!
//! ```text
//! cargo run --release --features bench --example bench -- \
//!     [--sizes 10000,100000,1000000] [--engines tantivy,sqlite,postgres] [--seed 2018] \
//!     [--passes 3] [--clients 8] [--budget-secs 120] [--dir /var/tmp/marrakech-bench] \
//!     [--out results.md]
//! ```
//!
//! PostgreSQL: `MARRAKECH_BENCH_POSTGRES_URL` (default
//! `postgresql://postgres:marrakech@127.0.0.1:5432/postgres`); the run uses a database named
//! `marrakech_bench` on that server and skips PostgreSQL, saying why, when none answers.
//!
//! Each engine runs in a child process of this one (`--child ENGINE --size N`), so that its
//! peak memory is its own.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use marrakech_search::bench::postgres_engine::{self, PostgresEngine, PssSampler};
use marrakech_search::bench::sqlite_engine::SqliteEngine;
use marrakech_search::bench::tantivy_engine::TantivyEngine;
use marrakech_search::bench::{run_engine, Engine, RunConfig};
use marrakech_search::IndexOptions;

const DEFAULT_PG: &str = "postgresql://postgres:marrakech@127.0.0.1:5432/postgres";
const BENCH_DB: &str = "marrakech_bench";

struct Args {
    sizes: Vec<u64>,
    engines: Vec<String>,
    seed: u64,
    passes: usize,
    clients: usize,
    budget: u64,
    dir: PathBuf,
    out: Option<PathBuf>,
    child: Option<String>,
    size: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![10_000, 100_000],
        engines: vec!["tantivy".into(), "sqlite".into(), "postgres".into()],
        seed: 2018,
        passes: 3,
        clients: 8,
        budget: 120,
        dir: PathBuf::from("/var/tmp/marrakech-bench"),
        out: None,
        child: None,
        size: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{flag}: {e}"))
        };
        match flag.as_str() {
            "--sizes" => {
                a.sizes = value()?
                    .split(',')
                    .map(|s| {
                        s.replace('_', "")
                            .parse::<u64>()
                            .map_err(|e| format!("--sizes: {e}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--engines" => a.engines = value()?.split(',').map(str::to_owned).collect(),
            "--seed" => a.seed = num(value()?)?,
            "--passes" => a.passes = num(value()?)? as usize,
            "--clients" => a.clients = num(value()?)? as usize,
            "--budget-secs" => a.budget = num(value()?)?,
            "--dir" => a.dir = PathBuf::from(value()?),
            "--out" => a.out = Some(PathBuf::from(value()?)),
            "--child" => a.child = Some(value()?),
            "--size" => a.size = num(value()?)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn postgres_url() -> String {
    std::env::var("MARRAKECH_BENCH_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

fn bench_config() -> Result<postgres::Config, String> {
    let mut config: postgres::Config = postgres_url().parse().map_err(|e| format!("{e}"))?;
    config.dbname(BENCH_DB);
    Ok(config)
}

fn run_child(args: &Args, engine_name: &str) -> Result<(), String> {
    let config = RunConfig {
        seed: args.seed,
        size: args.size,
        passes: args.passes,
        clients: args.clients,
        budget: Duration::from_secs(args.budget),
    };
    std::fs::create_dir_all(&args.dir).map_err(|e| e.to_string())?;
    let mut sampler = None;
    let mut engine: Box<dyn Engine> = match engine_name {
        "tantivy" => Box::new(TantivyEngine::new(
            args.dir.join(format!("tantivy-{}", args.size)),
            IndexOptions {
                writer_memory_bytes: 512_000_000,
                writer_threads: 2,
                search_threads: 2,
            },
        )),
        "sqlite" => Box::new(SqliteEngine::new(
            args.dir.join(format!("sqlite-{}.db", args.size)),
        )),
        "postgres" => {
            let local =
                postgres_url().contains("127.0.0.1") || postgres_url().contains("localhost");
            if local {
                sampler = Some(PssSampler::start());
            }
            Box::new(PostgresEngine::new(bench_config()?))
        }
        other => return Err(format!("unknown engine {other}")),
    };
    let extra = || sampler.as_ref().and_then(|s| s.peak_mib());
    let lines = run_engine(engine.as_mut(), &config, &extra).map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    for (k, v) in lines {
        writeln!(stdout, "{k}\t{v}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb / 1_048_576.0))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem} RAM")
}

const ROWS: [(&str, &str); 22] = [
    ("build_items_per_s", "build, items/s (incl. generation)"),
    (
        "build_items_per_s_excl_generation",
        "build, items/s (excl. generation)",
    ),
    ("build_s", "build time, s"),
    ("disk_mib", "on disk, MiB"),
    ("single_samples", "1 client: queries measured"),
    ("single_all_p50_ms", "1 client: p50 ms, all"),
    ("single_all_p99_ms", "1 client: p99 ms, all"),
    ("single_unfiltered_p50_ms", "1 client: p50 ms, no filters"),
    ("single_unfiltered_p99_ms", "1 client: p99 ms, no filters"),
    ("single_filtered_p50_ms", "1 client: p50 ms, with filters"),
    ("single_filtered_p99_ms", "1 client: p99 ms, with filters"),
    ("concurrent_samples", "8 clients: queries measured"),
    ("concurrent_all_p50_ms", "8 clients: p50 ms, all"),
    ("concurrent_all_p99_ms", "8 clients: p99 ms, all"),
    (
        "concurrent_unfiltered_p99_ms",
        "8 clients: p99 ms, no filters",
    ),
    (
        "concurrent_filtered_p99_ms",
        "8 clients: p99 ms, with filters",
    ),
    ("concurrent_qps", "8 clients: queries/s"),
    ("single_truncated", "1 client: cut by time budget"),
    ("concurrent_truncated", "8 clients: cut by time budget"),
    ("peak_rss_mib", "peak RSS of the process, MiB"),
    (
        "server_peak_pss_mib",
        "peak PSS of the PostgreSQL server, MiB",
    ),
    ("segments", "index segments"),
];

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(engine) = &args.child {
        return match run_child(&args, engine) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench ({engine}): {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut engines = args.engines.clone();
    if engines.iter().any(|e| e == "postgres") {
        let check = postgres_engine::available(&postgres_url()).and_then(|_| {
            postgres_engine::ensure_database(&postgres_url(), BENCH_DB).map_err(|e| e.to_string())
        });
        if let Err(e) = check {
            eprintln!("bench: skipping PostgreSQL, no server answers at MARRAKECH_BENCH_POSTGRES_URL or {DEFAULT_PG}: {e}");
            engines.retain(|e| e != "postgres");
        }
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut report = String::new();
    report.push_str(&format!(
        "Machine: {}. Seed {}, {} passes over the 80-query mix per phase, {} concurrent clients, time budget {} s per phase.\n\n",
        machine(), args.seed, args.passes, args.clients, args.budget
    ));
    let mut failed = false;
    for size in &args.sizes {
        let mut results: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        for engine in &engines {
            eprintln!("bench: {engine} at {size} items...");
            let output = Command::new(&exe)
                .args([
                    "--child",
                    engine,
                    "--size",
                    &size.to_string(),
                    "--seed",
                    &args.seed.to_string(),
                    "--passes",
                    &args.passes.to_string(),
                    "--clients",
                    &args.clients.to_string(),
                    "--budget-secs",
                    &args.budget.to_string(),
                    "--dir",
                    &args.dir.display().to_string(),
                ])
                .stderr(Stdio::inherit())
                .output();
            match output {
                Ok(o) if o.status.success() => {
                    let text = String::from_utf8_lossy(&o.stdout).into_owned();
                    let map: BTreeMap<String, String> = text
                        .lines()
                        .filter_map(|l| l.split_once('\t'))
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect();
                    eprintln!("bench: {engine} at {size}: {map:?}");
                    results.push((engine.clone(), map));
                }
                Ok(o) => {
                    eprintln!("bench: {engine} at {size} failed ({})", o.status);
                    failed = true;
                }
                Err(e) => {
                    eprintln!("bench: {engine} at {size}: {e}");
                    failed = true;
                }
            }
        }
        report.push_str(&table(*size, &results));
    }
    print!("{report}");
    if let Some(out) = &args.out {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .and_then(|mut f| f.write_all(report.as_bytes()));
        if let Err(e) = appended {
            eprintln!("bench: {}: {e}", out.display());
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn table(size: u64, results: &[(String, BTreeMap<String, String>)]) -> String {
    let mut s = format!(
        "### {size} items\n\n| | {} |\n|---|{}\n",
        results
            .iter()
            .map(|(e, _)| e.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        "---:|".repeat(results.len())
    );
    for (key, label) in ROWS {
        if results.iter().all(|(_, m)| !m.contains_key(key)) {
            continue;
        }
        let cells: Vec<String> = results
            .iter()
            .map(|(_, m)| m.get(key).cloned().unwrap_or_else(|| "n/a".into()))
            .collect();
        s.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
    }
    // Ratios of the baselines' p99 to the index's.
    if let Some((_, t)) = results.iter().find(|(e, _)| e == "tantivy") {
        for (key, label) in [
            ("single_all_p99_ms", "p99 ratio to tantivy, 1 client"),
            ("concurrent_all_p99_ms", "p99 ratio to tantivy, 8 clients"),
        ] {
            let base: Option<f64> = t.get(key).and_then(|v| v.parse().ok());
            let cells: Vec<String> = results
                .iter()
                .map(
                    |(_, m)| match (m.get(key).and_then(|v| v.parse::<f64>().ok()), base) {
                        (Some(v), Some(b)) if b > 0.0 => format!("{:.1}x", v / b),
                        _ => "n/a".into(),
                    },
                )
                .collect();
            s.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
        }
    }
    s.push('\n');
    s
}
