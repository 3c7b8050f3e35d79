//! Page layouts.

pub mod app_layout;
