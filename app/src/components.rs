//! Shared widgets.

pub mod icons;
pub mod ui;
