//! Boptone's business: domain types and rules with no IO, compiled for the browser and
//! the server alike, and — behind feature `ssr` — the services that carry them out
//! against the database, mail and the other outside parts.

#[macro_use]
mod macros;

pub mod accounts;
pub mod artists;
pub mod bops;
pub mod earnings;
pub mod error;
pub mod events;
pub mod fans;
pub mod fees;
pub mod jobs;
pub mod ledger;
pub mod moderation;
pub mod money;
pub mod music;
pub mod notifications;
pub mod onboarding;
pub mod payments;
pub mod payouts;
pub mod reconciliation;
pub mod time;
pub mod tips;
pub mod urls;

#[cfg(feature = "ssr")]
pub mod background;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod ratelimit;
#[cfg(feature = "ssr")]
pub mod realtime;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod signup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{AppError, FieldError};
