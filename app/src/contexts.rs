//! Contexts shared across pages.

pub mod live;
pub mod session;
