//! One way to query either database. [`query`] makes a [`Query`] with typed binds; it
//! runs on an [`Exec`], which is either the pool ([`Db`]) or an open transaction
//! ([`Tx`]), so a function can take "a pool or a transaction". The dispatch to the
//! native driver happens here, once, not at every call site:
//!
//! ```ignore
//! let n: i64 = query("SELECT COUNT(*) FROM users WHERE email = $1")
//!     .bind(email.as_str())
//!     .scalar_one(&mut tx)
//!     .await?;
//! let rows: Vec<UserRow> = query(SQL).bind(id).fetch_all(db).await?;
//! ```
//!
//! Rows derive `sqlx::FromRow` (for both drivers' rows); statements that differ by
//! dialect stay one function per dialect, matching on [`Db::pool`] or
//! [`Tx::conn_mut`].

use sqlx::{
    Decode, FromRow, Postgres, SqlSafeStr, SqlStr, Sqlite, Type, postgres::PgRow, sqlite::SqliteRow,
};

use super::{Db, Pool, Tx, TxConn};
use crate::error::AppError;

/// Where a query runs: the pool, or an open transaction.
pub enum Exec<'a> {
    Pool(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Self::Pool(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Self::Tx(tx)
    }
}

/// A value bound to a query. Money, ids and times are `i64`; there are no floats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    I64(Option<i64>),
    I32(Option<i32>),
    I16(Option<i16>),
    Bool(Option<bool>),
    Text(Option<String>),
}

macro_rules! arg_from {
    ($variant:ident, $t:ty, $conv:expr) => {
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Self::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Self {
                Self::$variant(v.map($conv))
            }
        }
    };
}

arg_from!(I64, i64, |v| v);
arg_from!(I32, i32, |v| v);
arg_from!(I16, i16, |v| v);
arg_from!(Bool, bool, |v| v);
arg_from!(Text, String, |v| v);
arg_from!(Text, &str, str::to_owned);
arg_from!(Text, &String, String::clone);

impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Self::Text(v.clone())
    }
}

/// A row type both drivers can build.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// A single column both drivers can decode.
pub trait Scalar:
    Type<Sqlite>
    + for<'r> Decode<'r, Sqlite>
    + Type<Postgres>
    + for<'r> Decode<'r, Postgres>
    + Send
    + Unpin
{
}
impl<T> Scalar for T where
    T: Type<Sqlite>
        + for<'r> Decode<'r, Sqlite>
        + Type<Postgres>
        + for<'r> Decode<'r, Postgres>
        + Send
        + Unpin
{
}

/// A statement and its binds, not yet run.
#[must_use = "a query does nothing until it is run"]
pub struct Query {
    sql: SqlStr,
    args: Vec<Arg>,
    /// What a unique-constraint violation means to a person, if it is expected.
    on_unique: Option<AppError>,
}

/// A query of `sql`: a `&'static str`, or `sqlx::AssertSqlSafe(…)` for text built at
/// run time from trusted parts (never from input: input is bound).
pub fn query(sql: impl SqlSafeStr) -> Query {
    Query {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        on_unique: None,
    }
}

/// The error a failed query becomes: the expected unique violation's own error, or an
/// internal error (logged with its cause).
fn failure(err: sqlx::Error, on_unique: Option<AppError>) -> AppError {
    match on_unique {
        Some(expected) if super::is_unique_violation(&err) => expected,
        _ => err.into(),
    }
}

/// Applies `$args` to a sqlx query of any shape, in order.
macro_rules! bound {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Arg::I64(v) => q.bind(v),
                Arg::I32(v) => q.bind(v),
                Arg::I16(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Runs `$method` of the query built by `$make` (a sqlx constructor) on `$on`.
macro_rules! run {
    ($self:ident, $on:ident, $make:ident :: <$t:ty>, $method:ident) => {{
        let Query {
            sql,
            args,
            on_unique,
        } = $self;
        let result = match $on.into() {
            Exec::Pool(db) => match db.pool() {
                Pool::Sqlite(p) => {
                    bound!(sqlx::$make::<Sqlite, $t>(sql), args)
                        .$method(p)
                        .await
                }
                Pool::Postgres(p) => {
                    bound!(sqlx::$make::<Postgres, $t>(sql), args)
                        .$method(p)
                        .await
                }
            },
            Exec::Tx(tx) => match tx.conn_mut() {
                TxConn::Sqlite(t) => {
                    bound!(sqlx::$make::<Sqlite, $t>(sql), args)
                        .$method(&mut **t)
                        .await
                }
                TxConn::Postgres(t) => {
                    bound!(sqlx::$make::<Postgres, $t>(sql), args)
                        .$method(&mut **t)
                        .await
                }
            },
        };
        result.map_err(|e| failure(e, on_unique))
    }};
}

impl Query {
    /// Binds the next `$n` parameter.
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// A unique-constraint violation is expected and means `error` (a field message,
    /// say) rather than an internal failure.
    pub fn unique_violation_is(mut self, error: AppError) -> Self {
        self.on_unique = Some(error);
        self
    }

    /// Runs a statement; returns the number of rows it affected.
    pub async fn execute<'a>(self, on: impl Into<Exec<'a>>) -> Result<u64, AppError> {
        let Query {
            sql,
            args,
            on_unique,
        } = self;
        let result = match on.into() {
            Exec::Pool(db) => match db.pool() {
                Pool::Sqlite(p) => bound!(sqlx::query::<Sqlite>(sql), args)
                    .execute(p)
                    .await
                    .map(|done| done.rows_affected()),
                Pool::Postgres(p) => bound!(sqlx::query::<Postgres>(sql), args)
                    .execute(p)
                    .await
                    .map(|done| done.rows_affected()),
            },
            Exec::Tx(tx) => match tx.conn_mut() {
                TxConn::Sqlite(t) => bound!(sqlx::query::<Sqlite>(sql), args)
                    .execute(&mut **t)
                    .await
                    .map(|done| done.rows_affected()),
                TxConn::Postgres(t) => bound!(sqlx::query::<Postgres>(sql), args)
                    .execute(&mut **t)
                    .await
                    .map(|done| done.rows_affected()),
            },
        };
        result.map_err(|e| failure(e, on_unique))
    }

    /// The one row (an error if there is none).
    pub async fn fetch_one<'a, T: Row>(self, on: impl Into<Exec<'a>>) -> Result<T, AppError> {
        run!(self, on, query_as::<T>, fetch_one)
    }

    /// The row, if there is one.
    pub async fn fetch_optional<'a, T: Row>(
        self,
        on: impl Into<Exec<'a>>,
    ) -> Result<Option<T>, AppError> {
        run!(self, on, query_as::<T>, fetch_optional)
    }

    /// Every row.
    pub async fn fetch_all<'a, T: Row>(self, on: impl Into<Exec<'a>>) -> Result<Vec<T>, AppError> {
        run!(self, on, query_as::<T>, fetch_all)
    }

    /// The first column of the one row.
    pub async fn scalar_one<'a, T: Scalar>(self, on: impl Into<Exec<'a>>) -> Result<T, AppError> {
        run!(self, on, query_scalar::<T>, fetch_one)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<'a, T: Scalar>(
        self,
        on: impl Into<Exec<'a>>,
    ) -> Result<Option<T>, AppError> {
        run!(self, on, query_scalar::<T>, fetch_optional)
    }

    /// The first column of every row.
    pub async fn scalar_all<'a, T: Scalar>(
        self,
        on: impl Into<Exec<'a>>,
    ) -> Result<Vec<T>, AppError> {
        run!(self, on, query_scalar::<T>, fetch_all)
    }
}
