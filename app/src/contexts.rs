//! Contexts shared across pages.

pub mod session;
