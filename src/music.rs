//! Music (SPEC MUS-1..4): tracks, the releases that gather them (single, EP, album),
//! their codes (ISRC, UPC/EAN) and credits. An upload streams to storage and is
//! checked by its first bytes; a job probes it, makes the AAC stream and the waveform.
//! Shared types live here, so the browser can show them.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod audio;
pub mod codes;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod transcode;

/// The largest audio file accepted; `MAX_AUDIO_BYTES` in the environment lowers or
/// raises it.
pub const MAX_AUDIO_BYTES: u64 = 500 * 1024 * 1024;
/// The longest track accepted.
pub const MAX_TRACK_MS: i64 = 60 * 60 * 1000;
/// The longest title (track or release), in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// The most credits a track lists.
pub const MAX_CREDITS: usize = 20;

text_enum! {
    /// Where a track's processing stands (`tracks.state`).
    pub enum TrackState {
        /// Uploaded; the job is making its stream and waveform.
        Processing = "processing",
        /// Playable once its release is out.
        Ready = "ready",
        /// Processing failed; `failure` says why, for the artist.
        Failed = "failed",
    }
}

text_enum! {
    /// What a release is (`releases.kind`).
    pub enum ReleaseKind {
        /// One song (up to three tracks: a song and its versions).
        Single = "single",
        /// A short record, up to six tracks.
        Ep = "ep",
        /// A full record.
        Album = "album",
    }
}

impl ReleaseKind {
    /// The most tracks a release of this kind holds.
    pub fn max_tracks(self) -> usize {
        match self {
            Self::Single => 3,
            Self::Ep => 6,
            Self::Album => 100,
        }
    }

    /// As a person says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Single => "Single",
            Self::Ep => "EP",
            Self::Album => "Album",
        }
    }
}

/// One credit on a track: who did what ("Producer", "Dana Reyes").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub role: String,
    pub name: String,
}

/// A track as its artist sees it on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistTrack {
    pub id: i64,
    pub title: String,
    pub state: TrackState,
    pub progress: i64,
    pub failure: Option<String>,
    pub duration_ms: Option<i64>,
    pub isrc: Option<String>,
    /// The release it is on, if any.
    pub release_id: Option<i64>,
    pub created_at: i64,
}

/// A release as its artist sees it on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistRelease {
    pub id: i64,
    pub kind: ReleaseKind,
    pub title: String,
    pub slug: String,
    pub artwork_url: Option<String>,
    pub release_at: i64,
    pub published: bool,
    pub tracks: i64,
}

/// A published release in a list (a profile's Music, new releases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSummary {
    pub kind: ReleaseKind,
    pub title: String,
    pub slug: String,
    pub artwork_url: Option<String>,
    pub release_at: i64,
    pub handle: String,
    pub artist_name: String,
}

impl ReleaseSummary {
    /// Its page.
    pub fn url(&self) -> String {
        format!("/@{}/releases/{}", self.handle, self.slug)
    }
}

/// A release as its editor opens it: the form as saved, and what is not in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseEdit {
    pub id: i64,
    pub form: ReleaseForm,
    /// Its address: `/@handle/releases/slug`.
    pub handle: String,
    pub slug: String,
    pub artwork_url: Option<String>,
    pub published: bool,
}

/// A track on a release page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackView {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub duration_ms: i64,
    /// Shown as `US-RC1-76-07839`.
    pub isrc: Option<String>,
    pub credits: Vec<Credit>,
    /// The AAC stream; `None` until the release is out (a pre-release).
    pub stream_url: Option<String>,
    /// About 1,000 peaks, 0 to 255.
    pub peaks: Vec<u8>,
}

/// Who made a release, as its page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseArtist {
    pub id: i64,
    pub handle: String,
    pub name: String,
}

/// A release, as a fan (or, for a draft, its artist) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseView {
    pub id: i64,
    pub artist: ReleaseArtist,
    pub kind: ReleaseKind,
    pub title: String,
    pub slug: String,
    pub genre: String,
    pub upc: Option<String>,
    pub artwork_url: Option<String>,
    /// The release day (UTC midnight, unix ms).
    pub release_at: i64,
    /// Published (a draft is seen by its artist alone).
    pub published: bool,
    /// Published and its day has come: its tracks play.
    pub out: bool,
    pub tracks: Vec<TrackView>,
}

/// A track as the player holds it: enough to play it and show what plays, here and on
/// the lock screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayableTrack {
    pub id: i64,
    pub title: String,
    pub artist: String,
    pub release: String,
    /// The release's page.
    pub release_url: String,
    pub artwork_url: Option<String>,
    pub stream_url: String,
    pub duration_ms: i64,
    pub peaks: Vec<u8>,
}

impl ReleaseView {
    /// Its playable tracks, in order (none before it is out, except for its artist).
    pub fn playable(&self) -> Vec<PlayableTrack> {
        self.tracks
            .iter()
            .filter_map(|t| {
                Some(PlayableTrack {
                    id: t.id,
                    title: t.title.clone(),
                    artist: self.artist.name.clone(),
                    release: self.title.clone(),
                    release_url: format!("/@{}/releases/{}", self.artist.handle, self.slug),
                    artwork_url: self.artwork_url.clone(),
                    stream_url: t.stream_url.clone()?,
                    duration_ms: t.duration_ms,
                    peaks: t.peaks.clone(),
                })
            })
            .collect()
    }
}

