//! Throwaway databases for tests, on both backends.
//!
//! SQLite runs always, in a temporary directory. PostgreSQL runs when
//! `MARRAKECH_TEST_POSTGRES_URL` names a server (e.g. `postgres://postgres:pw@127.0.0.1/postgres`):
//! each test gets a database of its own, created on that server and dropped afterwards.
//! [`backend_tests!`](crate::backend_tests) turns one async test function into one test per
//! backend.
//!
//! Each test's database is a copy of a template that was migrated (and given the reference
//! data) once: a copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. A
//! template's name carries a fingerprint of the migrations and the reference data, so a
//! change to either builds a new one, and test binaries and runs share the current one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use marrakech_core::countries::Reference;
use marrakech_core::Compact;
use sha2::{Digest, Sha256};
use sqlx::Connection;
use tokio::sync::OnceCell;

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

/// What a template holds: the migrations only, or the reference data too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    Migrated,
    WithReference,
}

impl Contents {
    fn tag(self) -> &'static str {
        match self {
            Contents::Migrated => "m",
            Contents::WithReference => "r",
        }
    }
}

/// The fingerprint of what a template for `backend` holds: every migration's version and
/// checksum, and the reference data.
fn template_fingerprint(backend: Backend, contents: Contents) -> String {
    let migrator = match backend {
        Backend::Sqlite => &crate::SQLITE_MIGRATIONS,
        Backend::Postgres => &crate::POSTGRES_MIGRATIONS,
    };
    let mut hasher = Sha256::new();
    for migration in migrator.iter() {
        hasher.update(migration.version.to_le_bytes());
        hasher.update(&migration.checksum);
    }
    if contents == Contents::WithReference {
        hasher.update(crate::reference::fingerprint(
            Compact::official(),
            Reference::official(),
        ));
    }
    let digest = hasher.finalize();
    format!(
        "{}{}",
        contents.tag(),
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// Brings a fresh store to what `contents` says.
async fn fill(store: &Store, contents: Contents) {
    store.migrate().await.expect("migrations apply");
    if contents == Contents::WithReference {
        store
            .load_reference(Compact::official(), Reference::official())
            .await
            .expect("the reference data loads");
    }
}

/// The SQLite template for `contents`, built once (per fingerprint) in the system's
/// temporary directory: built under a name of its own, then renamed, so a concurrent test
/// binary never copies half a file.
async fn sqlite_template(contents: Contents) -> PathBuf {
    static MIGRATED: OnceCell<PathBuf> = OnceCell::const_new();
    static WITH_REFERENCE: OnceCell<PathBuf> = OnceCell::const_new();
    let cell = match contents {
        Contents::Migrated => &MIGRATED,
        Contents::WithReference => &WITH_REFERENCE,
    };
    cell.get_or_init(|| async move {
        let dir = std::env::temp_dir().join("marrakech-test-templates");
        std::fs::create_dir_all(&dir).expect("the template directory is created");
        let path = dir.join(format!(
            "{}.db",
            template_fingerprint(Backend::Sqlite, contents)
        ));
        if path.exists() {
            return path;
        }
        let building = tempfile::tempdir_in(&dir).expect("a build directory");
        let source = building.path().join("build.db");
        let store = Store::connect(&format!("sqlite://{}?mode=rwc", source.display()))
            .await
            .expect("the template database opens");
        fill(&store, contents).await;
        // One self-contained file, whatever the journal mode left beside it.
        let packed = building.path().join("packed.db");
        sqlx::query(&format!("VACUUM INTO '{}'", packed.display()))
            .execute(store.pool())
            .await
            .expect("the template is written out");
        store.pool().close().await;
        std::fs::rename(&packed, &path).expect("the template is put in place");
        path
    })
    .await
    .clone()
}

/// The PostgreSQL template for `contents` on the server of `admin_url`, built once per
/// fingerprint under an advisory lock, so concurrent tests and binaries build it once.
async fn postgres_template(admin_url: &str, contents: Contents) -> String {
    static MIGRATED: OnceCell<String> = OnceCell::const_new();
    static WITH_REFERENCE: OnceCell<String> = OnceCell::const_new();
    let cell = match contents {
        Contents::Migrated => &MIGRATED,
        Contents::WithReference => &WITH_REFERENCE,
    };
    cell.get_or_init(|| async move {
        let name = format!(
            "marrakech_template_{}",
            template_fingerprint(Backend::Postgres, contents)
        );
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} does not answer: {e}"));
        sqlx::query("SELECT pg_advisory_lock(727374)")
            .execute(&mut admin)
            .await
            .expect("the template lock is taken");
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut admin)
                .await
                .expect("the server lists its databases");
        if exists.is_none() {
            let building = format!("{name}_building");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("a half-built template is removed");
            sqlx::query(&format!("CREATE DATABASE {building}"))
                .execute(&mut admin)
                .await
                .expect("the template database is created");
            let store = Store::connect(&with_database(admin_url, &building))
                .await
                .expect("the template database opens");
            fill(&store, contents).await;
            store.pool().close().await;
            let rename = format!("ALTER DATABASE {building} RENAME TO {name}");
            while_in_use(&mut admin, &building, &rename)
                .await
                .expect("the template is put in place");
        }
        sqlx::query("SELECT pg_advisory_unlock(727374)")
            .execute(&mut admin)
            .await
            .ok();
        admin.close().await.ok();
        name
    })
    .await
    .clone()
}

impl TestStore {
    /// An empty, migrated store (no reference data).
    pub async fn empty(backend: Backend) -> Option<TestStore> {
        TestStore::from_template(backend, Contents::Migrated).await
    }

    /// A migrated store with the official compact and countries loaded; `None` for
    /// PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<TestStore> {
        TestStore::from_template(backend, Contents::WithReference).await
    }

    async fn from_template(backend: Backend, contents: Contents) -> Option<TestStore> {
        match backend {
            Backend::Sqlite => {
                let template = sqlite_template(contents).await;
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("test.db");
                copy_file(&template, &path);
                let store = Store::connect(&format!("sqlite://{}?mode=rwc", path.display()))
                    .await
                    .expect("the test SQLite database opens");
                Some(TestStore {
                    store,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VAR).ok()?;
                let template = postgres_template(&admin_url, contents).await;
                let name = unique_database_name();
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} does not answer: {e}"));
                let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
                while_in_use(&mut admin, &template, &create)
                    .await
                    .expect("the test database is created from the template");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let store = Store::connect(&url)
                    .await
                    .expect("the test PostgreSQL database opens");
                Some(TestStore {
                    store,
                    _dir: None,
                    postgres: Some((admin_url, name)),
                })
            }
        }
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

/// Runs `statement`, which needs `database` to itself (copying it as a template, renaming
/// it), again while PostgreSQL answers that the database is in use (`55006`). Nothing of
/// the tests' stays connected to a template, but a server may end a closed connection's
/// session a while after the client has gone (and once took longer than half a minute in
/// CI), so sessions left on it are ended.
async fn while_in_use(
    admin: &mut sqlx::PgConnection,
    database: &str,
    statement: &str,
) -> Result<(), sqlx::Error> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match sqlx::query(statement).execute(&mut *admin).await {
            Ok(_) => return Ok(()),
            Err(e)
                if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55006")
                    && std::time::Instant::now() < deadline =>
            {
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind(database)
                .execute(&mut *admin)
                .await?;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn copy_file(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| {
        panic!(
            "cannot copy the template {} to {}: {e}",
            from.display(),
            to.display()
        )
    });
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
