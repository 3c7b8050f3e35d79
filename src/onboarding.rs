//! The path from sign-up to the first dollar (SPEC ONB-2..7): the steps, the gate that
//! every revenue action passes (pure rule here, enforced in [`service`]), and the
//! dashboard's checklist.

use serde::{Deserialize, Serialize};

use crate::{
    FieldError,
    accounts::Handle,
    error::AppError,
    payments::{SubscriptionStatus, Tier},
};

#[cfg(feature = "ssr")]
pub mod service;

/// A step an artist must finish before money can flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnboardingStep {
    /// A plan in good standing.
    Plan,
    /// Stage name, handle, bio, genres and photo.
    Profile,
    /// A payout account the provider has enabled.
    Payouts,
}

impl OnboardingStep {
    /// Where the artist finishes this step.
    pub fn path(self) -> &'static str {
        match self {
            Self::Plan => "/artist/signup",
            Self::Profile => "/artist/setup",
            Self::Payouts => "/artist/payout",
        }
    }

    /// Why a revenue action was refused, naming what to do.
    pub fn message(self) -> &'static str {
        match self {
            Self::Plan => "Choose a Boptone plan to start earning.",
            Self::Profile => "Finish setting up your profile to start earning.",
            Self::Payouts => "Set up payouts so the money has somewhere to go.",
        }
    }
}

/// What the gate and the dashboard know about an artist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistStatus {
    pub user_id: i64,
    pub handle: String,
    pub stage_name: String,
    pub photo_url: Option<String>,
    pub tier: Tier,
    pub subscription: Option<SubscriptionStatus>,
    /// When the current period ends (unix ms), if the provider said.
    pub renews_at: Option<i64>,
    pub cancel_at_period_end: bool,
    pub profile_complete: bool,
    pub payout_account: bool,
    pub payout_details_submitted: bool,
    pub payouts_enabled: bool,
    pub tips_enabled: bool,
    pub shared_profile: bool,
    pub first_dollar: bool,
}

impl ArtistStatus {
    /// The gate (ONB-6): the first step still missing before money can flow, if any.
    pub fn first_missing_step(&self) -> Option<OnboardingStep> {
        if !self
            .subscription
            .is_some_and(SubscriptionStatus::in_good_standing)
        {
            Some(OnboardingStep::Plan)
        } else if !self.profile_complete {
            Some(OnboardingStep::Profile)
        } else if !self.payouts_enabled {
            Some(OnboardingStep::Payouts)
        } else {
            None
        }
    }

    /// The dashboard's setup checklist (ONB-5, ONB-7): every step with its state and
    /// link. The first dollar itself is the goal the checklist leads to, shown apart.
    pub fn checklist(&self) -> Vec<ChecklistItem> {
        let payouts_detail = if self.payouts_enabled {
            "Payouts are on: money reaches your bank."
        } else if self.payout_details_submitted {
            "Your details are with our payment partner for review."
        } else {
            "Connect a bank account so fans' money can reach you."
        };
        vec![
            ChecklistItem {
                key: "plan".into(),
                title: "Choose your plan".into(),
                detail: format!("{} plan", self.tier.plan().name),
                done: self
                    .subscription
                    .is_some_and(SubscriptionStatus::in_good_standing),
                href: "/artist/signup".into(),
            },
            ChecklistItem {
                key: "profile".into(),
                title: "Set up your profile".into(),
                detail: "Stage name, photo, bio and genres: what fans see first.".into(),
                done: self.profile_complete,
                href: "/artist/setup".into(),
            },
            ChecklistItem {
                key: "payouts".into(),
                title: "Set up payouts".into(),
                detail: payouts_detail.into(),
                done: self.payouts_enabled,
                href: "/artist/payout".into(),
            },
            ChecklistItem {
                key: "tips".into(),
                title: "Turn on Kick In tips".into(),
                detail: "Let fans tip you from your profile. You keep 100%; Boptone takes no fee."
                    .into(),
                done: self.tips_enabled,
                href: "/dashboard#kick-in".into(),
            },
            ChecklistItem {
                key: "share".into(),
                title: "Share your profile".into(),
                detail: "Post your link or QR code where your fans already are.".into(),
                done: self.shared_profile,
                href: "/dashboard#share".into(),
            },
        ]
    }
}

