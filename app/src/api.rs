//! Server functions, grouped by domain. Every one has a stable endpoint under `/api`.

pub mod accounts;
pub mod admin;
pub mod artists;
pub mod mailbox;
pub mod notifications;

#[cfg(feature = "ssr")]
pub mod guards;
