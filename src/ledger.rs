//! The double-entry ledger (SPEC MON-1, DESIGN "Money"): accounts, and transactions
//! whose postings sum to zero per currency. Pure rules here; [`service`] posts them
//! (exactly once per idempotency key) and derives balances.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

/// Whose account it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Owner {
    Artist(i64),
    Fan(i64),
    Platform,
    /// The world outside Boptone's books: the card processor and bank accounts.
    External,
}

impl Owner {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Artist(_) => "artist",
            Self::Fan(_) => "fan",
            Self::Platform => "platform",
            Self::External => "external",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Self::Artist(id) | Self::Fan(id) => id,
            Self::Platform | Self::External => 0,
        }
    }
}

/// What an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountKind {
    /// An artist's money they can pay out.
    Available,
    /// An artist's money not yet settled by the processor.
    Pending,
    /// An artist's money on its way to their bank.
    PayoutInFlight,
    /// What an artist owes (negative): a refund larger than their balance at the
    /// time; repaid from their next settled earnings.
    Owed,
    /// A fan's prepaid balance.
    Wallet,
    /// Boptone's fees.
    Revenue,
    /// What the card processor kept.
    ProcessorFees,
    /// Money charged to fans' cards, from the outside world.
    CardPayments,
    /// Money that left for artists' banks.
    BankPayouts,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Pending => "pending",
            Self::PayoutInFlight => "payout_in_flight",
            Self::Owed => "owed",
            Self::Wallet => "wallet",
            Self::Revenue => "revenue",
            Self::ProcessorFees => "processor_fees",
            Self::CardPayments => "card_payments",
            Self::BankPayouts => "bank_payouts",
        }
    }

    /// Accounts that hold someone's money must never go below zero.
    pub fn never_negative(self) -> bool {
        matches!(
            self,
            Self::Available | Self::Pending | Self::PayoutInFlight | Self::Wallet
        )
    }
}

/// One account: an owner, a kind and a currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Account {
    pub owner: Owner,
    pub kind: AccountKind,
    pub currency: String,
}

impl Account {
    pub fn new(owner: Owner, kind: AccountKind, currency: &str) -> Self {
        Self {
            owner,
            kind,
            currency: currency.to_ascii_uppercase(),
        }
    }
}

/// One line of a transaction: `amount` (signed minor units) into `account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: Account,
    pub amount: i64,
}

text_enum! {
    /// What a ledger transaction records. Writers and readers (earnings) share this
    /// list, so a new kind of revenue cannot be forgotten by a reader.
    pub enum TransactionKind {
        /// A fan's tip, paid.
        Tip = "tip",
        /// A tip refunded to the fan (counts against tips).
        TipRefund = "tip.refund",
        /// Money moving from pending to available after the provider's hold.
        Settlement = "settlement",
        /// A payout requested: money leaves the available balance.
        Payout = "payout",
        PayoutPaid = "payout.paid",
        /// A failed payout, returned to the balance.
        PayoutFailed = "payout.failed",
        /// A sale in the artist's shop.
        Sale = "sale",
        /// Streaming royalties.
        Royalty = "royalty",
        /// A fan's paid subscription to the artist.
        Subscription = "subscription",
        /// An operator's correction of a mistake.
        Adjustment = "adjustment",
    }
}

/// Where an artist's earnings come from, as the earnings dashboard groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EarningSource {
    Tips,
    Shop,
    Royalties,
    Subscriptions,
}

impl EarningSource {
    pub const ALL: [EarningSource; 4] =
        [Self::Tips, Self::Shop, Self::Royalties, Self::Subscriptions];

    pub fn label(self) -> &'static str {
        match self {
            Self::Tips => "Tips",
            Self::Shop => "Shop",
            Self::Royalties => "Royalties",
            Self::Subscriptions => "Subscriptions",
        }
    }
}

impl TransactionKind {
    /// The earnings source this kind counts towards (a refund counts against its
    /// source); `None` for movements that are not earnings (settlements, payouts).
    pub fn earning_source(self) -> Option<EarningSource> {
        match self {
            Self::Tip | Self::TipRefund => Some(EarningSource::Tips),
            Self::Sale => Some(EarningSource::Shop),
            Self::Royalty => Some(EarningSource::Royalties),
            Self::Subscription => Some(EarningSource::Subscriptions),
            Self::Settlement
            | Self::Payout
            | Self::PayoutPaid
            | Self::PayoutFailed
            | Self::Adjustment => None,
        }
    }

