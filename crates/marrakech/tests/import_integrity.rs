//! `marrakech import` against damaged, repeated, shrunken and renamed files (issue 11), on
//! SQLite and, when `MARRAKECH_TEST_POSTGRES_URL` is set, PostgreSQL: each refusal names the
//! line or what would be lost, exits non-zero, and leaves the stored release exactly as it
//! was. The files are the bundled data sets of `data/evidence`, so these tests always run.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::Output;

use marrakech_store::statistics::{Dataset, DatasetKind};
use marrakech_store::testing::TestStore;
use marrakech_store::{Backend, Store};
use support::marrakech;

fn bundled(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/evidence")
        .join(name);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The test databases: SQLite always, PostgreSQL when configured.
async fn stores() -> Vec<TestStore> {
    let mut stores = vec![TestStore::empty(Backend::Sqlite).await.unwrap()];
    match TestStore::empty(Backend::Postgres).await {
        Some(store) => stores.push(store),
        None => marrakech_store::testing::skip_postgres("import_integrity"),
    }
    stores
}

fn import(store: &TestStore, dir: &Path, args: &[&str], name: &str, bytes: &[u8]) -> Output {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    marrakech()
        .args(["--log", "warn", "--data-dir"])
        .arg(dir.join("data"))
        .args(["--database-url", &store.url(), "import"])
        .args(args)
        .arg(&file)
        .output()
        .expect("the binary runs")
}

fn said(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn accepted(output: &Output) -> String {
    let (out, err) = said(output);
    assert!(output.status.success(), "refused: {err}");
    out
}

fn refused(output: &Output) -> String {
    let (out, err) = said(output);
    assert_eq!(output.status.code(), Some(1), "accepted: {out}{err}");
    err
}

async fn only(store: &Store, kind: DatasetKind) -> Dataset {
    let all = store.datasets_of(kind).await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

/// `lines` of the file (header included), each ending with its line break.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_or_shrunken_ims_file_leaves_the_stored_release_as_it_was() {
    // The bundled file's first 3,000 rows (destinations from Burundi on):
    // the whole of it would only make each import longer.
    let whole = bundled("undesa-ims-2024-table1-countries.csv.gz");
    let ims = lines(&whole)[..3_001].concat();
    let rows = lines(&ims);
    for store in stores().await {
        let dir = tempfile::tempdir().unwrap();
        let name = "undesa-ims-2024-table1-countries.csv";
        let out = accepted(&import(&store, dir.path(), &["ims"], name, &ims));
        assert!(
            out.contains("3,000 rows read, 72,000 records stored, 0 rejected"),
            "{out}"
        );
        let good = only(&store, DatasetKind::Ims).await;
        let unchanged = |what: &str| {
            let store = &store;
            let good = good.clone();
            let what = what.to_owned();
            async move {
                let now = only(store, DatasetKind::Ims).await;
                assert_eq!(now, good, "{what} changed the stored release");
                assert_eq!(
                    store.observations_of(&now.id).await.unwrap().len(),
                    72_000,
                    "{what}"
                );
            }
        };

        // Cut mid-line, as the outside test did: line 1,501 ends after a few characters.
        let mut cut = rows[..1_500].concat();
        cut.extend_from_slice(&rows[1_500][..12]);
        let err = refused(&import(&store, dir.path(), &["ims"], name, &cut));
        assert!(
            err.contains("line 1501: the file ends inside a record"),
            "{err}"
        );
        unchanged("a file cut mid-line").await;

        // A quote opened and never closed.
        let mut unclosed = rows[..100].concat();
        unclosed.extend_from_slice(b"100,\"Mexico,,B,484,Guatemala,320,1\n");
        unclosed.extend(rows[101..].concat().iter().filter(|&&b| b != b'"'));
        let err = refused(&import(&store, dir.path(), &["ims"], name, &unclosed));
        assert!(
            err.contains("line 101: a quoted field opens here and is never closed"),
            "{err}"
        );
        unchanged("an unclosed quote").await;

        // Five NUL bytes.
        let mut nul = rows[..2_000].concat();
        nul.extend_from_slice(&rows[2_000][..5]);
        nul.extend_from_slice(&[0; 5]);
        nul.extend_from_slice(&rows[2_000][5..]);
        nul.extend_from_slice(&rows[2_001..].concat());
        let err = refused(&import(&store, dir.path(), &["ims"], name, &nul));
        assert!(err.contains("line 2001: 5 NUL bytes"), "{err}");
        unchanged("NUL bytes").await;

        // The header alone.
        let err = refused(&import(&store, dir.path(), &["ims"], name, rows[0]));
        assert!(err.contains("no data rows under the header"), "{err}");
        unchanged("a header-only file").await;

        // Every row three times (the outside test's file had them 20 times).
        let mut thrice = rows[0].to_vec();
        for _ in 0..3 {
            thrice.extend_from_slice(&rows[1..].concat());
        }
        let err = refused(&import(&store, dir.path(), &["ims"], name, &thrice));
        assert!(
            err.contains("6,000 rows repeat the key of an earlier row")
                && err.contains(
                    "line 3002: repeats line 2 (destination 108, origin 404, sex _T, 1990)"
                ),
            "{err}"
        );
        unchanged("repeated rows").await;

        // Half the rows, cut at a line's end: well formed, but half the release.
        let half = rows[..1_501].concat();
        let err = refused(&import(&store, dir.path(), &["ims"], name, &half));
        assert!(
            err.contains("would replace or follow release 2024")
                && err.contains("shrink it from 72,000 to 36,000 records (50.0 % fewer")
                && err.contains("at most 10 % is allowed")
                && err.contains("drop 20 areas it has (060, 136, 292, 304, 320 and 15 more)")
                && err.contains(" more)"),
            "{err}"
        );
        unchanged("a shrunken file").await;
        // A larger allowance does not let areas go.
        let err = refused(&import(
            &store,
            dir.path(),
            &["ims", "--max-shrink", "60"],
            name,
            &half,
        ));
        assert!(
            !err.contains("shrink it from") && err.contains("areas it has"),
            "{err}"
        );
        unchanged("a shrunken file under --max-shrink 60").await;

        // The operator may insist.
        let out = accepted(&import(
            &store,
            dir.path(),
            &["ims", "--allow-shrink"],
            name,
            &half,
        ));
        assert!(out.contains("1,500 rows read"), "{out}");
        assert_eq!(only(&store, DatasetKind::Ims).await.records, 36_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmp_releases_are_named_after_the_export_date_and_can_be_renamed() {
    let mmp = bundled("iom-mmp-incidents-2014-2020.csv.gz");
    for store in stores().await {
        let dir = tempfile::tempdir().unwrap();
        // Nothing in the file or its name says when it was exported: the newest incident,
        // and the summary says so.
        let out = accepted(&import(
            &store,
            dir.path(),
            &["mmp"],
            "iom-mmp-incidents-2014-2020.csv",
            &mmp,
        ));
        assert!(
            out.contains("(release 2020-01-05: the newest incident date: neither the file nor its name says when it was exported)"),
            "{out}"
        );
        // The same bytes under the export date: renamed, not refused as already imported.
        let out = accepted(&import(
            &store,
            dir.path(),
            &["mmp", "--release", "2020-01-08"],
            "iom-mmp-incidents-2014-2020.csv",
            &mmp,
        ));
        assert!(
            out.contains("(release 2020-01-08: as given with --release)")
                && out.contains("the same file was imported as release 2020-01-05, now renamed"),
            "{out}"
        );
        let stored = only(&store, DatasetKind::Mmp).await;
        assert_eq!(
            (stored.release.as_str(), stored.records),
            ("2020-01-08", 6_249)
        );
        // Again without a name: the same file, nothing to do.
        let out = accepted(&import(
            &store,
            dir.path(),
            &["mmp"],
            "iom-mmp-incidents-2014-2020.csv",
            &mmp,
        ));
        assert!(out.contains("already imported"), "{out}");

        // IOM's download name carries the export date; this export lacks its last incident.
        let rows = lines(&mmp);
        let fewer = rows[..rows.len() - 1].concat();
        let out = accepted(&import(
            &store,
            dir.path(),
            &["mmp"],
            "MissingMigrants-Global-2020-01-08T13-41-14.csv",
            &fewer,
        ));
        assert!(
            out.contains("(release 2020-01-08: the export date in the file's name)")
                && out.contains("it replaces the earlier import of this release"),
            "{out}"
        );
        assert_eq!(only(&store, DatasetKind::Mmp).await.records, 6_248);
    }
}

/// The shrink check compares like with like: a release that holds what the stored one holds
/// is never refused (the bilateral matrix has no years, the corridor averages have quarters).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_holding_what_the_stored_one_holds_is_not_refused() {
    let flows = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/evidence/wb-bilateral-remittances-2017.xlsx"),
    )
    .unwrap();
    let corridors = bundled("wb-rpw-corridor-average-2011q1-2020q3.csv.gz");
    for store in stores().await {
        let dir = tempfile::tempdir().unwrap();
        for (kind, name, bytes, first, second) in [
            (
                "remittance-flows",
                "wb-bilateral-remittances-2017.xlsx",
                &flows,
                "2017",
                "2018",
            ),
            (
                "rpw-corridors",
                "wb-rpw-corridor-average-2011q1-2020q3.csv",
                &corridors,
                "2020-Q3",
                "2020-Q4",
            ),
        ] {
            accepted(&import(
                &store,
                dir.path(),
                &[kind, "--release", first],
                name,
                bytes,
            ));
            let out = accepted(&import(
                &store,
                dir.path(),
                &[kind, "--release", second],
                name,
                bytes,
            ));
            assert!(out.contains("now renamed"), "{kind}: {out}");
        }
    }
}
