//! Shared widgets.

pub mod icons;
pub mod notifications;
pub mod ui;
