//! The revenue gate (SPEC ONB-5, ONB-6): the steps an artist must finish before
//! money can flow, where they stand, and the dashboard's checklist.

use serde::{Deserialize, Serialize};

use crate::payments::{SubscriptionStatus, Tier};

/// A step an artist must finish before money can flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnboardingStep {
    /// A plan in good standing.
    Plan,
    /// Stage name, handle, bio, genres and photo.
    Profile,
    /// A payout account the provider has enabled.
    Payouts,
}

impl OnboardingStep {
    /// Where the artist finishes this step.
    pub fn path(self) -> &'static str {
        match self {
            Self::Plan => "/artist/signup",
            Self::Profile => "/artist/setup",
            Self::Payouts => "/artist/payout",
        }
    }

    /// Why a revenue action was refused, naming what to do.
    pub fn message(self) -> &'static str {
        match self {
            Self::Plan => "Choose a Boptone plan to start earning.",
            Self::Profile => "Finish setting up your profile to start earning.",
            Self::Payouts => "Set up payouts so the money has somewhere to go.",
        }
    }
}

/// What the gate and the dashboard know about an artist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistStatus {
    pub user_id: i64,
    pub handle: String,
    pub stage_name: String,
    pub photo_url: Option<String>,
    pub tier: Tier,
    pub subscription: Option<SubscriptionStatus>,
    /// When the current period ends (unix ms), if the provider said.
    pub renews_at: Option<i64>,
    pub cancel_at_period_end: bool,
    pub profile_complete: bool,
    pub payout_account: bool,
    pub payout_details_submitted: bool,
    pub payouts_enabled: bool,
    pub tips_enabled: bool,
    pub shared_profile: bool,
    pub first_dollar: bool,
}

impl ArtistStatus {
    /// The gate (ONB-6): the first step still missing before money can flow, if any.
    pub fn first_missing_step(&self) -> Option<OnboardingStep> {
        if !self
            .subscription
            .is_some_and(SubscriptionStatus::in_good_standing)
        {
            Some(OnboardingStep::Plan)
        } else if !self.profile_complete {
            Some(OnboardingStep::Profile)
        } else if !self.payouts_enabled {
            Some(OnboardingStep::Payouts)
        } else {
            None
        }
    }

    /// The dashboard's setup checklist (ONB-5, ONB-7): every step with its state and
    /// link. The first dollar itself is the goal the checklist leads to, shown apart.
    pub fn checklist(&self) -> Vec<ChecklistItem> {
        let payouts_detail = if self.payouts_enabled {
            "Payouts are on: money reaches your bank."
        } else if self.payout_details_submitted {
            "Your details are with our payment partner for review."
        } else {
            "Connect a bank account so fans' money can reach you."
        };
        vec![
            ChecklistItem {
                key: "plan".into(),
                title: "Choose your plan".into(),
                detail: format!("{} plan", self.tier.plan().name),
                done: self
                    .subscription
                    .is_some_and(SubscriptionStatus::in_good_standing),
                href: OnboardingStep::Plan.path().into(),
            },
            ChecklistItem {
                key: "profile".into(),
                title: "Set up your profile".into(),
                detail: "Stage name, photo, bio and genres: what fans see first.".into(),
                done: self.profile_complete,
                href: OnboardingStep::Profile.path().into(),
            },
            ChecklistItem {
                key: "payouts".into(),
                title: "Set up payouts".into(),
                detail: payouts_detail.into(),
                done: self.payouts_enabled,
                href: OnboardingStep::Payouts.path().into(),
            },
            ChecklistItem {
                key: "tips".into(),
                title: "Turn on Kick In tips".into(),
                detail: "Let fans tip you from your profile. You keep 100%; Boptone takes no fee."
                    .into(),
                done: self.tips_enabled,
                href: "/dashboard#kick-in".into(),
            },
            ChecklistItem {
                key: "share".into(),
                title: "Share your profile".into(),
                detail: "Post your link or QR code where your fans already are.".into(),
                done: self.shared_profile,
                href: "/dashboard#share".into(),
            },
        ]
    }
}

/// One line of the dashboard checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub title: String,
    pub detail: String,
    pub done: bool,
    pub href: String,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub status: ArtistStatus,
    pub checklist: Vec<ChecklistItem>,
    pub next_step: Option<OnboardingStep>,
    pub profile_url: String,
    /// The profile URL as a QR code, an SVG document.
    pub qr_svg: String,
    pub plan_name: String,
    pub plan_price: String,
    pub plan_status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> ArtistStatus {
        ArtistStatus {
            user_id: 1,
            handle: "nova".into(),
            stage_name: "Nova".into(),
            photo_url: None,
            tier: Tier::Starter,
            subscription: Some(SubscriptionStatus::Active),
            renews_at: None,
            cancel_at_period_end: false,
            profile_complete: true,
            payout_account: true,
            payout_details_submitted: true,
            payouts_enabled: true,
            tips_enabled: false,
            shared_profile: false,
            first_dollar: false,
        }
    }

    #[test]
    fn the_gate_names_the_first_missing_step() {
        assert_eq!(ready().first_missing_step(), None);
        let no_payouts = ArtistStatus {
            payouts_enabled: false,
            ..ready()
        };
        assert_eq!(
            no_payouts.first_missing_step(),
            Some(OnboardingStep::Payouts)
        );
        let nothing = ArtistStatus {
            subscription: None,
            profile_complete: false,
            payouts_enabled: false,
            ..ready()
        };
        assert_eq!(nothing.first_missing_step(), Some(OnboardingStep::Plan));
        let canceled = ArtistStatus {
            subscription: Some(SubscriptionStatus::Canceled),
            ..ready()
        };
        assert_eq!(canceled.first_missing_step(), Some(OnboardingStep::Plan));
        let no_profile = ArtistStatus {
            profile_complete: false,
            ..ready()
        };
        assert_eq!(
            no_profile.first_missing_step(),
            Some(OnboardingStep::Profile)
        );
    }

    #[test]
    fn the_checklist_mirrors_the_status() {
        let items = ready().checklist();
        let done: Vec<_> = items
            .iter()
            .filter(|i| i.done)
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(done, ["plan", "profile", "payouts"]);
        assert_eq!(items.len(), 5);
        assert_eq!(items.last().map(|i| i.key.as_str()), Some("share"));
    }
}
