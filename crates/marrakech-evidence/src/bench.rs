//! The benchmark runner (feature `bench`): each measurement beside a baseline measured in
//! the same invocation, printed as a Markdown table with ratios. `examples/bench.rs` calls
//! [`run`]; `scripts/bench.sh` installs the baselines and runs it.
//!
//! Timing: best of `repeat` runs on both sides, each side timing only its own work (the
//! Python baselines time inside the interpreter, so start-up and imports are not counted).
//! This module does I/O (temporary files, subprocesses), which is why it is behind a
//! feature and not part of the pure library.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use marrakech_core::countries::Reference;
use thiserror::Error;

use crate::codes::Quarter;
use crate::error::ImportError;
use crate::generate::{GenerateError, RpwGenerator};
use crate::sdg10c1::{compute, Options, QuarterFigures};

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("baseline `{command}` failed: {stderr}")]
    Baseline { command: String, stderr: String },
    #[error("baseline output: {0}")]
    Output(String),
    #[error("SDG 10.c.1 figures differ from DuckDB's: {0}")]
    Mismatch(String),
}

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// The shared data directory (IMS and MMP files); those rows are skipped without it.
    pub data_dir: Option<PathBuf>,
    /// The Python with pandas, openpyxl and duckdb.
    pub python: PathBuf,
    /// `scripts/baseline.py`.
    pub baseline_script: PathBuf,
    /// Where generated files go.
    pub work_dir: PathBuf,
    /// Rows of the generated RPW workbook (204,000 like the real one).
    pub rpw_rows: usize,
    /// Provider rows for the SDG 10.c.1 computation (1,000,000).
    pub sdg_rows: usize,
    pub seed: u64,
    /// Best of this many runs (the XLSX baseline, minutes long, runs once).
    pub repeat: usize,
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub task: String,
    pub ours: Duration,
    pub baseline_name: String,
    pub baseline: Option<Duration>,
    pub target: Option<Duration>,
    pub note: String,
}

fn io<T>(what: impl Into<String>, r: std::io::Result<T>) -> Result<T, BenchError> {
    r.map_err(|e| BenchError::Io(what.into(), e))
}

fn best_of<T>(
    repeat: usize,
    mut f: impl FnMut() -> Result<T, BenchError>,
) -> Result<(Duration, T), BenchError> {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let v = f()?;
        let dt = t0.elapsed();
        if best.as_ref().is_none_or(|(b, _)| dt < *b) {
            best = Some((dt, v));
        }
    }
    best.ok_or_else(|| BenchError::Output("no run".into()))
}

/// A baseline's `key value` lines and its data lines.
type BaselineOutput = (Vec<(String, String)>, Vec<String>);