    /// The kinds that are earnings.
    pub fn earnings() -> impl Iterator<Item = TransactionKind> {
        Self::ALL
            .iter()
            .copied()
            .filter(|k| k.earning_source().is_some())
    }
}

/// A transaction to post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTransaction {
    /// Posting the same key twice posts once.
    pub idempotency_key: String,
    /// What happened.
    pub kind: TransactionKind,
    pub memo: String,
    /// What it is about (`tip:12`, `payout:3`).
    pub reference: Option<String>,
    /// The artist whose earnings it concerns, for their dashboard.
    pub artist_id: Option<i64>,
    pub postings: Vec<Posting>,
}

/// Why a transaction cannot be posted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a ledger transaction needs at least two postings")]
    TooFewPostings,
    #[error("a posting of zero moves nothing")]
    ZeroPosting,
    #[error("the postings in {0} do not sum to zero")]
    Unbalanced(String),
    #[error("the idempotency key must be 1 to 255 characters")]
    BadKey,
}

impl NewTransaction {
    /// Checks the transaction's shape: a usable key, at least two non-zero postings,
    /// and a zero sum in every currency.
    pub fn validate(&self) -> Result<(), LedgerError> {
        if self.idempotency_key.is_empty() || self.idempotency_key.len() > 255 {
            return Err(LedgerError::BadKey);
        }
        if self.postings.len() < 2 {
            return Err(LedgerError::TooFewPostings);
        }
        if self.postings.iter().any(|p| p.amount == 0) {
            return Err(LedgerError::ZeroPosting);
        }
        let mut sums: Vec<(&str, i128)> = Vec::new();
        for p in &self.postings {
            match sums.iter_mut().find(|(c, _)| *c == p.account.currency) {
                Some((_, sum)) => *sum += i128::from(p.amount),
                None => sums.push((&p.account.currency, i128::from(p.amount))),
            }
        }
        match sums.into_iter().find(|(_, sum)| *sum != 0) {
            Some((currency, _)) => Err(LedgerError::Unbalanced(currency.to_owned())),
            None => Ok(()),
        }
    }
}

/// An artist's balances in one currency, derived from the entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistBalances {
    pub available: i64,
    pub pending: i64,
    pub in_payout: i64,
    /// What the artist owes (zero or negative), repaid from coming earnings.
    pub owed: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(owner: Owner, kind: AccountKind, currency: &str, amount: i64) -> Posting {
        Posting {
            account: Account::new(owner, kind, currency),
            amount,
        }
    }

    fn txn(postings: Vec<Posting>) -> NewTransaction {
        NewTransaction {
            idempotency_key: "k".into(),
            kind: TransactionKind::Tip,
            memo: String::new(),
            reference: None,
            artist_id: None,
            postings,
        }
    }

    #[test]
    fn every_earning_kind_has_a_source_and_parses_back() {
        for kind in TransactionKind::ALL {
            assert_eq!(TransactionKind::parse(kind.as_str()), Some(*kind));
        }
        let earnings: Vec<_> = TransactionKind::earnings().map(|k| k.as_str()).collect();
        assert_eq!(
            earnings,
            ["tip", "tip.refund", "sale", "royalty", "subscription"]
        );
        for source in EarningSource::ALL {
            assert!(TransactionKind::earnings().any(|k| k.earning_source() == Some(source)));
        }
    }

    #[test]
    fn transactions_must_balance_per_currency() {
        let tip = txn(vec![
            posting(Owner::External, AccountKind::CardPayments, "usd", -1_000),
            posting(Owner::Platform, AccountKind::ProcessorFees, "USD", 59),
            posting(Owner::Artist(1), AccountKind::Pending, "USD", 941),
        ]);
        assert_eq!(tip.validate(), Ok(()));
        let mixed = txn(vec![
            posting(Owner::External, AccountKind::CardPayments, "USD", -1_000),
            posting(Owner::Artist(1), AccountKind::Pending, "EUR", 1_000),
        ]);
        assert_eq!(mixed.validate(), Err(LedgerError::Unbalanced("USD".into())));
        assert_eq!(
            txn(vec![posting(
                Owner::Platform,
                AccountKind::Revenue,
                "USD",
                0
            )])
            .validate(),
            Err(LedgerError::TooFewPostings)
        );
        let zero = txn(vec![
            posting(Owner::Platform, AccountKind::Revenue, "USD", 0),
            posting(Owner::Platform, AccountKind::Revenue, "USD", 0),
        ]);
        assert_eq!(zero.validate(), Err(LedgerError::ZeroPosting));
    }
}
