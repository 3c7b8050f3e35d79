//! The artist's public profile as they fill it in (SPEC ONB-3): the form, its rules,
//! genres and social links.

use serde::{Deserialize, Serialize};

use crate::{FieldError, accounts::Handle, error::AppError};

/// The genres an artist can pick from (a fixed list keeps discovery consistent).
pub const GENRES: &[&str] = &[
    "Afrobeats",
    "Alternative",
    "Ambient",
    "Bedroom Pop",
    "Blues",
    "Classical",
    "Country",
    "Drill",
    "Electronic",
    "Folk",
    "Funk",
    "Gospel",
    "Highlife",
    "Hip-Hop",
    "House",
    "Indie",
    "Indie Pop",
    "Jazz",
    "K-Pop",
    "Latin",
    "Lo-Fi",
    "Metal",
    "Neo-Soul",
    "Pop",
    "Punk",
    "R&B",
    "Reggae",
    "Rock",
    "Singer-Songwriter",
    "Soul",
    "Surf Rock",
    "Synthwave",
    "Techno",
];

/// At most this many genres per artist.
pub const MAX_GENRES: usize = 3;
/// At most this many social links per artist.
pub const MAX_LINKS: usize = 5;

/// The profile setup form as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub stage_name: String,
    pub handle: String,
    pub bio: String,
    pub location: String,
    pub genres: Vec<String>,
    pub links: Vec<String>,
}

