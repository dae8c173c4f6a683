//! The binary as a user runs it: help, export, configuration, start-up and shutdown, errors.

mod support;

use std::io::Read;
use std::process::{Command, Output};

use marrakech_store::testing::TestStore;
use marrakech_store::Backend;
use support::{http_get, marrakech, Server};

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["compact", "--help"],
        vec!["compact", "export", "--help"],
        vec!["user", "create", "--help"],
        vec!["outbox", "--help"],
        vec!["audit", "--help"],
        vec!["import", "--help"],
        vec!["import", "ckan", "--help"],
        vec!["import", "dcat", "--help"],
        vec!["search", "--help"],
        vec!["search", "reindex", "--help"],
    ] {
        let output = run(marrakech().args(&args));
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: marrakech"), "{args:?}: {text}");
    }
    let help =
        String::from_utf8_lossy(&run(marrakech().args(["serve", "--help"])).stdout).into_owned();
    for option in [
        "--bind",
        "--data-dir",
        "--database-url",
        "--config",
        "MARRAKECH_BIND",
    ] {
        assert!(help.contains(option), "serve --help mentions {option}");
    }
}

#[test]
fn compact_exports_as_json_and_csv() {
    let output = run(marrakech().args(["compact", "export", "--format", "json"]));
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["objectives"].as_array().unwrap().len(), 23);
    assert_eq!(json["principles"].as_array().unwrap().len(), 10);
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 54);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("compact.csv");
    let output = run(marrakech()
        .args(["compact", "export", "--format", "csv", "--output"])
        .arg(&file));
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 277);
    let a20 = rows.iter().find(|r| &r[0] == "obj-20-a").unwrap();
    assert_eq!(&a20[2], "para-36");
    assert!(a20[9].starts_with("Develop a road map"));
}

#[test]
fn an_unreachable_database_stops_serve_with_one_line() {
    let output = run(marrakech().args([
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        "postgres://marrakech:pw@127.0.0.1:1/marrakech",
    ]));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("marrakech: error: cannot connect to the database at postgres://marrakech:***@127.0.0.1:1/marrakech: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace") && !err.contains(":pw@"),
        "{err}"
    );
}

#[test]
fn a_bad_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("marrakech.toml");
    std::fs::write(&config, "bind = \"127.0.0.1:1\"\ncolour = \"blue\"\n").unwrap();
    let output = run(marrakech().arg("--config").arg(&config).arg("migrate"));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("marrakech.toml is not valid") && err.contains("colour"),
        "{err}"
    );
}

/// The hub's matching weights come from the config file: a partial table keeps the other
/// defaults, unknown factors and unusable weights are refused with their reason.
#[test]
fn hub_weights_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("marrakech.toml");
    let data = dir.path().join("data");
    let with = |weights: &str| {
        std::fs::write(&config, weights).unwrap();
        run(marrakech()
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .arg("migrate"))
    };
    let fine = with("[hub_weights.partners]\ntopics = 0.5\ncapacity = 0.0\n");
    assert!(fine.status.success(), "{}", stderr(&fine));
    let unknown = with("[hub_weights.partners]\nfame = 1.0\n");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("fame"), "{}", stderr(&unknown));
    let unusable = with("[hub_weights.partners]\ntopics = -1.0\n");
    assert_eq!(unusable.status.code(), Some(1));
    let err = stderr(&unusable);
    assert!(err.contains("hub_weights cannot be used"), "{err}");
    let index = with("hub_item_text = \"search-index\"\n");
    assert!(index.status.success(), "{}", stderr(&index));
    let unknown = with("hub_item_text = \"magic\"\n");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("magic"), "{}", stderr(&unknown));
}

/// Flags win over the environment, which wins over the config file.
#[test]
fn configuration_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let (from_file, from_env, from_flag) = (
        dir.path().join("file"),
        dir.path().join("env"),
        dir.path().join("flag"),
    );
    let config = dir.path().join("marrakech.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", from_file.display().to_string()),
    )
    .unwrap();
    let migrate = |command: &mut Command| {
        let output = run(command.arg("--config").arg(&config).arg("migrate"));
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let said = migrate(&mut marrakech());
    assert!(
        !said.starts_with("0 migration"),
        "the first run applies the migrations: {said}"
    );
    assert!(from_file.join("marrakech.db").exists());
    migrate(marrakech().env("MARRAKECH_DATA_DIR", &from_env));
    assert!(from_env.join("marrakech.db").exists());
    migrate(
        marrakech()
            .env("MARRAKECH_DATA_DIR", &from_env)
            .arg("--data-dir")
            .arg(&from_flag),
    );
    assert!(from_flag.join("marrakech.db").exists());
    let again = migrate(marrakech().arg("--data-dir").arg(&from_flag));
    assert!(again.contains("0 migration(s) applied"), "{again}");
}

#[test]
fn serve_answers_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let (status, body) = http_get(&server.address, "/healthz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(&server.address, "/objectives/obj-20");
    assert_eq!(status, 200);
    assert!(body.contains("Develop a road map to reduce the transaction costs"));
    assert!(dir.path().join("marrakech.db").exists());

    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    let mut rest = String::new();
    server.log.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "exit {status:?}: {rest}");
    assert!(rest.contains("shut down cleanly"), "{rest}");
}

/// The same binary, pointed at PostgreSQL, answers exactly as on its embedded SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_postgres_answers_as_on_sqlite() {
    let Some(postgres) = TestStore::empty(Backend::Postgres).await else {
        marrakech_store::testing::skip_postgres("serve_on_postgres_answers_as_on_sqlite");
        return;
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sqlite_server = Server::start(a.path());
    let postgres_server = Server::start_with(b.path(), Some(&postgres.url()));
    assert!(
        !b.path().join("marrakech.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );
    for path in [
        "/api/v1/objectives",
        "/api/v1/paragraphs/para-43",
        "/api/v1/countries?commission=ECLAC&sort=-name",
        "/api/v1/calendar?from=2020&to=2030",
        "/objectives/obj-20",
    ] {
        let (x, y) = (
            http_get(&sqlite_server.address, path),
            http_get(&postgres_server.address, path),
        );
        assert_eq!(x.0, 200, "{path}");
        assert!(x == y, "{path} differs between SQLite and PostgreSQL");
    }
}