/// One line of the dashboard checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub title: String,
    pub detail: String,
    pub done: bool,
    pub href: String,
}

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

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub status: ArtistStatus,
    pub checklist: Vec<ChecklistItem>,
    pub next_step: Option<OnboardingStep>,
    pub profile_url: String,
    /// The profile URL as a QR code, an SVG document.
    pub qr_svg: String,
    pub plan_name: String,
    pub plan_price: String,
    pub plan_status: String,
}

/// One row of the activation funnel (ONB-7): how many artists reached each step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub step: FunnelStep,
    pub label: String,
    pub artists: i64,
}

/// A funnel step towards the first dollar (ONB-7), recorded as a platform event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStep {
    SignedUp,
    ProfileCompleted,
    PayoutsEnabled,
    TipsEnabled,
    ProfileShared,
    FirstDollar,
}

impl FunnelStep {
    pub const ALL: [FunnelStep; 6] = [
        Self::SignedUp,
        Self::ProfileCompleted,
        Self::PayoutsEnabled,
        Self::TipsEnabled,
        Self::ProfileShared,
        Self::FirstDollar,
    ];

    /// The platform event that records the step.
    pub fn event(self) -> &'static str {
        match self {
            Self::SignedUp => "artist.signed_up",
            Self::ProfileCompleted => "artist.profile.completed",
            Self::PayoutsEnabled => "artist.payouts.enabled",
            Self::TipsEnabled => "artist.tips.enabled",
            Self::ProfileShared => "artist.profile.shared",
            Self::FirstDollar => "artist.first_dollar",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SignedUp => "Signed up and paid",
            Self::ProfileCompleted => "Profile set up",
            Self::PayoutsEnabled => "Payouts enabled",
            Self::TipsEnabled => "Kick In turned on",
            Self::ProfileShared => "Profile shared",
            Self::FirstDollar => "First dollar",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> ArtistStatus {
        ArtistStatus {
            user_id: 1,
            handle: "nova".into(),
            stage_name: "Nova".into(),
            photo_url: None,
            tier: Tier::Starter,
            subscription: Some(SubscriptionStatus::Active),
            renews_at: None,
            cancel_at_period_end: false,
            profile_complete: true,
            payout_account: true,
            payout_details_submitted: true,
            payouts_enabled: true,
            tips_enabled: false,
            shared_profile: false,
            first_dollar: false,
        }
    }

    #[test]
    fn the_gate_names_the_first_missing_step() {
        assert_eq!(ready().first_missing_step(), None);
        let no_payouts = ArtistStatus {
            payouts_enabled: false,
            ..ready()
        };
        assert_eq!(
            no_payouts.first_missing_step(),
            Some(OnboardingStep::Payouts)
        );
        let nothing = ArtistStatus {
            subscription: None,
            profile_complete: false,
            payouts_enabled: false,
            ..ready()
        };
        assert_eq!(nothing.first_missing_step(), Some(OnboardingStep::Plan));
        let canceled = ArtistStatus {
            subscription: Some(SubscriptionStatus::Canceled),
            ..ready()
        };
        assert_eq!(canceled.first_missing_step(), Some(OnboardingStep::Plan));
        let no_profile = ArtistStatus {
            profile_complete: false,
            ..ready()
        };
        assert_eq!(
            no_profile.first_missing_step(),
            Some(OnboardingStep::Profile)
        );
    }

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

    #[test]
    fn the_checklist_mirrors_the_status() {
        let items = ready().checklist();
        let done: Vec<_> = items
            .iter()
            .filter(|i| i.done)
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(done, ["plan", "profile", "payouts"]);
        assert_eq!(items.len(), 5);
        assert_eq!(items.last().map(|i| i.key.as_str()), Some("share"));
    }
}
