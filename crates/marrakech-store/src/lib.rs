//! Marrakech's storage layer.
//!
//! One [`Store`] speaks to either backend through sqlx's `Any` driver: the embedded SQLite
//! database (the default, one file in the data directory, WAL mode) or PostgreSQL (for several
//! application servers sharing one database). The URL decides which. Queries are written once
//! in the SQL both accept (`$1` parameters, `ON CONFLICT` upserts, text timestamps, integer
//! flags); where the two differ (transaction start, locking), [`Backend`] says how. Each
//! backend has its own migrations folder (`migrations/sqlite`, `migrations/postgres`).
//!
//! Writes that must not interleave (the fund's ledger, counters, anything read-then-write) go
//! through [`Store::write`]: `BEGIN IMMEDIATE` on SQLite (one writer at a time, waiting on the
//! busy timeout), `SERIALIZABLE` on PostgreSQL, retried when the database reports a
//! serialization conflict. No interleaving of concurrent writers, in one process or across
//! servers, can then produce a state a serial order could not.

mod accounts;
mod audit;
pub mod hub;
pub mod knowledge;
mod outbox;
pub mod personal;
mod reference;
pub mod statistics;
#[doc(hidden)]
pub mod testing;
mod workflow;

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use thiserror::Error;

pub use accounts::{
    ApiTokenRecord, LoginFailures, NewApiToken, NewOrganization, NewUser, Organization,
    OrganizationFilter, RoleGrant, SessionRecord, TokenPurpose, User, UserFilter, UserStatus,
};
pub use audit::{AuditContext, AuditEntry, AuditFilter, AuditVerification};
pub use outbox::OutboxEmail;
pub use reference::{CountryFilter, CountryPage, CountrySort, LoadOutcome, SortDirection};
pub use sqlx::{Any, AnyConnection, Transaction};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long to wait for the database when connecting, before giving up with its reason.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an SQLite writer waits for the write lock held by another connection or process.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;
/// How often [`Store::write`] tries a transaction the database aborts for a conflict.
const WRITE_ATTEMPTS: u32 = 12;
/// The longest pause between two attempts; each pause is random up to a bound that doubles
/// from 10 ms, so writers that collided do not collide again in step.
const MAX_RETRY_PAUSE_MS: u64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The statement that opens a write transaction.
    fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        }
    }

    /// What [`Store::write`] runs first in its transaction so writers queue for each other
    /// instead of failing each other. SQLite's `BEGIN IMMEDIATE` already takes the write lock.
    /// On PostgreSQL, `LOCK TABLE` is not a query, so it runs before the serializable
    /// snapshot is taken: a writer that waited sees what the one before it committed. Every
    /// write appends to the one audit chain, so concurrent serializable writers would
    /// otherwise conflict on its head, and across servers more than retries can absorb.
    fn queue_writers(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("LOCK TABLE write_queue IN EXCLUSIVE MODE"),
        }
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Concurrent changes kept conflicting with this one past every retry: nothing was
    /// written, and trying again later may succeed.
    #[error("the data changed concurrently {attempts} times while this change was made; nothing was saved, please try again")]
    Busy { attempts: u32 },
    #[error("the database holds an invalid {what}: `{value}`")]
    Corrupt { what: &'static str, value: String },
    /// A write refused because it would break a uniqueness rule (named by `field`).
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A write aimed at something that does not exist.
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    /// A write refused by a rule of the data (named by `field`).
    #[error("{message}")]
    Refused {
        field: &'static str,
        message: String,
    },
}

/// What ended a [`Store::write`] transaction early: the database, or the caller's own
/// decision (`Abort`), which rolls back without retrying.
#[derive(Debug, Error)]
pub enum TxError<E> {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Abort(E),
}

