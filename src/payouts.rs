//! Payouts (SPEC MON-4): standard (free, next day) or instant (1%), requested by the
//! artist or by their schedule, never under $20, and a failed payout's money returns
//! to the available balance.

use serde::{Deserialize, Serialize};

use crate::{fees::PayoutSpeed, ledger::ArtistBalances};

#[cfg(feature = "ssr")]
pub mod service;

/// How often payouts are requested automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Manual,
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [Self::Manual, Self::Daily, Self::Weekly, Self::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Manual => "Only when I ask",
            Self::Daily => "Every day",
            Self::Weekly => "Every Monday",
            Self::Monthly => "On the 1st of each month",
        }
    }

    /// Whether a scheduled payout is due on this UTC day (`weekday` 0 = Monday).
    pub fn due_on(self, weekday: u32, day_of_month: u32) -> bool {
        match self {
            Self::Manual => false,
            Self::Daily => true,
            Self::Weekly => weekday == 0,
            Self::Monthly => day_of_month == 1,
        }
    }
}

/// One payout in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutView {
    pub id: i64,
    pub amount_cents: i64,
    pub fee_cents: i64,
    pub currency: String,
    pub speed: PayoutSpeed,
    pub state: Stage,
    pub failure_message: Option<String>,
    pub created_at: i64,
    pub arrival_at: Option<i64>,
}

impl PayoutView {
    /// What reaches the bank.
    pub fn to_bank(&self) -> i64 {
        self.amount_cents - self.fee_cents
    }

    pub fn state_label(&self) -> &'static str {
        match self.state {
            Stage::Pending => "Pending",
            Stage::InTransit => "In transit",
            Stage::Paid => "Paid",
            Stage::Failed => "Failed: returned to your balance",
        }
    }
}

text_enum! {
    /// Where a payout stands (`payouts.state`).
    pub enum Stage {
        /// Recorded; not at the provider yet.
        Pending = "pending",
        /// The provider is sending it to the bank.
        InTransit = "in_transit",
        Paid = "paid",
        /// Refused or returned: the money is back in the balance.
        Failed = "failed",
    }
}

/// Everything the payouts page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutsOverview {
    pub currency: String,
    pub balances: ArtistBalances,
    pub frequency: Frequency,
    pub instant_allowed: bool,
    pub minimum_cents: i64,
    pub history: Vec<PayoutView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_fall_on_their_days() {
        assert!(!Frequency::Manual.due_on(0, 1));
        assert!(Frequency::Daily.due_on(3, 17));
        assert!(Frequency::Weekly.due_on(0, 17) && !Frequency::Weekly.due_on(1, 17));
        assert!(Frequency::Monthly.due_on(4, 1) && !Frequency::Monthly.due_on(4, 2));
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
    }
}
