//! Daily reconciliation (SPEC MON-5): each artist's balance in the ledger against what
//! the payment provider holds for their payout account. Mismatches are recorded for
//! the operator, never corrected silently.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

/// A disagreement found by the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub artist_id: i64,
    pub handle: String,
    pub account_id: String,
    pub currency: String,
    pub ledger_cents: i64,
    pub provider_cents: i64,
    pub checked_on: i64,
}

impl Mismatch {
    /// Provider minus ledger: positive when the provider holds more.
    pub fn difference(&self) -> i64 {
        self.provider_cents - self.ledger_cents
    }
}
