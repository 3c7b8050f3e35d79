//! Platform events (SPEC JOB-2): facts the rest of the platform reacts to.
//!
//! An event is emitted inside the transaction of the write it describes, stored, and
//! dispatched to its handlers as jobs, so a committed fact is never lost and a failing
//! handler retries on its own without holding up the others.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod bus;

/// Declares [`PlatformEvent`] and [`EventKind`] from one list, so an event's stable name
/// is written once: the serde tag, `name()` and every reader (the funnel, workflow
/// triggers) take it from here.
macro_rules! platform_events {
    ($(
        $(#[$doc:meta])*
        $name:literal => $variant:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }
    ),* $(,)?) => {
        /// Every event the platform knows, with its payload. The `type` names are
        /// stable: they are stored, and workflow triggers refer to them.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum PlatformEvent {
            $(
                $(#[$doc])*
                #[serde(rename = $name)]
                $variant { $($(#[$fdoc])* $field: $ty),* },
            )*
        }

        /// What kind of event, without its payload.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventKind {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(Self::$variant),*];

            /// The stable name, as stored.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }

        impl PlatformEvent {
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Self::$variant { .. } => EventKind::$variant,)*
                }
            }
        }
    };
}

platform_events! {
    "account.created" => AccountCreated { user_id: i64, display_name: String },
    "artist.signed_up" => ArtistSignedUp { artist_id: i64, tier: String },
    "artist.profile.completed" => ArtistProfileCompleted { artist_id: i64 },
    "artist.payouts.enabled" => PayoutsEnabled { artist_id: i64 },
    "artist.tips.enabled" => TipsEnabled { artist_id: i64 },
    "artist.profile.shared" => ProfileShared { artist_id: i64 },
    /// The artist's first money from a fan (ONB-7's goal).
    "artist.first_dollar" => FirstDollar { artist_id: i64 },
    "artist.plan.payment_failed" => PlanPaymentFailed { artist_id: i64 },
    "bop.published" => BopPublished { bop_id: i64, artist_id: i64 },
    "bop.liked" => BopLiked { bop_id: i64, artist_id: i64, fan_id: i64 },
    /// A signed-in fan's counted view (anonymous views are counted, not announced).
    "bop.viewed" => BopViewed { bop_id: i64, artist_id: i64, fan_id: i64 },
    "bop.commented" => BopCommented { bop_id: i64, artist_id: i64, fan_id: i64, comment_id: i64 },
    "bop.tip.received" => BopTipReceived {
        tip_id: i64,
        bop_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        amount_cents: i64,
        currency: String,
    },
    "tip.received" => TipReceived {
        tip_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        /// What the fan tipped (before processing).
        amount_cents: i64,
        currency: String,
        /// The Bop the tip came from, if any (`bop.tip.received` follows).
        #[serde(default)]
        bop_id: Option<i64>,
    },
    "track.published" => TrackPublished { track_id: i64, artist_id: i64 },
    /// A release published (its tracks' `track.published` come with it).
    "release.published" => ReleasePublished { release_id: i64, artist_id: i64 },
    "order.completed" => OrderCompleted {
        order_id: i64,
        artist_id: i64,
        fan_id: Option<i64>,
        total_cents: i64,
        currency: String,
    },
    "fan.followed" => FanFollowed { fan_id: i64, artist_id: i64 },
    "stripe.payout.paid" => PayoutPaid {
        payout_id: i64,
        artist_id: i64,
        amount_cents: i64,
        currency: String,
    },
}

impl PlatformEvent {
    /// The stable name, as stored.
    pub fn name(&self) -> &'static str {
        self.kind().name()
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

    #[test]
    fn every_kind_parses_from_its_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.name()), Some(*kind));
            let json = serde_json::to_value(kind).expect("serialise");
            assert_eq!(json, kind.name());
        }
        assert_eq!(EventKind::parse("tip.recieved"), None);
    }
}
