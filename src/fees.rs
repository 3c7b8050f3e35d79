//! Fees as pure functions, in integer cents (SPEC MON-3, DESIGN "Money"): tips carry no
//! platform fee, shop sales and streams split 90/10, standard payouts are free, instant
//! payouts cost 1%, and nothing under $20 is paid out.

use serde::{Deserialize, Serialize};

/// Card processing: 2.9% + 30¢ per successful charge (Stripe's standard US price).
pub const CARD_PERCENT_BPS: i64 = 290;
pub const CARD_FIXED_CENTS: i64 = 30;
/// Boptone's share of shop sales and streams: 10%.
pub const PLATFORM_SHARE_BPS: i64 = 1_000;
/// Instant payouts: 1% of the amount paid out.
pub const INSTANT_PAYOUT_BPS: i64 = 100;
/// The smallest payout: $20.00.
pub const MINIMUM_PAYOUT_CENTS: i64 = 2_000;

/// `amount × bps / 10 000`, rounded half up (amounts are never negative here).
fn share(amount: i64, bps: i64) -> i64 {
    (amount.max(0) * bps + 5_000) / 10_000
}

/// Where every cent of a payment goes (MON-3): `gross = platform_fee + processing_fee + net`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub gross: i64,
    pub platform_fee: i64,
    pub processing_fee: i64,
    pub net: i64,
}

/// What the card processor keeps of a charge of `gross`.
pub fn card_processing_fee(gross: i64) -> i64 {
    if gross <= 0 {
        0
    } else {
        share(gross, CARD_PERCENT_BPS) + CARD_FIXED_CENTS
    }
}

/// A tip of `amount` (Kick In, BOP-5): no platform fee. The fan may cover the processing
/// cost, in which case the charge grows so the artist receives at least `amount`.
pub fn tip(amount: i64, fan_covers_processing: bool) -> Breakdown {
    let gross = if fan_covers_processing {
        // The smallest charge whose net is at least the tip.
        let mut gross = (amount + CARD_FIXED_CENTS) * 10_000 / (10_000 - CARD_PERCENT_BPS);
        while gross - card_processing_fee(gross) < amount {
            gross += 1;
        }
        gross
    } else {
        amount
    };
    let processing_fee = card_processing_fee(gross).min(gross);
    Breakdown {
        gross,
        platform_fee: 0,
        processing_fee,
        net: gross - processing_fee,
    }
}

/// A shop sale or stream revenue of `gross`: 10% to Boptone, processing from the rest.
pub fn sale(gross: i64) -> Breakdown {
    let platform_fee = share(gross, PLATFORM_SHARE_BPS);
    let processing_fee = card_processing_fee(gross).min(gross - platform_fee);
    Breakdown {
        gross,
        platform_fee,
        processing_fee,
        net: gross - platform_fee - processing_fee,
    }
}

text_enum! {
    /// How fast a payout reaches the bank.
    pub enum PayoutSpeed {
        /// Next business day, free.
        Standard = "standard",
        /// Minutes, 1%.
        Instant = "instant",
    }
}

/// The fee for paying out `amount` at `speed`.
pub fn payout_fee(amount: i64, speed: PayoutSpeed) -> i64 {
    match speed {
        PayoutSpeed::Standard => 0,
        PayoutSpeed::Instant => share(amount, INSTANT_PAYOUT_BPS).max(1),
    }
}

/// Why a payout cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutRefusal {
    BelowMinimum,
    ExceedsAvailable,
}

/// Checks a payout of `amount` (fee included) against the rules and the balance.
pub fn check_payout(amount: i64, available: i64) -> Result<(), PayoutRefusal> {
    if amount < MINIMUM_PAYOUT_CENTS {
        return Err(PayoutRefusal::BelowMinimum);
    }
    if amount > available {
        return Err(PayoutRefusal::ExceedsAvailable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_examples() {
        assert_eq!(card_processing_fee(1_000), 59);
        assert_eq!(
            tip(1_000, false),
            Breakdown {
                gross: 1_000,
                platform_fee: 0,
                processing_fee: 59,
                net: 941
            }
        );
        let covered = tip(1_000, true);
        assert_eq!(covered.net, 1_000);
        assert_eq!(covered.gross, 1_061);
        assert_eq!(
            sale(2_000),
            Breakdown {
                gross: 2_000,
                platform_fee: 200,
                processing_fee: 88,
                net: 1_712
            }
        );
        assert_eq!(payout_fee(10_000, PayoutSpeed::Standard), 0);
        assert_eq!(payout_fee(10_000, PayoutSpeed::Instant), 100);
        assert_eq!(check_payout(1_999, 5_000), Err(PayoutRefusal::BelowMinimum));
        assert_eq!(
            check_payout(2_000, 1_999),
            Err(PayoutRefusal::ExceedsAvailable)
        );
        assert_eq!(check_payout(2_000, 2_000), Ok(()));
    }

    proptest! {
        #[test]
        fn every_cent_is_accounted_for(amount in 1i64..10_000_000, cover in any::<bool>()) {
            for b in [tip(amount, cover), sale(amount)] {
                prop_assert_eq!(b.gross, b.platform_fee + b.processing_fee + b.net);
                prop_assert!(b.platform_fee >= 0 && b.processing_fee >= 0 && b.net >= 0);
            }
            prop_assert_eq!(tip(amount, false).platform_fee, 0);
        }

        #[test]
        fn covering_processing_is_the_smallest_charge_that_nets_the_tip(amount in 100i64..1_000_000) {
            let b = tip(amount, true);
            prop_assert!(b.net >= amount);
            let smaller = b.gross - 1;
            prop_assert!(smaller - card_processing_fee(smaller) < amount);
        }

        #[test]
        fn instant_payouts_cost_about_one_percent(amount in MINIMUM_PAYOUT_CENTS..100_000_000) {
            let fee = payout_fee(amount, PayoutSpeed::Instant);
            prop_assert!((fee - amount / 100).abs() <= 1);
            prop_assert_eq!(payout_fee(amount, PayoutSpeed::Standard), 0);
        }
    }
}
