//! One page per file, grouped by area.

pub mod accounts;
pub mod admin;
pub mod artist;
pub mod dev;
pub mod feed;
pub mod home;
pub mod music;
pub mod not_found_page;
pub mod notifications;
pub mod sandbox;
pub mod shop;
