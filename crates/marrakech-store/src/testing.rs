//! Throwaway databases for tests, on both backends.
//!
//! SQLite runs always, in a temporary directory. PostgreSQL runs when
//! `MARRAKECH_TEST_POSTGRES_URL` names a server (e.g. `postgres://postgres:pw@127.0.0.1/postgres`):
//! each test gets a database of its own, created on that server and dropped afterwards.
//! [`backend_tests!`](crate::backend_tests) turns one async test function into one test per
//! backend.

use std::sync::atomic::{AtomicUsize, Ordering};

use marrakech_core::countries::Reference;
use marrakech_core::Compact;
use sqlx::Connection;

use crate::{Backend, Store};

pub const POSTGRES_URL_VAR: &str = "MARRAKECH_TEST_POSTGRES_URL";

/// A migrated store with the reference data loaded, removed when dropped.
pub struct TestStore {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// An empty, migrated store (no reference data).
    pub async fn empty(backend: Backend) -> Option<TestStore> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let store = Store::connect(&url)
                    .await
                    .expect("the test SQLite database opens");
                store.migrate().await.expect("migrations apply on SQLite");
                Some(TestStore {
                    store,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VAR).ok()?;
                let name = unique_database_name();
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} does not answer: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("the test database is created");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let store = Store::connect(&url)
                    .await
                    .expect("the test PostgreSQL database opens");
                store
                    .migrate()
                    .await
                    .expect("migrations apply on PostgreSQL");
                Some(TestStore {
                    store,
                    _dir: None,
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }

    /// A migrated store with the official compact and countries loaded; `None` for
    /// PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<TestStore> {
        let test = TestStore::empty(backend).await?;
        test.store
            .load_reference(Compact::official(), Reference::official())
            .await
            .expect("the reference data loads");
        Some(test)
    }

    /// The URL of this store's database.
    pub fn url(&self) -> String {
        match (&self.postgres, &self._dir) {
            (Some((admin, name)), _) => with_database(admin, name),
            (None, Some(dir)) => {
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display())
            }
            (None, None) => unreachable!("a test store has a directory or a database"),
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop is synchronous and may run inside a runtime: do the async clean-up on a thread
        // of its own. A failure only leaves a database behind on a throwaway server.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                Ok::<_, sqlx::Error>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
    }
}

fn unique_database_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "marrakech_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// `postgres://u:p@h:5432/postgres?x=y` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..authority_end])
}

/// Says once per test that PostgreSQL was skipped.
pub fn skip_postgres(test: &str) {
    eprintln!("{test}: skipped on PostgreSQL ({POSTGRES_URL_VAR} is not set)");
}

/// One `#[tokio::test]` per backend for each async function `name(store: &TestStore)`:
/// `name::sqlite` always, `name::postgres` when a server is configured.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let store = $crate::testing::TestStore::new($crate::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(&store).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::testing::TestStore::new($crate::Backend::Postgres).await {
                        Some(store) => super::$name(&store).await,
                        None => $crate::testing::skip_postgres(stringify!($name)),
                    }
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database(
                "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable",
                "t1"
            ),
            "postgres://u:p@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }
}
