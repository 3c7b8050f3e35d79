//! `boptone bench-earnings`: how fast the earnings dashboard reads an artist with a
//! long history (SPEC: dashboard < 100 ms with a year of data). Loads a history of tips
//! through the ledger, dated across the period, then times [`overview`] repeatedly.

use crate::db::query;
use std::time::Instant;

use serde::Serialize;

use super::service::overview;
use crate::{
    db::Db,
    error::AppError,
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind, service as ledger,
    },
    time::{DAY, now_ms},
};

#[derive(Debug, Clone, Serialize)]
pub struct EarningsBench {
    pub days: u32,
    pub tips_per_day: u32,
    /// Ledger transactions of the measured artist.
    pub transactions: u64,
    pub load_s: f64,
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Gives a new artist id (nobody's) `days` × `tips_per_day` tips, then reads their
/// dashboard `samples` times. Writes to the ledger for good: run it on a database of
/// its own.
pub async fn run(
    db: &Db,
    days: u32,
    tips_per_day: u32,
    samples: usize,
) -> Result<EarningsBench, AppError> {
    let artist = 1_000_000_000 + now_ms() % 1_000_000;
    let now = now_ms();
    let start = now - i64::from(days) * DAY;
    let total = u64::from(days) * u64::from(tips_per_day);
    let step = (i64::from(days) * DAY) / i64::try_from(total.max(1)).unwrap_or(1);
    let loading = Instant::now();
    let mut posted = 0_u64;
    while posted < total {
        let mut tx = db.begin_write().await?;
        for _ in 0..1_000.min(total - posted) {
            let i = i64::try_from(posted).unwrap_or(0);
            let gross = 300 + (i * 37) % 4_700;
            let fee = crate::fees::tip(gross, false).processing_fee;
            let at = start + i * step;
            ledger::post_at(
                &mut tx,
                &NewTransaction {
                    idempotency_key: format!("bench:{artist}:{posted}"),
                    kind: TransactionKind::Tip,
                    memo: "Kick In tip".into(),
                    reference: None,
                    artist_id: Some(artist),
                    postings: vec![
                        Posting {
                            account: Account::new(
                                Owner::External,
                                AccountKind::CardPayments,
                                "USD",
                            ),
                            amount: -gross,
                        },
                        Posting {
                            account: Account::new(
                                Owner::Platform,
                                AccountKind::ProcessorFees,
                                "USD",
                            ),
                            amount: fee,
                        },
                        Posting {
                            account: Account::new(
                                Owner::Artist(artist),
                                AccountKind::Available,
                                "USD",
                            ),
                            amount: gross - fee,
                        },
                    ],
                },
                at,
            )
            .await?;
            posted += 1;
        }
        tx.commit().await?;
    }
    let load_s = loading.elapsed().as_secs_f64();
    // Planner statistics as autovacuum keeps them in a running system (a freshly
    // loaded table has none yet).
    if db.dialect() == crate::db::Dialect::Postgres {
        query("ANALYZE").execute(db).await?;
    }
    // One warm-up read, then the measured ones.
    overview(db, artist, now).await?;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        let earnings = overview(db, artist, now).await?;
        times.push(t.elapsed().as_secs_f64() * 1_000.0);
        if earnings.recent.is_empty() && total > 0 {
            return Err(AppError::Conflict("the benchmark read no earnings".into()));
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).copied().unwrap_or(0.0)
    };
    Ok(EarningsBench {
        days,
        tips_per_day,
        transactions: total,
        load_s,
        samples,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
    })
}
