//! Shared widgets.

pub mod follow;
pub mod gate;
pub mod icons;
pub mod kick_in;
pub mod local_time;
pub mod notifications;
pub mod photo_upload;
pub mod player;
pub mod player_bar;
pub mod ui;
pub mod upload;
