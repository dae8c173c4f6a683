//! The evidence importers as an operator runs them, on the real files in ../shared/data
//! (each test skips with a message where they are absent): after `marrakech import ims`, the
//! API's totals equal the sums of the file's rows; the Missing Migrants file imports with
//! every row accounted for and yearly totals equal to the file's; a generated RPW workbook
//! goes in through the binary and SDG 10.c.1 comes out as the evidence crate computes it;
//! bad files get one clear message and change nothing.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use marrakech_core::countries::Reference;
use serde_json::Value;
use support::{http_get, marrakech, Server};

fn shared_file(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    if path.is_file() {
        Some(path)
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        // In CI the data must be there: a skipped test would pass without testing anything.
        panic!("../shared/data/{name} is not on this machine, and CI=true");
    } else {
        eprintln!("skipped: ../shared/data/{name} is not on this machine");
        None
    }
}

fn import(data_dir: &Path, args: &[&str], file: &Path) -> Output {
    marrakech()
        .args(["--log", "warn", "--data-dir"])
        .arg(data_dir)
        .arg("import")
        .args(args)
        .arg(file)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Waits until the server's evidence answers (the bundled sets load in the background).
fn get_json(server: &Server, path: &str) -> Value {
    for _ in 0..600 {
        let (status, body) = http_get(&server.address, path);
        if status == 200 {
            return serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        }
        assert!(status == 404 || status == 503, "{path}: {status} {body}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{path} never answered 200");
}

/// (area code, year, sex) -> migrants, for one direction.
type Sums = BTreeMap<(String, u16, &'static str), f64>;

#[test]
fn after_import_ims_the_api_totals_equal_the_files_sums() {
    let Some(file) = shared_file("undesa-ims-2024-table1-countries.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = stdout(&import(dir.path(), &["ims"], &file));
    assert!(
        report.contains("as `ims-2024`: 9,340 rows read, 224,160 records stored, 0 rejected"),
        "{report}"
    );

    // The sums, straight from the file.
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (destination, origin) = (
        column("Location code of destination"),
        column("Location code of origin"),
    );
    let years = [1990u16, 1995, 2000, 2005, 2010, 2015, 2020, 2024];
    let sexes = [
        ("total", "total"),
        ("males", "males"),
        ("females", "females"),
    ];
    let (mut world, mut immigrants, mut emigrants) = (Sums::new(), Sums::new(), Sums::new());
    for row in reader.records() {
        let row = row.unwrap();
        for year in years {
            for (suffix, sex) in sexes {
                let value: f64 = row[column(&format!("{year}_{suffix}"))]
                    .parse()
                    .unwrap_or(0.0);
                *world.entry(("001".into(), year, sex)).or_default() += value;
                *immigrants
                    .entry((row[destination].to_owned(), year, sex))
                    .or_default() += value;
                *emigrants
                    .entry((row[origin].to_owned(), year, sex))
                    .or_default() += value;
            }
        }
    }

    let server = Server::start(dir.path());
    let check = |area: &str, direction: &str, sums: &Sums| {
        let answer = get_json(
            &server,
            &format!("/api/v1/statistics/migrant-stock?area={area}&direction={direction}"),
        );
        let served: BTreeMap<u16, &Value> = answer["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| (y["year"].as_u64().unwrap() as u16, y))
            .collect();
        let mut compared = 0;
        for ((code, year, sex), expected) in sums.range((area.to_owned(), 0, "")..) {
            if code != area {
                break;
            }
            let got = served.get(year).and_then(|y| y[*sex].as_f64());
            assert_eq!(got, Some(*expected), "{direction} of {area}, {year}, {sex}");
            compared += 1;
        }
        assert_eq!(compared, years.len() * 3, "{area}");
    };
    check("001", "immigrants", &world);
    let reference = Reference::official();
    let area_of = |code: &str| {
        let country = reference
            .country(code)
            .unwrap_or_else(|| panic!("M49 {code} is a country"));
        country.m49.to_string()
    };
    let normalize = |sums: &Sums| -> Sums {
        sums.iter()
            .map(|((code, y, s), v)| ((area_of(code), *y, *s), *v))
            .collect()
    };
    let (immigrants, emigrants) = (normalize(&immigrants), normalize(&emigrants));
    let destinations: std::collections::BTreeSet<String> =
        immigrants.keys().map(|k| k.0.clone()).collect();
    let origins: std::collections::BTreeSet<String> =
        emigrants.keys().map(|k| k.0.clone()).collect();
    assert!(destinations.len() > 200 && origins.len() > 200);
    for area in &destinations {
        check(area, "immigrants", &immigrants);
    }
    for area in &origins {
        check(area, "emigrants", &emigrants);
    }
}

#[test]
fn the_missing_migrants_file_is_accounted_for_row_by_row() {
    let Some(file) = shared_file("iom-mmp-incidents-2014-2020.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (year, total) = (column("Reported Year"), column("Total Dead and Missing"));
    let mut rows = 0u64;
    let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        rows += 1;
        // Thousands are written with a comma in places ("1,022").
        *by_year.entry(row[year].to_owned()).or_default() +=
            row[total].replace(',', "").parse::<u64>().unwrap_or(0);
    }

    let dir = tempfile::tempdir().unwrap();
    let report = stdout(&import(dir.path(), &["mmp"], &file));
    // "... N rows read, M records stored, R rejected ...": every row is one or the other.
    let count = |label: &str| -> u64 {
        let before = report.split(&format!(" {label}")).next().unwrap();
        before
            .rsplit(' ')
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("{label} in {report}"))
    };
    assert_eq!(count("rows read"), rows, "{report}");
    assert_eq!(
        count("records stored") + count("rejected"),
        rows,
        "{report}"
    );
    assert_eq!(
        count("rejected"),
        0,
        "the real file has no bad row: {report}"
    );

    let server = Server::start(dir.path());
    let served = get_json(&server, "/api/v1/statistics/missing-migrants?by=year");
    let served: BTreeMap<String, u64> = served["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["dead_and_missing"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(served, by_year);
    let all = get_json(
        &server,
        "/api/v1/statistics/missing-migrants/incidents?limit=1",
    );
    assert!(all["total"].as_u64().unwrap() > 6000);

    // Importing the same file again replaces its release; nothing doubles.
    let again = stdout(&import(dir.path(), &["mmp"], &file));
    assert!(
        again.contains("unchanged") || again.contains("replaced"),
        "{again}"
    );
    let served_again = get_json(&server, "/api/v1/statistics/datasets");
    let mmp: Vec<&Value> = served_again["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "mmp")
        .collect();
    assert_eq!(mmp.len(), 1, "{served_again}");
    assert_eq!(mmp[0]["records"].as_u64().unwrap(), rows);
}

#[test]
fn a_generated_rpw_workbook_goes_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("rpw-generated.xlsx");
    let generator = marrakech_evidence::generate::RpwGenerator::new(4_000, 5);
    generator
        .write_workbook(std::fs::File::create(&workbook).unwrap())
        .unwrap();
    let data = dir.path().join("data");
    let report = stdout(&import(
        &data,
        &["rpw", "--release", "generated"],
        &workbook,
    ));
    assert!(
        report.contains("4,000 rows read, 4,000 records stored, 0 rejected"),
        "{report}"
    );

    let records: Vec<_> = generator.records().collect();
    let expected = marrakech_evidence::sdg10c1::compute(
        &records,
        &marrakech_evidence::sdg10c1::Options::new(Reference::official()),
    );
    let server = Server::start(&data);
    // The bundled bilateral flows load in the background and then weight the average; the
    // Global Average and SmaRT do not depend on them.
    let costs = get_json(&server, "/api/v1/statistics/remittance-costs");
    assert_eq!(costs["basis"], "provider-level");
    let quarters = costs["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), expected.len());
    for (served, e) in quarters.iter().zip(&expected) {
        assert_eq!(served["quarter"], e.quarter.sdmx());
        let close = |v: &Value, x: Option<f64>| match (v.as_f64(), x) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        assert!(
            close(&served["global_average"], e.global_average),
            "{served} {e:?}"
        );
        assert!(close(&served["smart"], e.smart), "{served} {e:?}");
    }
}

#[test]
fn a_file_of_the_wrong_layout_gets_one_message_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "a,b,c\n1,2,3\n").unwrap();
    let data = dir.path().join("data");
    let output = import(&data, &["mmp"], &wrong);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing columns"), "{stderr}");
    assert!(stderr.contains("`Total Dead and Missing`"), "{stderr}");

    // A file with bad rows: each is listed with its line; the good rows go in.
    let ims = dir.path().join("ims.csv");
    std::fs::write(
        &ims,
        "Index,\"Region, development group, country or area of destination\",Coverage,Data type,Location code of destination,\"Region, development group, country or area of origin\",Location code of origin,1990_total,1995_total,2000_total,2005_total,2010_total,2015_total,2020_total,2024_total,1990_males,1995_males,2000_males,2005_males,2010_males,2015_males,2020_males,2024_males,1990_females,1995_females,2000_females,2005_females,2010_females,2015_females,2020_females,2024_females\n\
         1,Mexico,,B,484,Guatemala,320,1,2,3,4,5,6,7,8,1,1,1,1,1,1,1,1,0,1,2,3,4,5,6,7\n\
         2,Mexico,,B,484,Guatemala,320,x,2,3,4,5,6,7,8,1,1,1,1,1,1,1,1,0,1,2,3,4,5,6,7\n\
         3,Mexico,,B,484,Honduras,340,1,2,3,4,5,6,7,8,1,1,1,1,1,1,1,1,0,1,2,3,4,5,six,7\n",
    )
    .unwrap();
    let output = import(&data, &["ims"], &ims);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("rejected line 3:") && stderr.contains("`x` is not a number"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rejected line 4:") && stderr.contains("`six`"),
        "{stderr}"
    );
    assert!(stdout(&output).contains("2 rejected"));
}
