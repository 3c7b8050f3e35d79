//! Contexts shared across pages.

pub mod live;
pub mod player;
pub mod session;
