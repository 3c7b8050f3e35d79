//! The path from sign-up to the first dollar (SPEC ONB-2..7): the steps, the gate that
//! every revenue action passes (pure rule here, enforced in [`service`]), and the
//! dashboard's checklist. [`gate`] holds the steps and the rule, [`profile`] the
//! profile form, [`funnel`] the activation funnel.

pub mod funnel;
pub mod gate;
pub mod profile;

pub use funnel::{FunnelRow, FunnelStep};
pub use gate::{ArtistStatus, ChecklistItem, Dashboard, OnboardingStep};
pub use profile::{
    GENRES, MAX_GENRES, MAX_LINKS, ProfileDraft, ProfileForm, ProfileInput, link_label, social_link,
};

#[cfg(feature = "ssr")]
pub mod service;
