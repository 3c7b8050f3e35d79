//! Server functions, grouped by domain. Every one has a stable endpoint under `/api`.

pub mod accounts;
pub mod admin;
pub mod artists;
pub mod bops;
pub mod earnings;
pub mod fans;
pub mod mailbox;
pub mod moderation;
pub mod music;
pub mod notifications;
pub mod onboarding;
pub mod payouts;
pub mod sandbox;
pub mod tips;

#[cfg(feature = "ssr")]
pub mod guards;
