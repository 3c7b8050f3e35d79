//! The activation funnel (SPEC ONB-7): the steps towards the first dollar, each
//! recorded as a platform event.

use serde::{Deserialize, Serialize};

use crate::events::EventKind;

/// One row of the activation funnel (ONB-7): how many artists reached each step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub step: FunnelStep,
    pub label: String,
    pub artists: i64,
}

/// A funnel step towards the first dollar (ONB-7), recorded as a platform event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStep {
    SignedUp,
    ProfileCompleted,
    PayoutsEnabled,
    TipsEnabled,
    ProfileShared,
    FirstDollar,
}

impl FunnelStep {
    pub const ALL: [FunnelStep; 6] = [
        Self::SignedUp,
        Self::ProfileCompleted,
        Self::PayoutsEnabled,
        Self::TipsEnabled,
        Self::ProfileShared,
        Self::FirstDollar,
    ];

    /// The platform event that records the step.
    pub fn event(self) -> EventKind {
        match self {
            Self::SignedUp => EventKind::ArtistSignedUp,
            Self::ProfileCompleted => EventKind::ArtistProfileCompleted,
            Self::PayoutsEnabled => EventKind::PayoutsEnabled,
            Self::TipsEnabled => EventKind::TipsEnabled,
            Self::ProfileShared => EventKind::ProfileShared,
            Self::FirstDollar => EventKind::FirstDollar,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SignedUp => "Signed up and paid",
            Self::ProfileCompleted => "Profile set up",
            Self::PayoutsEnabled => "Payouts enabled",
            Self::TipsEnabled => "Kick In turned on",
            Self::ProfileShared => "Profile shared",
            Self::FirstDollar => "First dollar",
        }
    }
}
