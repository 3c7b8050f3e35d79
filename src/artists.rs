//! Artists: the public profile every pillar hangs off (SPEC ONB-3).

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

/// The largest profile photo accepted for upload, before resizing.
pub const PHOTO_MAX_BYTES: usize = 8 * 1024 * 1024;

/// An artist as listings and the public profile show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistCard {
    pub handle: String,
    pub stage_name: String,
    pub bio: String,
    pub location: String,
    pub genres: Vec<String>,
    pub photo_url: Option<String>,
    /// Social links (absolute http(s) URLs, checked at setup).
    pub links: Vec<String>,
    /// Whether fans can Kick In (tip) from the profile.
    pub kick_in: bool,
}

impl ArtistCard {
    /// Up to two initials for an avatar without a photo.
    pub fn initials(&self) -> String {
        self.stage_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_first_two_words() {
        let card = |name: &str| ArtistCard {
            handle: "x_y".into(),
            stage_name: name.into(),
            bio: String::new(),
            location: String::new(),
            genres: vec![],
            photo_url: None,
            links: vec![],
            kick_in: false,
        };
        assert_eq!(card("nova reyes band").initials(), "NR");
        assert_eq!(card("Kōji").initials(), "K");
        assert_eq!(card("").initials(), "");
    }
}
