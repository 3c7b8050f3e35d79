//! Bops: artists' short vertical videos (SPEC BOP-1..6). An upload is streamed to
//! storage and checked by its first bytes; a job probes it, makes the HLS renditions
//! and the poster, and publishes it. Shared types live here, so the browser can show
//! them.

use serde::{Deserialize, Serialize};

pub mod ranking;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod transcode;
#[cfg(feature = "ssr")]
pub mod video;

/// The largest video accepted (SPEC BOP-1); `MAX_VIDEO_BYTES` in the environment
/// lowers or raises it.
pub const MAX_VIDEO_BYTES: u64 = 200 * 1024 * 1024;
/// The longest video accepted.
pub const MAX_DURATION_MS: i64 = 3 * 60 * 1000;
/// The longest caption, in characters.
pub const CAPTION_MAX_CHARS: usize = 2200;

text_enum! {
    /// Where a Bop stands (`bops.state`).
    pub enum BopState {
        /// Uploaded; the job is making its renditions.
        Processing = "processing",
        /// Playable and in the feed.
        Ready = "ready",
        /// Processing failed; `failure` says why, for the artist.
        Failed = "failed",
    }
}

/// A Bop as its artist sees it on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistBop {
    pub id: i64,
    pub caption: String,
    pub state: BopState,
    pub progress: i64,
    pub failure: Option<String>,
    pub duration_ms: Option<i64>,
    pub poster_url: Option<String>,
    pub playlist_url: Option<String>,
    pub created_at: i64,
}

/// The hashtags in a caption, lower-cased, each once, in order (`#NewMusic` → `newmusic`).
pub fn hashtags(caption: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for word in caption.split(|c: char| c.is_whitespace()) {
        let Some(rest) = word.strip_prefix('#') else {
            continue;
        };
        let tag: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .flat_map(char::to_lowercase)
            .collect();
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_found_once_each() {
        assert_eq!(
            hashtags("New single out! #NewMusic #indie, #newmusic #日本 # #x_y"),
            ["newmusic", "indie", "日本", "x_y"]
        );
        assert!(hashtags("no tags here, just a #").is_empty());
    }
}
