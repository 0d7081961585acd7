//! The store: every row seatmail keeps, behind one API for SQLite and PostgreSQL.
//!
//! Both backends go through sqlx's `Any` driver with runtime-checked queries, so there is one
//! code path and no build-time database. The SQL is the common subset (`$N` parameters, which
//! SQLite also accepts; `INSERT ... ON CONFLICT DO NOTHING`; `RETURNING`); the few places where
//! the backends differ are the [`Backend`] methods (row locks, how a writer starts).
//!
//! SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for every writing transaction: a
//! deferred transaction that upgrades from reader to writer can fail with `SQLITE_BUSY` without
//! waiting, which would turn two processes (the daemon and `seatmail queue approve`) into an
//! error instead of a short wait.
//!
//! Times are stored as UTC text (`2026-11-24T09:12:00.000Z`), which sorts and compares as text in
//! both backends.

mod agreement;
mod customers;
mod imap_state;
mod instances;
mod leases;
mod confirmations;
mod messages;
mod ops;
mod outbox;
mod queue;
mod search;
mod sessions;
mod users;
mod vendor;

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Connection, Executor};

pub use agreement::VerdictRow;
pub use customers::{ImportReport, SubscriptionListRow};
pub use imap_state::{ImapPosition, ImapStatus};
pub use instances::{InstanceRow, Reaped};
pub use messages::{DecisionRow, ItemRow, LedgerRow, MessageDetail, MessageRow, NewItem, NewLedger, NewMessage};
pub use ops::{AppliedRow, Told, UntoldRow};
pub use outbox::{NewOutbox, OutboxRow};
pub use queue::{QueueCounts, QueueEntry};
pub use sessions::SessionRow;
pub use search::{
    ContactRow, CustomerLedgerRow, CustomerSummary, CustomerView, DayCount, MessageQuery, OutboxStat,
};
pub use users::UserRow;
pub use vendor::{HeldAnswer, JobRow, NewJob, SyncSubscription};

use crate::config::DatabaseConfig;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("corrupt row in {table}: {message}")]
    Corrupt { table: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Suffix that locks the selected rows until commit. SQLite has no row locks, and needs
    /// none: its writers are serialised by `BEGIN IMMEDIATE`.
    fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Like [`Self::for_update`], but rows another worker holds are skipped, not waited for.
    fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// [`Self::for_update`] for the rows of one table of a join (`alias`) only.
    fn for_update_of(self, alias: &str) -> String {
        match self {
            Backend::Sqlite => String::new(),
            Backend::Postgres => format!(" FOR UPDATE OF {alias}"),
        }
    }

    fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// A writing transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    backend: Backend,
    /// Vendor jobs written in this transaction: the answer written after them waits for them.
    jobs: vendor::JobsWritten,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

fn migrator(backend: Backend) -> Migrator {
    // Embedded with include_str! rather than sqlx::migrate!(): the macro needs sqlx's proc-macro
    // crate, which would compile the database drivers a second time on every clean build.
    let files: &[(i64, &str, &str)] = match backend {
        Backend::Sqlite => &[
            (1, "initial", include_str!("../../migrations/sqlite/0001_initial.sql")),
            (2, "imap state", include_str!("../../migrations/sqlite/0002_imap_state.sql")),
            (3, "confirmations and limits", include_str!("../../migrations/sqlite/0003_confirmations_and_limits.sql")),
            (4, "review marks", include_str!("../../migrations/sqlite/0004_review_marks.sql")),
            (5, "users", include_str!("../../migrations/sqlite/0005_users.sql")),
            (6, "leases", include_str!("../../migrations/sqlite/0006_leases.sql")),
            (7, "attention", include_str!("../../migrations/sqlite/0007_attention.sql")),
            (8, "imap failing", include_str!("../../migrations/sqlite/0008_imap_failing.sql")),
            (9, "vendor", include_str!("../../migrations/sqlite/0009_vendor.sql")),
            (10, "ops day to day", include_str!("../../migrations/sqlite/0010_ops_day_to_day.sql")),
            (11, "agreement", include_str!("../../migrations/sqlite/0011_agreement.sql")),
            (12, "instances", include_str!("../../migrations/sqlite/0012_instances.sql")),
            (13, "outbox recipients", include_str!("../../migrations/sqlite/0013_outbox_recipients.sql")),
        ],
        Backend::Postgres => &[
            (1, "initial", include_str!("../../migrations/postgres/0001_initial.sql")),
            (2, "imap state", include_str!("../../migrations/postgres/0002_imap_state.sql")),
            (3, "confirmations and limits", include_str!("../../migrations/postgres/0003_confirmations_and_limits.sql")),
            (4, "review marks", include_str!("../../migrations/postgres/0004_review_marks.sql")),
            (5, "users", include_str!("../../migrations/postgres/0005_users.sql")),
            (6, "leases", include_str!("../../migrations/postgres/0006_leases.sql")),
            (7, "attention", include_str!("../../migrations/postgres/0007_attention.sql")),
            (8, "imap failing", include_str!("../../migrations/postgres/0008_imap_failing.sql")),
            (9, "vendor", include_str!("../../migrations/postgres/0009_vendor.sql")),
            (10, "ops day to day", include_str!("../../migrations/postgres/0010_ops_day_to_day.sql")),
            (11, "agreement", include_str!("../../migrations/postgres/0011_agreement.sql")),
            (12, "instances", include_str!("../../migrations/postgres/0012_instances.sql")),
            (13, "outbox recipients", include_str!("../../migrations/postgres/0013_outbox_recipients.sql")),
        ],
    };
    let migrations: Vec<Migration> = files
        .iter()
        .map(|(v, d, sql)| Migration::new(*v, Cow::Borrowed(d), MigrationType::Simple, Cow::Borrowed(sql), false))
        .collect();
    Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT }
}