/// A release opened from its address, with the absolute addresses link previews and
/// search engines need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRelease {
    pub release: ReleaseView,
    pub page_url: String,
    pub artist_url: String,
    pub artwork_url: Option<String>,
}

impl SharedRelease {
    /// The release as schema.org `MusicAlbum` JSON-LD, with its tracks as
    /// `MusicRecording`s, safe to put inside a `<script>` element.
    pub fn json_ld(&self) -> String {
        let r = &self.release;
        let kind = match r.kind {
            ReleaseKind::Single => "SingleRelease",
            ReleaseKind::Ep => "EPRelease",
            ReleaseKind::Album => "AlbumRelease",
        };
        let tracks: Vec<serde_json::Value> = r
            .tracks
            .iter()
            .map(|t| {
                let mut track = serde_json::json!({
                    "@type": "MusicRecording",
                    "name": t.title,
                    "position": t.position,
                    "duration": iso_duration(t.duration_ms),
                    "byArtist": { "@type": "MusicGroup", "name": r.artist.name },
                });
                if let Some(isrc) = &t.isrc {
                    track["isrcCode"] = isrc.replace('-', "").into();
                }
                track
            })
            .collect();
        let mut album = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "MusicAlbum",
            "name": r.title,
            "url": self.page_url,
            "albumReleaseType": kind,
            "datePublished": crate::time::iso_day(r.release_at),
            "numTracks": r.tracks.len(),
            "byArtist": { "@type": "MusicGroup", "name": r.artist.name, "url": self.artist_url },
            "track": tracks,
        });
        if let Some(image) = &self.artwork_url {
            album["image"] = image.clone().into();
        }
        if !r.genre.is_empty() {
            album["genre"] = r.genre.clone().into();
        }
        // Nothing in it may read as markup: `</script>` inside a string would end the
        // element early, and the page's renderer escapes `<`, `>` and `&` in text.
        album
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

/// `PT3M5S`: a length as ISO 8601 says it.
pub fn iso_duration(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("PT{h}H{m}M{s}S")
    } else {
        format!("PT{m}M{s}S")
    }
}

/// One track's place on a release being saved: its title, codes and credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackEntry {
    pub track_id: i64,
    pub title: String,
    pub isrc: String,
    /// Absent when empty (a form cannot send an empty list).
    #[serde(default)]
    pub credits: Vec<Credit>,
}

/// A release as its form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseForm {
    pub kind: String,
    pub title: String,
    pub genre: String,
    pub upc: String,
    /// `YYYY-MM-DD`.
    pub release_date: String,
    /// In order; absent when empty.
    #[serde(default)]
    pub tracks: Vec<TrackEntry>,
}

/// The part of an address a title makes: lower case letters and digits joined by
/// hyphens ("Night Trains (Live)" → `night-trains-live`), `release` when nothing is
/// left.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if let Some(plain) = fold_accent(c) {
            slug.push_str(plain);
        } else if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "release".into()
    } else {
        slug.to_owned()
    }
}

/// The plain letters of a common accented Latin letter (lower case).
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ß' => "ss",
        'ś' | 'š' => "s",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ł' => "l",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_release_reads_as_schema_org_json_ld() {
        let shared = SharedRelease {
            release: ReleaseView {
                id: 1,
                artist: ReleaseArtist {
                    id: 2,
                    handle: "nova".into(),
                    name: "Nova </script> Reyes".into(),
                },
                kind: ReleaseKind::Ep,
                title: "Night Trains".into(),
                slug: "night-trains".into(),
                genre: "Folk".into(),
                upc: None,
                artwork_url: None,
                release_at: 1_700_000_000_000,
                published: true,
                out: true,
                tracks: vec![TrackView {
                    id: 3,
                    position: 1,
                    title: "One".into(),
                    duration_ms: 185_400,
                    isrc: Some("US-RC1-76-07839".into()),
                    credits: vec![],
                    stream_url: None,
                    peaks: vec![],
                }],
            },
            page_url: "https://boptone.app/@nova/releases/night-trains".into(),
            artist_url: "https://boptone.app/@nova".into(),
            artwork_url: Some("https://boptone.app/media/a.jpg".into()),
        };
        let text = shared.json_ld();
        assert!(!text.contains(['<', '>', '&']), "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(json["@type"], "MusicAlbum");
        assert_eq!(json["albumReleaseType"], "EPRelease");
        assert_eq!(json["datePublished"], "2023-11-14");
        assert_eq!(json["image"], "https://boptone.app/media/a.jpg");
        assert_eq!(json["byArtist"]["name"], "Nova </script> Reyes");
        assert_eq!(json["track"][0]["@type"], "MusicRecording");
        assert_eq!(json["track"][0]["duration"], "PT3M5S");
        assert_eq!(json["track"][0]["isrcCode"], "USRC17607839");
        assert_eq!(iso_duration(3_723_000), "PT1H2M3S");
    }

    #[test]
    fn titles_make_readable_slugs() {
        assert_eq!(slugify("Night Trains (Live)"), "night-trains-live");
        assert_eq!(slugify("  Rivers & Roads!! "), "rivers-roads");
        assert_eq!(slugify("Café Ölé"), "cafe-ole");
        assert_eq!(slugify("夜の電車"), "release");
        assert_eq!(slugify("???"), "release");
    }

    proptest! {
        #[test]
        fn slugs_are_safe_in_an_address(title in "\\PC{0,120}") {
            let slug = slugify(&title);
            prop_assert!(!slug.is_empty() && slug.len() <= 60);
            prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        }
    }
}