/// A checked profile: every field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInput {
    pub stage_name: String,
    pub handle: Handle,
    pub bio: String,
    pub location: String,
    pub genres: Vec<String>,
    pub links: Vec<String>,
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ProfileInput {
    /// Checks every field, one message per bad field.
    pub fn parse(form: &ProfileForm) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let stage_name = collapse(&form.stage_name);
        if stage_name.is_empty() {
            errors.push(FieldError::new(
                "stage_name",
                "Enter the name fans know you by.",
            ));
        } else if stage_name.chars().count() > 60 {
            errors.push(FieldError::new(
                "stage_name",
                "Keep your stage name to 60 characters or fewer.",
            ));
        }
        let handle = Handle::parse(&form.handle)
            .map_err(|m| errors.push(FieldError::new("handle", m)))
            .ok();
        let bio = form.bio.trim().replace("\r\n", "\n");
        if bio.chars().count() < 20 {
            errors.push(FieldError::new(
                "bio",
                "Tell fans a little about you: at least 20 characters.",
            ));
        } else if bio.chars().count() > 1000 {
            errors.push(FieldError::new(
                "bio",
                "Keep your bio to 1,000 characters or fewer.",
            ));
        }
        let location = collapse(&form.location);
        if location.chars().count() > 80 {
            errors.push(FieldError::new(
                "location",
                "Keep your location to 80 characters or fewer.",
            ));
        }
        let mut genres: Vec<String> = Vec::new();
        for genre in form
            .genres
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
        {
            match GENRES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(genre))
            {
                Some(known) if !genres.iter().any(|g| g == known) => {
                    genres.push((*known).to_owned())
                }
                Some(_) => {}
                None => {
                    errors.push(FieldError::new("genres", "Pick genres from the list."));
                    break;
                }
            }
        }
        if genres.is_empty() {
            errors.push(FieldError::new("genres", "Pick at least one genre."));
        } else if genres.len() > MAX_GENRES {
            errors.push(FieldError::new("genres", "Pick up to 3 genres."));
        }
        let mut links = Vec::new();
        for link in form
            .links
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
        {
            match social_link(link) {
                Ok(url) => links.push(url),
                Err(message) => {
                    errors.push(FieldError::new("links", message));
                    break;
                }
            }
        }
        if links.len() > MAX_LINKS {
            errors.push(FieldError::new("links", "Add up to 5 links."));
        }
        match handle {
            Some(handle) if errors.is_empty() => Ok(Self {
                stage_name,
                handle,
                bio,
                location,
                genres,
                links,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// A social link: an absolute http(s) URL with a real host. `instagram.com/nova`
/// gets `https://` in front.
pub fn social_link(input: &str) -> Result<String, &'static str> {
    const BAD: &str = "Links must be web addresses like https://instagram.com/yourname.";
    let url = if input.starts_with("https://") || input.starts_with("http://") {
        input.to_owned()
    } else if input.contains("://") {
        return Err(BAD);
    } else {
        format!("https://{input}")
    };
    if url.len() > 200
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        return Err(BAD);
    }
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let valid_host = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if !valid_host || rest.contains('@') {
        return Err(BAD);
    }
    Ok(url)
}

/// What a link is called on a profile: the site's name for well-known ones.
pub fn link_label(url: &str) -> String {
    let host = url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let known = [
        ("instagram.com", "Instagram"),
        ("tiktok.com", "TikTok"),
        ("youtube.com", "YouTube"),
        ("youtu.be", "YouTube"),
        ("x.com", "X"),
        ("twitter.com", "X"),
        ("facebook.com", "Facebook"),
        ("soundcloud.com", "SoundCloud"),
        ("bandcamp.com", "Bandcamp"),
        ("open.spotify.com", "Spotify"),
        ("spotify.com", "Spotify"),
        ("music.apple.com", "Apple Music"),
        ("threads.net", "Threads"),
    ];
    known
        .iter()
        .find(|(domain, _)| host == *domain || host.ends_with(&format!(".{domain}")))
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or(host)
}

/// What the setup form starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    pub stage_name: String,
    pub handle: String,
    pub bio: String,
    pub location: String,
    pub genres: Vec<String>,
    pub links: Vec<String>,
    pub photo_url: Option<String>,
    pub completed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProfileForm {
        ProfileForm {
            stage_name: "  Nova   Reyes ".into(),
            handle: "@Nova_Reyes".into(),
            bio: "Bedroom-pop songwriter from Austin.".into(),
            location: "Austin, TX".into(),
            genres: vec!["indie pop".into(), "Indie Pop".into(), "Bedroom Pop".into()],
            links: vec!["instagram.com/nova".into(), "".into()],
        }
    }

    #[test]
    fn a_good_profile_is_normalised() {
        let input = ProfileInput::parse(&form()).expect("valid");
        assert_eq!(input.stage_name, "Nova Reyes");
        assert_eq!(input.handle.as_str(), "nova_reyes");
        assert_eq!(input.genres, ["Indie Pop", "Bedroom Pop"]);
        assert_eq!(input.links, ["https://instagram.com/nova"]);
    }

    #[test]
    fn each_bad_field_gets_its_message() {
        let bad = ProfileForm {
            stage_name: " ".into(),
            handle: "1x".into(),
            bio: "short".into(),
            location: "x".repeat(81),
            genres: vec!["Polka Trap".into()],
            links: vec!["javascript:alert(1)".into()],
        };
        let err = ProfileInput::parse(&bad).expect_err("should be refused");
        for field in ["stage_name", "handle", "bio", "location", "genres", "links"] {
            assert!(err.field_message(field).is_some(), "{field}");
        }
        let too_many = ProfileForm {
            genres: vec!["Pop".into(), "Rock".into(), "Jazz".into(), "Soul".into()],
            ..form()
        };
        assert!(
            ProfileInput::parse(&too_many)
                .expect_err("should be refused")
                .field_message("genres")
                .is_some()
        );
    }

    #[test]
    fn links_must_be_real_web_addresses() {
        assert_eq!(
            social_link("https://open.spotify.com/artist/1"),
            Ok("https://open.spotify.com/artist/1".into())
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.com",
            "https://localhost",
            "https://user@evil.com",
            "https://exa mple.com",
            "https://x.c0m",
            "https://\"onmouseover=x.com",
        ] {
            assert!(social_link(bad).is_err(), "{bad}");
        }
        assert_eq!(link_label("https://www.instagram.com/nova"), "Instagram");
        assert_eq!(link_label("https://novareyes.bandcamp.com/"), "Bandcamp");
        assert_eq!(link_label("https://novareyes.com/tour"), "novareyes.com");
    }
}
