//! Settling tips: a paid tip's money moves from pending to available once the
//! provider's settlement hold has passed (hourly, and at once where there is no hold).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{
    db::query,
    error::AppError,
    jobs::worker::{Job, JobContext},
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    payments::routing::Reference,
    state::AppState,
    time::now_ms,
    tips::PURPOSE,
};

/// Moves a paid tip's money from pending to available (once, by key); whatever the
/// artist owes from an earlier refund is repaid from it first.
pub async fn settle_tip(state: &AppState, tip_id: i64) -> Result<(), AppError> {
    const ARTIST: &str = "SELECT artist_id FROM tips WHERE id = $1";
    let artist: Option<i64> = query(ARTIST)
        .bind(tip_id)
        .scalar_optional(&state.db)
        .await?;
    let Some(artist) = artist else {
        return Ok(());
    };
    let key = format!("settle:tip:{tip_id}");
    let mut tx = state.db.begin_write().await?;
    // One artist's settlements and refunds take their accounts in turn (no deadlocks),
    // and the tip is read under that lock (a refund may have just changed it).
    tx.lock(&format!("ledger:artist:{artist}")).await?;
    const SQL: &str = "SELECT net_cents, refunded_cents, gross_cents, currency FROM tips WHERE id = $1 AND state = 'succeeded'";
    let row: Option<(i64, i64, i64, String)> =
        query(SQL).bind(tip_id).fetch_optional(&mut tx).await?;
    let Some((net, refunded, gross, currency)) = row else {
        return Ok(());
    };
    if ledger::is_posted(&mut tx, &key).await? {
        return Ok(());
    }
    // What a partial refund before settlement took back no longer waits here.
    let net = net - net * refunded / gross;
    let pending = Account::new(Owner::Artist(artist), AccountKind::Pending, &currency);
    let owed_account = Account::new(Owner::Artist(artist), AccountKind::Owed, &currency);
    let owed = -ledger::balance_in(&mut tx, &owed_account).await?;
    let repay = owed.clamp(0, net);
    let mut postings = vec![Posting {
        account: pending,
        amount: -net,
    }];
    if repay > 0 {
        postings.push(Posting {
            account: owed_account,
            amount: repay,
        });
    }
    if net - repay > 0 {
        postings.push(Posting {
            account: Account::new(Owner::Artist(artist), AccountKind::Available, &currency),
            amount: net - repay,
        });
    }
    if net > 0 {
        ledger::post(
            &mut tx,
            &NewTransaction {
                idempotency_key: key,
                kind: TransactionKind::Settlement,
                memo: if repay > 0 {
                    "Tip settled (repaying a refund)".into()
                } else {
                    "Tip settled".into()
                },
                reference: Some(Reference::new(PURPOSE, tip_id).to_string()),
                artist_id: Some(artist),
                postings,
            },
        )
        .await?;
    }
    tx.commit().await
}

/// Settles every paid tip past the settlement hold (cron, hourly). Idempotent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SettleTips;

#[async_trait]
impl Job for SettleTips {
    const KIND: &'static str = "tips.settle";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let state = &ctx.state;
        let hold = state.payments.settlement_hold_ms();
        const SQL: &str = "SELECT t.id FROM tips t WHERE t.state = 'succeeded' AND t.paid_at <= $1 \
                           AND NOT EXISTS (SELECT 1 FROM ledger_transactions l WHERE l.idempotency_key = 'settle:tip:' || CAST(t.id AS TEXT)) \
                           ORDER BY t.id LIMIT 1000";
        let due: Vec<i64> = query(SQL)
            .bind(now_ms() - hold)
            .scalar_all(&state.db)
            .await?;
        for id in due {
            settle_tip(state, id).await?;
        }
        Ok(())
    }
}
