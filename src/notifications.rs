//! In-app notifications (SPEC FAN-1): what happened that a person should know about,
//! created from platform events, read in the app and pushed to open tabs.

use serde::{Deserialize, Serialize};

use crate::events::PlatformEvent;

#[cfg(feature = "ssr")]
pub mod service;

/// A notification as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub read: bool,
    pub created_at: i64,
}

/// What a notification says, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub recipient: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

use crate::money::format_amount as amount;

/// The notifications an event gives rise to (none for most).
pub fn drafts_for(event: &PlatformEvent) -> Vec<Draft> {
    match event {
        PlatformEvent::AccountCreated { user_id, display_name } => vec![Draft {
            recipient: *user_id,
            title: format!("Welcome to Boptone, {display_name}!"),
            body: "Find artists you love in Music, and follow them to hear about every new Bop and release.".into(),
            link: Some("/music".into()),
        }],
        // `tip.received` tells the artist about every tip, this one included.
        PlatformEvent::TipReceived { artist_id, amount_cents, currency, bop_id: Some(_), .. } => vec![Draft {
            recipient: *artist_id,
            title: format!("A fan kicked in {} on your Bop", amount(*amount_cents, currency)),
            body: "A Kick In tip from one of your Bops. Boptone takes no fee on tips; see which Bops earn in your dashboard.".into(),
            link: Some("/dashboard/bops".into()),
        }],
        PlatformEvent::TipReceived { artist_id, amount_cents, currency, .. } => vec![Draft {
            recipient: *artist_id,
            title: format!("A fan kicked in {}", amount(*amount_cents, currency)),
            body: "A new Kick In tip. Boptone takes no fee on tips; see it in your earnings.".into(),
            link: Some("/dashboard/earnings".into()),
        }],
        PlatformEvent::FanFollowed { artist_id, .. } => vec![Draft {
            recipient: *artist_id,
            title: "You have a new follower".into(),
            body: "Someone new is following you. Post a Bop to say hello.".into(),
            link: Some("/dashboard".into()),
        }],
        PlatformEvent::OrderCompleted { artist_id, total_cents, currency, .. } => vec![Draft {
            recipient: *artist_id,
            title: format!("New order: {}", amount(*total_cents, currency)),
            body: "A fan bought from your shop.".into(),
            link: Some("/dashboard".into()),
        }],
        PlatformEvent::PayoutPaid { artist_id, amount_cents, currency, .. } => vec![Draft {
            recipient: *artist_id,
            title: format!("{} is on its way to your bank", amount(*amount_cents, currency)),
            body: "Your payout was sent.".into(),
            link: Some("/dashboard".into()),
        }],
        PlatformEvent::ArtistSignedUp { artist_id, .. } => vec![Draft {
            recipient: *artist_id,
            title: "Your plan is active".into(),
            body: "Next: set up your profile, then payouts, and you're ready to earn.".into(),
            link: Some("/dashboard".into()),
        }],
        PlatformEvent::PayoutsEnabled { artist_id } => vec![Draft {
            recipient: *artist_id,
            title: "Payouts are on".into(),
            body: "Money from fans can now reach your bank. Turn on Kick In tips from your dashboard.".into(),
            link: Some("/dashboard".into()),
        }],
        PlatformEvent::PlanPaymentFailed { artist_id } => vec![Draft {
            recipient: *artist_id,
            title: "Your plan's payment failed".into(),
            body: "We'll retry over the next few days. Update your card to keep earning without a break.".into(),
            link: Some("/dashboard#plan".into()),
        }],
        PlatformEvent::ArtistProfileCompleted { .. }
        | PlatformEvent::TipsEnabled { .. }
        | PlatformEvent::ProfileShared { .. }
        | PlatformEvent::FirstDollar { .. }
        | PlatformEvent::BopPublished { .. }
        | PlatformEvent::BopLiked { .. }
        | PlatformEvent::BopViewed { .. }
        | PlatformEvent::BopCommented { .. }
        | PlatformEvent::BopTipReceived { .. }
        | PlatformEvent::TrackPublished { .. }
        | PlatformEvent::ReleasePublished { .. } => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_address_the_right_person() {
        let tip = PlatformEvent::TipReceived {
            tip_id: 1,
            artist_id: 7,
            fan_id: Some(9),
            amount_cents: 500,
            currency: "USD".into(),
            bop_id: Some(2),
        };
        let drafts = drafts_for(&tip);
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].recipient, 7);
        assert_eq!(drafts[0].title, "A fan kicked in $5.00 on your Bop");
        // The Bop's own event adds no second notification for the same tip.
        assert!(
            drafts_for(&PlatformEvent::BopTipReceived {
                tip_id: 1,
                bop_id: 2,
                artist_id: 7,
                fan_id: Some(9),
                amount_cents: 500,
                currency: "USD".into(),
            })
            .is_empty()
        );
        assert!(
            drafts_for(&PlatformEvent::BopPublished {
                bop_id: 1,
                artist_id: 2
            })
            .is_empty()
        );
    }
}