impl<E> From<sqlx::Error> for TxError<E> {
    fn from(e: sqlx::Error) -> Self {
        TxError::Store(StoreError::Database(e))
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The database, whichever backend it is.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://...` or `postgres://...`). The first connection is made at
    /// once, so an unreachable database is reported here, with its reason.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::from_url(url).ok_or_else(|| StoreError::UnsupportedUrl(redact(url)))?;
        let connect_err = |reason: String| StoreError::Connect {
            url: redact(url),
            reason,
        };
        let options = AnyConnectOptions::from_str(url).map_err(|e| connect_err(e.to_string()))?;
        // A direct first connection gives the real reason (refused, unknown host, bad
        // password) where a pool would only report a timeout.
        let first = tokio::time::timeout(CONNECT_TIMEOUT, AnyConnection::connect_with(&options))
            .await
            .map_err(|_| connect_err(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| connect_err(describe(&e)))?;
        first.close().await.ok();

        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(CONNECT_TIMEOUT)
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        let pool_options = match backend {
            Backend::Sqlite => pool_options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        format!(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"
                        )
                        .as_str(),
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options,
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| connect_err(describe(&e)))?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies pending migrations; returns how many were applied. Safe to run from several
    /// servers at once: on PostgreSQL the migrator holds an advisory lock.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let applied_before = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let applied_after = self.applied_migrations().await?;
        Ok(applied_after.saturating_sub(applied_before))
    }

    async fn applied_migrations(&self) -> Result<usize, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = $1")
                .bind(true)
                .fetch_one(&self.pool)
                .await
                .or_else(|_| Ok::<i64, sqlx::Error>(0))?;
        Ok(count as usize)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs `work` in a write transaction that no concurrent writer can interleave with, and
    /// commits it. A conflict the database detects (PostgreSQL's serialization failures and
    /// deadlocks, SQLite's busy lock after its timeout) rolls back and runs `work` again, up to
    /// a few times; `TxError::Abort` from `work` rolls back and returns at once. Because it
    /// may run more than once, `work` owns what it uses (clone or `Arc` it in).
    pub async fn write<T, E, F>(&self, mut work: F) -> Result<T, TxError<E>>
    where
        F: for<'t> FnMut(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T, TxError<E>>>,
    {
        let mut attempt = 1;
        loop {
            let outcome = self.try_write(&mut work).await;
            match outcome {
                Err(TxError::Store(StoreError::Database(e))) if is_conflict(&e) => {
                    if attempt == WRITE_ATTEMPTS {
                        tracing::warn!(attempt, error = %e, "write transaction still conflicting; giving up");
                        return Err(TxError::Store(StoreError::Busy { attempts: attempt }));
                    }
                    tracing::debug!(attempt, error = %e, "write transaction conflicted, retrying");
                    let bound = (10u64 << attempt.min(10)).min(MAX_RETRY_PAUSE_MS);
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=bound))).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One attempt of [`Store::write`]: begin, queue behind other writers, work, commit.
    async fn try_write<T, E, F>(&self, work: &mut F) -> Result<T, TxError<E>>
    where
        F: for<'t> FnMut(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T, TxError<E>>>,
    {
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if let Some(statement) = self.backend.queue_writers() {
            // A plain string runs as a simple query: a lock needs no prepared statement.
            if let Err(e) = (&mut *tx).execute(statement).await {
                tx.rollback().await.ok();
                return Err(e.into());
            }
        }
        match work(&mut tx).await {
            Ok(value) => tx.commit().await.map(|_| value).map_err(TxError::from),
            Err(e) => {
                tx.rollback().await.ok();
                Err(e)
            }
        }
    }
}

impl Store {
    /// [`Store::write`] for work whose errors are the store's own: a `Conflict`, `NotFound` or
    /// `Refused` from `work` rolls back and is returned as is; database conflicts are retried.
    pub async fn transaction<T: Send + 'static, F>(&self, mut work: F) -> Result<T, StoreError>
    where
        F: for<'t> FnMut(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T, StoreError>>,
    {
        self.write(|tx| {
            let attempt = work(tx);
            Box::pin(async move {
                attempt.await.map_err(|e| match e {
                    StoreError::Database(db) => TxError::Store(StoreError::Database(db)),
                    other => TxError::Abort(other),
                })
            })
        })
        .await
        .map_err(|e| match e {
            TxError::Store(e) | TxError::Abort(e) => e,
        })
    }
}

/// Serialization failures and deadlocks (PostgreSQL), busy and locked (SQLite).
fn is_conflict(e: &sqlx::Error) -> bool {
    let Some(db) = e.as_database_error() else {
        return false;
    };
    matches!(
        db.code().as_deref(),
        Some("40001") | Some("40P01") | Some("5") | Some("6") | Some("517")
    )
}

/// One line saying why a connection failed, without the URL's password.
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Configuration(c) => c.to_string(),
        other => other.to_string(),
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                format!("{scheme}://{user}@{host}{path}")
            }
        }
        None => url.to_owned(),
    }
}

/// The current time as stored: RFC 3339 in UTC with microseconds, so that text order is
/// time order on both backends.
pub fn now_text() -> String {
    time_text(time::OffsetDateTime::now_utc())
}

/// A time as stored (see [`now_text`]).
pub fn time_text(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// The time `duration` from now, as stored.
pub fn from_now(duration: time::Duration) -> String {
    time_text(time::OffsetDateTime::now_utc() + duration)
}

/// A new random id for a row.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://marrakech:s3cret@db.example:5432/marrakech"),
            "postgres://marrakech:***@db.example:5432/marrakech"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///var/lib/m.db"), "sqlite:///var/lib/m.db");
        assert_eq!(redact("postgres://u:p@h"), "postgres://u:***@h");
    }

    #[test]
    fn backends_by_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://h/db"), None);
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = now_text();
        std::thread::sleep(Duration::from_millis(2));
        let b = now_text();
        assert!(a < b, "{a} {b}");
        assert_eq!(a.len(), "2026-11-27T23:14:21.000000Z".len());
    }
}
