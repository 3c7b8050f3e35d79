//! Platform events (SPEC JOB-2): facts the rest of the platform reacts to.
//!
//! An event is emitted inside the transaction of the write it describes, stored, and
//! dispatched to its handlers as jobs, so a committed fact is never lost and a failing
//! handler retries on its own without holding up the others.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod bus;

/// Every event the platform knows, with its payload. The `type` names are stable: they
/// are stored, and workflow triggers refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PlatformEvent {
    #[serde(rename = "account.created")]
    AccountCreated { user_id: i64, display_name: String },
    #[serde(rename = "artist.signed_up")]
    ArtistSignedUp { artist_id: i64, tier: String },
    #[serde(rename = "artist.profile.completed")]
    ArtistProfileCompleted { artist_id: i64 },
    #[serde(rename = "artist.payouts.enabled")]
    PayoutsEnabled { artist_id: i64 },
    #[serde(rename = "artist.tips.enabled")]
    TipsEnabled { artist_id: i64 },
    #[serde(rename = "artist.profile.shared")]
    ProfileShared { artist_id: i64 },
    /// The artist's first money from a fan (ONB-7's goal).
    #[serde(rename = "artist.first_dollar")]
    FirstDollar { artist_id: i64 },
    #[serde(rename = "artist.plan.payment_failed")]
    PlanPaymentFailed { artist_id: i64 },
    #[serde(rename = "bop.published")]
    BopPublished { bop_id: i64, artist_id: i64 },
    #[serde(rename = "bop.liked")]
    BopLiked {
        bop_id: i64,
        artist_id: i64,
        fan_id: i64,
    },
    #[serde(rename = "bop.tip.received")]
    BopTipReceived {
        tip_id: i64,
        bop_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        amount_cents: i64,
        currency: String,
    },
    #[serde(rename = "tip.received")]
    TipReceived {
        tip_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        /// What the fan tipped (before processing).
        amount_cents: i64,
        currency: String,
    },
    #[serde(rename = "track.published")]
    TrackPublished { track_id: i64, artist_id: i64 },
    #[serde(rename = "order.completed")]
    OrderCompleted {
        order_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        total_cents: i64,
        currency: String,
    },
    #[serde(rename = "fan.followed")]
    FanFollowed { fan_id: i64, artist_id: i64 },
    #[serde(rename = "stripe.payout.paid")]
    PayoutPaid {
        payout_id: i64,
        artist_id: i64,
        amount_cents: i64,
        currency: String,
    },
}

impl PlatformEvent {
    /// The stable name, as stored.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AccountCreated { .. } => "account.created",
            Self::ArtistSignedUp { .. } => "artist.signed_up",
            Self::ArtistProfileCompleted { .. } => "artist.profile.completed",
            Self::PayoutsEnabled { .. } => "artist.payouts.enabled",
            Self::TipsEnabled { .. } => "artist.tips.enabled",
            Self::ProfileShared { .. } => "artist.profile.shared",
            Self::FirstDollar { .. } => "artist.first_dollar",
            Self::PlanPaymentFailed { .. } => "artist.plan.payment_failed",
            Self::BopPublished { .. } => "bop.published",
            Self::BopLiked { .. } => "bop.liked",
            Self::BopTipReceived { .. } => "bop.tip.received",
            Self::TipReceived { .. } => "tip.received",
            Self::TrackPublished { .. } => "track.published",
            Self::OrderCompleted { .. } => "order.completed",
            Self::FanFollowed { .. } => "fan.followed",
            Self::PayoutPaid { .. } => "stripe.payout.paid",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_under_their_stable_names() {
        let events = [
            PlatformEvent::AccountCreated {
                user_id: 1,
                display_name: "Ana".into(),
            },
            PlatformEvent::FanFollowed {
                fan_id: 1,
                artist_id: 2,
            },
            PlatformEvent::ArtistSignedUp {
                artist_id: 2,
                tier: "pro".into(),
            },
            PlatformEvent::PayoutsEnabled { artist_id: 2 },
            PlatformEvent::FirstDollar { artist_id: 2 },
            PlatformEvent::BopTipReceived {
                tip_id: 1,
                bop_id: 2,
                artist_id: 3,
                fan_id: None,
                amount_cents: 500,
                currency: "USD".into(),
            },
            PlatformEvent::PayoutPaid {
                payout_id: 1,
                artist_id: 2,
                amount_cents: 2_000,
                currency: "USD".into(),
            },
        ];
        for event in events {
            let json = serde_json::to_value(&event).expect("serialise");
            assert_eq!(json["type"], event.name());
            assert_eq!(
                serde_json::from_value::<PlatformEvent>(json).expect("parse"),
                event
            );
        }
    }
}
