//! Refunds: a refunded tip's share is taken back through the ledger, once per
//! refunded total, from wherever the artist's money is.

use super::{TIP_COLUMNS, TipRow};
use crate::{
    db::query,
    error::AppError,
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    payments::routing::Reference,
    state::AppState,
    time::now_ms,
    tips::PURPOSE,
};

/// A refund of a tip's payment (`charge.refunded`, `amount_refunded` cumulative): the
/// refunded share of the tip is reversed in the ledger, once per refunded total. The
/// artist's part comes back from where the money is (settling, or available); what the
/// balance cannot cover becomes a debt repaid from their next earnings, as the
/// processor debits the payout account. `reference` (the payment's `tip:12`) lets a
/// refund that arrives before its payment was recorded apply the payment first.
pub async fn refund(
    state: &AppState,
    payment_intent: &str,
    amount_refunded: i64,
    reference: Option<&str>,
) -> Result<(), AppError> {
    let tip_id = Reference::id_of(reference, PURPOSE);
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        tip: TipRow,
        refunded_cents: i64,
    }
    let find = || async {
        let sql = format!(
            "SELECT {TIP_COLUMNS}, refunded_cents FROM tips WHERE payment_intent_id = $1 OR id = $2"
        );
        let row: Option<Row> = query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(payment_intent)
            .bind(tip_id)
            .fetch_optional(&state.db)
            .await?;
        Ok::<_, AppError>(row)
    };
    let mut row = find().await?;
    // Not recorded yet: the payment's own events have not been applied, so apply the
    // payment from the provider first (only then, to spare redeliveries the call).
    if !row.as_ref().is_some_and(|r| r.tip.state.is_recorded()) && tip_id.is_some() {
        super::sync_reference(state, reference).await?;
        row = find().await?;
    }
    let Some(Row {
        tip,
        refunded_cents,
    }) = row
    else {
        // Not a tip's payment (a plan's, say): nothing of ours to reverse.
        return Ok(());
    };
    if !tip.state.is_recorded() {
        // Refunded money was collected, yet the provider does not show it paid yet:
        // failing makes the job try again later.
        return Err(AppError::Conflict(format!(
            "tip {} refunded before its payment was confirmed; retrying",
            tip.id
        )));
    }
    let total = amount_refunded.clamp(0, tip.gross_cents);
    if total <= refunded_cents {
        return Ok(());
    }
    // The share of gross, net and fee this refund (beyond earlier ones) takes back.
    let share = |cents: i64, of: i64| cents * of / tip.gross_cents;
    let net_back = share(tip.net_cents, total) - share(tip.net_cents, refunded_cents);
    let gross_back = total - refunded_cents;
    let fee_back = gross_back - net_back;
    let mut tx = state.db.begin_write().await?;
    tx.lock(&format!("ledger:artist:{}", tip.artist_id)).await?;
    const CLAIM: &str = "UPDATE tips SET refunded_cents = $2, state = CASE WHEN $2 >= gross_cents THEN 'refunded' ELSE state END, updated_at = $3 \
                         WHERE id = $1 AND refunded_cents = $4";
    let claimed = query(CLAIM)
        .bind(tip.id)
        .bind(total)
        .bind(now_ms())
        .bind(refunded_cents)
        .execute(&mut tx)
        .await?;
    if claimed == 1 {
        let settled = ledger::is_posted(&mut tx, &format!("settle:tip:{}", tip.id)).await?;
        let c = &tip.currency;
        let from = Account::new(
            Owner::Artist(tip.artist_id),
            if settled {
                AccountKind::Available
            } else {
                AccountKind::Pending
            },
            c,
        );
        let have = ledger::balance_in(&mut tx, &from).await?.max(0);
        let taken = net_back.min(have);
        let mut postings = vec![Posting {
            account: Account::new(Owner::External, AccountKind::CardPayments, c),
            amount: gross_back,
        }];
        if taken > 0 {
            postings.push(Posting {
                account: from,
                amount: -taken,
            });
        }
        if net_back > taken {
            postings.push(Posting {
                account: Account::new(Owner::Artist(tip.artist_id), AccountKind::Owed, c),
                amount: -(net_back - taken),
            });
        }
        if fee_back != 0 {
            postings.push(Posting {
                account: Account::new(Owner::Platform, AccountKind::ProcessorFees, c),
                amount: -fee_back,
            });
        }
        ledger::post(
            &mut tx,
            &NewTransaction {
                idempotency_key: format!("refund:tip:{}:{total}", tip.id),
                kind: TransactionKind::TipRefund,
                memo: "Tip refunded to the fan".into(),
                reference: Some(Reference::new(PURPOSE, tip.id).to_string()),
                artist_id: Some(tip.artist_id),
                postings,
            },
        )
        .await?;
        // What the tip's Bop earned goes down with it.
        if let Some(bop) = tip.bop_id {
            crate::bops::service::recount_tips(&mut tx, bop).await?;
        }
    }
    tx.commit().await
}
