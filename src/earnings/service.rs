//! Earnings read from the ledger: totals and the chart from its daily sums
//! (`ledger_daily`, a row per account, day and kind), the latest earnings through the
//! artist's index on `ledger_transactions (artist_id, created_at)`. Every read is
//! bounded by days and the page size, not by how many earnings there are.

use super::{EarningLine, Earnings};
use crate::db::query;
use crate::{
    db::Db,
    error::AppError,
    ledger::{EarningSource, TransactionKind, service as ledger},
    time::{DAY, civil_date, parse_date},
};

/// The transaction kinds that are earnings (and their reversals), as an SQL list,
/// built once from `TransactionKind`.
fn kinds() -> &'static str {
    static KINDS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let names: Vec<String> = TransactionKind::earnings()
            .map(|k| format!("'{}'", k.as_str()))
            .collect();
        format!("({})", names.join(", "))
    });
    &KINDS
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    kind: String,
    memo: String,
    created_at: i64,
    currency: String,
    gross: i64,
    platform_fee: i64,
    processing_fee: i64,
    net: i64,
}

/// Net earned per transaction kind: in all, since `month_start` and since `year_start`
/// (unix ms, UTC day boundaries), in one pass over the ledger's daily sums, so it costs
/// the same after years of earnings.
async fn net_by_kind(
    db: &Db,
    artist: i64,
    month_start: i64,
    year_start: i64,
) -> Result<Vec<(String, i64, i64, i64)>, AppError> {
    let sql = format!(
        "SELECT d.kind, CAST(COALESCE(SUM(d.amount), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN d.day >= $2 THEN d.amount ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN d.day >= $3 THEN d.amount ELSE 0 END), 0) AS BIGINT) \
         FROM ledger_daily d JOIN ledger_accounts a ON a.id = d.account_id \
         WHERE a.owner_kind = 'artist' AND a.owner_id = $1 AND d.kind IN {kinds} \
         GROUP BY d.kind",
        kinds = kinds()
    );
    let rows: Vec<(String, i64, i64, i64)> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(artist)
        .bind(month_start)
        .bind(year_start)
        .fetch_all(db)
        .await?;
    Ok(rows)
}

/// The artist's earnings as of `now` (unix ms).
pub async fn overview(db: &Db, artist: i64, now: i64) -> Result<Earnings, AppError> {
    let currency = crate::money::PLATFORM_CURRENCY.to_string();
    let (year, month, _) = civil_date(now);
    let month_start = parse_date(&format!("{year:04}-{month:02}-01")).unwrap_or(0);
    let year_start = parse_date(&format!("{year:04}-01-01")).unwrap_or(0);
    let today = now.div_euclid(DAY) * DAY;
    let window_start = today - 89 * DAY;

    let sums = net_by_kind(db, artist, month_start, year_start).await?;
    let by_source = EarningSource::ALL
        .iter()
        .map(|source| {
            let net = sums
                .iter()
                .filter(|(kind, ..)| {
                    TransactionKind::parse(kind).and_then(TransactionKind::earning_source)
                        == Some(*source)
                })
                .map(|(_, n, ..)| *n)
                .sum();
            (source.label().to_owned(), net)
        })
        .collect();

    let daily_sql = format!(
        "SELECT d.day, CAST(COALESCE(SUM(d.amount), 0) AS BIGINT) FROM ledger_daily d \
         JOIN ledger_accounts a ON a.id = d.account_id \
         WHERE a.owner_kind = 'artist' AND a.owner_id = $1 AND d.day >= $2 AND d.kind IN {kinds} \
         GROUP BY d.day",
        kinds = kinds()
    );
    let rows: Vec<(i64, i64)> = query(sqlx::AssertSqlSafe(daily_sql.as_str()))
        .bind(artist)
        .bind(window_start)
        .fetch_all(db)
        .await?;
    let mut daily: Vec<(i64, i64)> = (0..90).map(|i| (window_start + i * DAY, 0)).collect();
    for (at, amount) in rows {
        let index = usize::try_from((at - window_start).div_euclid(DAY)).unwrap_or(0);
        if let Some(day) = daily.get_mut(index) {
            day.1 += amount;
        }
    }

    let recent_sql = format!(
        "SELECT t.id, t.kind, t.memo, t.created_at, e.currency, \
         CAST(SUM(CASE WHEN a.owner_kind = 'external' AND a.kind = 'card_payments' THEN -e.amount ELSE 0 END) AS BIGINT) AS gross, \
         CAST(SUM(CASE WHEN a.owner_kind = 'platform' AND a.kind = 'revenue' THEN e.amount ELSE 0 END) AS BIGINT) AS platform_fee, \
         CAST(SUM(CASE WHEN a.owner_kind = 'platform' AND a.kind = 'processor_fees' THEN e.amount ELSE 0 END) AS BIGINT) AS processing_fee, \
         CAST(SUM(CASE WHEN a.owner_kind = 'artist' THEN e.amount ELSE 0 END) AS BIGINT) AS net \
         FROM (SELECT id, kind, memo, created_at FROM ledger_transactions \
               WHERE artist_id = $1 AND posted_at IS NOT NULL AND kind IN {kinds} \
               ORDER BY created_at DESC, id DESC LIMIT 25) t \
         JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id \
         GROUP BY t.id, t.kind, t.memo, t.created_at, e.currency ORDER BY t.created_at DESC, t.id DESC",
        kinds = kinds()
    );
    let recent: Vec<LineRow> = query(sqlx::AssertSqlSafe(recent_sql.as_str()))
        .bind(artist)
        .fetch_all(db)
        .await?;

    Ok(Earnings {
        total: sums.iter().map(|(_, n, ..)| n).sum(),
        month_to_date: sums.iter().map(|(_, _, n, _)| n).sum(),
        year_to_date: sums.iter().map(|(.., n)| n).sum(),
        by_source,
        daily,
        recent: recent
            .into_iter()
            .map(|r| EarningLine {
                id: r.id,
                kind: r.kind,
                memo: r.memo,
                created_at: r.created_at,
                currency: r.currency,
                gross: r.gross,
                platform_fee: r.platform_fee,
                processing_fee: r.processing_fee,
                net: r.net,
            })
            .collect(),
        balances: ledger::artist_balances(db, artist, &currency).await?,
        currency,
    })
}
