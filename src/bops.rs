//! Bops: artists' short vertical videos (SPEC BOP-1..6). An upload is streamed to
//! storage and checked by its first bytes; a job probes it, makes the HLS renditions
//! and the poster, and publishes it. Shared types live here, so the browser can show
//! them.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod engagement;
#[cfg(feature = "ssr")]
pub mod feed;
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
    /// What fans did with it, and what its tips earned the artist (after processing).
    pub counts: BopCounts,
    pub tip_cents: i64,
}

/// A Bop's public counts (the uploader's own activity never counts, SPEC FAN-6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BopCounts {
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub tips: i64,
}

/// Who posted a Bop, as the feed shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BopArtist {
    pub handle: String,
    pub name: String,
    pub photo_url: Option<String>,
    /// Whether fans can Kick In (tip) to this artist.
    pub kick_in: bool,
}

/// A playable Bop, as one viewer sees it in the feed or on its own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedBop {
    pub id: i64,
    pub artist: BopArtist,
    pub caption: String,
    pub playlist_url: String,
    pub poster_url: String,
    /// The progressive MP4, where there is one: the first Bop of a page starts with it.
    pub mp4_url: Option<String>,
    pub duration_ms: i64,
    pub width: i64,
    pub height: i64,
    pub published_at: i64,
    pub counts: BopCounts,
    /// The viewer likes it / follows its artist / posted it.
    pub liked: bool,
    pub following: bool,
    pub own: bool,
}

/// A Bop opened from a shared link, with the absolute addresses link previews need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedBop {
    pub bop: FeedBop,
    pub page_url: String,
    pub poster_url: String,
    /// The video previews play: the MP4 where there is one, else the HLS playlist.
    pub video_url: String,
    pub video_type: String,
}

/// One page of the feed and the cursor for the next (`None` at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    pub bops: Vec<FeedBop>,
    pub next: Option<String>,
}

/// The longest comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 500;

/// A comment under a Bop, as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BopComment {
    pub id: i64,
    pub author_handle: String,
    pub author_name: String,
    pub body: String,
    pub likes: i64,
    pub created_at: i64,
    /// The viewer likes it / may delete it (its author, or the Bop's artist).
    pub liked: bool,
    pub can_delete: bool,
    /// Written by the Bop's artist / by the viewer.
    pub by_artist: bool,
    pub mine: bool,
}

/// A comment just posted, and the Bop's counts with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedComment {
    pub comment: BopComment,
    pub counts: BopCounts,
}

text_enum! {
    /// How comments are listed.
    pub enum CommentOrder {
        Newest = "newest",
        /// Most liked first.
        Top = "top",
    }
}

/// What a comment says, checked: trimmed, not empty, at most [`COMMENT_MAX_CHARS`].
pub fn check_comment(body: &str) -> Result<String, crate::AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(crate::AppError::field("body", "Write something first."));
    }
    if body.chars().count() > COMMENT_MAX_CHARS {
        return Err(crate::AppError::field(
            "body",
            format!("Keep comments under {COMMENT_MAX_CHARS} characters."),
        ));
    }
    if body.chars().any(|c| c.is_control() && c != '\n') {
        return Err(crate::AppError::field(
            "body",
            "Your comment has characters we can't show.",
        ));
    }
    Ok(body.to_owned())
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

    #[test]
    fn comments_are_checked() {
        assert_eq!(check_comment("  so good \n").expect("valid"), "so good");
        assert!(check_comment("   ").is_err());
        assert!(check_comment(&"a".repeat(COMMENT_MAX_CHARS + 1)).is_err());
        assert!(check_comment(&"é".repeat(COMMENT_MAX_CHARS)).is_ok());
        assert!(check_comment("bell\u{7}").is_err());
    }
}
