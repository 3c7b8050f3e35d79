//! Tips from before: history loaded from elsewhere (the demo data). A past tip is
//! stored as paid and settled on its own date, posted to the ledger on that date, and
//! announced to nobody.

use crate::{
    db::{Db, query},
    error::AppError,
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    money::PLATFORM_CURRENCY,
    payments::routing::Reference,
    tips::PURPOSE,
};

/// A tip paid at `at`.
#[derive(Debug, Clone)]
pub struct PastTip {
    pub artist: i64,
    pub fan: i64,
    pub fan_email: String,
    pub bop: Option<i64>,
    pub amount_cents: i64,
    pub message: String,
    pub at: i64,
    /// Unique per tip: loading the same history again adds nothing.
    pub key: String,
}

/// Records `tip` as paid and settled at its date; `false` when it was loaded before.
pub async fn record_past(db: &Db, tip: &PastTip) -> Result<bool, AppError> {
    let b = crate::fees::tip(tip.amount_cents, false);
    let currency = PLATFORM_CURRENCY.as_str();
    let mut tx = db.begin_write().await?;
    const INSERT: &str = "INSERT INTO tips (artist_id, fan_id, fan_email, fan_key, amount_cents, gross_cents, processing_fee_cents, \
                          net_cents, currency, fan_covers_fee, message, idempotency_key, bop_id, state, created_at, updated_at, paid_at) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $11, $12, 'succeeded', $13, $13, $13) \
                          ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    let id: Option<i64> = query(INSERT)
        .bind(tip.artist)
        .bind(tip.fan)
        .bind(&tip.fan_email)
        .bind(format!("user:{}", tip.fan))
        .bind(tip.amount_cents)
        .bind(b.gross)
        .bind(b.processing_fee)
        .bind(b.net)
        .bind(currency)
        .bind(&tip.message)
        .bind(format!("history:{}", tip.key))
        .bind(tip.bop)
        .bind(tip.at)
        .scalar_optional(&mut tx)
        .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    let reference = Some(Reference::new(PURPOSE, id).to_string());
    let artist = |kind| Account::new(Owner::Artist(tip.artist), kind, currency);
    ledger::post_at(
        &mut tx,
        &NewTransaction {
            idempotency_key: format!("tip:{id}"),
            kind: TransactionKind::Tip,
            memo: "Kick In tip".into(),
            reference: reference.clone(),
            artist_id: Some(tip.artist),
            postings: vec![
                Posting {
                    account: Account::new(Owner::External, AccountKind::CardPayments, currency),
                    amount: -b.gross,
                },
                Posting {
                    account: Account::new(Owner::Platform, AccountKind::ProcessorFees, currency),
                    amount: b.processing_fee,
                },
                Posting {
                    account: artist(AccountKind::Pending),
                    amount: b.net,
                },
            ],
        },
        tip.at,
    )
    .await?;
    ledger::post_at(
        &mut tx,
        &NewTransaction {
            idempotency_key: format!("settle:tip:{id}"),
            kind: TransactionKind::Settlement,
            memo: "Tip settled".into(),
            reference,
            artist_id: Some(tip.artist),
            postings: vec![
                Posting {
                    account: artist(AccountKind::Pending),
                    amount: -b.net,
                },
                Posting {
                    account: artist(AccountKind::Available),
                    amount: b.net,
                },
            ],
        },
        tip.at,
    )
    .await?;
    if let Some(bop) = tip.bop {
        crate::bops::service::recount_tips(&mut tx, bop).await?;
    }
    tx.commit().await?;
    Ok(true)
}
