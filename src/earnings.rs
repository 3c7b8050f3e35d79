//! The unified earnings dashboard (SPEC MON-2, MON-3): totals, sources, the last 90
//! days, and the breakdown of every dollar, all read from the ledger.

use serde::{Deserialize, Serialize};

use crate::ledger::{ArtistBalances, EarningSource, TransactionKind};

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod service;

/// The name of the earnings source of ledger transaction kind `kind` (a refund,
/// `tip.refund`, counts against its source).
pub fn source_label(kind: &str) -> &'static str {
    TransactionKind::parse(kind)
        .and_then(TransactionKind::earning_source)
        .map_or("Other", EarningSource::label)
}

/// One earning with the breakdown of its dollar (MON-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningLine {
    pub id: i64,
    pub kind: String,
    pub memo: String,
    pub created_at: i64,
    pub currency: String,
    pub gross: i64,
    pub platform_fee: i64,
    pub processing_fee: i64,
    pub net: i64,
}

/// Everything the earnings page shows, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earnings {
    pub currency: String,
    pub total: i64,
    pub month_to_date: i64,
    pub year_to_date: i64,
    /// Net earned by source, every source listed (zero until it earns).
    pub by_source: Vec<(String, i64)>,
    /// Net earned per UTC day, oldest first, 90 days ending today.
    pub daily: Vec<(i64, i64)>,
    pub recent: Vec<EarningLine>,
    pub balances: ArtistBalances,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunds_count_against_their_source() {
        assert_eq!(source_label("tip"), "Tips");
        assert_eq!(source_label("tip.refund"), "Tips");
        assert_eq!(source_label("sale"), "Shop");
        assert_eq!(source_label("payout"), "Other");
    }
}
