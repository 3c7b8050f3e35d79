//! The connection layer: one pool, SQLite or PostgreSQL, chosen by `DATABASE_URL`.
//!
//! Queries are written once, with `$1` placeholders, and run on either dialect through
//! [`query`]: a [`Query`] with typed binds, run on an [`Exec`] (the pool or an open
//! transaction), which dispatches to the native driver in one place. Row structs derive
//! `sqlx::FromRow`, which works for both. Where a statement truly differs, a module
//! keeps one small function per dialect, matching on [`Db::pool`] or [`Tx::conn_mut`].

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    migrate::Migrator,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::{Notify, watch};

use crate::error::AppError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

pub mod query;
pub use query::{Arg, Exec, Query, Row, Scalar, query};

/// A pool on one of the two supported databases, with the in-process signals that
/// commits raise. Cloning shares both.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    signals: Arc<Signals>,
}

/// The native pool behind a [`Db`].
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Wake-ups raised after a commit, for work waiting in this process, and the states
/// of the loops that wait for them (readiness, for health checks and tests).
#[derive(Debug)]
pub struct Signals {
    /// A transaction that enqueued jobs committed.
    pub jobs: Notify,
    /// How many times a job worker on this pool went idle (found nothing to claim and
    /// began waiting for a wake-up).
    pub worker_idle: watch::Sender<u64>,
    /// Whether a job worker's LISTEN for other processes' jobs is connected
    /// (PostgreSQL).
    pub jobs_listening: watch::Sender<bool>,
}

impl Default for Signals {
    fn default() -> Self {
        Self {
            jobs: Notify::new(),
            worker_idle: watch::Sender::new(0),
            jobs_listening: watch::Sender::new(false),
        }
    }
}

/// The PostgreSQL channel that announces new jobs to other processes.
pub const JOBS_CHANNEL: &str = "boptone_jobs";

/// An open transaction on either database. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    conn: TxConn,
    signals: Arc<Signals>,
    jobs_enqueued: bool,
}

/// The native transaction behind a [`Tx`].
pub enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Which SQL dialect a pool speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Pool sizes and timeouts.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:`, `postgres://…`).
    /// SQLite files (and their folder) are created if missing, in WAL mode with
    /// foreign keys on and a busy timeout so concurrent writers wait, not fail.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect(url)
                .await?;
            return Ok(Self::from_pool(Pool::Postgres(pool)));
        }
        if !url.starts_with("sqlite:") {
            return Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres://, got {url:?}").into(),
            ));
        }
        let connect = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        let filename = connect.get_filename();
        if let Some(dir) = filename.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await?;
        Ok(Self::from_pool(Pool::Sqlite(pool)))
    }

    fn from_pool(pool: Pool) -> Self {
        Self {
            pool,
            signals: Arc::default(),
        }
    }

    /// The native pool, for the few statements that differ by dialect.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn signals(&self) -> &Arc<Signals> {
        &self.signals
    }

    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies every pending migration of this dialect.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    pub async fn begin(&self) -> Result<Tx, AppError> {
        let conn = match &self.pool {
            Pool::Sqlite(pool) => TxConn::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            signals: self.signals.clone(),
            jobs_enqueued: false,
        })
    }

    /// Answers when the database does (for `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// A transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`), so a
    /// read-then-write inside it cannot fail with a busy snapshot; on PostgreSQL, a
    /// plain transaction.
    pub async fn begin_write(&self) -> Result<Tx, AppError> {
        let conn = match &self.pool {
            Pool::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            signals: self.signals.clone(),
            jobs_enqueued: false,
        })
    }
}

impl Tx {
    /// The native transaction, for the few statements that differ by dialect.
    pub fn conn_mut(&mut self) -> &mut TxConn {
        &mut self.conn
    }

    pub fn dialect(&self) -> Dialect {
        match self.conn {
            TxConn::Sqlite(_) => Dialect::Sqlite,
            TxConn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Serialises this transaction with every other one holding the same `key` until
    /// it ends: a PostgreSQL advisory lock; on SQLite, a transaction from
    /// [`Db::begin_write`] already holds the database's one write lock.
    pub async fn lock(&mut self, key: &str) -> Result<(), AppError> {
        if let TxConn::Postgres(t) = &mut self.conn {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Records that this transaction enqueued jobs, so its commit wakes the workers.
    pub fn mark_jobs_enqueued(&mut self) {
        self.jobs_enqueued = true;
    }

    /// Commits; if jobs were enqueued, wakes this process's workers and, on
    /// PostgreSQL, every other process's through one NOTIFY per transaction (sent
    /// inside it, so it is delivered only if the commit succeeds).
    pub async fn commit(self) -> Result<(), AppError> {
        let Self {
            conn,
            signals,
            jobs_enqueued,
        } = self;
        match conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(mut t) => {
                if jobs_enqueued {
                    sqlx::query("SELECT pg_notify($1, '')")
                        .bind(JOBS_CHANNEL)
                        .execute(&mut *t)
                        .await?;
                }
                t.commit().await?
            }
        }
        if jobs_enqueued {
            signals.jobs.notify_one();
        }
        Ok(())
    }
}

/// Calls `on_payload` with the payload of every PostgreSQL NOTIFY on `channel` until
/// `stop`, reconnecting (every 2 s) while the connection is down. `listening` says
/// whether the LISTEN is connected (notifications sent meanwhile are missed).
pub async fn listen(
    pool: PgPool,
    channel: &'static str,
    stop: tokio_util::sync::CancellationToken,
    listening: &watch::Sender<bool>,
    mut on_payload: impl FnMut(&str) + Send,
) {
    let pause = Duration::from_secs(2);
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(channel, error = %e, "LISTEN connection failed; retrying");
                tokio::select! { _ = tokio::time::sleep(pause) => continue, _ = stop.cancelled() => return }
            }
        };
        if let Err(e) = listener.listen(channel).await {
            tracing::warn!(channel, error = %e, "LISTEN failed; retrying");
            tokio::select! { _ = tokio::time::sleep(pause) => continue, _ = stop.cancelled() => return }
        }
        listening.send_replace(true);
        loop {
            tokio::select! {
                next = listener.recv() => match next {
                    Ok(notification) => on_payload(notification.payload()),
                    Err(e) => {
                        tracing::warn!(channel, error = %e, "LISTEN connection lost; reconnecting");
                        break;
                    }
                },
                _ = stop.cancelled() => {
                    listening.send_replace(false);
                    return;
                }
            }
        }
        listening.send_replace(false);
    }
}

/// True when `err` is a unique-constraint violation (the same on both dialects).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}