/// Runs `baseline.py` and returns its output.
fn baseline(
    config: &BenchConfig,
    args: &[&str],
    repeat: usize,
) -> Result<BaselineOutput, BenchError> {
    let mut cmd = Command::new(&config.python);
    cmd.arg(&config.baseline_script)
        .args(args)
        .arg("--repeat")
        .arg(repeat.to_string());
    let shown = format!("{} {}", config.baseline_script.display(), args.join(" "));
    let out = io(format!("running {shown}"), cmd.output())?;
    if !out.status.success() {
        return Err(BenchError::Baseline {
            command: shown,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut keys = Vec::new();
    let mut data = Vec::new();
    for line in text.lines() {
        if line.starts_with("Q,") || line.starts_with("R,") {
            data.push(line.to_owned());
        } else if let Some((k, v)) = line.split_once(' ') {
            keys.push((k.to_owned(), v.to_owned()));
        }
    }
    Ok((keys, data))
}

fn seconds(keys: &[(String, String)], key: &str) -> Result<Duration, BenchError> {
    let v = keys
        .iter()
        .find(|(k, _)| k == key)
        .ok_or_else(|| BenchError::Output(format!("no `{key}` in the baseline's output")))?;
    v.1.parse::<f64>()
        .map(Duration::from_secs_f64)
        .map_err(|_| BenchError::Output(format!("`{key}` is `{}`", v.1)))
}

fn open(path: &Path) -> Result<BufReader<File>, BenchError> {
    Ok(BufReader::new(io(
        format!("opening {}", path.display()),
        File::open(path),
    )?))
}

/// Runs every benchmark, logging progress to `log`.
pub fn run(config: &BenchConfig, log: &mut dyn Write) -> Result<Vec<Measurement>, BenchError> {
    let reference = Reference::official();
    let mut results = Vec::new();
    io(
        "creating the work directory",
        std::fs::create_dir_all(&config.work_dir),
    )?;
    let say = |log: &mut dyn Write, s: &str| {
        let _ = writeln!(log, "{s}");
    };

    if let Some(dir) = &config.data_dir {
        let ims = dir.join("undesa-ims-2024-table1-countries.csv");
        say(log, "IMS 2024 CSV: ours");
        let (ours, n) = best_of(config.repeat, || {
            let i = crate::ims::import_ims_csv(open(&ims)?, reference)?;
            Ok(i.summaries[0].rows)
        })?;
        say(log, "IMS 2024 CSV: pandas");
        let (keys, _) = baseline(config, &["csv", &ims.to_string_lossy()], config.repeat)?;
        results.push(Measurement {
            task: format!(
                "import IMS 2024 Table 1 CSV ({n} rows, validated, 24 observations a row)"
            ),
            ours,
            baseline_name: "pandas read_csv".into(),
            baseline: Some(seconds(&keys, "seconds")?),
            target: None,
            note: String::new(),
        });

        let mmp = dir.join("iom-mmp-incidents-2014-2020.csv");
        say(log, "MMP CSV: ours");
        let (ours, n) = best_of(config.repeat, || {
            let i = crate::mmp::import_mmp_csv(open(&mmp)?)?;
            Ok(i.records.len())
        })?;
        say(log, "MMP CSV: pandas");
        let (keys, _) = baseline(config, &["csv", &mmp.to_string_lossy()], config.repeat)?;
        results.push(Measurement {
            task: format!("import IOM MMP CSV ({n} incidents, validated)"),
            ours,
            baseline_name: "pandas read_csv".into(),
            baseline: Some(seconds(&keys, "seconds")?),
            target: None,
            note: String::new(),
        });
    } else {
        say(log, "no data directory: IMS and MMP imports skipped");
    }

    // The RPW workbook.
    let rpw = RpwGenerator::new(config.rpw_rows, config.seed);
    let xlsx = config
        .work_dir
        .join(format!("rpw-generated-{}.xlsx", config.rpw_rows));
    say(log, &format!("generating {}", xlsx.display()));
    let t0 = Instant::now();
    rpw.write_workbook(BufWriter::new(io(
        format!("creating {}", xlsx.display()),
        File::create(&xlsx),
    )?))?;
    let generated = t0.elapsed();
    let size = io("reading the workbook size", std::fs::metadata(&xlsx))?.len();
    say(log, "RPW workbook: ours");
    let (ours, (n, rejected)) = best_of(config.repeat, || {
        let mut count = 0usize;
        let mut rejected = 0usize;
        let mut sink = |row: Result<crate::rpw::RpwRecord, crate::RejectedRow>| {
            match row {
                Ok(_) => count += 1,
                Err(_) => rejected += 1,
            }
            std::ops::ControlFlow::Continue(())
        };
        crate::rpw::read_rpw_xlsx(open(&xlsx)?, &mut sink)?;
        Ok((count, rejected))
    })?;
    say(log, "RPW workbook: pandas + openpyxl");
    let (keys, _) = baseline(
        config,
        &["xlsx", &xlsx.to_string_lossy(), crate::rpw::SHEET_2016],
        1,
    )?;
    results.push(Measurement {
        task: format!(
            "import generated RPW workbook ({n} rows x 44 columns, {:.1} MB; {rejected} rejected)",
            size as f64 / 1e6
        ),
        ours,
        baseline_name: "pandas read_excel (openpyxl), 1 run".into(),
        baseline: Some(seconds(&keys, "seconds")?),
        target: Some(Duration::from_secs(10)),
        note: format!("workbook generated in {:.1} s", generated.as_secs_f64()),
    });

    // SDG 10.c.1 over the in-memory rows, and DuckDB over the same rows as CSV.
    say(
        log,
        &format!("generating {} provider rows", config.sdg_rows),
    );
    let big = RpwGenerator::new(config.sdg_rows, config.seed);
    let records: Vec<_> = big.records().collect();
    let weights = big.weights();
    let options = Options::new(reference).with_weights(&weights);
    say(log, "SDG 10.c.1: ours");
    let (ours, figures) = best_of(config.repeat, || Ok(compute(&records, &options)))?;
    let csv_path = config
        .work_dir
        .join(format!("rpw-generated-{}.csv", config.sdg_rows));
    let weights_path = config.work_dir.join("weights.csv");
    let regions_path = config.work_dir.join("regions.csv");
    big.write_csv(BufWriter::new(io(
        "creating the rows CSV",
        File::create(&csv_path),
    )?))?;
    write_weights(&weights_path, &weights)?;
    write_regions(&regions_path, reference)?;
    say(log, "SDG 10.c.1: DuckDB");
    let (keys, data) = baseline(
        config,
        &[
            "sdg",
            &csv_path.to_string_lossy(),
            &weights_path.to_string_lossy(),
            &regions_path.to_string_lossy(),
        ],
        config.repeat,
    )?;
    let (checked, largest) = compare(&figures, &data)?;
    results.push(Measurement {
        task: format!(
            "SDG 10.c.1, {} quarters, over {} generated provider rows (Global Average, SmaRT, regional, weighted, corridors above 5 %)",
            figures.len(),
            records.len()
        ),
        ours,
        baseline_name: "DuckDB SQL over the same rows (in-memory table)".into(),
        baseline: Some(seconds(&keys, "seconds")?),
        target: Some(Duration::from_secs(1)),
        note: format!(
            "figures equal: {checked} values compared (counts exactly, averages within 1e-9 \
             percentage points; largest difference {largest:.1e})"
        ),
    });

    say(log, "RPW CSV (same 1,000,000 rows): ours");
    let (ours, n) = best_of(config.repeat, || {
        let mut count = 0usize;
        let mut sink = |row: Result<crate::rpw::RpwRecord, crate::RejectedRow>| {
            count += row.is_ok() as usize;
            std::ops::ControlFlow::Continue(())
        };
        crate::rpw::read_rpw_csv(open(&csv_path)?, &mut sink)?;
        Ok(count)
    })?;
    results.push(Measurement {
        task: format!("import the same rows as RPW CSV ({n} rows, validated)"),
        ours,
        baseline_name: "DuckDB read_csv into a table (all VARCHAR)".into(),
        baseline: Some(seconds(&keys, "load_seconds")?),
        target: None,
        note: String::new(),
    });
    Ok(results)
}

fn write_weights(path: &Path, weights: &crate::weights::VolumeWeights) -> Result<(), BenchError> {
    let mut w = csv::Writer::from_writer(io("creating weights.csv", File::create(path))?);
    let mut err = w.write_record(["corridor", "w"]).err();
    let mut pairs: Vec<_> = weights.iter().collect();
    pairs.sort_by_key(|(c, _)| *c);
    for (c, v) in pairs {
        if err.is_none() {
            err = w.write_record([c.to_string(), format!("{v:?}")]).err();
        }
    }
    if let Some(e) = err {
        return Err(GenerateError::from(e).into());
    }
    io("writing weights.csv", w.flush())
}

fn write_regions(path: &Path, reference: &Reference) -> Result<(), BenchError> {
    let mut text = String::from("iso3,region\n");
    for c in &reference.countries {
        if let Some(r) = &c.region {
            let _ = writeln!(text, "{},{}", c.iso3, r.code);
        }
    }
    io("writing regions.csv", std::fs::write(path, text))
}

/// Checks our figures against DuckDB's lines; the number of values compared and the
/// largest difference between two averages.
fn compare(ours: &[QuarterFigures], lines: &[String]) -> Result<(usize, f64), BenchError> {
    let largest = std::cell::Cell::new(0.0f64);
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            largest.set(largest.get().max((x - y).abs()));
            (x - y).abs() <= 1e-9
        }
        _ => false,
    };
    let opt = |s: &str| -> Result<Option<f64>, BenchError> {
        if s.is_empty() || s == "None" {
            Ok(None)
        } else {
            s.parse()
                .map(Some)
                .map_err(|_| BenchError::Output(format!("`{s}` is not a number")))
        }
    };
    let int = |s: &str| -> Result<usize, BenchError> {
        s.parse()
            .map_err(|_| BenchError::Output(format!("`{s}` is not a count")))
    };
    let mut checked = 0;
    let mut quarters = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let quarter = f
            .get(1)
            .and_then(|p| Quarter::parse(p).ok())
            .ok_or_else(|| BenchError::Output(line.clone()))?;
        let ours = ours
            .iter()
            .find(|q| q.quarter == quarter)
            .ok_or_else(|| BenchError::Mismatch(format!("{quarter} only in DuckDB's")))?;
        let mismatch = |what: &str| BenchError::Mismatch(format!("{quarter} {what}: `{line}`"));
        if f[0] == "Q" && f.len() == 13 {
            quarters += 1;
            let counts = [
                (ours.services, f[2], "services"),
                (ours.excluded_non_transparent, f[3], "excluded"),
                (ours.smart_corridors, f[6], "SmaRT corridors"),
                (
                    ours.corridors_without_smart,
                    f[7],
                    "corridors without SmaRT",
                ),
                (ours.weighted_corridors, f[9], "weighted corridors"),
                (ours.unweighted_corridors, f[10], "unweighted corridors"),
                (ours.corridors, f[11], "corridors"),
                (ours.corridors_above_5, f[12], "corridors above 5 %"),
            ];
            for (mine, theirs, what) in counts {
                if mine != int(theirs)? {
                    return Err(mismatch(what));
                }
                checked += 1;
            }
            let values = [
                (ours.global_average, f[4], "Global Average"),
                (ours.smart, f[5], "SmaRT"),
                (ours.weighted_average, f[8], "weighted average"),
            ];
            for (mine, theirs, what) in values {
                if !close(mine, opt(theirs)?) {
                    return Err(mismatch(what));
                }
                checked += 1;
            }
        } else if f[0] == "R" && f.len() == 5 {
            let region = ours
                .regions
                .iter()
                .find(|r| r.region.to_string() == f[2])
                .ok_or_else(|| mismatch("region"))?;
            if region.services != int(f[4])? || !close(Some(region.average), opt(f[3])?) {
                return Err(mismatch("regional average"));
            }
            checked += 2;
        } else {
            return Err(BenchError::Output(line.clone()));
        }
    }
    if quarters != ours.len() {
        return Err(BenchError::Mismatch(format!(
            "{} quarters here, {quarters} in DuckDB's",
            ours.len()
        )));
    }
    let regions: usize = ours.iter().map(|q| q.regions.len()).sum();
    let theirs = lines.iter().filter(|l| l.starts_with("R,")).count();
    if regions != theirs {
        return Err(BenchError::Mismatch(format!(
            "{regions} regional averages here, {theirs} in DuckDB's"
        )));
    }
    Ok((checked, largest.get()))
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 0.01 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.3} s")
    }
}

/// The Markdown table.
pub fn markdown(results: &[Measurement]) -> String {
    let mut out = String::from(
        "| task | ours | baseline | baseline time | baseline / ours | target | notes |\n\
         |---|---:|---|---:|---:|---|---|\n",
    );
    for m in results {
        let ratio = m
            .baseline
            .map(|b| format!("{:.1}x", b.as_secs_f64() / m.ours.as_secs_f64().max(1e-9)))
            .unwrap_or_default();
        let target = match m.target {
            Some(t) if m.ours <= t => format!("< {} (met)", secs(t)),
            Some(t) => format!("< {} (MISSED)", secs(t)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            m.task,
            secs(m.ours),
            m.baseline_name,
            m.baseline.map(secs).unwrap_or_default(),
            ratio,
            target,
            m.note
        );
    }
    out
}