impl Store {
    /// Connect, apply pending migrations (forward only, each once) and return the store.
    pub async fn open(config: &DatabaseConfig) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let url = &config.url;
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let open_err = |source| StoreError::Open { url: redact_url(url), source };
        let url_owned = if backend == Backend::Sqlite && !url.contains("mode=") {
            // Create the file on first use, like every embedded database a user would expect.
            let sep = if url.contains('?') { '&' } else { '?' };
            if let Some(path) = url.strip_prefix("sqlite:").map(|p| p.trim_start_matches("//")) {
                let path = path.split('?').next().unwrap_or("");
                if let Some(parent) = std::path::Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| open_err(sqlx::Error::Io(e)))?;
                    }
                }
            }
            format!("{url}{sep}mode=rwc")
        } else {
            url.clone()
        };
        let options = AnyConnectOptions::from_str(&url_owned).map_err(open_err)?;
        let busy = config.busy_timeout_ms;
        let pool = AnyPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            format!(
                                "PRAGMA busy_timeout = {busy}; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                            )
                            .as_str(),
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    // A COMMIT that fails on SQLite (disk full, I/O error) ends the transaction
                    // inside SQLite, so sqlx's rollback on drop fails too and the connection
                    // stays "in a transaction" for sqlx: every later BEGIN on it would fail
                    // until a restart. A connection that comes back in a transaction is pinged
                    // (which runs the queued rollback) and closed, not pooled, if still in one.
                    if conn.is_in_transaction() {
                        conn.ping().await?;
                    }
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_err)?;
        migrator(backend).run(&pool).await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn begin(&self) -> Result<Tx> {
        let tx = self.pool.begin_with(self.backend.begin_write()).await?;
        Ok(Tx { tx, backend: self.backend, jobs: Default::default() })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Never print a password that is part of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

fn parse_date(s: &str, table: &'static str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt { table, message: format!("date `{s}`: {e}") })
}

/// A stored word decoded into its enum: a word the code does not know is a corrupt row, never
/// a default.
fn parse_word<T: FromStr<Err = String>>(s: &str, table: &'static str) -> Result<T> {
    s.parse().map_err(|message| StoreError::Corrupt { table, message })
}

fn get_word<T: FromStr<Err = String>>(r: &sqlx::any::AnyRow, column: &str, table: &'static str) -> Result<T> {
    use sqlx::Row;
    parse_word(&r.try_get::<String, _>(column)?, table)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cret@127.0.0.1/x"), "postgres://app:***@127.0.0.1/x");
        assert_eq!(redact_url("sqlite:var/x.db"), "sqlite:var/x.db");
    }
}
