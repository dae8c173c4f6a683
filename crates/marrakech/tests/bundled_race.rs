//! Two servers starting together on one fresh PostgreSQL database (issue 11): both come up,
//! both find the bundled data sets in place (one loads them, the other waits and sees them),
//! neither logs an error, and each data set is stored exactly once. Needs
//! `MARRAKECH_TEST_POSTGRES_URL`; skipped with a message without it.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use marrakech_store::statistics::DatasetKind;
use marrakech_store::testing::POSTGRES_URL_VAR;
use marrakech_store::Store;
use sqlx::Connection;
use support::{http_get, marrakech};

/// A `marrakech serve` whose log lines arrive on a channel; killed when dropped.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(data_dir: &std::path::Path, url: &str) -> Running {
        let mut child = marrakech()
            .args([
                "--log",
                "warn,marrakech::serve=info,marrakech::statistics=info",
            ])
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--database-url", url])
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads the log until a line contains `text`; the line. Fails the test at an error in
    /// the log, when the server exits, or after a bound far beyond a normal start.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_secs(1)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    assert!(!line.contains("ERROR"), "{}", self.seen.join("\n"));
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("never logged `{text}`; the log:\n{}", self.seen.join("\n"));
    }

    fn address(&mut self) -> String {
        let line = self.wait_for("serving at http://");
        line.split("serving at http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number in `text` after `{name}=`.
fn field(line: &str, name: &str) -> u32 {
    line.split(&format!("{name}="))
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_starting_together_load_the_bundled_data_once() {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        marrakech_store::testing::skip_postgres(
            "two_servers_starting_together_load_the_bundled_data_once",
        );
        return;
    };
    // A database fresh from CREATE DATABASE: not even migrated.
    let name = format!("marrakech_race_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, query) = admin_url
        .split_once('?')
        .map(|(b, q)| (b.to_owned(), format!("?{q}")))
        .unwrap_or((admin_url.clone(), String::new()));
    let url = format!("{}/{name}{query}", &base[..base.rfind('/').unwrap()]);

    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut first = Running::start(a.path(), &url);
    let mut second = Running::start(b.path(), &url);
    let (address_1, address_2) = (first.address(), second.address());
    let done_1 = first.wait_for("the bundled data sets are in place");
    let done_2 = second.wait_for("the bundled data sets are in place");
    // Between them, each of the four data sets was loaded once; each saw all four.
    assert_eq!(
        field(&done_1, "loaded") + field(&done_2, "loaded"),
        4,
        "{done_1}\n{done_2}"
    );
    for done in [&done_1, &done_2] {
        assert_eq!(field(done, "loaded") + field(done, "present"), 4, "{done}");
    }
    for address in [&address_1, &address_2] {
        let (status, body) = http_get(address, "/readyz");
        assert_eq!(status, 200, "{body}");
        let (status, body) = http_get(address, "/api/v1/statistics/datasets");
        assert_eq!(status, 200, "{body}");
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["items"].as_array().unwrap().len(), 4, "{body}");
    }
    for running in [&mut first, &mut second] {
        let _ = running.child.kill();
        let _ = running.child.wait();
    }
    // Whatever else they logged: no error.
    for running in [&mut first, &mut second] {
        while let Ok(line) = running.lines.recv_timeout(Duration::from_secs(5)) {
            running.seen.push(line);
        }
        let errors: Vec<&String> = running
            .seen
            .iter()
            .filter(|l| l.contains("ERROR") || l.contains("error"))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    let store = Store::connect(&url).await.unwrap();
    let datasets = store.datasets().await.unwrap();
    assert_eq!(datasets.len(), 4, "{datasets:?}");
    for kind in [
        DatasetKind::Ims,
        DatasetKind::Mmp,
        DatasetKind::RpwCorridors,
        DatasetKind::RemittanceFlows,
    ] {
        assert_eq!(store.datasets_of(kind).await.unwrap().len(), 1, "{kind:?}");
    }
    let ims = store
        .latest_dataset(DatasetKind::Ims)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.observations_of(&ims.id).await.unwrap().len(), 224_160);
    store.pool().close().await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}
