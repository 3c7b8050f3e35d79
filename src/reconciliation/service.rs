//! The reconciliation job and the operator's list of mismatches.
//!
//! Owns `reconciliation_issues`.

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Mismatch;
use crate::{
    db::Db,
    error::AppError,
    jobs::worker::{Job, JobContext},
    ledger::service as ledger,
    state::AppState,
    time::{DAY, now_ms},
};

const CURRENCY: &str = crate::money::PLATFORM_CURRENCY.as_str();

/// Compares every artist with a payout account; records each mismatch once per day.
/// Returns how many mismatches it found.
pub async fn reconcile(state: &AppState, now: i64) -> Result<usize, AppError> {
    let day = now.div_euclid(DAY) * DAY;
    let accounts: Vec<(i64, String)> = query(
        "SELECT user_id, payout_account_id FROM artist_profiles WHERE payout_account_id IS NOT NULL ORDER BY user_id")
        .fetch_all(&state.db).await?;
    let mut found = 0;
    let mut unreadable = Vec::new();
    for (artist, account) in accounts {
        let balances = ledger::artist_balances(&state.db, artist, CURRENCY).await?;
        // A debt from a refund is a negative balance at the provider too.
        let ours = balances.available + balances.pending + balances.owed;
        let theirs = match state.payments.account_balance(&account, CURRENCY).await {
            Ok(amount) => amount,
            Err(crate::payments::provider::ProviderError::NotFound(_)) => 0,
            Err(e) => {
                // One unreadable account does not stop the others being checked.
                tracing::warn!(artist, account, error = %e, "provider balance unavailable");
                unreadable.push(account);
                continue;
            }
        };
        if ours != theirs {
            found += 1;
            tracing::warn!(
                artist,
                account,
                ours,
                theirs,
                "ledger and provider disagree"
            );
            const SQL: &str = "INSERT INTO reconciliation_issues (artist_id, account_id, currency, ledger_cents, provider_cents, checked_on, created_at) \
                               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (artist_id, currency, checked_on) DO NOTHING";
            query(SQL)
                .bind(artist)
                .bind(&account)
                .bind(CURRENCY)
                .bind(ours)
                .bind(theirs)
                .bind(day)
                .bind(now_ms())
                .execute(&state.db)
                .await?;
        }
    }
    if !unreadable.is_empty() {
        // The job fails, so it is retried and the operator sees which accounts.
        return Err(AppError::internal(
            "reconciliation could not read every account",
            &crate::payments::provider::ProviderError::Unavailable(unreadable.join(", ")),
        ));
    }
    Ok(found)
}

/// Recorded mismatches, newest first.
pub async fn mismatches(db: &Db, limit: i64) -> Result<Vec<Mismatch>, AppError> {
    type Row = (i64, String, String, String, i64, i64, i64);
    let rows: Vec<Row> = query(
        "SELECT r.artist_id, u.handle, r.account_id, r.currency, r.ledger_cents, r.provider_cents, r.checked_on \
         FROM reconciliation_issues r JOIN users u ON u.id = r.artist_id ORDER BY r.checked_on DESC, r.id DESC LIMIT $1")
        .bind(limit).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                artist_id,
                handle,
                account_id,
                currency,
                ledger_cents,
                provider_cents,
                checked_on,
            )| Mismatch {
                artist_id,
                handle,
                account_id,
                currency,
                ledger_cents,
                provider_cents,
                checked_on,
            },
        )
        .collect())
}

/// The daily reconciliation (cron).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reconcile;

#[async_trait]
impl Job for Reconcile {
    const KIND: &'static str = "ledger.reconcile";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        reconcile(&ctx.state, now_ms()).await?;
        Ok(())
    }
}
