//! Posting to the ledger and reading balances. A transaction is written with its
//! entries and then posted in the caller's database transaction; the database itself
//! refuses to post one that does not balance (migration 0006), and the same key never
//! posts twice. Accounts that hold someone's money are checked (under a lock) never to
//! go below zero.
//!
//! Owns `ledger_accounts`, `ledger_transactions`, `ledger_entries` and `ledger_daily`.

use super::{Account, AccountKind, ArtistBalances, NewTransaction, Owner};
use crate::db::query;
use crate::{
    db::{Db, Dialect, Tx},
    error::AppError,
    time::{DAY, now_ms},
};

/// What posting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub transaction_id: i64,
    /// The key was posted before: nothing changed.
    pub replayed: bool,
}

/// The id of `account`, created on first use.
async fn account_id(tx: &mut Tx, account: &Account) -> Result<i64, AppError> {
    const INSERT: &str = "INSERT INTO ledger_accounts (owner_kind, owner_id, kind, currency, created_at) \
                          VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_kind, owner_id, kind, currency) DO NOTHING";
    query(INSERT)
        .bind(account.owner.kind())
        .bind(account.owner.id())
        .bind(account.kind.as_str())
        .bind(&account.currency)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    // Locks the account row on PostgreSQL, so concurrent debits of one account queue
    // up behind each other (SQLite writers are serialised by the database).
    let select = match tx.dialect() {
        Dialect::Postgres => {
            "SELECT id FROM ledger_accounts WHERE owner_kind = $1 AND owner_id = $2 AND kind = $3 AND currency = $4 FOR UPDATE"
        }
        Dialect::Sqlite => {
            "SELECT id FROM ledger_accounts WHERE owner_kind = $1 AND owner_id = $2 AND kind = $3 AND currency = $4"
        }
    };
    let id: i64 = query(sqlx::AssertSqlSafe(select))
        .bind(account.owner.kind())
        .bind(account.owner.id())
        .bind(account.kind.as_str())
        .bind(&account.currency)
        .scalar_one(&mut *tx)
        .await?;
    Ok(id)
}

/// An account's balance from its daily sums (which move with every posting, in its
/// transaction).
async fn balance_of(tx: &mut Tx, account: i64) -> Result<i64, AppError> {
    const SQL: &str =
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_daily WHERE account_id = $1";
    let sum: i64 = query(SQL).bind(account).scalar_one(&mut *tx).await?;
    Ok(sum)
}

/// Posts `new` in `tx`, once per idempotency key. Refuses (writing nothing) an
/// unbalanced transaction, and one that would take an account that holds someone's
/// money below zero: `AppError::Conflict` with `insufficient` in that case.
pub async fn post(tx: &mut Tx, new: &NewTransaction) -> Result<Posted, AppError> {
    post_at(tx, new, now_ms()).await
}

/// [`post`], dated `now` (unix ms): history loaded from elsewhere, benchmarks.
pub async fn post_at(tx: &mut Tx, new: &NewTransaction, now: i64) -> Result<Posted, AppError> {
    new.validate()
        .map_err(|e| AppError::internal("an invalid ledger transaction", &e))?;
    const INSERT: &str = "INSERT INTO ledger_transactions (idempotency_key, kind, memo, reference, artist_id, created_at) \
                          VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    let id: Option<i64> = query(INSERT)
        .bind(&new.idempotency_key)
        .bind(new.kind.as_str())
        .bind(&new.memo)
        .bind(&new.reference)
        .bind(new.artist_id)
        .bind(now)
        .scalar_optional(&mut *tx)
        .await?;
    let Some(id) = id else {
        const EXISTING: &str = "SELECT id FROM ledger_transactions WHERE idempotency_key = $1";
        let existing: i64 = query(EXISTING)
            .bind(&new.idempotency_key)
            .scalar_one(&mut *tx)
            .await?;
        return Ok(Posted {
            transaction_id: existing,
            replayed: true,
        });
    };

    // Accounts in a stable order, so two transactions never lock them in opposite orders.
    let mut postings: Vec<_> = new.postings.iter().collect();
    postings.sort_by_key(|p| {
        (
            p.account.owner.kind(),
            p.account.owner.id(),
            p.account.kind.as_str(),
            p.account.currency.clone(),
        )
    });
    for posting in postings {
        let account = account_id(tx, &posting.account).await?;
        if posting.amount < 0 && posting.account.kind.never_negative() {
            let balance = balance_of(tx, account).await?;
            if balance + posting.amount < 0 {
                return Err(AppError::Conflict(
                    "There isn't enough money in the balance for that (insufficient funds).".into(),
                ));
            }
        }
        const ENTRY: &str = "INSERT INTO ledger_entries (transaction_id, account_id, amount, currency, created_at) \
                             VALUES ($1, $2, $3, $4, $5)";
        query(ENTRY)
            .bind(id)
            .bind(account)
            .bind(posting.amount)
            .bind(&posting.account.currency)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        const DAILY: &str = "INSERT INTO ledger_daily (account_id, day, kind, amount) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (account_id, day, kind) DO UPDATE SET amount = ledger_daily.amount + excluded.amount";
        query(DAILY)
            .bind(account)
            .bind(now.div_euclid(DAY) * DAY)
            .bind(new.kind.as_str())
            .bind(posting.amount)
            .execute(&mut *tx)
            .await?;
    }
    const POST: &str = "UPDATE ledger_transactions SET posted_at = $2 WHERE id = $1";
    query(POST).bind(id).bind(now).execute(&mut *tx).await?;
    Ok(Posted {
        transaction_id: id,
        replayed: false,
    })
}

/// Whether a transaction with idempotency key `key` was posted (as seen by `tx`).
pub async fn is_posted(tx: &mut Tx, key: &str) -> Result<bool, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM ledger_transactions WHERE idempotency_key = $1";
    let n: i64 = query(SQL).bind(key).scalar_one(&mut *tx).await?;
    Ok(n > 0)
}

/// The balance of `account` inside `tx` (0 if it was never used); on PostgreSQL the
/// account row stays locked until `tx` ends.
pub async fn balance_in(tx: &mut Tx, account: &Account) -> Result<i64, AppError> {
    let id = account_id(tx, account).await?;
    balance_of(tx, id).await
}

/// The balance of `account` (0 if it was never used).
pub async fn balance(db: &Db, account: &Account) -> Result<i64, AppError> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(d.amount), 0) AS BIGINT) FROM ledger_daily d \
                       JOIN ledger_accounts a ON a.id = d.account_id \
                       WHERE a.owner_kind = $1 AND a.owner_id = $2 AND a.kind = $3 AND a.currency = $4";
    let sum: i64 = query(SQL)
        .bind(account.owner.kind())
        .bind(account.owner.id())
        .bind(account.kind.as_str())
        .bind(&account.currency)
        .scalar_one(db)
        .await?;
    Ok(sum)
}

/// An artist's available, pending and in-payout balances in `currency`.
pub async fn artist_balances(
    db: &Db,
    artist: i64,
    currency: &str,
) -> Result<ArtistBalances, AppError> {
    let of = |kind| Account::new(Owner::Artist(artist), kind, currency);
    Ok(ArtistBalances {
        available: balance(db, &of(AccountKind::Available)).await?,
        pending: balance(db, &of(AccountKind::Pending)).await?,
        in_payout: balance(db, &of(AccountKind::PayoutInFlight)).await?,
        owed: balance(db, &of(AccountKind::Owed)).await?,
    })
}
