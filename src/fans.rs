//! Fans and the artists they follow (SPEC FAN-1, FAN-2): follows, follower counts and
//! each fan's loyalty to each artist, which the feed's ranking reads.

use serde::{Deserialize, Serialize};

pub mod loyalty;
#[cfg(feature = "ssr")]
pub mod service;

/// An artist in a fan's Following list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowedArtist {
    pub handle: String,
    pub name: String,
    pub photo_url: Option<String>,
    pub followed_at: i64,
}

/// Whether a fan follows an artist, and how many do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowState {
    pub following: bool,
    pub followers: i64,
}
