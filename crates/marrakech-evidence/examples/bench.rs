//! Runs the benchmarks and prints a Markdown table. `scripts/bench.sh` is the way in: it
//! installs the Python baselines and passes their interpreter.
//!
//! ```text
//! cargo run --release --features bench --example bench -- \
//!     --python PYTHON [--data DIR] [--work DIR] [--rpw-rows N] [--sdg-rows N] [--repeat N]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use marrakech_evidence::bench::{markdown, run, BenchConfig};

fn main() -> ExitCode {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config = BenchConfig {
        data_dir: None,
        python: PathBuf::from("python3"),
        baseline_script: manifest.join("scripts/baseline.py"),
        work_dir: std::env::temp_dir().join("marrakech-evidence-bench"),
        rpw_rows: 204_000,
        sdg_rows: 1_000_000,
        seed: 2026,
        repeat: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            eprintln!("{flag} needs a value");
            return ExitCode::FAILURE;
        };
        let number = || value.replace('_', "").parse::<usize>();
        match flag.as_str() {
            "--data" => config.data_dir = Some(PathBuf::from(&value)),
            "--python" => config.python = PathBuf::from(&value),
            "--work" => config.work_dir = PathBuf::from(&value),
            "--rpw-rows" | "--sdg-rows" | "--repeat" | "--seed" => match number() {
                Ok(n) if flag == "--rpw-rows" => config.rpw_rows = n,
                Ok(n) if flag == "--sdg-rows" => config.sdg_rows = n,
                Ok(n) if flag == "--repeat" => config.repeat = n,
                Ok(n) => config.seed = n as u64,
                Err(_) => {
                    eprintln!("{flag}: `{value}` is not a number");
                    return ExitCode::FAILURE;
                }
            },
            _ => {
                eprintln!("unknown option {flag}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(dir) = &config.data_dir {
        if !dir.is_dir() {
            eprintln!(
                "{}: no such directory; IMS and MMP imports skipped",
                dir.display()
            );
            config.data_dir = None;
        }
    }
    match run(&config, &mut std::io::stderr()) {
        Ok(results) => {
            let cpu = std::fs::read_to_string("/proc/cpuinfo")
                .ok()
                .and_then(|t| {
                    t.lines()
                        .find(|l| l.starts_with("model name"))
                        .and_then(|l| l.split_once(':'))
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_else(|| "unknown CPU".to_owned());
            let cores = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            println!(
                "Machine: {cpu}, {cores} cores available. Best of {} runs unless noted; seed {}.\n",
                config.repeat, config.seed
            );
            print!("{}", markdown(&results));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}
